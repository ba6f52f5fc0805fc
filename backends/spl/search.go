package spl

import (
	"errors"
	"regexp"
	"strings"

	"github.com/sigconv/sigconv/backends/textquery"
	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// errNeedsWhere marks a comparison the search command cannot say exactly;
// the conjunct holding it is rendered as a | where expression instead.
var errNeedsWhere = errors.New("needs | where")

// searchField is what the search command (and tstats) take as a field name
// unquoted; anything else goes to | where, where names are single-quoted.
var searchField = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)

// searchDialect renders the search command. Boolean order there is
// parentheses, NOT, OR, then AND, and AND is implied between terms
// (https://help.splunk.com/en/splunk-enterprise/search/search-manual/9.3/expressions-and-predicates),
// hence OrBindsTighter and a space as the AND joiner.
func searchDialect(r *ir.Rule) *textquery.Dialect {
	return &textquery.Dialect{
		Tokens: textquery.Tokens{
			And: " ", Or: " OR ", Not: "NOT ", Open: "(", Close: ")",
			OrBindsTighter: true,
		},
		Hooks: textquery.Hooks{
			Match: func(m *ir.Match) (textquery.Fragment, error) { return searchMatch(r, m) },
			List:  searchList,
		},
	}
}

// searchMatch renders one comparison as a search term, or reports
// errNeedsWhere.
func searchMatch(r *ir.Rule, m *ir.Match) (textquery.Fragment, error) {
	if m.Field == "" {
		return searchKeyword(r, m)
	}
	if !searchField.MatchString(m.Field) {
		return textquery.Fragment{}, errNeedsWhere
	}
	f := m.Field
	switch v := m.Value.(type) {
	case sigma.String:
		if v.HasPlaceholders() {
			return textquery.Fragment{}, sigma.Errorf(r.Source.File, m.Pos, "spl: %v", placeholderOf(v))
		}
		if !searchSafe(v) {
			return textquery.Fragment{}, errNeedsWhere
		}
		return textquery.Atom(f + "=" + searchQuote(v)), nil
	case sigma.Number:
		return textquery.Atom(f + "=" + v.String()), nil
	case sigma.Bool:
		return textquery.Atom(f + `="` + boolText(v.Value) + `"`), nil
	case sigma.Null, sigma.Exists:
		// Whether F=* matches a field whose value is empty is not
		// documented, so neither F=* nor NOT F=* is exact; isnull() and
		// isnotnull() in | where are.
		return textquery.Fragment{}, errNeedsWhere
	case sigma.Compare:
		return textquery.Atom(f + v.Op.String() + v.Value.String()), nil
	case sigma.CIDR:
		// The search command matches IPv4 and IPv6 subnets written in
		// CIDR notation (search command reference, "CIDR matching").
		return textquery.Atom(f + `="` + v.Prefix.Masked().String() + `"`), nil
	case sigma.Raw:
		return textquery.Atom(f + "=" + v.Text), nil
	case sigma.Regex, sigma.FieldRef:
		return textquery.Fragment{}, errNeedsWhere
	case sigma.TimePart:
		return textquery.Fragment{}, sigma.Errorf(r.Source.File, m.Pos, "spl: time-part modifier %s is not supported by the spl backend", v.Part)
	}
	return textquery.Fragment{}, sigma.Errorf(r.Source.File, m.Pos, "spl: value type %T is not supported", m.Value)
}

// searchKeyword sends every keyword to | where. A Sigma keyword is a
// substring of the event, but a search term matches whole indexed terms
// (segments split at breakers such as spaces and punctuation: "Event
// segmentation and searching"), so "a" would miss "xaz" and NOT "a" would
// pass it. match(_raw, ...) in | where searches the raw text exactly; it
// reads every event the other terms select, which costs more than a term
// lookup.
func searchKeyword(r *ir.Rule, m *ir.Match) (textquery.Fragment, error) {
	if v, ok := m.Value.(sigma.String); ok && v.HasPlaceholders() {
		return textquery.Fragment{}, sigma.Errorf(r.Source.File, m.Pos, "spl: %v", placeholderOf(v))
	}
	return textquery.Fragment{}, errNeedsWhere
}

// searchList folds an OR of plain values on one field into field IN (...),
// which accepts '*' wildcards and compares like field=value
// (https://splunk.com/en_us/blog/tips-and-tricks/smooth-operator-searching-for-multiple-field-values.html).
// The fragment gets OR precedence so that NOT always groups it.
func searchList(ms []*ir.Match) (textquery.Fragment, bool, error) {
	if !searchField.MatchString(ms[0].Field) {
		return textquery.Fragment{}, false, nil
	}
	var vals []string
	for _, m := range ms {
		switch v := m.Value.(type) {
		case sigma.String:
			if shape, _ := v.Shape(); !searchSafe(v) || shape == sigma.ShapeAny {
				return textquery.Fragment{}, false, nil
			}
			vals = append(vals, searchQuote(v))
		case sigma.Number:
			vals = append(vals, v.String())
		default:
			return textquery.Fragment{}, false, nil
		}
	}
	text := ms[0].Field + " IN (" + strings.Join(vals, ", ") + ")"
	return textquery.Fragment{Text: text, Prec: textquery.PrecHigh}, true, nil
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func placeholderOf(s sigma.String) error {
	for _, p := range s.Parts {
		if p.Kind == sigma.Placeholder {
			return placeholderError(p.Text)
		}
	}
	return nil
}
