package cli_test

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/sigconv/sigconv/sigmatest"
)

// The rule-repository kit through the command line: "sigconv test" on
// repositories laid out in temporary directories.

const whoamiRule = `title: Whoami
id: 7b1f0f4e-3c47-4d1e-9f55-0d6f2b1c8a11
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image|endswith: '\whoami.exe'
    filter:
        CommandLine|contains: '/help'
    condition: selection and not filter
`

const netRule = `title: Loopback
logsource:
    category: network_connection
    product: windows
detection:
    selection:
        DestinationIp: 127.0.0.1
    condition: selection
`

// newRepo lays out files (slash paths) under a new directory.
func newRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(name)), text)
	}
	return dir
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// Item 8: -update on a new repository creates the goldens, for every
// target by default or for the --targets chosen; without goldens a plain
// run fails saying where it looked.
func TestTestCreatesGoldens(t *testing.T) {
	repo := newRepo(t, map[string]string{"rules/win/whoami.yml": whoamiRule})
	code, out, errs := run("test", repo)
	if code != 1 || !strings.Contains(errs, "nothing to test under "+repo) || !strings.Contains(errs, "testdata/golden") || !strings.Contains(out, "0 passed, 1 failed") {
		t.Fatalf("no goldens: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = run("test", "-update", repo)
	if code != 0 || !strings.Contains(out, "updated 3 golden files") || !strings.Contains(out, "3 passed, 0 failed") {
		t.Fatalf("-update: exit %d\n%s\n%s", code, out, errs)
	}
	for _, target := range []string{"kql", "spl", "xql"} {
		if p := filepath.Join(repo, "testdata", "golden", target, "rules", "win", "whoami.golden"); !exists(p) {
			t.Errorf("missing %s", p)
		}
	}
	if code, out, errs = run("test", repo); code != 0 || !strings.Contains(out, "3 passed, 0 failed") {
		t.Errorf("after -update: exit %d\n%s\n%s", code, out, errs)
	}

	chosen := newRepo(t, map[string]string{"win/whoami.yml": whoamiRule})
	code, out, errs = run("test", "-update", "--targets", "xql,kql:sentinel-asim,spl:savedsearches,splunk:cim", chosen)
	if code != 0 || !strings.Contains(out, "4 passed, 0 failed") {
		t.Fatalf("--targets: exit %d\n%s\n%s", code, out, errs)
	}
	entries, _ := os.ReadDir(filepath.Join(chosen, "testdata", "golden"))
	var dirs []string
	for _, e := range entries {
		dirs = append(dirs, e.Name())
	}
	if got := strings.Join(dirs, " "); got != "kql_sentinel-asim spl_cim spl_savedsearches xql" {
		t.Errorf("golden folders = %s", got)
	}
	// The folders name the conversions, so a plain run finds them again.
	if code, out, _ = run("test", chosen); code != 0 || !strings.Contains(out, "4 passed, 0 failed") {
		t.Errorf("rerun: exit %d\n%s", code, out)
	}
	for _, bad := range []string{"nope", "xql:nope", "kql:cim"} {
		if code, _, errs := run("test", "--targets", bad, chosen); code != 2 || !strings.Contains(errs, "--targets") {
			t.Errorf("--targets %s: exit %d %s", bad, code, errs)
		}
	}
}

// Item 9: at a repository root, goldens under rules/testdata are found
// and run; a root with nothing fails saying where it looked.
func TestTestNestedDiscovery(t *testing.T) {
	repo := newRepo(t, map[string]string{
		"rules/win/whoami.yml":          whoamiRule,
		"detections/net/loopback.yml":   netRule,
		".github/workflows/ignored.yml": "not: a rule\n",
	})
	if code, _, errs := run("test", "-update", "--targets", "xql", filepath.Join(repo, "rules")); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := run("test", "-update", "--targets", "kql", filepath.Join(repo, "detections")); code != 0 {
		t.Fatal(errs)
	}
	code, out, errs := run("test", "-v", repo)
	if code != 0 || !strings.Contains(out, "2 passed, 0 failed") ||
		!strings.Contains(out, filepath.Join(repo, "rules", "testdata", "golden", "xql", "win", "whoami.golden")) ||
		!strings.Contains(out, filepath.Join(repo, "detections", "testdata", "golden", "kql", "net", "loopback.golden")) {
		t.Fatalf("root run: exit %d\n%s\n%s", code, out, errs)
	}
	// A nested golden that goes stale fails the root run.
	golden := filepath.Join(repo, "rules", "testdata", "golden", "xql", "win", "whoami.golden")
	writeFile(t, golden+".bak", mustReadFile(t, golden))
	writeFile(t, golden, "stale\n")
	if code, out, errs = run("test", repo); code != 1 || !strings.Contains(errs, golden) {
		t.Errorf("stale nested golden: exit %d\n%s\n%s", code, out, errs)
	}
	// Event files outside every suite make the root a suite of its own,
	// whose rules leave out the nested suites (they test their own).
	writeFile(t, filepath.Join(repo, "extra", "lone.yml"), netRule)
	writeFile(t, filepath.Join(repo, "extra", "lone.jsonl"), `{"match": true, "event": {"DestinationIp": "127.0.0.1"}}`+"\n")
	writeFile(t, golden, mustReadFile(t, golden+".bak"))
	code, out, errs = run("test", "-v", repo)
	if code != 0 || !strings.Contains(out, "3 passed, 0 failed") || !strings.Contains(out, filepath.Join(repo, "extra", "lone.jsonl")+":1") {
		t.Errorf("root with event files: exit %d\n%s\n%s", code, out, errs)
	}
	// A suite inside a suite: the outer one does not pin the inner rules.
	if code, out, errs = run("test", "-update", "--targets", "spl", repo); code != 0 || !strings.Contains(out, "updated 3 golden files") {
		t.Errorf("-update --targets at the root: exit %d\n%s\n%s", code, out, errs)
	}
	if p := filepath.Join(repo, "testdata", "golden", "spl", "extra", "lone.golden"); !exists(p) {
		t.Errorf("root suite golden %s missing", p)
	}
	if p := filepath.Join(repo, "testdata", "golden", "spl", "rules"); exists(p) {
		t.Errorf("the root suite pins the nested suite's rules: %s", p)
	}

	empty := newRepo(t, map[string]string{"README.md": "no rules\n"})
	if code, _, errs = run("test", empty); code != 1 || !strings.Contains(errs, "no testdata/golden or testdata/events folder in it or any directory below") {
		t.Errorf("empty root: exit %d %s", code, errs)
	}
}

// Item 10: an invalid rule fails itself only; paths are relative to the
// current directory; diffs are unified; orphan goldens are reported and
// removed by -update, which counts only the files it changed.
func TestTestRepositoryEdges(t *testing.T) {
	repo := newRepo(t, map[string]string{"rules/a_whoami.yml": whoamiRule, "rules/b_net.yml": netRule})
	t.Chdir(repo)
	if code, out, errs := run("test", "-update", "--targets", "xql", "rules"); code != 0 || !strings.Contains(out, "updated 2 golden files") {
		t.Fatalf("-update: %d\n%s\n%s", code, out, errs)
	}
	// -update with nothing to change writes nothing and says nothing.
	if code, out, _ := run("test", "-update", "rules"); code != 0 || strings.Contains(out, "updated") || !strings.Contains(out, "2 passed, 0 failed") {
		t.Errorf("second -update: %d\n%s", code, out)
	}

	// A changed rule: a unified diff with relative paths.
	writeFile(t, "rules/a_whoami.yml", strings.Replace(whoamiRule, `\whoami.exe`, `\whoareyou.exe`, 1))
	code, out, errs := run("test", "rules")
	wantDiff := []string{
		"FAIL sigmatest: rules/testdata/golden/xql/a_whoami.golden differs",
		"--- rules/testdata/golden/xql/a_whoami.golden\n+++ conversion\n@@ ",
		`-    and action_process_image_path in ("*\whoami.exe")`,
		`+    and action_process_image_path in ("*\whoareyou.exe")`,
		"run sigconv test -update rules",
	}
	for _, w := range wantDiff {
		if !strings.Contains(errs, w) {
			t.Errorf("changed rule: stderr lacks %q:\n%s", w, errs)
		}
	}
	if code != 1 || !strings.Contains(out, "1 passed, 1 failed") {
		t.Errorf("changed rule: exit %d %s", code, out)
	}

	// An invalid rule fails itself; the other rule is still compared.
	writeFile(t, "rules/a_whoami.yml", strings.Replace(whoamiRule, "endswith", "endswit", 1))
	code, out, errs = run("test", "rules")
	if code != 1 || !strings.Contains(out, "1 passed, 1 failed") || !strings.Contains(errs, "rules/a_whoami.yml:8:15:") {
		t.Errorf("invalid rule: exit %d\n%s\n%s", code, out, errs)
	}
	// -update leaves the invalid rule's golden alone.
	if code, _, _ = run("test", "-update", "rules"); code != 1 || !exists("rules/testdata/golden/xql/a_whoami.golden") {
		t.Errorf("-update with an invalid rule: exit %d", code)
	}

	// A deleted rule leaves an orphan golden: reported, then removed.
	os.Remove("rules/a_whoami.yml")
	code, out, errs = run("test", "rules")
	if code != 1 || !strings.Contains(errs, "golden file rules/testdata/golden/xql/a_whoami.golden has no rule file") || !strings.Contains(errs, "sigconv test -update rules removes it") {
		t.Errorf("orphan: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = run("test", "-update", "rules")
	if code != 0 || !strings.Contains(out, "updated 1 golden files") || exists("rules/testdata/golden/xql/a_whoami.golden") {
		t.Errorf("orphan -update: exit %d\n%s", code, out)
	}
	if code, out, _ = run("test", "rules"); code != 0 || !strings.Contains(out, "1 passed, 0 failed") {
		t.Errorf("after orphan removal: exit %d\n%s", code, out)
	}
}

// Item 11: a failed event test says which search identifiers were true
// and which false.
func TestTestEventExplain(t *testing.T) {
	repo := newRepo(t, map[string]string{
		"rules/win/whoami.yml": whoamiRule,
		"rules/testdata/events/win/whoami.jsonl": `{"name": "help is filtered", "match": true, "event": {"Image": "C:\\w\\whoami.exe", "CommandLine": "whoami /help"}}
{"name": "other image", "match": true, "event": {"Image": "C:\\w\\cmd.exe"}}
{"name": "plain whoami", "match": false, "event": {"Image": "C:\\w\\whoami.exe"}}
`,
	})
	t.Chdir(repo)
	code, out, errs := run("test", "rules")
	want := []string{
		"rules/testdata/events/win/whoami.jsonl:1 (help is filtered): rule rules/win/whoami.yml does not match the event, but must (search identifiers true: selection, filter; false: none)",
		"whoami.jsonl:2 (other image): rule rules/win/whoami.yml does not match the event, but must (search identifiers true: none; false: selection, filter)",
		"whoami.jsonl:3 (plain whoami): rule rules/win/whoami.yml matches the event, but must not (search identifiers true: selection; false: filter)",
	}
	for _, w := range want {
		if !strings.Contains(errs, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errs)
		}
	}
	if code != 1 || !strings.Contains(out, "0 passed, 3 failed") {
		t.Errorf("exit %d %s", code, out)
	}
}

// Item 12: the command line and sigmatest find the same tests: events
// beside the rules and under testdata/events, and one per golden file.
func TestTestSameTestsAsSigmatest(t *testing.T) {
	repo := newRepo(t, map[string]string{
		"rules/win/whoami.yml":                     whoamiRule,
		"rules/win/whoami.jsonl":                   `{"match": true, "event": {"Image": "C:\\w\\whoami.exe"}}` + "\n",
		"rules/net/loopback.yml":                   netRule,
		"rules/testdata/events/net/loopback.jsonl": `{"match": true, "event": {"DestinationIp": "127.0.0.1"}}` + "\n",
	})
	t.Chdir(repo)
	if code, _, errs := run("test", "-update", "--targets", "xql,kql", "rules"); code != 0 {
		t.Fatal(errs)
	}
	code, out, errs := run("test", "-v", ".")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	var cli []string
	for _, l := range strings.Split(out, "\n") {
		if name, ok := strings.CutPrefix(l, "ok   "); ok {
			cli = append(cli, name)
		}
	}
	tests, err := sigmatest.CheckRepo(".", sigmatest.RepoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var kit []string
	for _, tc := range tests {
		kit = append(kit, tc.Name)
	}
	sort.Strings(cli)
	sort.Strings(kit)
	want := []string{
		"rules/testdata/events/net/loopback.jsonl:1",
		"rules/testdata/golden/kql/net/loopback.golden",
		"rules/testdata/golden/kql/win/whoami.golden",
		"rules/testdata/golden/xql/net/loopback.golden",
		"rules/testdata/golden/xql/win/whoami.golden",
		"rules/win/whoami.jsonl:1",
	}
	if strings.Join(cli, "\n") != strings.Join(want, "\n") || strings.Join(kit, "\n") != strings.Join(want, "\n") {
		t.Errorf("sigconv test found:\n%s\nsigmatest found:\n%s\nwant:\n%s", strings.Join(cli, "\n"), strings.Join(kit, "\n"), strings.Join(want, "\n"))
	}
}

// Item 13: --junit writes a JUnit XML report that CI systems read.
func TestTestJUnit(t *testing.T) {
	repo := newRepo(t, map[string]string{
		"rules/win/whoami.yml":   whoamiRule,
		"rules/win/whoami.jsonl": `{"name": "ok", "match": true, "event": {"Image": "C:\\w\\whoami.exe"}}` + "\n" + `{"name": "bad <&>", "match": true, "event": {"Image": "x"}}` + "\n",
	})
	t.Chdir(repo)
	if code, _, errs := run("test", "-update", "--targets", "xql", "rules"); code != 1 {
		t.Fatalf("setup: exit %d %s", code, errs)
	}
	code, _, errs := run("test", "--junit", "report.xml", "rules")
	if code != 1 {
		t.Fatalf("exit %d %s", code, errs)
	}
	data, err := os.ReadFile("report.xml")
	if err != nil {
		t.Fatal(err)
	}
	var report struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Tests int    `xml:"tests,attr"`
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &report); err != nil {
		t.Fatalf("not XML: %v\n%s", err, data)
	}
	if report.Tests != 3 || report.Failures != 1 || len(report.Suites) != 1 || report.Suites[0].Name != "rules" || len(report.Suites[0].Cases) != 3 {
		t.Fatalf("report:\n%s", data)
	}
	failed := report.Suites[0].Cases[2]
	if failed.Name != "rules/win/whoami.jsonl:2" || failed.Failure == nil || !strings.Contains(failed.Failure.Text, "(bad <&>)") || !strings.Contains(failed.Failure.Text, "search identifiers") {
		t.Errorf("failed case: %+v", failed)
	}
	if code, _, errs := run("test", "--junit", filepath.Join("no", "such", "dir", "r.xml"), "rules"); code != 2 || !strings.Contains(errs, "r.xml") {
		t.Errorf("unwritable report: exit %d %s", code, errs)
	}
}

func mustReadFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
