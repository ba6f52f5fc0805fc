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

func runIn(stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = cli.Main(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// jsonLines decodes JSON-lines output, failing on anything else.
func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for i, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %d is not one JSON object: %v\n%s", i, err, out)
		}
		lines = append(lines, m)
	}
	return lines
}

const filterOtherLogsource = `title: Filter on network
logsource:
    category: network_connection
    product: windows
filter:
    rules:
        - 0c6d1524-634a-4f6e-a210-ea2de1718e43
    sel:
        DestinationPort: 443
    condition: not sel
`

// Issue 14 items 4-6: the --json / -f json contract, invalid files as
// results, summaries that add up, no rules, duplicate paths, --filter
// misuse, .-directories, --exclude and stdin.
func TestConvertDriverContracts(t *testing.T) {
	dir := ruleDir(t, map[string]string{"a_good.yml": goodRule, "b_unsupported.yml": unsupportedRule, "c_invalid.yml": invalidRule})
	good := filepath.Join(dir, "a_good.yml")
	described := filepath.Join(t.TempDir(), "described.yml")
	os.WriteFile(described, []byte(strings.Replace(goodRule, "title: Good\n", "title: Good\ndescription: Finds evil.\n", 1)), 0o644)
	hidden := filepath.Join(dir, ".github")
	os.MkdirAll(hidden, 0o755)
	os.WriteFile(filepath.Join(hidden, "workflow.yml"), []byte("on: push\n"), 0o644)
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "notes.txt"), []byte("no rules here"), 0o644)
	filterFile := filepath.Join(t.TempDir(), "f.yml")
	os.WriteFile(filterFile, []byte(filterOtherLogsource), 0o644)
	typo := filepath.Join(t.TempDir(), "typo.yml")
	os.WriteFile(typo, []byte("name: typo\ntransformations:\n  - type: set_state\n    key: spl.indx\n    val: main\n"), 0o644)
	anyFilter := filepath.Join(t.TempDir(), "any.yml")
	os.WriteFile(anyFilter, []byte(strings.Replace(filterOtherLogsource, "rules:\n        - 0c6d1524-634a-4f6e-a210-ea2de1718e43", "rules: any", 1)), 0o644)

	for _, tc := range []struct {
		name      string
		stdin     string
		args      []string
		code      int
		stdout    []string // substrings
		stderr    []string
		notStderr []string
		jsonLines int // > 0: stdout must be that many JSON lines
	}{
		{name: "-f json is JSON lines with the --json keys", args: []string{"convert", "-t", "xql", "-f", "json", good},
			stdout: []string{`"format":"default"`, `"output":"// Title: Good\n`}, jsonLines: 1},
		{name: "--json carries the formatted output", args: []string{"convert", "-t", "kql", "-p", "sentinel-asim", "-f", "sentinel-rule", "--json", described},
			stdout: []string{`"format":"sentinel-rule"`, `"output":"---\nid: 0c6d1524-634a-4f6e-a210-ea2de1718e43\n`}, jsonLines: 1},
		{name: "invalid file gets a JSON line and the summary adds up", args: []string{"convert", "-t", "xql", "--json", dir}, code: 1,
			stdout:    []string{`"path":"` + filepath.Join(dir, "c_invalid.yml") + `","id":"","title":""`, `"error":{"message":"unknown modifier`, `"line":6,"column":21}`},
			stderr:    []string{"c_invalid.yml:6:21:", "converted 1 of 3 rules (2 failed: 1 invalid rule, 1 unsupported logsource)"},
			notStderr: []string{"workflow.yml"}, jsonLines: 3},
		{name: "no rules found", args: []string{"convert", "-t", "xql", empty}, code: 1, stderr: []string{"no rules found in " + empty}},
		{name: "check: no rules found", args: []string{"check", empty}, code: 1, stderr: []string{"no rules found"}},
		{name: "only filters is no rules", args: []string{"convert", "-t", "xql", anyFilter}, code: 1, stderr: []string{"no rules found"}},
		{name: "same file twice is one rule", args: []string{"convert", "-t", "xql", good, good, dir + "/../" + filepath.Base(dir) + "/a_good.yml"},
			stdout: []string{`action_process_image_command_line contains "evil"`}, notStderr: []string{"also used by"}},
		{name: "a rule given as --filter says so", args: []string{"convert", "-t", "xql", "--filter", good, good}, code: 1,
			stderr: []string{"a_good.yml:1:1: detection rule \"Good\" is not a meta-filter"}},
		{name: "filter that can never apply warns", args: []string{"convert", "-t", "xql", "--filter", filterFile, good},
			stderr: []string{"f.yml:7:11: warning: filter names rule \"0c6d1524-634a-4f6e-a210-ea2de1718e43\", but its logsource (category=network_connection product=windows) is not within the rule's (category=process_creation product=windows)"}},
		{name: "--exclude skips by name", args: []string{"convert", "-t", "xql", "--exclude", "b_*", "--exclude", "c_invalid.yml", dir},
			stdout: []string{`contains "evil"`}, notStderr: []string{"b_unsupported", "c_invalid"}},
		{name: "- reads stdin", stdin: goodRule, args: []string{"convert", "-t", "xql", "--json", "-"},
			stdout: []string{`"path":"<stdin>"`, `"title":"Good"`}, jsonLines: 1},
		{name: "a pipeline state key no target reads fails at load", args: []string{"convert", "-t", "spl", "-p", typo, good}, code: 2,
			stderr: []string{"typo.yml:4:10: pipeline typo: set_state key \"spl.indx\" is read by no target"}},
		{name: "stdin errors are positioned", stdin: invalidRule, args: []string{"check", "-"}, code: 1, stderr: []string{"<stdin>:6:21:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runIn(tc.stdin, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errs)
			}
			for _, s := range tc.stdout {
				if !strings.Contains(out, s) {
					t.Errorf("stdout lacks %q:\n%s", s, out)
				}
			}
			for _, s := range tc.stderr {
				if !strings.Contains(errs, s) {
					t.Errorf("stderr lacks %q:\n%s", s, errs)
				}
			}
			for _, s := range tc.notStderr {
				if strings.Contains(errs, s) || strings.Contains(out, s) {
					t.Errorf("output mentions %q:\n%s\n%s", s, out, errs)
				}
			}
			if tc.jsonLines > 0 {
				if got := len(jsonLines(t, out)); got != tc.jsonLines {
					t.Errorf("%d JSON lines, want %d:\n%s", got, tc.jsonLines, out)
				}
			}
		})
	}
}

