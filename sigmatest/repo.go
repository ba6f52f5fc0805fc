package sigmatest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
)

// A rule repository keeps its tests beside its rules, in the layout that
// both "sigconv test DIR" and RunRepo read:
//
//	rules/                       a suite: the rules under it (any depth)
//	  windows/x.yml
//	  windows/x.jsonl            event tests beside the rule, or
//	  testdata/events/windows/x.jsonl   in a mirror tree
//	  testdata/golden/<target dir>/windows/x.golden
//
// A suite is every directory, at any depth of DIR, with a testdata/golden
// or testdata/events folder, and DIR itself when it holds event files
// outside those; its rules are the *.yml/*.yaml files under it outside
// testdata folders and the suites nested in it. Each sub-directory of testdata/golden pins
// one conversion and is named <target>[_<pipeline>...][_<format>] (see
// Target), e.g. xql, kql_sentinel-asim, spl_savedsearches.

// Suite is one rule directory with its tests.
type Suite struct {
	Dir     string   // the rule directory, as discovered under the root
	Targets []Target // from the sub-directories of Dir/testdata/golden
	Events  bool     // Dir/testdata/events exists
}

// GoldenDir is the suite's golden folder.
func (s Suite) GoldenDir() string { return filepath.Join(s.Dir, "testdata", "golden") }

// Discover finds the suites under root: every directory (root included)
// with a testdata/golden or testdata/events folder, in lexical order, and
// root itself first when it has event files (*.jsonl, info.yml) outside
// those suites. Directories whose names start with "." (.git, .github)
// are not searched, nor are testdata and node_modules folders.
func Discover(root string) ([]Suite, error) {
	var out []Suite
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") {
			return fs.SkipDir
		}
		golden := filepath.Join(p, "testdata", "golden")
		events := isDir(filepath.Join(p, "testdata", "events"))
		if !isDir(golden) && !events {
			return nil
		}
		s := Suite{Dir: p, Events: events}
		entries, err := os.ReadDir(golden)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			t, err := ParseTarget(e.Name())
			if err != nil {
				return fmt.Errorf("%s: %v", filepath.Join(golden, e.Name()), err)
			}
			s.Targets = append(s.Targets, t)
		}
		out = append(out, s)
		return nil
	})
	if err == nil && (len(out) == 0 || out[0].Dir != root) && hasEventFiles(root, out) {
		out = append([]Suite{{Dir: root}}, out...)
	}
	return out, err
}

// nested returns the suites strictly below dir, as slash paths relative
// to it.
func nested(dir string, suites []Suite) map[string]bool {
	out := map[string]bool{}
	for _, s := range suites {
		rel, err := filepath.Rel(dir, s.Dir)
		if err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
			out[filepath.ToSlash(rel)] = true
		}
	}
	return out
}

// prunedFS hides some directories from directory listings (so walks skip
// them) while files stay readable: a suite's walk leaves out the suites
// nested in it, which test their own rules.
type prunedFS struct {
	fs.FS
	skip map[string]bool
}

func (p prunedFS) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(p.FS, name)
	if err != nil {
		return nil, err
	}
	out := entries[:0]
	for _, e := range entries {
		if !(e.IsDir() && p.skip[path.Join(name, e.Name())]) {
			out = append(out, e)
		}
	}
	return out, nil
}

func isDir(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}

// ParseTarget reads a conversion as a golden folder names it,
// <target>[_<pipeline>...][_<format>], or as a command line writes it,
// <target>[:<pipeline>...][:<format>] (kql:sentinel-asim,
// spl:savedsearches). Each part after the target is one of the target's
// built-in pipelines or, last, one of its formats; the target may be an
// alias (splunk, kusto), and the result names it canonically.
func ParseTarget(s string) (Target, error) {
	sep := "_"
	if strings.Contains(s, ":") {
		sep = ":"
	}
	parts := strings.Split(s, sep)
	b, err := backends.Lookup(parts[0])
	if err != nil {
		return Target{}, err
	}
	t := Target{Name: b.Name()}
	rest := parts[1:]
	if n := len(rest); n > 0 && hasFormat(b, rest[n-1]) && !hasPipeline(b, rest[n-1]) {
		t.Format, rest = rest[n-1], rest[:n-1]
	}
	for _, p := range rest {
		if !hasPipeline(b, p) {
			return t, fmt.Errorf("%q is neither a pipeline nor a format of target %s (sigconv list pipelines, sigconv list formats)", p, t.Name)
		}
	}
	t.Pipelines = rest
	return t, nil
}

// DefaultTargets are every built-in target with its default pipelines
// and format.
func DefaultTargets() []Target {
	var out []Target
	for _, n := range backends.Names() {
		out = append(out, Target{Name: n})
	}
	return out
}

func hasFormat(b backends.Backend, f string) bool {
	for _, x := range backends.FormatsOf(b) {
		if x == f {
			return true
		}
	}
	return false
}

func hasPipeline(b backends.Backend, name string) bool {
	for _, p := range backends.PipelinesOf(b) {
		if p.Name == name {
			return true
		}
	}
	return false
}

// RepoOptions tune CheckRepo.
type RepoOptions struct {
	// Update writes missing and changed golden files and removes orphan
	// ones. Under a root without any suite it creates root/testdata/golden.
	Update bool
	// Targets, when set, replace the golden folders found (with Update
	// they are created). With Update and neither Targets nor any golden
	// folder under the root (a new repository), DefaultTargets are created.
	Targets []Target
}

