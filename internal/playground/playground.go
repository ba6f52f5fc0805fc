// Package playground is sigconv in the browser: a static page whose
// conversions run in WebAssembly compiled from this module, so a rule never
// leaves the machine. The page (web/) and the examples are embedded; the
// .wasm is built from cmd/sigconv-wasm by BuildWasm (or embedded when
// `go generate` put it in web/ before the build). Convert is the only
// function the page calls to convert, and it runs the CLI's own convert
// path (cli.ConvertText): the playground has no conversion logic of its own.
package playground

import (
	"bytes"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/sigconv/sigconv/internal/cli"
)

// DocName names the editor's text in messages, as a path names a file.
const DocName = "rule.yml"

// Request is one conversion asked by the page.
type Request struct {
	Target          string   `json:"target"`
	Pipelines       []string `json:"pipelines"` // built-in names; none means the target's default
	WithoutPipeline bool     `json:"withoutPipeline"`
	Format          string   `json:"format"`
	Text            string   `json:"text"` // one or more YAML documents separated by ---
}

// Result is what `sigconv convert` printed, with its messages split into
// positioned diagnostics for the editor.
type Result struct {
	Output      string       `json:"output"`      // stdout, byte for byte
	Diagnostics []Diagnostic `json:"diagnostics"` // stderr lines other than the summary
	Summary     string       `json:"summary"`     // the closing "converted N of M rules" line, if any
	Status      int          `json:"status"`      // the command's exit status
}

// Diagnostic is one message; Line and Column are 0 when it has no position.
type Diagnostic struct {
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
	Warning bool   `json:"warning,omitempty"` // the CLI's "warning: " messages; the rest are errors
	// Related are positions named inside the message, such as the failing
	// rule in a correlation's error, for the editor to highlight too.
	Related []Position `json:"related,omitempty"`
}

// Position is a line and column of the editor's text.
type Position struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// Convert converts the request's text exactly as
// `sigconv convert -t T [-p P]... [-f F] [--without-pipeline] rule.yml` would.
func Convert(req Request) Result {
	args := []string{"-t", req.Target}
	for _, p := range req.Pipelines {
		// The CLI reads a -p ending in .yml/.yaml as a file; the page has
		// no files, so only built-in names are accepted.
		if ext := strings.ToLower(path.Ext(p)); ext == ".yml" || ext == ".yaml" {
			return Result{Status: 2, Diagnostics: []Diagnostic{{Message: "pipeline " + strconv.Quote(p) + ": only built-in pipelines are available here"}}}
		}
		args = append(args, "-p", p)
	}
	if req.Format != "" {
		args = append(args, "-f", req.Format)
	}
	if req.WithoutPipeline {
		args = append(args, "--without-pipeline")
	}
	var out, errs bytes.Buffer
	status := cli.ConvertText(args, DocName, []byte(req.Text), &out, &errs)
	res := Result{Output: out.String(), Status: status, Diagnostics: []Diagnostic{}}
	for _, line := range strings.Split(strings.TrimRight(errs.String(), "\n"), "\n") {
		switch {
		case line == "":
		case strings.HasPrefix(line, "converted "):
			res.Summary = line
		default:
			res.Diagnostics = append(res.Diagnostics, parseDiagnostic(line))
		}
	}
	return res
}

var (
	positioned = regexp.MustCompile(`^` + regexp.QuoteMeta(DocName) + `:(\d+):(\d+): (.*)$`)
	inner      = regexp.MustCompile(regexp.QuoteMeta(DocName) + `:(\d+):(\d+): `)
)

// parseDiagnostic reads one `path:line:col: message` line (the CLI's
// documented error form); lines without a position keep their text.
func parseDiagnostic(line string) Diagnostic {
	var d Diagnostic
	if m := positioned.FindStringSubmatch(line); m != nil {
		d.Line, _ = strconv.Atoi(m[1])
		d.Column, _ = strconv.Atoi(m[2])
		d.Message = m[3]
	} else {
		d.Message = strings.TrimPrefix(line, DocName+": ")
	}
	d.Warning = strings.HasPrefix(d.Message, "warning: ")
	for _, m := range inner.FindAllStringSubmatch(d.Message, -1) {
		var p Position
		p.Line, _ = strconv.Atoi(m[1])
		p.Column, _ = strconv.Atoi(m[2])
		d.Related = append(d.Related, p)
	}
	return d
}
