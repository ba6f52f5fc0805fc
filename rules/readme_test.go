package rules_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/sigconv/sigconv/internal/cli"
)

// TestReadmeXQLBlocks keeps the README honest: every xql block it shows
// is output that `sigconv convert -t xql rules/` prints, byte for byte.
func TestReadmeXQLBlocks(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	if code := cli.Main([]string{"convert", "-t", "xql", "."}, strings.NewReader(""), &out, &errs); code != 0 {
		t.Fatalf("convert exit %d: %s", code, errs.String())
	}
	blocks := xqlBlock.FindAllStringSubmatch(string(readme), -1)
	if len(blocks) < 2 {
		t.Fatalf("expected the README's xql blocks (hunt query and correlation), found %d", len(blocks))
	}
	for _, b := range blocks {
		if !strings.Contains(out.String(), b[1]) {
			t.Errorf("README block is not what convert -t xql rules/ prints:\n%s\n--- convert prints\n%s", b[1], out.String())
		}
	}
}
