package xql_test

import (
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/backendtest"
	"github.com/sigconv/sigconv/backends/xql"
	"github.com/sigconv/sigconv/diag"
	"github.com/sigconv/sigconv/pipeline"
)

// testDataset is the dataset the renderer tests read: they use Sigma's own
// field names, which are not xdr_data columns, so they say so by naming a
// dataset of their own instead of claiming xdr_data.
const testDataset = "sigma_events"

// testPipeline is the smallest pipeline such tests need: without one
// that sets a dataset the backend refuses the rule.
var testPipeline = pipeline.MustLoad("test-dataset.yml", []byte(`name: test-dataset
priority: 10
transformations:
  - id: dataset
    type: set_table
    table: `+testDataset+`
`))

// sigmaFields are converter options for Sigma's field names on the test
// dataset: no built-in pipeline, the test pipeline only.
func sigmaFields(format string) backends.Options {
	return backends.Options{WithoutPipeline: true, Extra: []*pipeline.Pipeline{testPipeline}, Format: format}
}

const datasetRule = `title: t
name: t
logsource:
    category: process_creation
    product: windows
detection:
    sel:
        CommandLine: x
    condition: sel
`

// Without a pipeline that sets a dataset, the query has none to claim:
// xdr_data with Sigma's field names would silently match nothing. The
// rule fails at its logsource, counted as an unsupported logsource.
func TestNoDatasetWithoutPipeline(t *testing.T) {
	fieldsOnly := mustPipeline(t, "name: my-fields\ntransformations:\n  - type: field_name_mapping\n    mapping: {CommandLine: cmd}\n")
	for _, tc := range []struct {
		name  string
		extra []*pipeline.Pipeline
		want  string
	}{
		{"no pipeline", nil, "case.yml:4:5: xql: no dataset for logsource category=process_creation product=windows: no pipeline sets one; use the xdr-data pipeline or set_table"},
		{"a pipeline without set_table", []*pipeline.Pipeline{fieldsOnly}, "case.yml:4:5: xql: no dataset for logsource category=process_creation product=windows: the pipelines (my-fields) set none; use the xdr-data pipeline or set_table"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conv, err := backends.NewConverter(xql.New(), backends.Options{WithoutPipeline: true, Extra: tc.extra})
			if err != nil {
				t.Fatal(err)
			}
			rs := backendtest.ConvertYAML(t, conv, datasetRule+"---\n"+correlationOf("t"))
			if len(rs) != 2 {
				t.Fatalf("want the rule and the correlation, got %d results", len(rs))
			}
			for _, r := range rs {
				if r.Err == nil || !strings.Contains(r.Err.Error(), tc.want) {
					t.Errorf("%s: error = %v, want %q", r.Title, r.Err, tc.want)
				}
				if got := diag.ReasonOf(r.Err); got != diag.ReasonLogsource {
					t.Errorf("%s: reason = %q, want %q", r.Title, got, diag.ReasonLogsource)
				}
				if strings.Contains(r.Output, "xdr_data") {
					t.Errorf("%s: output claims xdr_data: %s", r.Title, r.Output)
				}
			}
		})
	}
}

// A user pipeline's set_table is the dataset, written only when it is an
// identifier (anything else could end the stage and start another).
func TestUserDataset(t *testing.T) {
	for _, tc := range []struct{ table, want, err string }{
		{"my_dataset", "config case_sensitive = false | dataset = my_dataset | filter CommandLine = \"x\" | sort desc _time", ""},
		{"panw_ngfw_traffic_raw", "dataset = panw_ngfw_traffic_raw |", ""},
		{"xdr_data | filter true", "", `case.yml:4:5: xql: dataset name "xdr_data | filter true" is not an identifier`},
		{"a.b", "", `dataset name "a.b" is not an identifier`},
		{"1x", "", `dataset name "1x" is not an identifier`},
	} {
		t.Run(tc.table, func(t *testing.T) {
			p := mustPipeline(t, "name: mine\ntransformations:\n  - type: set_table\n    table: '"+tc.table+"'\n")
			conv, err := backends.NewConverter(xql.New(), backends.Options{WithoutPipeline: true, Extra: []*pipeline.Pipeline{p}, Format: "plain"})
			if err != nil {
				t.Fatal(err)
			}
			out, err := backendtest.Last(t, conv, datasetRule)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || !strings.Contains(out, tc.want) {
				t.Fatalf("got %q, %v; want it to contain %q", out, err, tc.want)
			}
		})
	}
}

// correlationOf is an event_count correlation of the named rule.
func correlationOf(rule string) string {
	return "title: c\ncorrelation:\n    type: event_count\n    rules: [" + rule + "]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {gte: 2}\n"
}

func mustPipeline(t *testing.T, text string) *pipeline.Pipeline {
	t.Helper()
	p, err := pipeline.Load("test.yml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return p
}
