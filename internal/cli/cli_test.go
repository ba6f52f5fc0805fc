package cli_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigconv/sigconv/internal/cli"
)

func run(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = cli.Main(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

const goodRule = `title: Good
id: 0c6d1524-634a-4f6e-a210-ea2de1718e43
logsource:
    category: process_creation
    product: windows
detection:
    sel:
        CommandLine|contains: evil
    condition: sel
`

const unsupportedRule = `title: Unsupported
logsource:
    category: process_access
    product: windows
detection:
    sel:
        GrantedAccess: '0x1fffff'
    condition: sel
`

const invalidRule = `title: Invalid
logsource:
    category: process_creation
detection:
    sel:
        CommandLine|containz: evil
    condition: sel
`

func ruleDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestConvertShippedRules(t *testing.T) {
	code, out, errs := run("convert", "-t", "xql", "../../rules")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, `action_process_image_command_line contains "\\.\pipe\1."`) {
		t.Errorf("unexpected output:\n%s", out)
	}
}

func TestConvertUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"convert", "rules"}, "missing -t TARGET"},
		{[]string{"convert", "-t", "nope", "rules"}, `unknown target "nope" (known: `},
		{[]string{"convert", "-t", "xql", "-f", "nope", "rules"}, `target xql has no format "nope"`},
		{[]string{"convert", "-t", "xql", "-p", "nope", "rules"}, `target xql has no pipeline "nope"`},
		{[]string{"convert", "-t", "xql", "--bogus", "rules"}, "unknown flag --bogus"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
	} {
		code, _, errs := run(tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errs, tc.want)
		}
	}
}

func TestConvertExitStatusAndSkip(t *testing.T) {
	dir := ruleDir(t, map[string]string{"a_good.yml": goodRule, "b_unsupported.yml": unsupportedRule})
	code, out, errs := run("convert", "-t", "xql", dir)
	if code != 1 {
		t.Errorf("a failed rule must give exit 1, got %d", code)
	}
	if !strings.Contains(out, `CommandLine contains "evil"`) && !strings.Contains(out, `action_process_image_command_line contains "evil"`) {
		t.Errorf("the other rules must still be converted:\n%s", out)
	}
	if !strings.Contains(errs, "b_unsupported.yml:3:5: Cortex xdr_data has no mapping for this logsource") {
		t.Errorf("stderr lacks positioned error:\n%s", errs)
	}
	if code, _, _ := run("convert", "-t", "xql", "-s", dir); code != 0 {
		t.Errorf("-s must give exit 0 for unsupported rules, got %d", code)
	}
	if code, _, _ := run("convert", "-t", "xql", "--skip-unsupported", dir); code != 0 {
		t.Errorf("--skip-unsupported must give exit 0, got %d", code)
	}
}

func TestConvertJSONContract(t *testing.T) {
	dir := ruleDir(t, map[string]string{"a_good.yml": goodRule, "b_unsupported.yml": unsupportedRule})
	code, out, _ := run("convert", "-t", "xql", "-s", "--json", dir)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one JSON line per rule, got %d:\n%s", len(lines), out)
	}
	keys := []string{"path", "id", "title", "target", "pipelines", "format", "queries", "output", "error"}
	for i, l := range lines {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %d not JSON: %v", i, err)
		}
		for _, k := range keys {
			if _, ok := m[k]; !ok {
				t.Errorf("line %d lacks %q: %s", i, k, l)
			}
		}
		if len(m) != len(keys) {
			t.Errorf("line %d has extra keys: %s", i, l)
		}
	}
	var good, bad struct {
		ID        string
		Target    string
		Pipelines []string
		Queries   []string
		Output    string
		Error     *struct {
			Message      string
			Line, Column int
		}
	}
	json.Unmarshal([]byte(lines[0]), &good)
	json.Unmarshal([]byte(lines[1]), &bad)
	if good.Error != nil || len(good.Queries) != 1 || good.Target != "xql" || good.ID != "0c6d1524-634a-4f6e-a210-ea2de1718e43" {
		t.Errorf("good rule line wrong: %s", lines[0])
	}
	if bad.Error == nil || bad.Error.Line != 3 || bad.Error.Column != 5 || len(bad.Queries) != 0 {
		t.Errorf("failed rule line wrong: %s", lines[1])
	}
	if !strings.HasPrefix(good.Output, "// Title: Good\n") || !strings.Contains(good.Output, good.Queries[0]) || bad.Output != "" {
		t.Errorf("output must be the formatted text: %q / %q", good.Output, bad.Output)
	}
	if strings.Join(good.Pipelines, ",") != "xdr-data" {
		t.Errorf("pipelines = %v", good.Pipelines)
	}
}

