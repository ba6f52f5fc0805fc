package rules_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/kql"
	"github.com/sigconv/sigconv/internal/kqlcheck"
	"github.com/sigconv/sigconv/rules"
	"github.com/sigconv/sigconv/sigmatest"
)

func convertWith(t *testing.T, target, format, name string) string {
	t.Helper()
	b, err := backends.Lookup(target)
	if err != nil {
		t.Fatal(err)
	}
	conv, err := backends.NewConverter(b, backends.Options{Format: format})
	if err != nil {
		t.Fatal(err)
	}
	out, err := sigmatest.Convert(conv, rules.FS, name)
	if err != nil || strings.Contains(out, "ERROR:") {
		t.Fatalf("%s %s %s: %v %s", target, format, name, err, out)
	}
	return strings.TrimSuffix(out, "\n") // the golden file's final newline
}

// The query inside each deployable format of the shipped detection rules
// is byte for byte the target's plain query: XQL -f plain, KQL and SPL
// default (their bare queries). The correlation's are checked in each
// backend's tests, since it needs the rules it references.
func TestDeployableFormatsCarryThePlainQuery(t *testing.T) {
	for _, name := range []string{
		"windows/process_creation/proc_creation_win_pipemagic_pipe_cmdline.yml",
		"windows/network_connection/net_connection_win_pipemagic_loopback_8082.yml",
	} {
		var xsiam struct {
			RequestData []struct {
				XQLQuery string `json:"xql_query"`
			} `json:"request_data"`
		}
		if err := json.Unmarshal([]byte(convertWith(t, "xql", "xsiam-correlation", name)), &xsiam); err != nil || len(xsiam.RequestData) != 1 {
			t.Fatalf("%s: xsiam-correlation: %v", name, err)
		}
		if got, want := xsiam.RequestData[0].XQLQuery, convertWith(t, "xql", "plain", name); got != want {
			t.Errorf("%s: xql_query\n%s\nplain\n%s", name, got, want)
		}
		var defender struct {
			QueryCondition struct{ QueryText string } `json:"queryCondition"`
		}
		if err := json.Unmarshal([]byte(convertWith(t, "kql", "defender-detection", name)), &defender); err != nil {
			t.Fatalf("%s: defender-detection: %v", name, err)
		}
		if got, want := defender.QueryCondition.QueryText, convertWith(t, "kql", "default", name); got != want {
			t.Errorf("%s: queryText\n%s\ndefault\n%s", name, got, want)
		}
		stanza := convertWith(t, "spl", "es-correlation", name)
		_, search, ok := strings.Cut(stanza, "\nsearch = ")
		if got, want := strings.ReplaceAll(search, " \\\n", "\n"), convertWith(t, "spl", "default", name); !ok || got != want {
			t.Errorf("%s: search\n%s\ndefault\n%s", name, got, want)
		}
	}
}

// The KQL inside the shipped rules' defender-detection bodies compiles
// with Microsoft's parser against the Defender schema.
func TestDefenderDetectionQueriesParse(t *testing.T) {
	kqlcheck.Require(t)
	var qs []kqlcheck.Query
	for _, name := range []string{
		"windows/process_creation/proc_creation_win_pipemagic_pipe_cmdline.yml",
		"windows/network_connection/net_connection_win_pipemagic_loopback_8082.yml",
	} {
		var body struct {
			QueryCondition struct{ QueryText string } `json:"queryCondition"`
		}
		if err := json.Unmarshal([]byte(convertWith(t, "kql", "defender-detection", name)), &body); err != nil {
			t.Fatal(err)
		}
		qs = append(qs, kqlcheck.Query{ID: name, Query: body.QueryCondition.QueryText})
	}
	res, err := kqlcheck.Check(kql.SchemaJSON(), "defender", qs)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if !r.OK {
			t.Errorf("%s: Kusto.Language rejects the query: %v\n%s", r.ID, r.Errors, qs[i].Query)
		}
	}
}
