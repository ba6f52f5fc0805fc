// Package sigmatest is a golden-test kit for Sigma rule repositories, in
// the manner of testing/fstest: point it at an fs.FS of rules and the
// targets to produce, and it converts every rule and compares each output
// with a golden file under the caller's testdata directory, failing with a
// readable diff. With Update set it rewrites the golden files instead; the
// caller owns the -update flag:
//
//	var update = flag.Bool("update", false, "rewrite golden files")
//
//	func TestGolden(t *testing.T) {
//		sigmatest.Run(t, sigmatest.Config{
//			Rules:   os.DirFS("rules"),
//			Targets: []sigmatest.Target{{Name: "xql"}, {Name: "kql"}},
//			Update:  *update,
//		})
//	}
//
// For a repository laid out as "sigconv test" reads it (golden folders
// named by their conversion, events beside the rules or under
// testdata/events), RunRepo finds and runs everything, the same tests as
// the command line:
//
//	func TestRepo(t *testing.T) {
//		sigmatest.RunRepo(t, "rules", sigmatest.RepoOptions{Update: *update})
//	}
package sigmatest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	_ "github.com/sigconv/sigconv/backends/all" // built-in targets
	"github.com/sigconv/sigconv/driver"
	"github.com/sigconv/sigconv/sigma"
)

// Target names one conversion to pin: a target, optional built-in
// pipelines and an optional format.
type Target struct {
	Name      string
	Pipelines []string
	Format    string
}

// dir is the golden sub-directory of the target: name[_pipelines][_format].
func (t Target) dir() string {
	parts := append([]string{t.Name}, t.Pipelines...)
	if t.Format != "" {
		parts = append(parts, t.Format)
	}
	return strings.Join(parts, "_")
}

// Config says what to convert and where the golden files are.
type Config struct {
	// Rules holds the rule files (*.yml, *.yaml), searched recursively.
	Rules fs.FS
	// Targets are the conversions to pin.
	Targets []Target
	// Dir is the golden directory; default "testdata/golden".
	Dir string
	// Update rewrites golden files instead of comparing.
	Update bool
	// Filters, when set, holds meta-filter files applied on request
	// (like sigconv convert --filter); they get no golden files.
	Filters fs.FS
	// RulesDir, when set, is the directory Rules was opened from: rule
	// files are named under it in messages (as the user typed the
	// directory, so relative to the current directory).
	RulesDir string
}

// Run converts every rule for every target and compares with (or, with
// Update, writes) Dir/<target>/<rule path>.golden, one subtest per golden
// file (named by its path under Dir). A rule that fails to convert pins
// its error message instead, so a rule that starts or stops converting
// shows up as a diff too. A golden file whose rule is gone fails (Update
// removes it).
func Run(t *testing.T, cfg Config) {
	t.Helper()
	results, err := CheckGolden(cfg)
	if err != nil {
		t.Fatalf("sigmatest: %v", err)
	}
	dir := cfg.Dir
	if dir == "" {
		dir = defaultDir
	}
	for _, r := range results {
		name, err := filepath.Rel(dir, r.Golden)
		if err != nil {
			name = r.Golden
		}
		t.Run(filepath.ToSlash(name), func(t *testing.T) {
			if !r.Passed() {
				t.Error(r.String())
			}
		})
	}
}

var defaultDir = filepath.Join("testdata", "golden")

// GoldenResult is the outcome of one golden file.
type GoldenResult struct {
	Golden  string // path of the golden file
	Rule    string // rule file, a path in Config.Rules ("" for an orphan)
	Err     error  // the rule could not be read or parsed, or the golden file not written
	Missing bool   // the golden file does not exist (and Update was not set)
	Orphan  bool   // the golden file has no rule file (deleted or renamed)
	Diff    string // unified diff from the golden file to the conversion
	Updated bool   // Update created or changed the golden file
	Removed bool   // Update removed the orphan golden file
}

