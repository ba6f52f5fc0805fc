package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// XQL without a pipeline has no dataset to claim (xdr_data with Sigma's
// field names would match nothing): the rule fails at its logsource,
// counted as unsupported, so -s skips it. A pipeline file with set_table
// gives the dataset.
func TestXQLWithoutPipelineNeedsADataset(t *testing.T) {
	dir := ruleDir(t, map[string]string{"a_good.yml": goodRule})
	code, out, errs := run("convert", "-t", "xql", "--without-pipeline", dir)
	if code != 1 || out != "" {
		t.Errorf("exit %d, stdout %q; want 1 and no query", code, out)
	}
	for _, want := range []string{
		"a_good.yml:4:5: xql: no dataset for logsource category=process_creation product=windows: no pipeline sets one; use the xdr-data pipeline or set_table",
		"converted 0 of 1 rules (1 failed: 1 unsupported logsource)",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if code, _, _ := run("convert", "-t", "xql", "--without-pipeline", "-s", dir); code != 0 {
		t.Errorf("-s must skip the unsupported logsource, exit %d", code)
	}

	p := filepath.Join(t.TempDir(), "my.yml")
	writeFile(t, p, "name: my\ntransformations:\n  - type: set_table\n    table: my_events\n")
	code, out, errs = run("convert", "-t", "xql", "--without-pipeline", "-p", p, "-f", "plain", dir)
	if code != 0 || strings.TrimSpace(out) != `config case_sensitive = false | dataset = my_events | filter CommandLine contains "evil" | sort desc _time` {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}
