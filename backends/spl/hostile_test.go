package spl_test

import (
	"fmt"
	"github.com/sigconv/sigconv/backends/backendtest"
	"regexp"
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends/spl"
)

// hostile are values that try to break out of a literal or change what
// it matches.
var hostile = []string{
	`a"b`, `"`, `""""`, `a\`, `\`, `\\`, `a\\b`, `a|b`, `| delete`, "a\nb", "a\r\nb", "\x00",
	`a*b`, `*`, `a?b`, `?`, `" OR x="`, `[search x]`, `a=b`, "`macro`", "```", `$x$`, `C:\Windows\`,
	"é\u2013", `\"`, `'`, `a' OR 'b`, `(?i)`, `%_`, `\*`, `x.*`, "\t",
}

// TestHostileValues renders every hostile value in every shape, reads the
// query back with Splunk's literal rules, evaluates the comparison the
// way Splunk defines it, and checks that it accepts exactly the values
// the Sigma string accepts on a set of probes.
func TestHostileValues(t *testing.T) {
	lc := backendtest.LiteralCheck{Backend: spl.New(), Read: parseQuery}
	for _, v := range hostile {
		_, errs := lc.Check(v)
		for _, err := range errs {
			t.Error(err)
		}
	}
}

// readQuoted reads a "..." literal at the start of s with the rules of
// the search command and of eval strings: \\ is a backslash, \" a quote;
// any other escape is rejected because the backend must never write one
// (in eval strings \t and others would mean something else). It returns
// the decoded text and the rest of s.
func readQuoted(s string) (string, string, error) {
	if !strings.HasPrefix(s, `"`) {
		return "", "", fmt.Errorf("expected a quoted literal at %q", s)
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return b.String(), s[i+1:], nil
		case c == '\\':
			if i+1 >= len(s) || (s[i+1] != '\\' && s[i+1] != '"') {
				return "", "", fmt.Errorf("unexpected escape in %q", s)
			}
			i++
			b.WriteByte(s[i])
		case c < 0x20 || c == '`':
			return "", "", fmt.Errorf("raw control character or backtick in literal %q", s)
		default:
			b.WriteByte(c)
		}
	}
	return "", "", fmt.Errorf("unterminated literal %q", s)
}

// parseQuery reads a one-comparison query on field f, in either of its
// two forms, and returns its meaning per Splunk's reference.
func parseQuery(q string) (func(string) bool, error) {
	if rest, ok := strings.CutPrefix(q, "*\n| where "); ok {
		return parseWhere(rest)
	}
	switch {
	case q == "f=*":
		return func(string) bool { return true }, nil
	case strings.HasPrefix(q, "f="):
		text, rest, err := readQuoted(q[2:])
		if err != nil {
			return nil, err
		}
		if rest != "" {
			return nil, fmt.Errorf("literal did not end where expected: %q", rest)
		}
		// '*' is the search wildcard and cannot be escaped; comparison is
		// case-insensitive and covers the whole value.
		glob := `(?is)\A` + strings.ReplaceAll(regexp.QuoteMeta(text), `\*`, ".*") + `\z`
		return regexp.MustCompile(glob).MatchString, nil
	}
	return nil, fmt.Errorf("unexpected search %q", q)
}

func parseWhere(expr string) (func(string) bool, error) {
	if expr == "isnotnull('f')" {
		return func(string) bool { return true }, nil
	}
	rest, ok := strings.CutPrefix(expr, "match('f', ")
	if !ok {
		return nil, fmt.Errorf("unexpected where expression %q", expr)
	}
	re, rest, err := readQuoted(rest)
	if err != nil {
		return nil, err
	}
	if rest != ")" {
		return nil, fmt.Errorf("literal did not end where expected: %q", rest)
	}
	// The PCRE constructs the backend writes (\A, \z, (?s:.), \x{..},
	// (?i), escaped punctuation) read the same in Go's RE2 syntax.
	compiled, err := regexp.Compile(re)
	if err != nil {
		return nil, err
	}
	return compiled.MatchString, nil
}
