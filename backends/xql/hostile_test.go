package xql_test

import (
	"fmt"
	"github.com/sigconv/sigconv/backends/backendtest"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sigconv/sigconv/backends/xql"
	"github.com/sigconv/sigconv/internal/xqltok"
	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// hostile are values that try to break out of a literal or change what
// it matches.
var hostile = []string{
	`a"b`, `"`, `""""`, `a\`, `\`, `\\`, `a\\b`, `a|b`, `| dataset = x`, "a\nb", "a\r\nb", "\x00",
	`a*b`, `*`, `a?b`, `?`, `" or x = "`, `"""`, `%x%`, `$x`, `@x`, "`x`", `C:\Windows\`, "é\u2013", `\"`, `//x`,
}

// TestHostileValues renders every hostile value in every shape, reads the
// query back with XQL's literal rules (xqltok), evaluates the comparison
// the way XQL defines it, and checks that it accepts exactly the values
// the Sigma string accepts on a set of probes.
func TestHostileValues(t *testing.T) {
	b := xql.New()
	for name, shape := range backendtest.Shapes {
		for _, v := range hostile {
			s := shape(v)
			r := &ir.Rule{Source: &sigma.Rule{}, Queries: []ir.Expr{&ir.Match{Field: "f", Value: s}}}
			qs, err := b.Convert(r)
			if err != nil {
				t.Errorf("%s %q: %v", name, v, err)
				continue
			}
			eval, err := parseComparison(qs[0])
			if err != nil {
				t.Errorf("%s %q: %v in\n%s", name, v, err, qs[0])
				continue
			}
			want := backendtest.SigmaMatcher(s)
			for _, probe := range backendtest.Probes(v) {
				if got := eval(probe); got != want(probe) {
					t.Errorf("%s %q: query says %v for %q, Sigma says %v\n%s", name, v, got, probe, want(probe), qs[0])
				}
			}
		}
	}
}

// parseComparison reads the filter of a one-comparison query and returns
// its meaning per the XQL reference (case-insensitive comparisons under
// config case_sensitive = false; '*' is the wildcard of "..." strings).
func parseComparison(q string) (func(string) bool, error) {
	toks, err := xqltok.Split(q)
	if err != nil {
		return nil, err
	}
	var i int
	for i = 0; i < len(toks); i++ {
		if toks[i].Kind == xqltok.Word && toks[i].Text == "filter" {
			break
		}
	}
	rest := toks[i+1:]
	if len(rest) < 3 || rest[0].Text != "f" {
		return nil, fmt.Errorf("unexpected filter %v", rest)
	}
	op, arg := rest[1].Text, rest[2]
	switch {
	case op == "=" && arg.Kind == xqltok.String:
		return func(s string) bool { return strings.EqualFold(s, arg.Text) }, expectEnd(rest[3:])
	case op == "contains" && arg.Kind == xqltok.String:
		// Case-insensitive by Unicode simple folding, like EqualFold and
		// the reference matcher's (?i).
		return regexp.MustCompile("(?is)" + regexp.QuoteMeta(arg.Text)).MatchString, expectEnd(rest[3:])
	case op == "!=" && arg.Text == "null":
		return func(string) bool { return true }, expectEnd(rest[3:])
	case op == "in" && arg.Text == "(" && len(rest) > 4 && rest[3].Kind == xqltok.String && rest[4].Text == ")":
		glob := "(?is)\\A" + strings.ReplaceAll(regexp.QuoteMeta(rest[3].Text), `\*`, ".*") + `\z`
		re := regexp.MustCompile(glob)
		return re.MatchString, expectEnd(rest[5:])
	case op == "~=" && arg.Kind == xqltok.String:
		re, err := regexp.Compile(arg.Text)
		if err != nil {
			return nil, err
		}
		return re.MatchString, expectEnd(rest[3:])
	}
	return nil, fmt.Errorf("unexpected comparison %v", rest)
}

func expectEnd(rest []xqltok.Token) error {
	if len(rest) == 0 || rest[0].Text != "|" {
		return fmt.Errorf("literal did not end where expected: %v", rest)
	}
	return nil
}

// FuzzLiteral renders fuzzed values in every shape and checks, as
// TestHostileValues does, that the query reads back (by XQL's literal
// rules) as a comparison accepting exactly what the Sigma value accepts.
func FuzzLiteral(f *testing.F) {
	for _, v := range hostile {
		f.Add(v)
	}
	b := xql.New()
	f.Fuzz(func(t *testing.T, v string) {
		// Values come from YAML text (valid UTF-8); long ones add nothing
		// the literal rules care about and slow the reference evaluators.
		if !utf8.ValidString(v) || v == "" || len(v) > 256 {
			return
		}
		for name, shape := range backendtest.Shapes {
			s := shape(v)
			r := &ir.Rule{Source: &sigma.Rule{}, Queries: []ir.Expr{&ir.Match{Field: "f", Value: s}}}
			qs, err := b.Convert(r)
			if err != nil {
				t.Fatalf("%s %q: %v", name, v, err)
			}
			eval, err := parseComparison(qs[0])
			if err != nil {
				t.Fatalf("%s %q: %v in\n%s", name, v, err, qs[0])
			}
			want := backendtest.SigmaMatcher(s)
			for _, probe := range backendtest.Probes(v) {
				if eval(probe) != want(probe) {
					t.Fatalf("%s %q: query and Sigma disagree on %q\n%s", name, v, probe, qs[0])
				}
			}
		}
	})
}
