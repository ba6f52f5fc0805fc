package spl

import "testing"

// The built-in pipelines are parsed lazily, so a broken one no longer
// fails at start-up; this test fails for it instead.
func TestEmbeddedDataLoads(t *testing.T) {
	ps, err := parsePipelines()
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != len(pipelineNames) {
		t.Fatalf("%d pipelines, want %d", len(ps), len(pipelineNames))
	}
	for i, p := range ps {
		if p.Name != pipelineNames[i] {
			t.Errorf("pipeline %d is %q, want %q", i, p.Name, pipelineNames[i])
		}
	}
}

// BenchmarkParseBuiltin is what the target's first use costs a process.
func BenchmarkParseBuiltin(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parsePipelines(); err != nil {
			b.Fatal(err)
		}
	}
}
