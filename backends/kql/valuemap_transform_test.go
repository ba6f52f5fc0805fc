package kql_test

import (
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/kql"
	"github.com/sigconv/sigconv/pipeline"
)

// kql_value_map says in YAML what a set_state of kql_values:FIELD says in
// JSON: the conversions are the same, and a bad parameter fails when the
// file loads, at its position.
func TestValueMapTransformation(t *testing.T) {
	asYAML := pipeline.MustLoad("map.yml", []byte(`name: map
transformations:
  - type: kql_value_map
    field: LogonType
    column: LogonType
    values: {2: Interactive, 10: RemoteInteractive}
    only: true
    why: test
    rule_conditions: [{type: logsource, product: windows, service: security}]
`))
	asJSON := pipeline.MustLoad("state.yml", []byte(`name: state
transformations:
  - type: set_state
    key: kql_values:LogonType
    val: '{"column": "LogonType", "values": {"2": "Interactive", "10": "RemoteInteractive"}, "only": true, "why": "test"}'
    rule_conditions: [{type: logsource, product: windows, service: security}]
`))
	const det = "    sel:\n        EventID: 4624\n        LogonType: 10\n    condition: sel"
	a, errA := convertLogon(t, det, asYAML)
	b, errB := convertLogon(t, det, asJSON)
	if errA != nil || errB != nil || a != b || !strings.Contains(a, `LogonType == @"RemoteInteractive"`) {
		t.Errorf("kql_value_map and set_state differ:\n%s (%v)\n%s (%v)", a, errA, b, errB)
	}
	for _, tc := range []struct{ yaml, want string }{
		{"    field: LogonType\n    values: {2: Interactive}\n", "bad.yml:4:12: kql_value_map: field LogonType: column and values go together"},
		{"    field: IpAddress\n    refuse: '('\n", "bad.yml:4:12: kql_value_map: field IpAddress: error parsing regexp"},
		{"    field: LogonType\n    column: LogonType\n    values: {2: a, 2: b}\n", `bad.yml:6:20: kql_value_map: value "2" is listed twice`},
		{"    field: LogonType\n    column: LogonType\n    values: [2]\n", "bad.yml:6:13: kql_value_map: values must map each source value"},
		{"    field: LogonType\n    only: maybe\n", "bad.yml:5:11: kql_value_map: only must be true or false"},
		{"    column: LogonType\n", "bad.yml:3:5: kql_value_map: needs a field"},
		{"    field: LogonType\n    colum: x\n", `bad.yml:5:5: unknown key "colum" for transformation kql_value_map`},
	} {
		_, err := pipeline.Load("bad.yml", []byte("name: bad\ntransformations:\n  - type: kql_value_map\n"+tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %s", tc.yaml, err, tc.want)
		}
	}
	// The declaration still passes the backend's state-key check.
	if _, err := backends.NewConverter(kql.New(), backends.Options{Extra: []*pipeline.Pipeline{asYAML}}); err != nil {
		t.Error(err)
	}
}
