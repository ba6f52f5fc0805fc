package pipeline_test

import (
	"strings"
	"testing"

	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/pipeline"
	"github.com/sigconv/sigconv/sigma"
)

func lowered(t *testing.T, rule string) *ir.Rule {
	t.Helper()
	f := sigma.ParseFile("rule.yml", []byte(rule))
	if err := f.Diags.Err(); err != nil {
		t.Fatal(err)
	}
	r, err := ir.Lower(f.Documents[0].(*sigma.Rule))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

const processRule = `title: t
logsource:
    category: process_creation
    product: windows
detection:
    sel:
        Image|endswith: '\cmd.exe'
        CommandLine|contains: 'x'
    filter:
        User: '%admins%'
    condition: sel and not filter
fields:
    - Image
    - Extra
`

func load(t *testing.T, y string) *pipeline.Pipeline {
	t.Helper()
	p, err := pipeline.Load("p.yml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func apply(t *testing.T, y, rule string) (*ir.Rule, error) {
	t.Helper()
	return pipeline.Apply(pipeline.Combine(load(t, y)), lowered(t, rule))
}

func TestFieldMappingOneToOneAndOneToMany(t *testing.T) {
	r, err := apply(t, `
name: m
transformations:
  - type: field_name_mapping
    mapping:
      Image: [a_path, b_path]
      CommandLine: cmd
`, processRule)
	if err != nil {
		t.Fatal(err)
	}
	got := ir.Format(r.Queries[0])
	for _, want := range []string{"a_path", "b_path", "cmd"} {
		if !strings.Contains(got, want) {
			t.Errorf("%s: missing %s", got, want)
		}
	}
	if strings.Contains(got, "Image") || strings.Contains(got, "CommandLine") {
		t.Errorf("unmapped names remain: %s", got)
	}
	if strings.Join(r.Fields, ",") != "a_path,b_path,Extra" {
		t.Errorf("fields = %v", r.Fields)
	}
}

func TestInputNotMutated(t *testing.T) {
	in := lowered(t, processRule)
	before := ir.Format(in.Queries[0])
	p := load(t, "name: m\ntransformations:\n  - type: field_name_mapping\n    mapping: {Image: x}\n")
	if _, err := pipeline.Apply([]*pipeline.Pipeline{p}, in); err != nil {
		t.Fatal(err)
	}
	if after := ir.Format(in.Queries[0]); after != before {
		t.Errorf("Apply mutated its input:\n%s\n%s", before, after)
	}
}

func TestAddConditionOrderAndRaw(t *testing.T) {
	r, err := apply(t, `
name: m
transformations:
  - type: add_condition
    raw: true
    conditions: {event_type: ENUM.PROCESS}
    rule_conditions: [{type: logsource, category: process_creation}]
  - type: add_condition
    conditions: {os: windows}
    rule_conditions: [{type: logsource, product: windows}]
  - type: add_condition
    conditions: {never: x}
    rule_conditions: [{type: logsource, product: linux}]
`, processRule)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Filters) != 2 {
		t.Fatalf("filters = %d, want 2", len(r.Filters))
	}
	if _, ok := r.Filters[0].(*ir.Match).Value.(sigma.Raw); !ok {
		t.Errorf("first filter should be the raw ENUM token: %s", ir.Format(r.Filters[0]))
	}
	if r.Filters[1].(*ir.Match).Field != "os" {
		t.Errorf("filters out of order: %s", ir.Format(r.Filters[1]))
	}
}

func TestRuleFailureNamesLogsourceAndPipeline(t *testing.T) {
	_, err := apply(t, `
name: only-network
transformations:
  - type: rule_failure
    message: unsupported
    rule_cond_not: true
    rule_conditions: [{type: logsource, category: network_connection}]
`, processRule)
	if err == nil {
		t.Fatal("expected failure")
	}
	want := "rule.yml:3:5: unsupported (logsource category=process_creation product=windows; pipeline only-network)"
	if err.Error() != want {
		t.Errorf("got  %s\nwant %s", err, want)
	}
}

func TestFailUnmappedFields(t *testing.T) {
	_, err := apply(t, `
name: strict
transformations:
  - type: field_name_mapping
    mapping: {Image: img, CommandLine: cmd}
  - type: fail_unmapped_fields
    message: cannot serve
`, processRule)
	if err == nil || !strings.Contains(err.Error(), `rule.yml:10:15: cannot serve: field "User" has no mapping`) {
		t.Fatalf("err = %v", err)
	}
}

func TestPlaceholders(t *testing.T) {
	r, err := apply(t, `
name: vars
vars:
  admins: [root, 'adm*']
transformations:
  - type: value_placeholders
`, strings.Replace(processRule, "User: '%admins%'", "User|expand: '%admins%'", 1))
	if err != nil {
		t.Fatal(err)
	}
	got := ir.Format(r.Queries[0])
	if !strings.Contains(got, "root") || !strings.Contains(got, "adm*") {
		t.Errorf("placeholder not expanded: %s", got)
	}
	_, err = apply(t, "name: novars\ntransformations:\n  - type: value_placeholders\n",
		strings.Replace(processRule, "User: '%admins%'", "User|expand: '%admins%'", 1))
	if err == nil || !strings.Contains(err.Error(), "placeholder %admins% has no value") {
		t.Errorf("err = %v", err)
	}
}

func TestDropDetectionItem(t *testing.T) {
	r, err := apply(t, `
name: drop
transformations:
  - type: drop_detection_item
    field_name_conditions: [{type: include_fields, fields: [CommandLine]}]
`, processRule)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(ir.Format(r.Queries[0]), "CommandLine") {
		t.Errorf("not dropped: %s", ir.Format(r.Queries[0]))
	}
	_, err = apply(t, `
name: drop-all
transformations:
  - type: drop_detection_item
`, processRule)
	if err == nil || !strings.Contains(err.Error(), "every detection item") {
		t.Errorf("dropping everything must fail, got %v", err)
	}
}

func TestPriorityOrder(t *testing.T) {
	late := load(t, "name: late\npriority: 60\ntransformations:\n  - type: field_name_mapping\n    mapping: {mid: final}\n")
	early := load(t, "name: early\npriority: 10\ntransformations:\n  - type: field_name_mapping\n    mapping: {Image: mid}\n")
	r, err := pipeline.Apply(pipeline.Combine(late, early), lowered(t, processRule))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ir.Format(r.Queries[0]), "final") {
		t.Errorf("priority order not respected: %s", ir.Format(r.Queries[0]))
	}
	if strings.Join(r.Pipelines, ",") != "early,late" {
		t.Errorf("pipelines = %v", r.Pipelines)
	}
}

