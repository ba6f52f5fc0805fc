package kql

import "testing"

// The embedded data is parsed lazily, so a broken pipeline or schema file
// no longer fails at start-up; this test fails for it instead.
func TestEmbeddedDataLoads(t *testing.T) {
	d, err := parseBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	if len(d.pipelines) != len(pipelineNames) {
		t.Errorf("%d pipelines, want %d", len(d.pipelines), len(pipelineNames))
	}
	for i, p := range d.pipelines {
		if p.Name != pipelineNames[i] {
			t.Errorf("pipeline %d is %q, want %q", i, p.Name, pipelineNames[i])
		}
	}
	for _, name := range schemaNames() {
		if d.schemas[name] == nil {
			t.Errorf("schema.json has no schema %q", name)
		}
	}
}

// A broken schema file is an error naming the file, not a panic.
func TestBrokenSchemaIsError(t *testing.T) {
	for _, file := range []string{
		`{"defender": `,
		`{"defender": {"tables": {"T": {"columns": {"a": "string"}}}, "computed": {"U": {"b": {"expr": "a"}}}}}`,
		`{"defender": {"tables": {"T": {"columns": {"a": "string"}}}, "computed": {"T": {"b": {"expr": "a", "refuse": "("}}}}}`,
	} {
		if _, err := parseSchemas([]byte(file)); err == nil {
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
