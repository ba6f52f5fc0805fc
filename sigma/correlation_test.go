package sigma

import "testing"

// The specification writes a condition's field as a string; that is read
// without a warning, and the condition's position is the condition map.
func TestCorrelationFieldString(t *testing.T) {
	f := ParseFile("c.yml", []byte("title: c\ncorrelation:\n    type: value_count\n    rules: [a]\n    group-by: [h]\n    timespan: 5m\n    condition:\n        field: User\n        gte: 2\n"))
	if len(f.Diags) != 0 {
		t.Fatalf("diagnostics: %v", f.Diags)
	}
	c := f.Documents[0].(*Correlation)
	if c.Field != "User" || len(c.Fields) != 1 || c.ConditionPos != (Pos{Line: 8, Column: 9}) {
		t.Errorf("Field %q Fields %v ConditionPos %v", c.Field, c.Fields, c.ConditionPos)
	}
	if c.PercentileSet {
		t.Error("PercentileSet without a percentile key")
	}
}