func TestLoadErrors(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"name: x\ntransformations:\n  - type: nope\n", `p.yml:3:11: unknown transformation type "nope"`},
		{"name: x\ntransformations:\n  - type: field_name_mapping\n    mapping: {a: b}\n    mappping: {}\n", `p.yml:5:5: unknown key "mappping"`},
		{"transformations: []\n", "pipeline has no name"},
		{"name: x\nname: y\n", `duplicate key "name"`},
		{"name: x\ntransformations:\n  - type: add_condition\n    raw: true\n    conditions: {a: 'x or 1=1'}\n", "must be an identifier"},
		{"name: x\ntransformations:\n  - type: replace_string\n    regex: '('\n", "invalid regex"},
		{"name: x\ntransformations:\n  - type: rule_failure\n", "needs a message"},
		{"name: x\npriority: high\n", "priority must be an integer"},
		{"{", "invalid YAML"},
		{"name: x\ntransformations:\n  - type: field_name_mapping\n    mapping: {a: b}\n    rule_conditions: [{type: rule_attribute}]\n", `unsupported rule condition type "rule_attribute"`},
	}
	for _, tc := range cases {
		_, err := pipeline.Load("p.yml", []byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%q) = %v, want %q", tc.yaml, err, tc.want)
		}
	}
}
