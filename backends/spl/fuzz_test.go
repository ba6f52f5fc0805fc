package spl_test

import (
	"github.com/sigconv/sigconv/backends/backendtest"
	"testing"

	"github.com/sigconv/sigconv/backends/spl"
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
	lc := backendtest.LiteralCheck{Backend: spl.New(), Read: parseQuery, MayRefuse: true}
	f.Fuzz(func(t *testing.T, v string) {
		if !backendtest.FuzzValue(v) {
			return
		}
		if _, errs := lc.Check(v); len(errs) > 0 {
			t.Fatal(errs[0])
		}
	})
}
