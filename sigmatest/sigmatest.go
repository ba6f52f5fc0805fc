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

	"github.com/google/go-cmp/cmp"

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
}

// Run converts every rule for every target and compares with (or, with
// Update, writes) Dir/<target>/<rule path>.golden. A rule that fails to
// convert pins its error message instead, so a rule that starts or stops
// converting shows up as a diff too.
func Run(t testing.TB, cfg Config) {
	t.Helper()
	results, err := CheckGolden(cfg)
	if err != nil {
		t.Fatalf("sigmatest: %v", err)
	}
	for _, r := range results {
		if !r.Passed() {
			t.Error(r.String())
		}
	}
}

// GoldenResult is the outcome of one golden file.
type GoldenResult struct {
	Golden  string // path of the golden file
	Rule    string // rule file, a path in Config.Rules
	Err     error  // the rule could not be read or parsed, or the golden file not written
	Missing bool   // the golden file does not exist (and Update was not set)
	Diff    string // (-golden +got) when the conversion changed
	Updated bool   // the golden file was rewritten
}

// Passed reports whether the golden file matched (or was rewritten).
func (r GoldenResult) Passed() bool { return r.Err == nil && !r.Missing && r.Diff == "" }

// String is the failure message, naming the golden file and the way out.
func (r GoldenResult) String() string {
	switch {
	case r.Err != nil:
		return fmt.Sprintf("sigmatest: %v", r.Err)
	case r.Missing:
		return fmt.Sprintf("sigmatest: golden file %s does not exist; create it with go test -update (and read it before committing)", r.Golden)
	case r.Diff != "":
		return fmt.Sprintf("sigmatest: %s differs from the conversion (-golden +got):\n%s\nIf the new output is right, run go test -update and review the diff.", r.Golden, r.Diff)
	}
	return r.Golden + ": ok"
}

// CheckGolden is Run without a testing.TB, for tools such as sigconv
// test: one result per rule file and target. The error is for problems
// that stop the whole run (no rules, an invalid rule file, unknown target).
func CheckGolden(cfg Config) ([]GoldenResult, error) {
	if cfg.Dir == "" {
		cfg.Dir = filepath.Join("testdata", "golden")
	}
	files, err := ruleFiles(cfg.Rules)
	if err != nil {
		return nil, fmt.Errorf("listing rules: %v", err)
	}
	if len(files) == 0 {
		return nil, errors.New("no rule files (*.yml) in the rules file system")
	}
	parsed, err := parseAll(cfg.Rules, files)
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
	var out []GoldenResult
	for _, target := range cfg.Targets {
		conv, err := newConverter(target)
		if err != nil {
			return nil, fmt.Errorf("target %s: %v", target.dir(), err)
		}
		outputs := convertAll(conv, parsed, filters)
		for i, name := range files {
			golden := filepath.Join(cfg.Dir, target.dir(), filepath.FromSlash(strings.TrimSuffix(name, path.Ext(name)))+".golden")
			res := GoldenResult{Golden: golden, Rule: name}
			compare(&res, outputs[i], cfg.Update)
			out = append(out, res)
		}
	}
	return out, nil
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

func compare(res *GoldenResult, got string, update bool) {
	golden := res.Golden
	if update {
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
	want, err := os.ReadFile(golden)
	if errors.Is(err, fs.ErrNotExist) {
		res.Missing = true
		return
	}
	if err != nil {
		res.Err = err
		return
	}
	res.Diff = cmp.Diff(strings.Split(string(want), "\n"), strings.Split(got, "\n"))
}

// ruleFiles lists the rule files, skipping directories named testdata
// (Go's convention for test inputs, where golden and event files live).
func ruleFiles(fsys fs.FS) ([]string, error) {
	var out []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" && p != "." {
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