// Test is one test of a rule repository: a golden file or an event case.
type Test struct {
	Suite  string        // the suite directory
	Name   string        // the golden file, or the events file and line
	Golden *GoldenResult // set for a golden test
	Event  *EventResult  // set for an event test
}

// Passed reports whether the test passed (or was skipped).
func (t Test) Passed() bool {
	if t.Golden != nil {
		return t.Golden.Passed()
	}
	return t.Event.Passed()
}

// Skipped is why the test did not run, or "".
func (t Test) Skipped() string {
	if t.Event != nil {
		return t.Event.Skip
	}
	return ""
}

// Changed reports whether Update wrote or removed the test's golden file.
func (t Test) Changed() bool {
	return t.Golden != nil && (t.Golden.Updated || t.Golden.Removed)
}

// Message is the test's outcome as a line (a failure with its diff or
// explanation).
func (t Test) Message() string {
	if t.Golden != nil {
		return t.Golden.String()
	}
	return t.Event.String()
}

// ErrNoTests is returned (wrapped, with where it looked) when a root has
// no golden folder and no event file.
var ErrNoTests = errors.New("nothing to test")

// CheckRepo discovers the suites under root and runs every golden and
// event test, in order: per suite its golden files by target, then its
// events (beside the rules, then under testdata/events). Paths in names
// and messages start with root as given, so a relative root gives paths
// relative to the current directory.
func CheckRepo(root string, opt RepoOptions) ([]Test, error) {
	suites, err := Discover(root)
	if err != nil {
		return nil, err
	}
	if len(suites) == 0 {
		if !opt.Update {
			return nil, fmt.Errorf("%w under %s: no testdata/golden or testdata/events folder in it or any directory below, and no *.jsonl event file beside its rules; create goldens with sigconv test -update %s", ErrNoTests, root, root)
		}
		suites = []Suite{{Dir: root}}
	}
	// A new repository (no golden folder anywhere) gets the default
	// targets with Update; otherwise suites without goldens stay so,
	// unless --targets names conversions for all.
	fresh := true
	for _, s := range suites {
		fresh = fresh && len(s.Targets) == 0
	}
	var out []Test
	for _, s := range suites {
		tests, err := checkSuite(s, nested(s.Dir, suites), fresh, opt)
		if err != nil {
			return out, fmt.Errorf("%s: %v", s.Dir, err)
		}
		out = append(out, tests...)
	}
	return out, nil
}

func checkSuite(s Suite, inner map[string]bool, fresh bool, opt RepoOptions) ([]Test, error) {
	var out []Test
	targets := s.Targets
	if len(opt.Targets) > 0 {
		targets = opt.Targets
	}
	if len(targets) == 0 && opt.Update && fresh {
		targets = DefaultTargets()
	}
	var rules fs.FS = prunedFS{os.DirFS(s.Dir), inner}
	if len(targets) > 0 {
		cfg := Config{Rules: rules, RulesDir: s.Dir, Dir: s.GoldenDir(), Targets: targets, Update: opt.Update}
		results, err := CheckGolden(cfg)
		if err != nil {
			return nil, err
		}
		for i := range results {
			out = append(out, Test{Suite: s.Dir, Name: results[i].Golden, Golden: &results[i]})
		}
	}
	events := []EventConfig{{Rules: rules, Events: rules, RulesDir: s.Dir, EventsDir: s.Dir}}
	if s.Events {
		ev := filepath.Join(s.Dir, "testdata", "events")
		events = append(events, EventConfig{Rules: rules, Events: os.DirFS(ev), RulesDir: s.Dir, EventsDir: ev})
	}
	for _, cfg := range events {
		results, err := CheckEvents(cfg)
		if err != nil {
			return nil, err
		}
		for i := range results {
			out = append(out, Test{Suite: s.Dir, Name: results[i].Source, Event: &results[i]})
		}
	}
	return out, nil
}

// hasEventFiles reports whether a directory holds a *.jsonl file or an
// info.yml outside testdata, "." folders and the given suites.
func hasEventFiles(root string, suites []Suite) bool {
	skip := map[string]bool{}
	for _, s := range suites {
		skip[s.Dir] = true
	}
	found := false
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || found {
			return fs.SkipAll
		}
		if d.IsDir() && p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || skip[p]) {
			return fs.SkipDir
		}
		found = !d.IsDir() && (strings.HasSuffix(p, ".jsonl") || d.Name() == "info.yml")
		return nil
	})
	return found
}

// RunRepo runs CheckRepo as Go tests: one subtest per golden file and per
// event case, named by its path, so "go test" and "sigconv test DIR" run
// the same tests. With no test under root it fails.
func RunRepo(t *testing.T, root string, opt RepoOptions) {
	t.Helper()
	tests, err := CheckRepo(root, opt)
	if err != nil {
		t.Fatalf("sigmatest: %v", err)
	}
	seen := map[string]int{}
	for _, tc := range tests {
		name := filepath.ToSlash(tc.Name)
		if seen[name]++; seen[name] > 1 {
			name = fmt.Sprintf("%s#%d", name, seen[name])
		}
		t.Run(name, func(t *testing.T) {
			if why := tc.Skipped(); why != "" {
				t.Skip(why)
			}
			if !tc.Passed() {
				t.Error(tc.Message())
			}
		})
	}
}
