package kql_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/constructs.golden")

// TestConstructsGolden pins the whole constructs table in one reviewable
// file (testdata/constructs.golden): each construct's detection and the
// where expression it becomes.
func TestConstructsGolden(t *testing.T) {
	var b strings.Builder
	for _, tc := range constructs {
		got, err := convertDetection(t, tc.detection)
		if err != nil {
			got = "ERROR: " + err.Error()
		}
		b.WriteString("## " + tc.name + "\n" + tc.detection + "\n=> " + got + "\n\n")
	}
	path := filepath.Join("testdata", "constructs.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(want) != b.String() {
		t.Errorf("constructs differ from %s; if the new output is right, run go test -update and review the diff", path)
	}
}