func TestCheck(t *testing.T) {
	dir := ruleDir(t, map[string]string{"a_good.yml": goodRule, "c_invalid.yml": invalidRule})
	code, _, errs := run("check", dir)
	if code != 1 {
		t.Errorf("check with an invalid file: exit %d, want 1", code)
	}
	if !strings.Contains(errs, "c_invalid.yml:6:21:") || !strings.Contains(errs, "containz") {
		t.Errorf("stderr lacks positioned error:\n%s", errs)
	}
	if code, _, errs := run("check", "../../rules"); code != 0 {
		t.Errorf("shipped rules must check clean: %d\n%s", code, errs)
	}
}

func TestList(t *testing.T) {
	code, out, _ := run("list", "targets")
	if code != 0 || !strings.Contains(out, "xql") {
		t.Errorf("list targets: %d %q", code, out)
	}
	code, out, _ = run("list", "pipelines")
	if code != 0 || !strings.Contains(out, "xql\txdr-data (default)") {
		t.Errorf("list pipelines: %d %q", code, out)
	}
}

func TestFilterChangesTheRightRule(t *testing.T) {
	code, out, errs := run("convert", "-t", "xql", "-f", "plain", "--filter", "../../examples/tuning/mf_pipemagic_narrow_chatgpt.yml", "../../rules")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var pipe, network int
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.Contains(line, "ENUM.PROCESS_START") && !strings.Contains(line, "union"):
			pipe++
			if !strings.Contains(line, `action_process_image_path in ("*\chatgpt.exe")`) {
				t.Errorf("the pipe rule lacks the filter: %s", line)
			}
		case strings.Contains(line, "ENUM.NETWORK") && !strings.Contains(line, "union"):
			network++
			if strings.Contains(line, "chatgpt") {
				t.Errorf("the network rule must not change: %s", line)
			}
		}
	}
	if pipe != 1 || network != 1 {
		t.Errorf("want one pipe and one network query, got %d and %d:\n%s", pipe, network, out)
	}
	code, _, errs = run("convert", "-t", "xql", "--filter", "../../examples/tuning/mf_pipemagic_narrow_chatgpt.yml", "../../rules/windows/network_connection")
	if code != 1 || !strings.Contains(errs, `filter names rule "pipemagic_pipe_cmdline", which is not among the rules being converted`) {
		t.Errorf("a filter naming no converted rule must fail: %d %s", code, errs)
	}
}

// A correlation whose reference cannot be resolved fails with a list of
// diagnostics; its --json line must still carry the reference's position.
func TestConvertJSONCorrelationErrorPosition(t *testing.T) {
	corr := `title: Corr
correlation:
    type: event_count
    rules:
        - nosuchrule
    group-by:
        - Computer
    timespan: 5m
    condition:
        gte: 2
`
	dir := ruleDir(t, map[string]string{"a_good.yml": goodRule, "b_corr.yml": corr})
	code, out, _ := run("convert", "-t", "xql", "--json", dir)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	var got struct {
		Title string
		Error *struct {
			Message      string
			Line, Column int
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
		t.Fatalf("last line not JSON: %v\n%s", err, out)
	}
	if got.Title != "Corr" || got.Error == nil || got.Error.Line != 5 || got.Error.Column != 11 {
		t.Errorf("correlation error line lacks its position (want 5:11): %s", lines[len(lines)-1])
	}
}

func writeFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
