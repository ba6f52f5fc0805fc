// Package backendtest helps backend packages test whole conversions:
// multi-document YAML in (rules, correlations, meta-filters), each
// document's output or error out, exactly as the CLI would produce them.
package backendtest

import (
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/driver"
)

// Result is the conversion of one document.
type Result struct {
	Title  string
	Output string
	Err    error
}

// ConvertYAML parses text as one rule file and converts its rules and
// correlations (meta-filters in it apply) with conv, through the same
// driver as the CLI, every rule included. A parse or resolution error
// fails the test: cases must be valid Sigma unless they test the parser.
func ConvertYAML(t testing.TB, conv *backends.Converter, text string) []Result {
	t.Helper()
	set := driver.Resolve(driver.Parse(driver.Source{Path: "case.yml", Data: []byte(text)}), nil)
	if err := set.Diags().Err(); err != nil {
		t.Fatalf("case does not parse or resolve: %v", err)
	}
	var out []Result
	for _, r := range set.Convert(conv, driver.Options{EveryRule: true}) {
		out = append(out, Result{Title: r.Meta().Title, Output: r.Output(), Err: r.Err})
	}
	return out
}

// Last returns the last document's result (the correlation, by the
// convention of putting it after its rules).
func Last(t testing.TB, conv *backends.Converter, text string) (string, error) {
	t.Helper()
	rs := ConvertYAML(t, conv, text)
	if len(rs) == 0 {
		t.Fatal("case has no rule or correlation")
	}
	r := rs[len(rs)-1]
	return r.Output, r.Err
}

// CorrelationRules are two small rules on different categories, named a
// and b, for correlation table tests of every target. Both name the host
// field Computer and the user field User.
const CorrelationRules = `title: rule a
name: a
logsource:
    category: process_creation
    product: windows
detection:
    sel:
        CommandLine|contains: 'x'
    condition: sel
---
title: rule b
name: b
logsource:
    category: network_connection
    product: windows
detection:
    sel:
        DestinationPort: 8082
    condition: sel
---
`
