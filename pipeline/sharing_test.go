package pipeline_test

import (
	"reflect"
	"testing"

	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/pipeline"
)

// TestStructuralSharing checks that rewriting shares the subtrees in which
// nothing changed, and that the input rule (trees, slices, State) still
// reads the same after every kind of item ran on it, twice, from the same
// input: an item appending into an array it shares would show up here.
func TestStructuralSharing(t *testing.T) {
	in := lowered(t, processRule)
	// processRule's query lowers to And(Image, CommandLine, Not(User)).
	before := ir.Format(in.Queries[0])
	beforeFields := append([]string(nil), in.Fields...)
	p := load(t, `
name: m
vars: {admins: [root, admin]}
transformations:
  - type: field_name_mapping
    mapping: {User: user_name}
  - type: add_condition
    conditions: {a: x}
  - type: set_state
    key: k
    val: v
  - type: set_table
    table: t
  - type: change_logsource
    category: other
  - type: output_field_mapping
    mapping: {Extra: extra}
`)
	ps := []*pipeline.Pipeline{p}
	out1, err := pipeline.Apply(ps, in)
	if err != nil {
		t.Fatal(err)
	}
	out2, err := pipeline.Apply(ps, in)
	if err != nil {
		t.Fatal(err)
	}
	if after := ir.Format(in.Queries[0]); after != before {
		t.Errorf("Apply mutated its input:\n%s\n%s", before, after)
	}
	if !reflect.DeepEqual(in.Fields, beforeFields) || in.Table != "" || len(in.Filters) != 0 || len(in.State) != 0 || len(in.Pipelines) != 0 {
		t.Errorf("Apply changed the input rule's attributes: %+v", in)
	}
	if !reflect.DeepEqual(out1, out2) {
		t.Errorf("two runs on the same input differ:\n%+v\n%+v", out1, out2)
	}
	inAnd := in.Queries[0].(*ir.And)
	outAnd := out1.Queries[0].(*ir.And)
	if outAnd == inAnd {
		t.Fatal("the query with a mapped field was not rebuilt")
	}
	for i := range 2 {
		if outAnd.Args[i] != inAnd.Args[i] {
			t.Errorf("the unchanged match was copied instead of shared: %s", ir.Format(outAnd.Args[i]))
		}
	}
	if outAnd.Args[2] == inAnd.Args[2] {
		t.Errorf("the changed negation was shared: %s", ir.Format(outAnd.Args[2]))
	}

	// A mapping that touches no field of the rule returns the tree as is.
	q := load(t, "name: n\ntransformations:\n  - type: field_name_mapping\n    mapping: {Nope: x}\n")
	out3, err := pipeline.Apply([]*pipeline.Pipeline{q}, in)
	if err != nil {
		t.Fatal(err)
	}
	if out3.Queries[0] != in.Queries[0] {
		t.Errorf("a mapping that changes nothing rebuilt the tree")
	}
}

// TestSetStateChain runs several set_state items, the later ones writing
// into the map the first one made, on a rule that has State of its own:
// the input's map keeps its content, each run gets its own map, and every
// key is there.
func TestSetStateChain(t *testing.T) {
	in := lowered(t, processRule)
	in.State = map[string]string{"k0": "input"}
	p := load(t, `
name: m
transformations:
  - type: set_state
    key: k1
    val: a
  - type: set_table
    table: t
  - type: set_state
    key: k2
    val: b
  - type: set_state
    key: k0
    val: c
`)
	ps := []*pipeline.Pipeline{p}
	out1, err := pipeline.Apply(ps, in)
	if err != nil {
		t.Fatal(err)
	}
	out2, err := pipeline.Apply(ps, in)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"k0": "c", "k1": "a", "k2": "b"}
	if !reflect.DeepEqual(out1.State, want) || !reflect.DeepEqual(out2.State, want) {
		t.Errorf("state %v and %v, want %v", out1.State, out2.State, want)
	}
	if !reflect.DeepEqual(in.State, map[string]string{"k0": "input"}) {
		t.Errorf("the input's state changed: %v", in.State)
	}
	out1.State["k1"] = "changed"
	if out2.State["k1"] != "a" {
		t.Errorf("two runs share one state map")
	}
}
