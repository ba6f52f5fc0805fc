package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sigconv/sigconv/sigmatest"
)

var testFlags = flagSpec{
	values: map[string]string{
		"--targets": "targets", "-targets": "targets",
		"--junit": "junit", "-junit": "junit",
	},
	bools: map[string]string{
		"-update": "update", "--update": "update", "-v": "verbose", "--verbose": "verbose",
	},
}

// runTest is "sigconv test [-update] [--targets LIST] [--junit FILE] [-v]
// DIR...": every suite under each DIR (sigmatest.Discover: a directory
// with testdata/golden or testdata/events, at any depth) runs its golden
// and event tests, as sigmatest.RunRepo does in Go; one summary line.
func runTest(args []string, stdout, stderr io.Writer) int {
	a, err := testFlags.parse(args)
	if err == nil && len(a.paths) == 0 {
		err = errors.New("missing DIR")
	}
	var opt sigmatest.RepoOptions
	if err == nil {
		opt.Targets, err = parseTargets(a.value("targets"))
	}
	if err != nil {
		fmt.Fprintf(stderr, "sigconv test: %v\n\n", err)
		writeHelp(stderr, "test")
		return 2
	}
	opt.Update = a.bools["update"]
	t := &tester{out: stdout, errw: stderr, verbose: a.bools["verbose"]}
	for _, dir := range a.paths {
		if info, err := os.Stat(dir); err != nil || !info.IsDir() {
			fmt.Fprintf(stderr, "sigconv test: %s is not a directory of rules\n", dir)
			return 2
		}
		dir = relative(dir)
		tests, err := sigmatest.CheckRepo(dir, opt)
		t.record(tests)
		if err != nil {
			t.failed++
			t.errors = append(t.errors, fmt.Sprintf("%s: %v", dir, err))
			fmt.Fprintln(stderr, "FAIL", err)
		}
	}
	if p := a.value("junit"); p != "" {
		if err := writeJUnit(p, t.tests, t.errors); err != nil {
			fmt.Fprintln(stderr, "sigconv test:", err)
			return 2
		}
	}
	if t.changed > 0 {
		fmt.Fprintf(stdout, "updated %d golden files (created, changed or removed)\n", t.changed)
	}
	fmt.Fprintln(stdout, t.summary())
	if t.failed > 0 {
		return 1
	}
	return 0
}

// parseTargets reads --targets: a comma-separated list of conversions,
// each target[:pipeline...][:format] (or a golden folder name).
func parseTargets(list string) ([]sigmatest.Target, error) {
	if list == "" {
		return nil, nil
	}
	var out []sigmatest.Target
	for _, s := range strings.Split(list, ",") {
		t, err := sigmatest.ParseTarget(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("--targets %s: %v", s, err)
		}
		out = append(out, t)
	}
	return out, nil
}

// relative names an absolute directory relative to the current one when
// it lies below it, so messages show the paths a user would type.
func relative(dir string) string {
	if !filepath.IsAbs(dir) {
		return dir
	}
	wd, err := os.Getwd()
	if err != nil {
		return dir
	}
	if rel, err := filepath.Rel(wd, dir); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return dir
}

type tester struct {
	out, errw                        io.Writer
	verbose                          bool
	passed, failed, skipped, changed int
	tests                            []sigmatest.Test
	errors                           []string // runs that stopped before their tests
}

func (t *tester) record(tests []sigmatest.Test) {
	t.tests = append(t.tests, tests...)
	for _, tc := range tests {
		if tc.Changed() {
			t.changed++
		}
		switch {
		case tc.Skipped() != "":
			t.skipped++
		case tc.Passed():
			t.passed++
			if t.verbose {
				fmt.Fprintln(t.out, "ok  ", tc.Name)
			}
		default:
			t.failed++
			msg := strings.ReplaceAll(tc.Message(), "go test -update", "sigconv test -update "+tc.Suite)
			fmt.Fprintln(t.errw, "FAIL", msg)
		}
	}
}

// summary is the closing line, "N passed, M failed[, K skipped]", the
// form CI systems read. (-update's count of golden files it created,
// changed or removed, files already right not counted, comes before it.)
func (t *tester) summary() string {
	s := fmt.Sprintf("%d passed, %d failed", t.passed, t.failed)
	if t.skipped > 0 {
		s += fmt.Sprintf(", %d skipped", t.skipped)
	}
	return s
}
