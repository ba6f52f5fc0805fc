package xql

import (
	"strings"
	"testing"

	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/pipeline"
	"github.com/sigconv/sigconv/sigma"
)

// Every column the xdr-data pipeline maps a Sigma field to, and every
// ENUM its conditions use, must be in the schema with evidence.
func TestPipelineColumnsHaveEvidence(t *testing.T) {
	d := data()
	for _, p := range d.pipelines {
		for _, it := range p.Items {
			switch tr := it.Transformation.(type) {
			case *pipeline.FieldNameMapping:
				for field, cols := range tr.Mapping {
					for _, c := range cols {
						if col, ok := d.schema.Column(c); !ok || col.Evidence == "" {
							t.Errorf("%s: Sigma field %s maps to %s, which has no evidence in schema.json", it.ID, field, c)
						}
					}
				}
			case *pipeline.OutputFieldMapping:
				for field, cols := range tr.Mapping {
					for _, c := range cols {
						if _, ok := d.schema.Column(c); !ok {
							t.Errorf("%s: output field %s maps to %s, which is not in schema.json", it.ID, field, c)
						}
					}
				}
			}
		}
	}
}

// A column without a schema entry is refused, naming the Sigma field
// mapped to it; so is an ENUM without evidence.
func TestUnevidencedColumnRefused(t *testing.T) {
	b := New()
	src := &sigma.Rule{}
	src.File = "case.yml"
	for _, tc := range []struct {
		m    *ir.Match
		want string
	}{
		{&ir.Match{Field: "action_process_file_original_name", Value: sigma.Plain("x"), Pos: sigma.Pos{Line: 3, Column: 4}},
			`case.yml:3:4: xql: field action_process_file_original_name: xdr_data column "action_process_file_original_name" has no evidence`},
		{&ir.Match{Field: "action_process_image_path", Value: sigma.Plain("x"), Pos: sigma.Pos{Line: 3, Column: 4}}, ""},
		{&ir.Match{Field: "event_sub_type", Value: sigma.Raw{Text: "ENUM.REGISTRY_CREATE_KEY"}, Pos: sigma.Pos{Line: 1, Column: 1}},
			"ENUM.REGISTRY_CREATE_KEY has no evidence"},
	} {
		r := &ir.Rule{Source: src, Queries: []ir.Expr{tc.m}, Pipelines: []string{"xdr-data"}, Table: "xdr_data"}
		_, err := b.Convert(r)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.m.Field, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error = %v, want %q", tc.m.Field, err, tc.want)
		}
	}
	// The label names the Sigma fields the pipeline maps to a column.
	x := b.converter(&ir.Rule{Source: src})
	if got := x.fieldLabel("sigconv_original_file_name"); got != "Sigma field OriginalFileName (xdr_data sigconv_original_file_name)" {
		t.Errorf("fieldLabel = %q", got)
	}
}

// TestPrefixRewriteLongestWins: when two prefixes match, the longer one
// rewrites, whatever order the map gives them in (run many times).
func TestPrefixRewriteLongestWins(t *testing.T) {
	c := &Column{Prefixes: map[string]string{"HK": "X", `HKLM\`: `HKEY_LOCAL_MACHINE\`, `HKLM\S`: `LONGEST\S`, `hklm\s`: `SAME_LENGTH\S`}}
	for range 50 {
		got, ok := c.rewritten(sigma.String{Parts: []sigma.Part{{Kind: sigma.Literal, Text: `HKLM\Software`}}, Cased: true})
		if !ok || got.Parts[0].Text != `LONGEST\Software` {
			t.Fatalf("cased: %q", got.Parts[0].Text)
		}
		got, _ = c.rewritten(sigma.String{Parts: []sigma.Part{{Kind: sigma.Literal, Text: `hklm\system`}}})
		if got.Parts[0].Text != `LONGEST\System` {
			t.Fatalf("uncased, tie broken lexically (%q < %q): %q", `HKLM\S`, `hklm\s`, got.Parts[0].Text)
		}
	}
}
