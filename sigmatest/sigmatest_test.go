package sigmatest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sigconv/sigconv/sigmatest"
)

const whoami = `title: Whoami
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image|endswith: '\whoami.exe'
    condition: selection
`

func goldenConfig(dir, rule string, update bool) sigmatest.Config {
	return sigmatest.Config{
		Rules:   fstest.MapFS{"win/whoami.yml": {Data: []byte(rule)}},
		Targets: []sigmatest.Target{{Name: "xql"}},
		Dir:     dir,
		Update:  update,
	}
}

func checkGolden(t *testing.T, cfg sigmatest.Config) sigmatest.GoldenResult {
	t.Helper()
	res, err := sigmatest.CheckGolden(cfg)
	if err != nil || len(res) != 1 {
		t.Fatalf("CheckGolden: %v, %d results", err, len(res))
	}
	return res[0]
}

// TestGoldenLifecycle: a missing golden names the file and -update;
// Update writes it; a changed rule shows a diff; Update fixes it.
func TestGoldenLifecycle(t *testing.T) {
	dir := t.TempDir()
	golden := filepath.Join(dir, "xql", "win", "whoami.golden")

	r := checkGolden(t, goldenConfig(dir, whoami, false))
	if !r.Missing || !strings.Contains(r.String(), golden) || !strings.Contains(r.String(), "-update") {
		t.Errorf("missing golden: %s", r)
	}
	if r := checkGolden(t, goldenConfig(dir, whoami, true)); !r.Updated {
		t.Fatalf("update: %s", r)
	}
	if _, err := os.Stat(golden); err != nil {
		t.Fatal(err)
	}
	if r := checkGolden(t, goldenConfig(dir, whoami, false)); !r.Passed() {
		t.Errorf("after update: %s", r)
	}
	changed := strings.Replace(whoami, "whoami.exe", "whoareyou.exe", 1)
	r = checkGolden(t, goldenConfig(dir, changed, false))
	if r.Passed() || !strings.Contains(r.String(), "reyou") || !strings.Contains(r.String(), "-golden +got") {
		t.Errorf("changed rule: %s", r)
	}
	checkGolden(t, goldenConfig(dir, changed, true))
	if r := checkGolden(t, goldenConfig(dir, changed, false)); !r.Passed() {
		t.Errorf("after second update: %s", r)
	}
}

// TestMalformedEvents: a bad line is a positioned failure and the other
// lines still run.
func TestMalformedEvents(t *testing.T) {
	fsys := fstest.MapFS{
		"win/whoami.yml": {Data: []byte(whoami)},
		"win/whoami.jsonl": {Data: []byte(`{"match": true, "event": {"Image": "C:\\x\\whoami.exe"}}
{"match": true, "event": {"Image": oops}}
{"event": {"Image": "a"}}
{"match": false, "event": {"Image": "C:\\x\\cmd.exe"}}
`)},
	}
	res, err := sigmatest.CheckEvents(sigmatest.EventConfig{Rules: fsys})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res {
		got = append(got, r.String())
	}
	all := strings.Join(got, "\n")
	if len(res) != 4 || !res[0].Passed() || !res[3].Passed() {
		t.Fatalf("results:\n%s", all)
	}
	if !strings.Contains(res[1].String(), "win/whoami.jsonl:2:") || !strings.Contains(res[2].String(), `missing "match"`) {
		t.Errorf("malformed lines not reported with positions:\n%s", all)
	}
}

func TestEventsWithoutRule(t *testing.T) {
	fsys := fstest.MapFS{"win/nothing.jsonl": {Data: []byte(`{"match": true, "event": {}}` + "\n")}}
	res, _ := sigmatest.CheckEvents(sigmatest.EventConfig{Rules: fsys})
	if len(res) != 1 || res[0].Passed() || !strings.Contains(res[0].String(), "win/nothing.yml") {
		t.Errorf("got %v", res)
	}
}
