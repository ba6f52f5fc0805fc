package spl

import (
	"strings"

	"github.com/sigconv/sigconv/backends/textquery"
	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// whereDialect renders an eval expression for | where. There AND binds
// tighter than OR (expressions-and-predicates page cited at
// searchDialect); NOT is always followed by a group for readability.
//
// The where command is case-sensitive
// (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.2/search-commands/where),
// so strings are compared with match() and an anchored PCRE that carries
// (?i) unless the value is cased. match() finds its regex anywhere in the
// value (Comparison and Conditional functions page), hence \A and \z.
//
// negated holds the leaves under an odd number of NOTs: they get an
// isnotnull() guard, so that a comparison on a missing field is false
// rather than null before it is negated — Sigma's "not" is true for an
// event without the field, as NOT field=value is in the search command.
func whereDialect(r *ir.Rule, negated map[*ir.Match]bool) *textquery.Dialect {
	return &textquery.Dialect{
		Tokens: textquery.Tokens{
			And: " AND ", Or: " OR ", Not: "NOT ", Open: "(", Close: ")",
			NotAlwaysGroups: true,
		},
		Hooks: textquery.Hooks{
			Match: func(m *ir.Match) (textquery.Fragment, error) {
				f, err := whereMatch(r, m)
				if err != nil || !negated[m] || m.Field == "" {
					return f, err
				}
				return guard(m.Field, f, m.Value), nil
			},
		},
	}
}

// guard ANDs isnotnull(field) before a comparison that would otherwise be
// null on a missing field. Null and existence tests need none.
func guard(field string, f textquery.Fragment, v sigma.Value) textquery.Fragment {
	guards := "isnotnull(" + evalField(field) + ") AND "
	switch v := v.(type) {
	case sigma.Null, sigma.Exists:
		return f
	case sigma.FieldRef:
		// Both sides: lower(F)==lower(null) is null too.
		guards += "isnotnull(" + evalField(v.Field) + ") AND "
	}
	text := guards + f.Text
	return textquery.Fragment{Text: text, Prec: textquery.PrecHigh}
}

// evalField single-quotes a field name, which eval accepts for any name
// and needs for names with dots or other non-alphanumerics (where command
// page); names that a quote could not enclose are refused earlier.
func evalField(name string) string { return "'" + name + "'" }

func evalFieldOK(name string) bool {
	return name != "" && !strings.ContainsAny(name, "'\\`\"") && !hasControl(name)
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// whereMatch renders one comparison as an eval predicate.
func whereMatch(r *ir.Rule, m *ir.Match) (textquery.Fragment, error) {
	fail := func(format string, args ...any) (textquery.Fragment, error) {
		return textquery.Fragment{}, sigma.Errorf(r.Source.File, m.Pos, "spl: "+format, args...)
	}
	if m.Field == "" {
		return whereKeyword(r, m)
	}
	if !evalFieldOK(m.Field) {
		return fail("field name %q cannot be written in SPL", m.Field)
	}
	f := evalField(m.Field)
	switch v := m.Value.(type) {
	case sigma.String:
		return whereString(f, v, fail)
	case sigma.Number:
		return textquery.Atom(f + "==" + v.String()), nil
	case sigma.Bool:
		return textquery.Atom("match(" + f + `, "(?i)\\A` + boolText(v.Value) + `\\z")`), nil
	case sigma.Null:
		return textquery.Atom("isnull(" + f + ")"), nil
	case sigma.Exists:
		if v.Value {
			return textquery.Atom("isnotnull(" + f + ")"), nil
		}
		return textquery.Atom("isnull(" + f + ")"), nil
	case sigma.Compare:
		return textquery.Atom(f + v.Op.String() + v.Value.String()), nil
	case sigma.CIDR:
		return textquery.Atom("cidrmatch(" + evalString(v.Prefix.Masked().String()) + ", " + f + ")"), nil
	case sigma.Regex:
		re, err := sigmaRegex(v)
		if err != nil {
			return fail("%v", err)
		}
		return textquery.Atom("match(" + f + ", " + evalString(re) + ")"), nil
	case sigma.FieldRef:
		return whereFieldRef(f, v, fail)
	case sigma.Raw:
		return textquery.Atom(f + "==" + evalString(v.Text)), nil
	case sigma.TimePart:
		return fail("time-part modifier %s is not supported by the spl backend", v.Part)
	}
	return fail("a %s value is not supported", sigma.KindName(m.Value))
}

type failFunc func(format string, args ...any) (textquery.Fragment, error)

func whereString(f string, v sigma.String, fail failFunc) (textquery.Fragment, error) {
	if shape, _ := v.Shape(); shape == sigma.ShapeAny {
		return textquery.Atom("isnotnull(" + f + ")"), nil
	}
	re, err := wildcardRegex(v)
	if err != nil {
		return fail("%v", err)
	}
	return textquery.Atom("match(" + f + ", " + evalString(re) + ")"), nil
}

// whereFieldRef compares two fields. Only equality has an exact eval
// form: with lower() for Sigma's case-insensitive default. Contains,
// startswith and endswith would need like(), whose % and _ in the other
// field's value would act as wildcards.
func whereFieldRef(f string, v sigma.FieldRef, fail failFunc) (textquery.Fragment, error) {
	if v.StartsWith || v.EndsWith {
		return fail("fieldref with contains/startswith/endswith has no exact SPL form; only equality of two fields can be expressed")
	}
	if !evalFieldOK(v.Field) {
		return fail("field name %q cannot be written in SPL", v.Field)
	}
	g := evalField(v.Field)
	if v.Cased {
		return textquery.Atom(f + "==" + g), nil
	}
	return textquery.Atom("lower(" + f + ")==lower(" + g + ")"), nil
}

// whereKeyword searches the raw event text for a keyword with match() and
// an unanchored PCRE: a substring anywhere in _raw, case-insensitive
// unless cased, as Sigma defines keywords (see searchKeyword).
func whereKeyword(r *ir.Rule, m *ir.Match) (textquery.Fragment, error) {
	var re string
	var err error
	switch v := m.Value.(type) {
	case sigma.String:
		re, err = keywordRegex(v)
	case sigma.Number:
		re, err = keywordRegex(sigma.Plain(v.String()))
	case sigma.Bool:
		re, err = keywordRegex(sigma.Plain(boolText(v.Value)))
	case sigma.Regex:
		re, err = sigmaRegex(v)
	default:
		return textquery.Fragment{}, sigma.Errorf(r.Source.File, m.Pos, "spl: a keyword cannot be a %s value", sigma.KindName(m.Value))
	}
	if err != nil {
		return textquery.Fragment{}, sigma.Errorf(r.Source.File, m.Pos, "spl: keyword: %v", err)
	}
	return textquery.Atom("match(_raw, " + evalString(re) + ")"), nil
}

// negatedLeaves records the matches under an odd number of NOTs.
func negatedLeaves(e ir.Expr, neg bool, out map[*ir.Match]bool) {
	switch e := e.(type) {
	case *ir.Match:
		if neg {
			out[e] = true
		}
	case *ir.Not:
		negatedLeaves(e.Arg, !neg, out)
	case *ir.And:
		for _, a := range e.Args {
			negatedLeaves(a, neg, out)
		}
	case *ir.Or:
		for _, a := range e.Args {
			negatedLeaves(a, neg, out)
		}
	}
}
