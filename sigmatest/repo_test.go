package sigmatest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sigconv/sigconv/sigmatest"
)

func TestParseTarget(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"xql", "{xql [] }"},
		{"kql_sentinel-asim", "{kql [sentinel-asim] }"},
		{"kql:sentinel-asim:sentinel-rule", "{kql [sentinel-asim] sentinel-rule}"},
		{"spl_savedsearches", "{spl [] savedsearches}"},
		{"splunk:cim", "{spl [cim] }"},
		{"kusto", "{kql [] }"},
	} {
		got, err := sigmatest.ParseTarget(tc.in)
		if err != nil || fmt.Sprint(got) != tc.want {
			t.Errorf("%s: %v %v, want %s", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"nope", "xql_nope", "kql:cim", ""} {
		if _, err := sigmatest.ParseTarget(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// An invalid rule fails its own result only; Update writes only what
// changes, and removes golden files whose rule is gone.
func TestGoldenInvalidOrphanUpdate(t *testing.T) {
	dir := t.TempDir()
	other := strings.Replace(whoami, "whoami.exe", "net.exe", 1)
	cfg := sigmatest.Config{
		Rules:   fstest.MapFS{"a.yml": {Data: []byte(whoami)}, "b.yml": {Data: []byte(other)}},
		Targets: []sigmatest.Target{{Name: "xql"}},
		Dir:     dir,
		Update:  true,
	}
	res, err := sigmatest.CheckGolden(cfg)
	if err != nil || len(res) != 2 || !res[0].Updated || !res[1].Updated {
		t.Fatalf("create: %v %+v", err, res)
	}
	if res, _ = sigmatest.CheckGolden(cfg); res[0].Updated || res[1].Updated || !res[0].Passed() {
		t.Errorf("unchanged goldens rewritten: %+v", res)
	}
	cfg.Update = false
	cfg.Rules = fstest.MapFS{"a.yml": {Data: []byte(strings.Replace(whoami, "condition: selection", "condition: selektion", 1))}, "b.yml": {Data: []byte(other)}}
	res, err = sigmatest.CheckGolden(cfg)
	if err != nil || len(res) != 2 || res[0].Passed() || !strings.Contains(res[0].String(), "a.yml:8:16") || !res[1].Passed() {
		t.Errorf("invalid rule: %v %+v", err, res)
	}
	cfg.Rules = fstest.MapFS{"b.yml": {Data: []byte(other)}}
	res, _ = sigmatest.CheckGolden(cfg)
	if len(res) != 2 || !res[1].Orphan || res[1].Passed() || !strings.Contains(res[1].String(), filepath.Join(dir, "xql", "a.golden")+" has no rule file") {
		t.Fatalf("orphan: %+v", res)
	}
	cfg.Update = true
	res, _ = sigmatest.CheckGolden(cfg)
	if len(res) != 2 || !res[1].Removed || !res[1].Passed() {
		t.Errorf("orphan update: %+v", res)
	}
	if _, err := os.Stat(filepath.Join(dir, "xql", "a.golden")); err == nil {
		t.Error("orphan not removed")
	}
}

func TestEventExplain(t *testing.T) {
	rule := `title: t
logsource: {category: process_creation, product: windows}
detection:
    selection:
        Image|endswith: '\whoami.exe'
    filter:
        CommandLine|contains: '/help'
    condition: selection and not filter
`
	fsys := fstest.MapFS{
		"r.yml":   {Data: []byte(rule)},
		"r.jsonl": {Data: []byte(`{"match": true, "event": {"Image": "C:\\whoami.exe", "CommandLine": "/help"}}` + "\n")},
	}
	res, err := sigmatest.CheckEvents(sigmatest.EventConfig{Rules: fsys})
	if err != nil || len(res) != 1 {
		t.Fatal(err, res)
	}
	want := "r.jsonl:1: rule r.yml does not match the event, but must (search identifiers true: selection, filter; false: none)"
	if got := res[0].String(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func ExampleCheckRepo() {
	repo, _ := os.MkdirTemp("", "repo")
	defer os.RemoveAll(repo)
	os.MkdirAll(filepath.Join(repo, "rules", "win"), 0o755)
	os.WriteFile(filepath.Join(repo, "rules", "win", "whoami.yml"), []byte(whoami), 0o644)
	os.WriteFile(filepath.Join(repo, "rules", "win", "whoami.jsonl"), []byte(`{"match": true, "event": {"Image": "C:\\whoami.exe"}}`+"\n"), 0o644)

	// On a new repository, Update creates rules/testdata/golden/<target>.
	opt := sigmatest.RepoOptions{Update: true, Targets: []sigmatest.Target{{Name: "xql"}}}
	if _, err := sigmatest.CheckRepo(filepath.Join(repo, "rules"), opt); err != nil {
		panic(err)
	}
	// From the repository root, the suite under rules/ is found.
	tests, err := sigmatest.CheckRepo(repo, sigmatest.RepoOptions{})
	if err != nil {
		panic(err)
	}
	for _, tc := range tests {
		rel, _ := filepath.Rel(repo, tc.Name)
		fmt.Println(filepath.ToSlash(rel), tc.Passed())
	}
	// Output:
	// rules/testdata/golden/xql/win/whoami.golden true
	// rules/win/whoami.jsonl:1 true
}
