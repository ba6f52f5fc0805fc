package playground_test

import (
	"bytes"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/sigconv/sigconv/internal/cli"
	"github.com/sigconv/sigconv/internal/playground"
)

var cliPos = regexp.MustCompile(`^\.\./\.\./rules/[^:]+:\d+:\d+: `)

// innerPos is a position quoted inside a message (a correlation names the
// failing rule's error): in the CLI a rule file's, in the page rule.yml's.
var innerPos = regexp.MustCompile(`(\.\./\.\./rules/[^:]+|rule\.yml):\d+:\d+: `)

var jsonFile = regexp.MustCompile(`"path":"\.\./\.\./rules/[^"]+"`)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errs bytes.Buffer
	code := cli.Main(args, strings.NewReader(""), &out, &errs)
	return code, out.String(), errs.String()
}

// sameAsCLI checks that the page's conversion of the PipeMagic text is what
// `sigconv convert ARGS rules/` does: same exit status, same output, same
// messages. Positions differ on purpose: the CLI's are in the rule files,
// the page's in the one text that holds them all.
func sameAsCLI(t *testing.T, req playground.Request, args ...string) {
	t.Helper()
	req.Text = playground.PipeMagicText()
	code, want, wantErr := runCLI(t, append(append([]string{"convert"}, args...), "../../rules")...)
	got := playground.Convert(req)
	if req.Format == "json" {
		// The JSON lines name the source file: the CLI's path, the page's rule.yml.
		want = jsonFile.ReplaceAllString(want, `"path":"rule.yml"`)
	}
	if got.Status != code {
		t.Errorf("%v: exit status %d, CLI %d", args, got.Status, code)
	}
	if got.Output != want {
		t.Errorf("%v: the playground's output differs from the CLI's\n--- playground\n%s\n--- cli\n%s", args, got.Output, want)
	}
	var cliMsgs, pageMsgs []string
	for _, line := range strings.Split(strings.TrimSpace(wantErr), "\n") {
		if line != "" && !strings.HasPrefix(line, "converted ") {
			cliMsgs = append(cliMsgs, innerPos.ReplaceAllString(cliPos.ReplaceAllString(line, ""), "POS: "))
		}
	}
	for _, d := range got.Diagnostics {
		pageMsgs = append(pageMsgs, innerPos.ReplaceAllString(d.Message, "POS: "))
	}
	if strings.Join(cliMsgs, "\n") != strings.Join(pageMsgs, "\n") {
		t.Errorf("%v: messages\n%q\nCLI\n%q", args, pageMsgs, cliMsgs)
	}
	if wantSummary := summaryLine.FindString(wantErr); got.Summary != wantSummary {
		t.Errorf("%v: summary %q, CLI %q", args, got.Summary, wantSummary)
	}
}

var summaryLine = regexp.MustCompile(`(?m)^converted .*$`)

// The page's PipeMagic example converts as `sigconv convert -t T [-f F]
// rules/` does, for every target and format.
func TestPipeMagicMatchesCLI(t *testing.T) {
	for _, target := range playground.Targets() {
		for _, format := range target.Formats {
			args := []string{"-t", target.Name}
			req := playground.Request{Target: target.Name}
			if format != "default" {
				args = append(args, "-f", format)
				req.Format = format
			}
			sameAsCLI(t, req, args...)
		}
	}
	// The three targets' default output is the promise: all converted.
	for _, target := range []string{"xql", "kql", "spl"} {
		if got := playground.Convert(playground.Request{Target: target, Text: playground.PipeMagicText()}); got.Status != 0 || got.Summary != "converted 3 of 3 rules" {
			t.Errorf("%s: status %d, %q", target, got.Status, got.Summary)
		}
	}
}

// Every built-in pipeline and --without-pipeline behave as the CLI's.
func TestPipelinesMatchCLI(t *testing.T) {
	for _, target := range playground.Targets() {
		for _, p := range target.Pipelines {
			sameAsCLI(t, playground.Request{Target: target.Name, Pipelines: []string{p.Name}}, "-t", target.Name, "-p", p.Name)
		}
		sameAsCLI(t, playground.Request{Target: target.Name, WithoutPipeline: true}, "-t", target.Name, "--without-pipeline")
	}
}

// A broken rule yields the CLI's positioned messages, split into line,
// column and text for the editor, and exit status 1.
func TestBrokenRulePositions(t *testing.T) {
	text := "title: Broken\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    sel:\n        CommandLine|containz: evil\n    condition: sel\n"
	got := playground.Convert(playground.Request{Target: "xql", Text: text})
	if got.Status != 1 || got.Output != "" {
		t.Fatalf("status %d, output %q", got.Status, got.Output)
	}
	want := playground.Diagnostic{Line: 7, Column: 21, Message: `unknown modifier "containz"; did you mean "contains"?`}
	if len(got.Diagnostics) != 1 || !reflect.DeepEqual(got.Diagnostics[0], want) {
		t.Fatalf("diagnostics %+v, want [%+v]", got.Diagnostics, want)
	}
}

