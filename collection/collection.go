// Package collection resolves the documents of several rule files
// against each other: which meta-filters apply to which rule, and which
// rules a correlation references. It is the pass after parsing where
// names are looked up, like go/types after go/parser.
package collection

import (
	"strings"

	"github.com/sigconv/sigconv/sigma"
)

// Collection holds the documents of a conversion, in file order.
type Collection struct {
	Rules        []*sigma.Rule
	Correlations []*sigma.Correlation
	Filters      []*sigma.Filter

	byID   map[string]*sigma.Rule
	byName map[string]*sigma.Rule
	names  *Names
	// generated holds the rules correlations reference: true when one of
	// them says generate: true. Built once by New (see Generated).
	generated map[*sigma.Rule]bool
}

// New builds a collection from parsed files. Files with errors contribute
// their valid documents only (the caller reports the errors). Duplicate
// ids or names are errors: a reference must never be ambiguous.
func New(files []*sigma.File) (*Collection, sigma.ErrorList) {
	c := &Collection{byID: map[string]*sigma.Rule{}, byName: map[string]*sigma.Rule{}}
	var diags sigma.ErrorList
	for _, f := range files {
		for _, doc := range f.Documents {
			switch d := doc.(type) {
			case *sigma.Rule:
				c.Rules = append(c.Rules, d)
				diags = append(diags, c.index(d)...)
			case *sigma.Correlation:
				c.Correlations = append(c.Correlations, d)
			case *sigma.Filter:
				c.Filters = append(c.Filters, d)
			}
		}
	}
	c.generated = c.references()
	return c, diags
}

// references indexes the rules the correlations reference, once, so that
// Generated costs a map look-up per rule.
func (c *Collection) references() map[*sigma.Rule]bool {
	out := map[*sigma.Rule]bool{}
	for _, corr := range c.Correlations {
		for _, ref := range corr.Rules {
			if r := c.Lookup(ref.Ref); r != nil {
				out[r] = out[r] || corr.Generate
			}
		}
	}
	return out
}

func (c *Collection) index(r *sigma.Rule) sigma.ErrorList {
	if c.names == nil {
		c.names = &Names{}
	}
	diags := c.names.Add(r)
	if r.ID != "" && c.byID[r.ID] == nil {
		c.byID[r.ID] = r
	}
	if r.Name != "" && c.byName[r.Name] == nil {
		c.byName[r.Name] = r
	}
	return diags
}

// Names records the ids and names of rules met in input order and
// reports a rule that reuses one, as New does. It keeps only where each
// was first used, so a caller that converts rules as it reads them (the
// streaming driver) finds duplicates without keeping rules alive.
type Names struct {
	ids, names map[string]string // id or name → file:line:col of its first rule
}

// Add records r's id and name; each already used is an error at r's key.
func (n *Names) Add(r *sigma.Rule) sigma.ErrorList {
	if n.ids == nil {
		n.ids, n.names = map[string]string{}, map[string]string{}
	}
	var diags sigma.ErrorList
	if r.ID != "" {
		if prev, dup := n.ids[r.ID]; dup {
			diags = append(diags, sigma.Errorf(r.File, r.PosOf("id"), "id %s is also used by %s", r.ID, prev))
		} else {
			n.ids[r.ID] = where(r)
		}
	}
	if r.Name != "" {
		if prev, dup := n.names[r.Name]; dup {
			diags = append(diags, sigma.Errorf(r.File, r.PosOf("name"), "name %q is also used by %s", r.Name, prev))
		} else {
			n.names[r.Name] = where(r)
		}
	}
	return diags
}

func where(r *sigma.Rule) string { return r.File + ":" + r.Pos.String() }

// Lookup finds a rule by id first, then by name, as the correlation
// specification says.
func (c *Collection) Lookup(ref string) *sigma.Rule {
	if r, ok := c.byID[ref]; ok {
		return r
	}
	return c.byName[ref]
}

// Referenced reports whether any correlation references the rule.
func (c *Collection) Referenced(r *sigma.Rule) bool {
	for _, corr := range c.Correlations {
		for _, ref := range corr.Rules {
			if c.Lookup(ref.Ref) == r {
				return true
			}
		}
	}
	return false
}

