package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTestCommand runs "sigconv test" on a copy of a tiny rule directory:
// it passes, fails with a diff after the rule changes, and -update fixes
// the goldens.
func TestTestCommand(t *testing.T) {
	dir := t.TempDir()
	rule := filepath.Join(dir, "win", "whoami.yml")
	write(t, rule, "title: Whoami\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    selection:\n        Image|endswith: '\\whoami.exe'\n    condition: selection\n")
	write(t, filepath.Join(dir, "win", "whoami.jsonl"), `{"match": true, "event": {"Image": "C:\\x\\whoami.exe"}}`+"\n")
	os.MkdirAll(filepath.Join(dir, "testdata", "golden", "xql"), 0o755)

	code, out, errs := runCLI("test", dir)
	if code != 1 || !strings.Contains(errs, "does not exist") || !strings.Contains(out, "1 passed, 1 failed") {
		t.Fatalf("first run: %d\n%s\n%s", code, out, errs)
	}
	if code, out, errs = runCLI("test", "-update", dir); code != 0 || !strings.Contains(out, "2 passed, 0 failed") {
		t.Fatalf("update: %d\n%s\n%s", code, out, errs)
	}
	write(t, rule, strings.Replace(mustRead(t, rule), "whoami.exe", "whoareyou.exe", 1))
	if code, out, errs = runCLI("test", dir); code != 1 || !strings.Contains(errs, "-golden +got") {
		t.Fatalf("changed rule: %d\n%s\n%s", code, out, errs)
	}
	if code, _, errs = runCLI("test", "notadir"); code != 2 {
		t.Errorf("bad path: %d %s", code, errs)
	}
}

func runCLI(args ...string) (int, string, string) {
	var out, errs bytes.Buffer
	code := Main(args, nil, &out, &errs)
	return code, out.String(), errs.String()
}

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