// Passed reports whether the golden file matched (or Update brought it up
// to date).
func (r GoldenResult) Passed() bool {
	return r.Err == nil && !r.Missing && r.Diff == "" && (!r.Orphan || r.Removed)
}

// String is the failure message, naming the golden file and the way out.
func (r GoldenResult) String() string {
	switch {
	case r.Err != nil:
		return fmt.Sprintf("sigmatest: %v", r.Err)
	case r.Missing:
		return fmt.Sprintf("sigmatest: golden file %s does not exist; create it with go test -update (and read it before committing)", r.Golden)
	case r.Orphan && !r.Removed:
		return fmt.Sprintf("sigmatest: golden file %s has no rule file (deleted or renamed?); go test -update removes it", r.Golden)
	case r.Diff != "":
		return fmt.Sprintf("sigmatest: %s differs from the conversion (-golden +got):\n%s\nIf the new output is right, run go test -update and review the diff.", r.Golden, r.Diff)
	}
	return r.Golden + ": ok"
}

// CheckGolden is Run without a testing.TB, for tools such as sigconv
// test: one result per rule file and target, then one per orphan golden
// file. An invalid rule file fails its own results and the other rules
// are still compared. The error is for problems that stop the whole run
// (no rules, an unreadable file, an invalid filter, an unknown target).
func CheckGolden(cfg Config) ([]GoldenResult, error) {
	if cfg.Dir == "" {
		cfg.Dir = defaultDir
	}
	files, err := ruleFiles(cfg.Rules)
	if err != nil {
		return nil, fmt.Errorf("listing rules: %v", err)
	}
	if len(files) == 0 {
		return nil, errors.New("no rule files (*.yml) in the rules file system")
	}
	parsed, invalid, err := parseEach(cfg.Rules, files, cfg.RulesDir)
	if err != nil {
		return nil, err
	}
	var filters []*sigma.File
	if cfg.Filters != nil {
		names, err := ruleFiles(cfg.Filters)
		if err == nil {
			filters, err = parseAll(cfg.Filters, names)
		}
		if err != nil {
			return nil, fmt.Errorf("filters: %v", err)
		}
	}
	var valid []*sigma.File
	for i, f := range parsed {
		if invalid[i] == nil {
			valid = append(valid, f)
		}
	}
	var out []GoldenResult
	for _, target := range cfg.Targets {
		conv, err := newConverter(target)
		if err != nil {
			return nil, fmt.Errorf("target %s: %v", target.dir(), err)
		}
		outputs := convertAll(conv, valid, filters)
		tdir := filepath.Join(cfg.Dir, target.dir())
		expected := map[string]bool{}
		for i, name := range files {
			golden := filepath.Join(tdir, filepath.FromSlash(strings.TrimSuffix(name, path.Ext(name)))+".golden")
			expected[golden] = true
			res := GoldenResult{Golden: golden, Rule: name}
			if invalid[i] != nil {
				res.Err = invalid[i]
			} else {
				compare(&res, outputs[0], cfg.Update)
				outputs = outputs[1:]
			}
			out = append(out, res)
		}
		orphans, err := orphanGoldens(tdir, expected, cfg.Update)
		if err != nil {
			return nil, err
		}
		out = append(out, orphans...)
	}
	return out, nil
}

// orphanGoldens reports the golden files of a target directory that no
// rule file produces; with update it removes them.
func orphanGoldens(tdir string, expected map[string]bool, update bool) ([]GoldenResult, error) {
	var out []GoldenResult
	err := filepath.WalkDir(tdir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == tdir {
			return fs.SkipDir
		}
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".golden") || expected[p] {
			return nil
		}
		res := GoldenResult{Golden: p, Orphan: true}
		if update {
			res.Err = os.Remove(p)
			res.Removed = res.Err == nil
		}
		out = append(out, res)
		return nil
	})
	return out, err
}