// Generated reports whether a rule's own query is part of the output: a
// rule no correlation references is; a referenced rule only when some
// correlation that references it says generate: true (Sigma correlation
// specification, "generate"). convert and the golden tests both use it.
func (c *Collection) Generated(r *sigma.Rule) bool {
	refs := c.generated
	if refs == nil { // a Collection not made by New
		refs = c.references()
	}
	gen, referenced := refs[r]
	return !referenced || gen
}

// CorrelationRules resolves a correlation's rules in its order. A
// reference to a rule that is not part of the conversion is an error at
// the reference.
func (c *Collection) CorrelationRules(corr *sigma.Correlation) ([]*sigma.Rule, error) {
	var out []*sigma.Rule
	var errs sigma.ErrorList
	for _, ref := range corr.Rules {
		r := c.Lookup(ref.Ref)
		if r == nil && c.correlation(ref.Ref) != nil {
			// Chains need the referenced correlation's result rows as
			// events, which no target's query form provides yet.
			errs = append(errs, sigma.Errorf(corr.File, ref.Pos, "correlation references correlation %q; chains of correlations are not supported: reference its detection rules instead", ref.Ref).WithReason(sigma.ReasonCorrelation))
			continue
		}
		if r == nil {
			errs = append(errs, sigma.Errorf(corr.File, ref.Pos, "correlation references rule %q, which is not among the rules given (give its file too)", ref.Ref).WithReason(sigma.ReasonCorrelation))
			continue
		}
		out = append(out, r)
	}
	return out, errs.Err()
}

// FiltersFor returns the filters that apply to a rule, in collection
// order: the rule's logsource must have every attribute the filter's
// logsource sets, and the filter must name the rule (id or name) or any.
func (c *Collection) FiltersFor(r *sigma.Rule) []*sigma.Filter {
	var out []*sigma.Filter
	for _, f := range c.Filters {
		if logsourceContains(f.LogSource, r.LogSource) && names(f, r) {
			out = append(out, f)
		}
	}
	return out
}

// CheckFilters reports filters that name a rule not in the conversion
// (an error: such a filter would silently do nothing), and filters whose
// logsource can never apply to a rule they name (a warning: the filter
// does nothing to that rule, which may be meant for another of its rules).
func (c *Collection) CheckFilters() sigma.ErrorList {
	var diags sigma.ErrorList
	for _, f := range c.Filters {
		for _, ref := range f.Rules {
			r := c.Lookup(ref.Ref)
			switch {
			case r == nil:
				diags = append(diags, sigma.Errorf(f.File, ref.Pos, "filter names rule %q, which is not among the rules being converted", ref.Ref))
			case !logsourceContains(f.LogSource, r.LogSource):
				diags = append(diags, sigma.Warnf(f.File, ref.Pos, "filter names rule %q, but its logsource (%s) is not within the rule's (%s): it never applies to that rule", ref.Ref, describe(f.LogSource), describe(r.LogSource)))
			}
		}
	}
	return diags
}

// describe writes a logsource as category=… product=… service=….
func describe(ls sigma.LogSource) string {
	var parts []string
	for _, kv := range [][2]string{{"category", ls.Category}, {"product", ls.Product}, {"service", ls.Service}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	if len(parts) == 0 {
		return "any"
	}
	return strings.Join(parts, " ")
}

func logsourceContains(filter, rule sigma.LogSource) bool {
	eq := func(f, r string) bool { return f == "" || strings.EqualFold(f, r) }
	return eq(filter.Category, rule.Category) && eq(filter.Product, rule.Product) && eq(filter.Service, rule.Service)
}

func names(f *sigma.Filter, r *sigma.Rule) bool {
	if f.AnyRule {
		return true
	}
	for _, ref := range f.Rules {
		if (r.ID != "" && ref.Ref == r.ID) || (r.Name != "" && ref.Ref == r.Name) {
			return true
		}
	}
	return false
}

// correlation finds a correlation by id or name.
func (c *Collection) correlation(ref string) *sigma.Correlation {
	for _, corr := range c.Correlations {
		if corr.ID == ref || corr.Name == ref {
			return corr
		}
	}
	return nil
}
