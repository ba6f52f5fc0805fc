package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/driver"
	"github.com/sigconv/sigconv/pipeline"
	"github.com/sigconv/sigconv/sigma"
)

var convertFlags = flagSpec{
	values: map[string]string{
		"-t": "target", "--target": "target",
		"-p": "pipeline", "--pipeline": "pipeline",
		"-f": "format", "--format": "format",
		"-o": "output", "--output": "output",
		"--filter":             "filter",
		"--exclude":            "exclude",
		"--correlation-method": "correlation-method",
	},
	bools: map[string]string{
		"-s": "skip", "--skip-unsupported": "skip",
		"--without-pipeline": "without-pipeline",
		"--json":             "json",
	},
}

// jsonResult is one line of --json (and -f json) output: the CLI's
// contract. A file with errors has a line of its own, with empty id and
// title and its first error.
type jsonResult struct {
	Path      string     `json:"path"`
	ID        string     `json:"id"`
	Title     string     `json:"title"`
	Target    string     `json:"target"`
	Pipelines []string   `json:"pipelines"`
	Format    string     `json:"format"`
	Queries   []string   `json:"queries"`
	Output    string     `json:"output"`
	Error     *jsonError `json:"error"`
}

type jsonError struct {
	Message string `json:"message"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
}

func runConvert(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a, err := convertFlags.parse(args)
	if err == nil && a.value("target") == "" {
		err = errors.New("missing -t TARGET")
	}
	if err == nil && len(a.paths) == 0 {
		err = errors.New("missing PATH")
	}
	if err != nil {
		fmt.Fprintf(stderr, "sigconv convert: %v\n\n%s", err, usage)
		return 2
	}
	asJSON := jsonOutput(a)
	conv, err := newConverter(a)
	if err != nil {
		fmt.Fprintln(stderr, "sigconv convert:", err)
		return 2
	}
	st, err := openStream(a.paths, a.values["filter"], a.values["exclude"], stdin)
	if err != nil {
		fmt.Fprintln(stderr, "sigconv convert:", err)
		return loadExit(err)
	}
	out := stdout
	outDir := outputDir(a.value("output"))
	var file *outputFile
	if o := a.value("output"); o != "" && outDir == "" {
		if file, err = openOutput(o); err != nil {
			fmt.Fprintln(stderr, "sigconv convert:", err)
			return 2
		}
		out = file
	}
	status := convertSet(a, conv, st, asJSON, out, outDir, stderr)
	if status == statusNoRules {
		fmt.Fprintf(stderr, "sigconv convert: %v (the files hold no detection or correlation rule)\n", noRulesError(a.paths))
	}
	if file != nil {
		if err := file.finish(status != statusNoRules); err != nil && status != statusNoRules {
			fmt.Fprintln(stderr, "sigconv convert:", err)
			return 2
		}
	}
	if status == statusNoRules {
		return 1
	}
	return status
}

// outputFile is "-o FILE": opened before converting, so a path that
// cannot be written fails at once (exit 2), but emptied only when the
// first output arrives or the conversion ends with results — whether the
// files hold any rule is known only after they are read, and a run that
// finds none must leave an existing FILE as it was (and create none).
type outputFile struct {
	f         *os.File
	existed   bool
	truncated bool
}

func openOutput(path string) (*outputFile, error) {
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	return &outputFile{f: f, existed: statErr == nil}, nil
}

func (o *outputFile) Write(p []byte) (int, error) {
	if !o.truncated {
		if err := o.f.Truncate(0); err != nil {
			return 0, err
		}
		o.truncated = true
	}
	return o.f.Write(p)
}

// finish closes the file: emptied if there were results (even when none
// converted), left as it was if not, and removed if this run created it
// for nothing.
func (o *outputFile) finish(results bool) error {
	if results && !o.truncated {
		if err := o.f.Truncate(0); err != nil {
			o.f.Close()
			return err
		}
	}
	err := o.f.Close()
	if !results && !o.existed {
		os.Remove(o.f.Name())
	}
	return err
}

// jsonOutput reports whether results are JSON lines: --json, or -f json,
// which is the same contract with the target's default format.
func jsonOutput(a *parsedArgs) bool {
	if a.value("format") == "json" {
		a.values["format"] = nil
		return true
	}
	return a.bools["json"]
}

// statusNoRules is convertSet's report that the files held no rule:
// nothing was written, and the caller says so (exit 1).
const statusNoRules = -1

// convertSet converts the files of a stream and writes the results (to
// out, or one file per rule file under outDir), errors and the closing
// line, and returns the exit status, or statusNoRules.
func convertSet(a *parsedArgs, conv *backends.Converter, st *driver.Stream, asJSON bool, out io.Writer, outDir string, stderr io.Writer) int {
	for _, d := range st.Warnings() {
		fmt.Fprintln(stderr, d.Error())
	}
	w := bufio.NewWriter(out)
	defer w.Flush()
	opt := driver.Options{}
	prog := startProgress(stderr, st.Files())
	opt.FileDone = prog.add
	var tally tally
	var dir *dirWriter // -o DIR, which groups by rule file
	if outDir != "" {
		dir = newDirWriter(outDir, conv, asJSON)
	}
	p := &printer{w: w, stderr: stderr, conv: conv, asJSON: asJSON}
	st.Each(conv, opt, func(r driver.Result) {
		tally.add(r)
		if dir != nil {
			dir.add(r)
			return
		}
		p.print(r)
	})
	prog.end()
	if tally.total == 0 {
		return statusNoRules
	}
	if dir != nil {
		if err := dir.write(stderr); err != nil {
			fmt.Fprintln(stderr, "sigconv convert:", err)
			return 2
		}
	}
	if tally.total > 1 || tally.failed() > 0 {
		fmt.Fprintln(stderr, tally.summary())
	}
	if tally.reasons[string(sigma.ReasonInvalid)] > 0 || (tally.failed() > 0 && !a.bools["skip"]) {
		return 1
	}
	return 0
}

// printer writes results as the standard output shows them: formatted
// outputs separated by a blank line, or one JSON line each; errors go to
// stderr.
type printer struct {
	w, stderr io.Writer
	conv      *backends.Converter
	asJSON    bool
	written   bool
}

func (p *printer) print(r driver.Result) {
	if r.Err != nil {
		fmt.Fprintln(p.stderr, r.Err.Error())
	}
	if r.Err == nil && r.Conversion != nil {
		for _, w := range r.Conversion.Warnings {
			fmt.Fprintln(p.stderr, w.Error())
		}
	}
	switch {
	case p.asJSON:
		writeJSON(p.w, p.conv, r)
	case r.Err == nil:
		if p.written {
			fmt.Fprintln(p.w)
		}
		p.written = true
		fmt.Fprintln(p.w, r.Output())
	}
}

func newConverter(a *parsedArgs) (*backends.Converter, error) {
	b, err := backends.Lookup(a.value("target"))
	if err != nil {
		return nil, err
	}
	opt := backends.Options{Format: a.value("format"), WithoutPipeline: a.bools["without-pipeline"], CorrelationMethod: a.value("correlation-method")}
	for _, p := range a.values["pipeline"] {
		if !isYAML(p) {
			opt.Pipelines = append(opt.Pipelines, pipelineName(b.Name(), p))
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		pl, err := pipeline.Load(p, data)
		if err != nil {
			return nil, err
		}
		opt.Extra = append(opt.Extra, pl)
	}
	return backends.NewConverter(b, opt)
}

func writeJSON(w io.Writer, conv *backends.Converter, r driver.Result) {
	m := r.Meta()
	j := jsonResult{
		Path: r.Path, ID: m.ID, Title: m.Title, Target: conv.Backend().Name(),
		Pipelines: conv.PipelineNames(), Format: conv.Format(), Queries: []string{},
	}
	if j.Pipelines == nil {
		j.Pipelines = []string{}
	}
	if r.Err != nil {
		j.Error = toJSONError(r.Err)
	} else {
		j.Queries = r.Queries()
		j.Output = r.Output()
	}
	line, _ := backends.MarshalJSON(j)
	io.WriteString(w, line+"\n")
}

func toJSONError(err error) *jsonError {
	var d *sigma.Diagnostic
	if errors.As(err, &d) {
		return &jsonError{Message: d.Message, Line: d.Pos.Line, Column: d.Pos.Column}
	}
	return &jsonError{Message: err.Error()}
}

// tally counts results for the closing line: every result is either
// converted or failed for one reason, so the counts add up to the
// results (documents, and files with errors).
type tally struct {
	total, converted int
	reasons          map[string]int
}

func (t *tally) add(r driver.Result) {
	t.total++
	if r.Err == nil {
		t.converted++
		return
	}
	if t.reasons == nil {
		t.reasons = map[string]int{}
	}
	reason := string(r.Reason())
	if reason == "" {
		reason = "other"
	}
	t.reasons[reason]++
}

func (t *tally) failed() int { return t.total - t.converted }

// summary is the human closing line: how many rules converted and why the
// others failed, by reason, most frequent first.
func (t *tally) summary() string {
	line := fmt.Sprintf("converted %d of %d rules", t.converted, t.total)
	if t.failed() == 0 {
		return line
	}
	var reasons []string
	for r := range t.reasons {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool {
		if t.reasons[reasons[i]] != t.reasons[reasons[j]] {
			return t.reasons[reasons[i]] > t.reasons[reasons[j]]
		}
		return reasons[i] < reasons[j]
	})
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		parts[i] = fmt.Sprintf("%d %s", t.reasons[r], r)
	}
	return fmt.Sprintf("%s (%d failed: %s)", line, t.failed(), strings.Join(parts, ", "))
}
