package kql_test

import (
	"testing"
	"unicode/utf8"

	"github.com/sigconv/sigconv/backends/backendtest"
	"github.com/sigconv/sigconv/backends/kql"
	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// FuzzLiteral renders fuzzed values in every shape and checks, as
// TestHostileValues does, that the literal read back by KQL's literal
// rules gives a comparison accepting exactly what the Sigma value
// accepts. Values the backend refuses (control characters KQL has no
// escape for) must be refused with an error, never rendered loosely.
func FuzzLiteral(f *testing.F) {
	for _, v := range hostile {
		f.Add(v)
	}
	b := kql.New()
	f.Fuzz(func(t *testing.T, v string) {
		if !utf8.ValidString(v) || v == "" || len(v) > 256 {
			return
		}
		for name, shape := range backendtest.Shapes {
			s := shape(v)
			r := &ir.Rule{Source: &sigma.Rule{}, Table: "T", Queries: []ir.Expr{&ir.Match{Field: "f", Value: s}}}
			out, err := b.Convert(r)
			if err != nil {
				continue
			}
			eval, err := parseComparison(out[0])
			if err != nil {
				t.Fatalf("%s %q: %v in\n%s", name, v, err, out[0])
			}
			want := backendtest.SigmaMatcher(s)
			for _, probe := range backendtest.Probes(v) {
				if eval(probe) != want(probe) {
					t.Fatalf("%s %q: query and Sigma disagree on %q\n%s", name, v, probe, out[0])
				}
			}
		}
	})
}