// parseEach parses every rule file: an invalid file gets its error in
// invalid (and fails only its own goldens); an unreadable one stops the
// run. prefix, when set, names the files in the errors.
func parseEach(fsys fs.FS, names []string, prefix string) (files []*sigma.File, invalid []error, err error) {
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, nil, err
		}
		// Goldens name files as paths in fsys, so they do not depend on
		// where the repository is opened from; the error of an invalid
		// file names it under prefix, as the user sees it.
		f := sigma.ParseFile(name, data)
		err = f.Diags.Err()
		if err != nil && prefix != "" {
			err = sigma.ParseFile(filepath.Join(prefix, filepath.FromSlash(name)), data).Diags.Err()
		}
		files = append(files, f)
		invalid = append(invalid, err)
	}
	return files, invalid, nil
}

// parseAll parses every rule file; any invalid file stops the test, since
// its goldens would pin nothing useful.
func parseAll(fsys fs.FS, names []string) ([]*sigma.File, error) {
	var out []*sigma.File
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		f := sigma.ParseFile(name, data)
		if err := f.Diags.Err(); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

func isNotGenerated(set *driver.Set, doc sigma.Document) bool {
	r, ok := doc.(*sigma.Rule)
	return ok && !set.Collection.Generated(r)
}

// convertAll converts the files as one collection (so correlations find
// their rules and meta-filters apply) and returns each file's golden
// text: its resolution errors, then each document's output or error.
func convertAll(conv *backends.Converter, files, filters []*sigma.File) []string {
	set := driver.Resolve(files, filters)
	byPath := map[string]*strings.Builder{}
	for _, f := range files {
		byPath[f.Path] = &strings.Builder{}
	}
	set.Each(conv, driver.Options{EveryRule: true}, func(r driver.Result) {
		b := byPath[r.Path]
		switch {
		case b == nil: // a filter file's errors: no golden of its own
		case r.Doc == nil:
			for _, d := range r.Err.(sigma.ErrorList) {
				fmt.Fprintf(b, "ERROR: %v\n", d)
			}
		case isNotGenerated(set, r.Doc):
			// As convert does: a rule used by correlations without
			// generate: true has no output of its own.
			fmt.Fprintf(b, "NOT GENERATED: %s is used by a correlation without generate: true\n", r.Doc.(*sigma.Rule).Title)
		case r.Err != nil:
			fmt.Fprintf(b, "ERROR: %v\n", r.Err)
		default:
			b.WriteString(r.Output())
			b.WriteString("\n")
		}
	})
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = byPath[f.Path].String()
	}
	return out
}

func newConverter(t Target) (*backends.Converter, error) {
	b, err := backends.Lookup(t.Name)
	if err != nil {
		return nil, err
	}
	return backends.NewConverter(b, backends.Options{Pipelines: t.Pipelines, Format: t.Format})
}

// Convert converts every document of one rule file on its own and returns
// the text a golden file holds: each rule's output, or its error message.
func Convert(conv *backends.Converter, fsys fs.FS, name string) (string, error) {
	files, err := parseAll(fsys, []string{name})
	if err != nil {
		return "", err
	}
	return convertAll(conv, files, nil)[0], nil
}

// compare sets the result's diff, or with update writes the golden file
// when (and only when) its content changes.
func compare(res *GoldenResult, got string, update bool) {
	golden := res.Golden
	want, err := os.ReadFile(golden)
	missing := errors.Is(err, fs.ErrNotExist)
	if err != nil && !missing {
		res.Err = err
		return
	}
	if update {
		if !missing && string(want) == got {
			return
		}
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			res.Err = err
			return
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			res.Err = err
			return
		}
		res.Updated = true
		return
	}
	if missing {
		res.Missing = true
		return
	}
	res.Diff = UnifiedDiff(golden, "conversion", string(want), got)
}

// ruleFiles lists the rule files, skipping directories named testdata
// (Go's convention for test inputs, where golden and event files live)
// and hidden ones (.git, .github, whose YAML is no rule).
func ruleFiles(fsys fs.FS) ([]string, error) {
	var out []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != "." && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return fs.SkipDir
		}
		ext := strings.ToLower(path.Ext(p))
		if !d.IsDir() && (ext == ".yml" || ext == ".yaml") {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}
