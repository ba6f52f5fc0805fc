package kql_test

import (
	"testing"

	"github.com/sigconv/sigconv/backends/backendtest"
	"github.com/sigconv/sigconv/backends/kql"
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
	lc := backendtest.LiteralCheck{Backend: kql.New(), Table: "T", Read: parseComparison, MayRefuse: true}
	f.Fuzz(func(t *testing.T, v string) {
		if !backendtest.FuzzValue(v) {
			return
		}
		if _, errs := lc.Check(v); len(errs) > 0 {
			t.Fatal(errs[0])
		}
	})
}
