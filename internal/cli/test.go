package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/sigmatest"
)

// runTest is "sigconv test [-update] [-v] DIR...": for each rule
// directory, the golden tests (DIR/testdata/golden/<target>/...) and the
// event tests (*.jsonl beside the rules or under DIR/testdata/events,
// and SigmaHQ regression directories), with one summary line.
func runTest(args []string, stdout, stderr io.Writer) int {
	spec := flagSpec{bools: map[string]string{
		"-update": "update", "--update": "update", "-v": "verbose", "--verbose": "verbose",
	}}
	a, err := spec.parse(args)
	if err != nil || len(a.paths) == 0 {
		if err != nil {
			fmt.Fprintln(stderr, "sigconv test:", err)
		}
		fmt.Fprintln(stderr, "usage: sigconv test [-update] [-v] DIR...")
		return 2
	}
	t := &tester{out: stdout, errw: stderr, update: a.bools["update"], verbose: a.bools["verbose"]}
	for _, dir := range a.paths {
		if info, err := os.Stat(dir); err != nil || !info.IsDir() {
			fmt.Fprintf(stderr, "sigconv test: %s is not a directory of rules\n", dir)
			return 2
		}
		t.dir(dir)
	}
	summary := fmt.Sprintf("%d passed, %d failed", t.passed, t.failed)
	if t.skipped > 0 {
		summary += fmt.Sprintf(" (%d skipped)", t.skipped)
	}
	if t.updated > 0 {
		summary += fmt.Sprintf("; %d golden files written", t.updated)
	}
	fmt.Fprintln(stdout, summary)
	if t.failed > 0 {
		return 1
	}
	return 0
}

type tester struct {
	out, errw                        io.Writer
	update, verbose                  bool
	passed, failed, skipped, updated int
}

func (t *tester) pass(msg string) {
	t.passed++
	if t.verbose {
		fmt.Fprintln(t.out, "ok  ", msg)
	}
}

func (t *tester) fail(msg string) {
	t.failed++
	fmt.Fprintln(t.errw, "FAIL", msg)
}

func (t *tester) dir(dir string) {
	ran := t.golden(dir)
	rules := os.DirFS(dir)
	ran = t.events(sigmatest.EventConfig{Rules: rules}) || ran
	if ev := filepath.Join(dir, "testdata", "events"); isDir(ev) {
		ran = t.events(sigmatest.EventConfig{Rules: rules, Events: os.DirFS(ev)}) || ran
	}
	if !ran {
		t.fail(fmt.Sprintf("%s: nothing to test: no %s and no event files", dir, filepath.Join("testdata", "golden")))
	}
}

// golden runs the golden tests; the targets are the sub-directories of
// testdata/golden, named as sigmatest names them.
func (t *tester) golden(dir string) bool {
	gdir := filepath.Join(dir, "testdata", "golden")
	entries, err := os.ReadDir(gdir)
	if err != nil {
		return false
	}
	cfg := sigmatest.Config{Rules: os.DirFS(dir), Dir: gdir, Update: t.update}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		target, err := parseTargetDir(e.Name())
		if err != nil {
			t.fail(fmt.Sprintf("%s: %v", filepath.Join(gdir, e.Name()), err))
			continue
		}
		cfg.Targets = append(cfg.Targets, target)
	}
	results, err := sigmatest.CheckGolden(cfg)
	if err != nil {
		t.fail(fmt.Sprintf("%s: %v", dir, err))
		return true
	}
	for _, r := range results {
		switch {
		case r.Updated:
			t.updated++
			t.pass(r.Golden + " (written)")
		case r.Passed():
			t.pass(r.Golden)
		case r.Missing:
			t.fail(fmt.Sprintf("golden file %s does not exist; create it with sigconv test -update %s (and read it before committing)", r.Golden, dir))
		default:
			t.fail(strings.Replace(r.String(), "run go test -update", "run sigconv test -update "+dir, 1))
		}
	}
	return len(cfg.Targets) > 0
}

func (t *tester) events(cfg sigmatest.EventConfig) bool {
	results, err := sigmatest.CheckEvents(cfg)
	if err != nil {
		t.fail(err.Error())
		return true
	}
	for _, r := range results {
		switch {
		case r.Skip != "":
			t.skipped++
		case r.Passed():
			t.pass(r.String())
		default:
			t.fail(r.String())
		}
	}
	return len(results) > 0
}

// parseTargetDir reads a golden directory name, target[_pipeline...][_format].
func parseTargetDir(name string) (sigmatest.Target, error) {
	parts := strings.Split(name, "_")
	b, err := backends.Lookup(parts[0])
	if err != nil {
		return sigmatest.Target{}, err
	}
	t := sigmatest.Target{Name: parts[0]}
	rest := parts[1:]
	if n := len(rest); n > 0 && isFormat(b, rest[n-1]) && !isPipeline(b, rest[n-1]) {
		t.Format, rest = rest[n-1], rest[:n-1]
	}
	for _, p := range rest {
		if !isPipeline(b, p) {
			return t, errors.New("unknown pipeline or format " + p + " of target " + t.Name)
		}
	}
	t.Pipelines = rest
	return t, nil
}

func isFormat(b backends.Backend, f string) bool {
	for _, x := range backends.FormatsOf(b) {
		if x == f {
			return true
		}
	}
	return false
}

func isPipeline(b backends.Backend, name string) bool {
	for _, p := range backends.PipelinesOf(b) {
		if p.Name == name {
			return true
		}
	}
	return false
}

func isDir(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}
