package xql_test

import (
	"fmt"
	"github.com/sigconv/sigconv/backends/backendtest"
	"regexp"
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends/xql"
	"github.com/sigconv/sigconv/internal/xqltok"
)

// hostile are values that try to break out of a literal or change what
// it matches.
var hostile = []string{
	`a"b`, `"`, `""""`, `a\`, `\`, `\\`, `a\\b`, `a|b`, `| dataset = x`, "a\nb", "a\r\nb", "\x00",
	`a*b`, `*`, `a?b`, `?`, `" or x = "`, `"""`, `%x%`, `$x`, `@x`, "`x`", `C:\Windows\`, "é\u2013", `\"`, `//x`, "a\u2028b", "\u0085", "a\u2029",
}

// TestHostileValues renders every hostile value in every shape, reads the
// query back with XQL's literal rules (xqltok), evaluates the comparison
// the way XQL defines it, and checks that it accepts exactly the values
// the Sigma string accepts on a set of probes.
func TestHostileValues(t *testing.T) {
	lc := backendtest.LiteralCheck{Backend: xql.New(), Read: parseComparison}
	for _, v := range hostile {
		_, errs := lc.Check(v)
		for _, err := range errs {
			t.Error(err)
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
	lc := backendtest.LiteralCheck{Backend: xql.New(), Read: parseComparison}
	f.Fuzz(func(t *testing.T, v string) {
		if !backendtest.FuzzValue(v) {
			return
		}
		if _, errs := lc.Check(v); len(errs) > 0 {
			t.Fatal(errs[0])
		}
	})
}
