package backendtest

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// Shapes wrap a literal the way contains, startswith and endswith do,
// plus a wildcard between two copies, a trailing '?' and cased forms: the
// shapes every
// target's hostile-value test renders each value in.
var Shapes = map[string]func(string) sigma.String{
	"equal": func(v string) sigma.String { return sigma.Plain(v) },
	"contains": func(v string) sigma.String {
		return sigma.String{Parts: []sigma.Part{{Kind: sigma.WildMulti}, {Kind: sigma.Literal, Text: v}, {Kind: sigma.WildMulti}}}
	},
	"startswith": func(v string) sigma.String {
		return sigma.String{Parts: []sigma.Part{{Kind: sigma.Literal, Text: v}, {Kind: sigma.WildMulti}}}
	},
	"endswith": func(v string) sigma.String {
		return sigma.String{Parts: []sigma.Part{{Kind: sigma.WildMulti}, {Kind: sigma.Literal, Text: v}}}
	},
	"inner": func(v string) sigma.String {
		return sigma.String{Parts: []sigma.Part{{Kind: sigma.Literal, Text: v}, {Kind: sigma.WildMulti}, {Kind: sigma.Literal, Text: v}}}
	},
	"single": func(v string) sigma.String {
		return sigma.String{Parts: []sigma.Part{{Kind: sigma.Literal, Text: v}, {Kind: sigma.WildSingle}}}
	},
	"cased": func(v string) sigma.String {
		return sigma.String{Parts: []sigma.Part{{Kind: sigma.Literal, Text: v}}, Cased: true}
	},
	"cased contains": func(v string) sigma.String {
		return sigma.String{Parts: []sigma.Part{{Kind: sigma.WildMulti}, {Kind: sigma.Literal, Text: v}, {Kind: sigma.WildMulti}}, Cased: true}
	},
}

// Probes are the strings a rendered comparison is evaluated on: the value
// itself, with text around it, twice, in other cases, cut in half.
func Probes(v string) []string {
	return []string{v, v + v, "x" + v, v + "x", "x" + v + "x", strings.ToUpper(v), strings.ToLower(v), "", "x",
		v + "\n", "\n" + v, v[:len(v)/2], v + "xx" + v, v + "a"}
}

// SigmaMatcher is the reference meaning of a Sigma string: whole-value
// match, case-insensitive unless cased, '*' any run and '?' one character
// (line breaks included).
func SigmaMatcher(s sigma.String) func(string) bool {
	var b strings.Builder
	if !s.Cased {
		b.WriteString(`(?i)`)
	}
	b.WriteString(`(?s)\A`)
	for _, p := range s.Parts {
		switch p.Kind {
		case sigma.Literal:
			b.WriteString(regexp.QuoteMeta(p.Text))
		case sigma.WildMulti:
			b.WriteString(".*")
		case sigma.WildSingle:
			b.WriteString(".")
		}
	}
	b.WriteString(`\z`)
	return regexp.MustCompile(b.String()).MatchString
}

// LiteralCheck is how one target's literal tests render a value and read
// the query back.
type LiteralCheck struct {
	Backend backends.Backend
	// Table is set on the rule for targets that need one to render.
	Table string
	// Read parses the query of one comparison on field f, with the
	// target's own literal rules, into the values it accepts.
	Read func(query string) (func(string) bool, error)
	// MayRefuse lets the backend refuse a value with an error (one it has
	// no exact form for); refusing is never wrong, approximating is.
	MayRefuse bool
}

// Rendered is one value rendered in one shape.
type Rendered struct {
	Shape, Value, Query string
}

// Check renders v in every shape and compares, on Probes(v), what each
// query accepts with what the Sigma string accepts. It returns the
// queries (for further checks, such as a parser) and every disagreement.
func (lc LiteralCheck) Check(v string) ([]Rendered, []error) {
	var out []Rendered
	var errs []error
	for _, name := range shapeNames() {
		s := Shapes[name](v)
		r := &ir.Rule{Source: &sigma.Rule{}, Table: lc.Table, Queries: []ir.Expr{&ir.Match{Field: "f", Value: s}}}
		qs, err := lc.Backend.Convert(r)
		if err != nil {
			if !lc.MayRefuse {
				errs = append(errs, fmt.Errorf("%s %q: %v", name, v, err))
			}
			continue
		}
		out = append(out, Rendered{Shape: name, Value: v, Query: qs[0]})
		eval, err := lc.Read(qs[0])
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %q: %v in\n%s", name, v, err, qs[0]))
			continue
		}
		want := SigmaMatcher(s)
		for _, probe := range Probes(v) {
			if got := eval(probe); got != want(probe) {
				errs = append(errs, fmt.Errorf("%s %q: query says %v for %q, Sigma says %v\n%s", name, v, got, probe, want(probe), qs[0]))
			}
		}
	}
	return out, errs
}

// FuzzValue reports whether a fuzzed value is worth checking: values come
// from YAML text (valid UTF-8), and long ones add nothing the literal
// rules care about while slowing the reference evaluators.
func FuzzValue(v string) bool { return utf8.ValidString(v) && v != "" && len(v) <= 256 }

func shapeNames() []string {
	names := make([]string, 0, len(Shapes))
	for n := range Shapes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
