package ir

import "github.com/sigconv/sigconv/sigma"

// ApplyFilters combines meta-filters with a lowered rule the way the Sigma
// filters specification (and pySigma) do: every condition of the rule
// becomes (rule condition) and (filter condition), one filter after the
// other. An exclusion filter therefore says "not selection" itself. The
// input rule is not modified.
func ApplyFilters(r *Rule, filters []*sigma.Filter) (*Rule, error) {
	if len(filters) == 0 {
		return r, nil
	}
	out := r.Clone()
	for _, f := range filters {
		expr, err := lowerFilter(f)
		if err != nil {
			return nil, err
		}
		for i, q := range out.Queries {
			out.Queries[i] = NewAnd(q, expr)
		}
	}
	return out, nil
}

// lowerFilter lowers a filter's detection as if it were a rule's.
func lowerFilter(f *sigma.Filter) (Expr, error) {
	tmp := &sigma.Rule{Meta: f.Meta, LogSource: f.LogSource, Detection: f.Detection}
	lowered, err := Lower(tmp)
	if err != nil {
		return nil, err
	}
	if len(lowered.Queries) != 1 {
		return nil, sigma.Errorf(f.File, f.Detection.Pos, "a filter must have exactly one condition")
	}
	return lowered.Queries[0], nil
}