// TestOutputFileOnlyWhenRulesFound: -o FILE is replaced once the files
// hold results, even failed ones, but a run that finds no rule leaves an
// existing FILE as it was and creates none.
func TestOutputFileOnlyWhenRulesFound(t *testing.T) {
	// Files are found, but hold no rule: only a filter for any rule.
	empty := ruleDir(t, map[string]string{"only_filter.yml": strings.Replace(filterOtherLogsource, "rules:\n        - 0c6d1524-634a-4f6e-a210-ea2de1718e43", "rules: any", 1)})
	good := filepath.Join(ruleDir(t, map[string]string{"good.yml": goodRule}), "good.yml")
	bad := filepath.Join(ruleDir(t, map[string]string{"bad.yml": unsupportedRule}), "bad.yml")
	out := filepath.Join(t.TempDir(), "out.xql")
	const old = "an older, longer output that must not survive a run with results\n"
	for _, tc := range []struct {
		name    string
		before  string // "" : no file
		path    string
		code    int
		want    string // "-": no file after
		contain string
	}{
		{"no rules, existing file kept", old, empty, 1, old, ""},
		{"no rules, no file created", "", empty, 1, "-", ""},
		{"results replace the file", old, good, 0, "", `contains "evil"`},
		{"failed results empty it", old, bad, 1, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(out)
			if tc.before != "" {
				os.WriteFile(out, []byte(tc.before), 0o644)
			}
			code, _, errs := runIn("", "convert", "-t", "xql", "-o", out, tc.path)
			if code != tc.code {
				t.Errorf("exit %d, want %d: %s", code, tc.code, errs)
			}
			data, err := os.ReadFile(out)
			switch {
			case tc.want == "-":
				if err == nil {
					t.Errorf("%s was created", out)
				}
			case err != nil:
				t.Error(err)
			case tc.contain != "":
				if !strings.Contains(string(data), tc.contain) || strings.Contains(string(data), "older") {
					t.Errorf("output:\n%s", data)
				}
			case string(data) != tc.want:
				t.Errorf("output %q, want %q", data, tc.want)
			}
		})
	}
}
