package cli_test

import (
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/internal/corpus"
)

// TestCorpusDeterministic converts the corpus twice per target and
// format through the parallel CLI path and requires identical bytes. Run
// it under -race (as .ci/run does) to check the parallel path too.
func TestCorpusDeterministic(t *testing.T) {
	root, err := corpus.Find()
	if err != nil {
		t.Skip(err)
	}
	folders := []string{root + "/rules/windows/process_creation", root + "/rules/windows/network_connection", root + "/rules-emerging-threats"}
	if testing.Short() {
		folders = folders[1:2] // a few dozen rules: enough for -race
	}
	for _, target := range backends.Names() {
		b, _ := backends.Lookup(target)
		for _, format := range backends.FormatsOf(b) {
			args := append([]string{"convert", "-t", target, "-f", format, "-s"}, folders...)
			_, first, _ := run(args...)
			_, second, _ := run(args...)
			if first != second {
				t.Errorf("%s %s: two runs differ", target, format)
			}
			if first == "" {
				t.Errorf("%s %s: no output", target, format)
			}
		}
	}
}
