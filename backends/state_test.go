package backends_test

import (
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/pipeline"
)

func statePipeline(t *testing.T, key, val string) *pipeline.Pipeline {
	t.Helper()
	p, err := pipeline.Load("p.yml", []byte("name: p\ntransformations:\n  - type: set_state\n    key: '"+key+"'\n    val: '"+val+"'\n"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Backends declare the state keys they read: a typo fails when the
// pipeline meets the target, at the key; a key of another target passes
// (one pipeline may serve several); a declared key's value is checked.
func TestStateKeys(t *testing.T) {
	for _, tc := range []struct {
		target, key, val string
		want             string // "" for no error
	}{
		{"spl", "spl.index", "sysmon", ""},
		{"spl", "spl.indx", "sysmon", `p.yml:4:10: pipeline p: set_state key "spl.indx" is read by no target (spl reads spl.channel, spl.dataset, spl.index, spl.source_prefix, spl.unavailable_fields)`},
		{"xql", "spl.index", "sysmon", ""},
		{"xql", "xql.dataset", "x", `p.yml:4:10: pipeline p: set_state key "xql.dataset" is read by no target (xql reads none)`},
		{"spl", "kql_schema", "defender", ""},
		{"kql", "kql_schema", "defendr", `p.yml:5:10: pipeline p: set_state kql_schema: unknown schema "defendr" (known: defender, sentinel)`},
		{"kql", "kql_values:LogonType", `{"column": "LogonType", "values": {"2": "Interactive"}}`, ""},
		{"kql", "kql_values:LogonType", `{"colum": "LogonType"}`, `p.yml:5:10: pipeline p: set_state kql_values:LogonType: json: unknown field "colum"`},
		{"kql", "kql_values:", `{}`, `set_state key "kql_values:" is read by no target`},
	} {
		b, err := backends.Lookup(tc.target)
		if err != nil {
			t.Fatal(err)
		}
		_, err = backends.NewConverter(b, backends.Options{Extra: []*pipeline.Pipeline{statePipeline(t, tc.key, tc.val)}})
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s %s: unexpected error %v", tc.target, tc.key, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s %s=%s: error %v\nwant %s", tc.target, tc.key, tc.val, err, tc.want)
		}
	}
}