func TestWarningsKeptApart(t *testing.T) {
	for line, want := range map[string]playground.Diagnostic{
		`rule.yml:5:5: warning: search "sel" is not used by any condition`: {Line: 5, Column: 5, Message: `warning: search "sel" is not used by any condition`, Warning: true},
		`rule.yml:6:21: unknown modifier "containz"`:                       {Line: 6, Column: 21, Message: `unknown modifier "containz"`},
		`rule.yml: warning: no position`:                                   {Message: "warning: no position", Warning: true},
		`sigconv convert: unknown target "x"`:                              {Message: `sigconv convert: unknown target "x"`},
	} {
		if got := playground.ParseDiagnostic(line); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: %+v, want %+v", line, got, want)
		}
	}
}

// A correlation's error names the failing rule's position: the editor
// highlights it too.
func TestRelatedPositions(t *testing.T) {
	text := playground.PipeMagicText()
	got := playground.Convert(playground.Request{Target: "kql", Pipelines: []string{"sentinel-windows"}, Text: text})
	lines := strings.Split(text, "\n")
	var found bool
	for _, d := range got.Diagnostics {
		if strings.HasPrefix(d.Message, "correlation pipemagic_pipe_and_loopback: rule pipemagic_loopback_8082 fails: rule.yml:") {
			found = true
			// The position is the network rule's logsource in the joined text.
			if len(d.Related) != 1 || strings.TrimSpace(lines[d.Related[0].Line-1]) != "category: network_connection" {
				t.Errorf("related %+v", d.Related)
			}
		}
	}
	if !found {
		t.Fatalf("no correlation error: %+v", got.Diagnostics)
	}
}

// Pipeline files cannot be named: the page has no file system, and the
// wasm must never be asked to read one.
func TestPipelineFileRefused(t *testing.T) {
	got := playground.Convert(playground.Request{Target: "xql", Pipelines: []string{"../x.YML"}, Text: playground.PipeMagicText()})
	if got.Status != 2 || got.Output != "" || len(got.Diagnostics) != 1 || !strings.Contains(got.Diagnostics[0].Message, "only built-in pipelines") {
		t.Fatalf("%+v", got)
	}
}

// Messages without a position (usage errors) keep their text.
func TestUnknownTarget(t *testing.T) {
	got := playground.Convert(playground.Request{Target: "nope", Text: "title: x\n"})
	if got.Status != 2 || len(got.Diagnostics) != 1 || got.Diagnostics[0].Line != 0 ||
		!strings.HasPrefix(got.Diagnostics[0].Message, `sigconv convert: unknown target "nope"`) {
		t.Fatalf("%+v", got)
	}
}

// The preloaded examples convert on every target's default pipeline, each
// to a query, except the one that is broken on purpose, which fails with
// positions.
func TestExamples(t *testing.T) {
	ex := playground.Examples()
	if len(ex) < 4 || ex[0].Name != playground.PipeMagicName {
		t.Fatalf("examples: %d, first %q", len(ex), ex[0].Name)
	}
	for _, e := range ex {
		for _, target := range playground.Targets() {
			got := playground.Convert(playground.Request{Target: target.Name, Text: e.Text})
			broken := strings.HasPrefix(e.Name, "Broken")
			if broken {
				if got.Status != 1 || len(got.Diagnostics) == 0 || got.Diagnostics[0].Line == 0 {
					t.Errorf("%s on %s: want positioned errors, got %+v", e.Name, target.Name, got)
				}
				continue
			}
			if got.Status != 0 || got.Output == "" {
				t.Errorf("%s on %s: status %d %+v", e.Name, target.Name, got.Status, got.Diagnostics)
			}
			// The meta-filter in the same text applies to its rule.
			if strings.Contains(e.Text, "\nfilter:\n") && !strings.Contains(got.Output, "packager.exe") {
				t.Errorf("%s on %s: the filter is not applied:\n%s", e.Name, target.Name, got.Output)
			}
		}
	}
}

// BenchmarkConvertPipeMagic is the page's conversion natively; the same
// call in the browser is timed by the web package's TestBrowser.
func BenchmarkConvertPipeMagic(b *testing.B) {
	req := playground.Request{Target: "xql", Text: playground.PipeMagicText()}
	for b.Loop() {
		if r := playground.Convert(req); r.Status != 0 {
			b.Fatal(r.Diagnostics)
		}
	}
}
