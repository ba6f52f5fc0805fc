package xql

import "testing"

// The embedded data is parsed lazily, so a broken pipeline or schema file
// no longer fails at start-up; this test fails for it instead.
func TestEmbeddedDataLoads(t *testing.T) {
	d, err := parseBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	if len(d.pipelines) != 1 || d.pipelines[0].Name != "xdr-data" {
		t.Errorf("pipelines %v, want xdr-data", d.pipelines)
	}
	if len(d.schema.Columns) == 0 {
		t.Error("schema.json has no columns")
	}
}

// A broken schema file is an error naming the file, not a panic.
func TestBrokenSchemaIsError(t *testing.T) {
	for _, file := range []string{
		`{"columns": `,
		`{"columns": {"a": {"type": "string"}}}`,
		`{"columns": {"a": {"type": "string", "evidence": "x", "refuse": [{"match": "(", "why": "y"}]}}}`,
	} {
		if _, err := parseSchema([]byte(file)); err == nil {
			t.Errorf("%s: no error", file)
		}
	}
}

// BenchmarkParseBuiltin is what the target's first use costs a process.
func BenchmarkParseBuiltin(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseBuiltin(); err != nil {
			b.Fatal(err)
		}
	}
}
