package spl_test

import (
	"github.com/sigconv/sigconv/backends/backendtest"
	"testing"
	"unicode/utf8"

	"github.com/sigconv/sigconv/backends/spl"
	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// FuzzLiteral renders fuzzed values in every shape and checks, as
// TestHostileValues does, that the query read back by Splunk's literal
// rules accepts exactly what the Sigma value accepts. Values the backend
// refuses (e.g. control characters it has no exact form for) must be
// refused with an error, never rendered loosely.
func FuzzLiteral(f *testing.F) {
	for _, v := range hostile {
		f.Add(v)
	}
	b := spl.New()
	f.Fuzz(func(t *testing.T, v string) {
		// Long values add nothing the literal rules care about and make
		// the test's own reference evaluators slow.
		if !utf8.ValidString(v) || v == "" || len(v) > 256 {
			return
		}
		for name, shape := range backendtest.Shapes {
			s := shape(v)
			r := &ir.Rule{Source: &sigma.Rule{}, Queries: []ir.Expr{&ir.Match{Field: "f", Value: s}}}
			qs, err := b.Convert(r)
			if err != nil {
				continue
			}
			eval, err := parseQuery(qs[0])
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
