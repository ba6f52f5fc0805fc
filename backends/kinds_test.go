package backends_test

import (
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/pipeline"
)

// TestPipelineKindsDoNotStack: two pipelines that each choose the data a
// query reads are a usage error (sigma-cli's -p cim -p sysmon would
// search a data model for Sysmon's EventCode); a pipeline without a kind
// stacks on any of them.
func TestPipelineKindsDoNotStack(t *testing.T) {
	mapping := pipeline.MustLoad("m.yml", []byte("name: mine\npriority: 60\ntransformations:\n  - type: field_name_mapping\n    mapping: {a: b}\n"))
	kinded := pipeline.MustLoad("k.yml", []byte("name: my-model\nkind: data model\ntransformations: []\n"))
	cases := []struct {
		target    string
		pipelines []string
		extra     []*pipeline.Pipeline
		want      string // "" = accepted
	}{
		{"spl", []string{"cim", "sysmon"}, nil, "pipelines cim (data model) and sysmon (log source mapping) cannot be stacked"},
		{"spl", []string{"sysmon", "windows-security"}, nil, "cannot be stacked"},
		{"kql", []string{"defender-xdr", "sentinel-asim"}, nil, "cannot be stacked"},
		{"spl", []string{"cim"}, []*pipeline.Pipeline{kinded}, "pipelines cim (data model) and my-model (data model) cannot be stacked"},
		{"spl", []string{"cim"}, []*pipeline.Pipeline{mapping}, ""},
		{"spl", nil, []*pipeline.Pipeline{mapping}, ""},
		{"xql", nil, nil, ""},
	}
	for _, tc := range cases {
		b, err := backends.Lookup(tc.target)
		if err != nil {
			t.Fatal(err)
		}
		_, err = backends.NewConverter(b, backends.Options{Pipelines: tc.pipelines, Extra: tc.extra})
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s %v: %v", tc.target, tc.pipelines, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s %v: error = %v, want %q", tc.target, tc.pipelines, err, tc.want)
		}
	}
}

// Every built-in pipeline declares its kind, so that no stack of two
// built-ins is silently accepted.
func TestBuiltinPipelinesHaveKinds(t *testing.T) {
	for _, name := range backends.Names() {
		b, err := backends.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range backends.PipelinesOf(b) {
			if p.Kind == "" {
				t.Errorf("built-in pipeline %s of %s declares no kind", p.Name, name)
			}
		}
	}
}
