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
	"github.com/sigconv/sigconv/collection"
	"github.com/sigconv/sigconv/diag"
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
		"--correlation-method": "correlation-method",
	},
	bools: map[string]string{
		"-s": "skip", "--skip-unsupported": "skip",
		"--without-pipeline": "without-pipeline",
		"--json":             "json",
	},
}

// jsonResult is one line of --json output: the CLI's contract.
type jsonResult struct {
	Path      string     `json:"path"`
	ID        string     `json:"id"`
	Title     string     `json:"title"`
	Target    string     `json:"target"`
	Pipelines []string   `json:"pipelines"`
	Format    string     `json:"format"`
	Queries   []string   `json:"queries"`
	Error     *jsonError `json:"error"`
}

type jsonError struct {
	Message string `json:"message"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
}

// outcome is the conversion of one document, kept in input order.
type outcome struct {
	path string
	meta *sigma.Meta
	res  *backends.Result
	err  error
}

func runConvert(args []string, stdout, stderr io.Writer) int {
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
	conv, err := newConverter(a)
	if err != nil {
		fmt.Fprintln(stderr, "sigconv convert:", err)
		return 2
	}
	paths, err := ruleFiles(a.paths)
	if err != nil {
		fmt.Fprintln(stderr, "sigconv convert:", err)
		return 2
	}
	out := stdout
	outDir := outputDir(a.value("output"))
	if o := a.value("output"); o != "" && outDir == "" {
		f, err := os.Create(o)
		if err != nil {
			fmt.Fprintln(stderr, "sigconv convert:", err)
			return 2
		}
		defer f.Close()
		out = f
	}
	w := bufio.NewWriter(out)
	defer w.Flush()
	filterPaths, err := ruleFiles(a.values["filter"])
	if err != nil {
		fmt.Fprintln(stderr, "sigconv convert:", err)
		return 2
	}
	outcomes, invalid := convertFiles(conv, loadFiles(paths), loadFiles(filterPaths), stderr)
	var failed int
	if outDir != "" {
		if failed, err = writeDir(outDir, conv, outcomes, a.bools["json"], stderr); err != nil {
			fmt.Fprintln(stderr, "sigconv convert:", err)
			return 2
		}
	} else {
		failed = report(w, stderr, conv, outcomes, a.bools["json"])
	}
	if len(outcomes) > 1 || failed > 0 {
		fmt.Fprintln(stderr, summary(outcomes, failed))
	}
	if invalid > 0 || (failed > 0 && !a.bools["skip"]) {
		return 1
	}
	return 0
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

// job is one document to convert.
type job struct {
	rule *sigma.Rule
	corr *sigma.Correlation
}

// convertFiles converts every rule and correlation of the files in
// parallel, in file order. Filters (from the paths or --filter) apply to
// the rules they name; rules that a correlation uses are only printed when
// the correlation says generate: true. Invalid documents are reported on
// stderr and counted, never converted.
func convertFiles(conv *backends.Converter, files, filterFiles []*sigma.File, stderr io.Writer) ([]outcome, int) {
	invalid := 0
	report := func(diags sigma.ErrorList) {
		for _, d := range diags {
			if d.Severity == sigma.SeverityError {
				fmt.Fprintln(stderr, d.Error())
				invalid++
			}
		}
	}
	for _, f := range append(append([]*sigma.File(nil), files...), filterFiles...) {
		report(f.Diags)
	}
	coll, diags := collection.New(append(append([]*sigma.File(nil), files...), filterFiles...))
	report(diags)
	report(coll.CheckFilters())
	var jobs []job
	var docs []outcome
	for _, f := range files {
		for _, doc := range f.Documents {
			switch d := doc.(type) {
			case *sigma.Rule:
				if !coll.Generated(d) {
					continue
				}
				jobs = append(jobs, job{rule: d})
			case *sigma.Correlation:
				jobs = append(jobs, job{corr: d})
			default:
				continue
			}
			docs = append(docs, outcome{path: f.Path, meta: doc.Metadata()})
		}
	}
	prog := startProgress(stderr, len(jobs))
	parallel(len(jobs), func(i int) {
		docs[i].res, docs[i].err = runJob(conv, coll, jobs[i])
		prog.add()
	})
	prog.end()
	return docs, invalid
}

func runJob(conv *backends.Converter, coll *collection.Collection, j job) (*backends.Result, error) {
	if j.rule != nil {
		return conv.ConvertFiltered(j.rule, coll.FiltersFor(j.rule))
	}
	rules, err := coll.CorrelationRules(j.corr)
	if err != nil {
		return nil, err // already positioned; counted as a correlation failure
	}
	return conv.ConvertCorrelation(j.corr, rules, coll.FiltersFor)
}

// report writes the outcomes in order and returns how many failed.
func report(w io.Writer, stderr io.Writer, conv *backends.Converter, outcomes []outcome, asJSON bool) int {
	failed := 0
	first := true
	for _, o := range outcomes {
		if o.err != nil {
			failed++
			fmt.Fprintln(stderr, o.err.Error())
		}
		if asJSON {
			writeJSON(w, conv, o)
			continue
		}
		if o.err == nil {
			if !first {
				fmt.Fprintln(w)
			}
			first = false
			fmt.Fprintln(w, o.res.Output)
		}
	}
	return failed
}

func writeJSON(w io.Writer, conv *backends.Converter, o outcome) {
	j := jsonResult{
		Path: o.path, ID: o.meta.ID, Title: o.meta.Title, Target: conv.Backend().Name(),
		Pipelines: conv.PipelineNames(), Format: conv.Format(), Queries: []string{},
	}
	if j.Pipelines == nil {
		j.Pipelines = []string{}
	}
	if o.err != nil {
		j.Error = toJSONError(o.err)
	} else {
		j.Queries = o.res.Queries
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

// summary is the human closing line: how many rules converted and why the
// others failed, by reason, most frequent first.
func summary(outcomes []outcome, failed int) string {
	line := fmt.Sprintf("converted %d of %d rules", len(outcomes)-failed, len(outcomes))
	if failed == 0 {
		return line
	}
	counts := map[string]int{}
	for _, o := range outcomes {
		if o.err != nil {
			counts[reasonOf(o.err)]++
		}
	}
	var reasons []string
	for r := range counts {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool {
		if counts[reasons[i]] != counts[reasons[j]] {
			return counts[reasons[i]] > counts[reasons[j]]
		}
		return reasons[i] < reasons[j]
	})
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		parts[i] = fmt.Sprintf("%d %s", counts[r], r)
	}
	return fmt.Sprintf("%s (%d failed: %s)", line, failed, strings.Join(parts, ", "))
}

func reasonOf(err error) string {
	if r := diag.ReasonOf(err); r != "" {
		return string(r)
	}
	return "other"
}
