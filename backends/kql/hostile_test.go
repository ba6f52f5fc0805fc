package kql_test

import (
	"encoding/json"
	"fmt"
	"github.com/sigconv/sigconv/backends/backendtest"
	"regexp"
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends/kql"
	"github.com/sigconv/sigconv/internal/kqlcheck"
)

// hostile are values that try to break out of a literal or change what
// it matches.
var hostile = []string{
	`a"b`, `"`, `""""`, `a\`, `\`, `\\`, `a\\b`, `a|b`, `| where x`, "a\nb", "a\tb", `'`, `@"x"`, `@`,
	`a*b`, `*`, `a?b`, `?`, `" or x == "`, `"""`, `%x%`, `$x`, `$`, "`x`", "```", `C:\Windows\`, "é\u2013😀", `\"`, `//x`, `(?i)`, `.*`, `[a]`, `]`,
}

// TestHostileValues renders every hostile value in every shape, reads the
// literal back with KQL's documented literal rules, evaluates the
// comparison as the string operators page defines it, and checks that it
// accepts exactly what the Sigma string accepts on a set of probes. Then
// Kusto.Language must compile every query: a value that escaped its
// literal would leave stray tokens behind.
func TestHostileValues(t *testing.T) {
	lc := backendtest.LiteralCheck{Backend: kql.New(), Table: "T", Read: parseComparison}
	var qs []kqlcheck.Query
	for _, v := range hostile {
		rendered, errs := lc.Check(v)
		for _, err := range errs {
			t.Error(err)
		}
		for _, r := range rendered {
			qs = append(qs, kqlcheck.Query{ID: fmt.Sprintf("%s %q", r.Shape, r.Value), Query: r.Query})
		}
	}
	kqlcheck.Require(t)
	schema, _ := json.Marshal(map[string]any{"test": map[string]any{"tables": map[string]any{"T": map[string]any{"columns": map[string]string{"f": "string"}}}}})
	results, err := kqlcheck.Check(schema, "test", qs)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if !r.OK {
			t.Errorf("%s: %v\n%s", r.ID, r.Errors, qs[i].Query)
		}
	}
}

// parseComparison reads "T\n| where f OP LITERAL" and returns its meaning
// per the KQL string operators page.
func parseComparison(q string) (func(string) bool, error) {
	rest, ok := strings.CutPrefix(q, "T\n| where ")
	if !ok {
		return nil, fmt.Errorf("unexpected frame")
	}
	if rest == "isnotempty(f)" {
		return func(s string) bool { return s != "" }, nil
	}
	rest, ok = strings.CutPrefix(rest, "f ")
	if !ok {
		return nil, fmt.Errorf("unexpected comparison")
	}
	op, lit, _ := strings.Cut(rest, " ")
	if op == "matches" {
		op = "matches regex"
		lit = strings.TrimPrefix(lit, "regex ")
	}
	text, tail, err := readLiteral(lit)
	if err != nil {
		return nil, err
	}
	if tail != "" {
		return nil, fmt.Errorf("text after the literal: %q", tail)
	}
	// Case-insensitive operators fold case the way the reference
	// matcher's (?i) does (Unicode simple folding, as EqualFold), so that
	// the two can only disagree on what the query says, not on how case
	// folding is defined.
	fold := func(prefix, suffix string) func(string) bool {
		return regexp.MustCompile("(?is)" + prefix + regexp.QuoteMeta(text) + suffix).MatchString
	}
	switch op {
	case "=~":
		return func(s string) bool { return strings.EqualFold(s, text) }, nil
	case "contains":
		return fold("", ""), nil
	case "startswith":
		return fold(`\A`, ""), nil
	case "endswith":
		return fold("", `\z`), nil
	case "==":
		return func(s string) bool { return s == text }, nil
	case "contains_cs":
		return func(s string) bool { return strings.Contains(s, text) }, nil
	case "startswith_cs":
		return func(s string) bool { return strings.HasPrefix(s, text) }, nil
	case "endswith_cs":
		return func(s string) bool { return strings.HasSuffix(s, text) }, nil
	case "matches regex":
		re, err := regexp.Compile(text)
		if err != nil {
			return nil, err
		}
		return re.MatchString, nil
	}
	return nil, fmt.Errorf("unexpected operator %q", op)
}

// readLiteral decodes one KQL string literal at the start of s (string
// data type page): @"..." with "" for a quote, or "..." with \\, \", \t
// and \n escapes. It returns the text and what follows the literal.
func readLiteral(s string) (string, string, error) {
	var b strings.Builder
	switch {
	case strings.HasPrefix(s, `@"`):
		for i := 2; i < len(s); i++ {
			switch {
			case s[i] == '"' && i+1 < len(s) && s[i+1] == '"':
				b.WriteByte('"')
				i++
			case s[i] == '"':
				return b.String(), s[i+1:], nil
			case s[i] == '\n' || s[i] == '\r':
				return "", "", fmt.Errorf("line break inside a literal")
			default:
				b.WriteByte(s[i])
			}
		}
	case strings.HasPrefix(s, `"`):
		for i := 1; i < len(s); i++ {
			switch s[i] {
			case '"':
				return b.String(), s[i+1:], nil
			case '\\':
				if i+1 >= len(s) {
					return "", "", fmt.Errorf("unterminated escape")
				}
				i++
				e, ok := map[byte]byte{'\\': '\\', '"': '"', 't': '\t', 'n': '\n'}[s[i]]
				if !ok {
					return "", "", fmt.Errorf("undocumented escape \\%c", s[i])
				}
				b.WriteByte(e)
			case '\n', '\r':
				return "", "", fmt.Errorf("line break inside a literal")
			default:
				b.WriteByte(s[i])
			}
		}
	}
	return "", "", fmt.Errorf("no terminated literal in %q", s)
}
