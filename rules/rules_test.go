package rules_test

import (
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sigconv/sigconv/backends"
	_ "github.com/sigconv/sigconv/backends/all"
	"github.com/sigconv/sigconv/internal/xqltok"
	"github.com/sigconv/sigconv/rules"
	"github.com/sigconv/sigconv/sigmatest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestGolden pins every shipped rule's conversion for every target.
func TestGolden(t *testing.T) {
	sigmatest.Run(t, sigmatest.Config{
		Rules:   rules.FS,
		Targets: goldenTargets,
		Update:  *update,
	})
}

// seedPath is the published hunt the PipeMagic rules must reproduce. It
// lives beside the repository in development and CI, not in users' clones.
const seedPath = "../../shared/seed/pipemagic-hunt.md"

var xqlBlock = regexp.MustCompile("(?s)```xql\n(.*?)```")

// TestPipeMagicSeedXQL converts rules/ with the XQL backend and compares
// the result, token for token, with the two queries documented in the
// hunt: comments, field order, operators and literals must be identical;
// only whitespace may differ.
func TestPipeMagicSeedXQL(t *testing.T) {
	seed, err := os.ReadFile(seedPath)
	if os.IsNotExist(err) {
		t.Skipf("%s not present (only in the development workspace)", seedPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	blocks := xqlBlock.FindAllStringSubmatch(string(seed), -1)
	if len(blocks) != 2 {
		t.Fatalf("expected 2 xql blocks in the seed, found %d", len(blocks))
	}
	b, err := backends.Lookup("xql")
	if err != nil {
		t.Fatal(err)
	}
	conv, err := backends.NewConverter(b, backends.Options{})
	if err != nil {
		t.Fatal(err)
	}
	files := []string{
		"windows/process_creation/proc_creation_win_pipemagic_pipe_cmdline.yml",
		"windows/network_connection/net_connection_win_pipemagic_loopback_8082.yml",
	}
	for i, name := range files {
		got, err := sigmatest.Convert(conv, rules.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(got, "ERROR:") {
			t.Fatalf("%s: %s", name, got)
		}
		want := tokens(t, blocks[i][1])
		if diff := cmp.Diff(want, tokens(t, got)); diff != "" {
			t.Errorf("%s: XQL differs from seed query %d (-seed +got):\n%s\ngot:\n%s", name, i+1, diff, got)
		}
	}
}

func tokens(t *testing.T, q string) []string {
	t.Helper()
	toks, err := xqltok.Split(q)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(toks))
	for i, tok := range toks {
		out[i] = tok.String()
	}
	return out
}

// TestTuningFilters pins the hunt's tuning advice, the meta-filters in
// examples/tuning, applied on request to the shipped rules.
func TestTuningFilters(t *testing.T) {
	sigmatest.Run(t, sigmatest.Config{
		Rules:   rules.FS,
		Filters: os.DirFS("../examples/tuning"),
		Targets: goldenTargets,
		Dir:     "testdata/golden-tuned",
		Update:  *update,
	})
}
