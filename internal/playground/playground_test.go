package playground_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/sigconv/sigconv/internal/cli"
	"github.com/sigconv/sigconv/internal/playground"
)

var cliPos = regexp.MustCompile(`^\.\./\.\./rules/[^:]+:\d+:\d+: `)

var jsonFile = regexp.MustCompile(`"file":"\.\./\.\./rules/[^"]+"`)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errs bytes.Buffer
	code := cli.Main(args, strings.NewReader(""), &out, &errs)
	return code, out.String(), errs.String()
}

// The page's PipeMagic example converts to exactly what
// `sigconv convert -t T [-f F] rules/` prints, for every target and format.
func TestPipeMagicMatchesCLI(t *testing.T) {
	text := playground.PipeMagicText()
	for _, target := range playground.Targets() {
		for _, format := range target.Formats {
			args := []string{"convert", "-t", target.Name}
			req := playground.Request{Target: target.Name, Text: text}
			if format != "default" {
				args = append(args, "-f", format)
				req.Format = format
			}
			code, want, _ := runCLI(t, append(args, "../../rules")...)
			got := playground.Convert(req)
			if code != 0 || got.Status != 0 {
				t.Fatalf("%v: CLI exit %d, playground %d %+v", args, code, got.Status, got.Diagnostics)
			}
			if format == "json" {
				// The json format names the source file: the CLI's path, the page's rule.yml.
				want = jsonFile.ReplaceAllString(want, `"file":"rule.yml"`)
			}
			if got.Output != want {
				t.Errorf("%s -f %s: playground output differs from the CLI's\n--- playground\n%s\n--- cli\n%s", target.Name, format, got.Output, want)
			}
			if got.Summary != "converted 3 of 3 rules" || len(got.Diagnostics) != 0 {
				t.Errorf("%s -f %s: summary %q, diagnostics %+v", target.Name, format, got.Summary, got.Diagnostics)
			}
		}
	}
}

// Every built-in pipeline and --without-pipeline behave as the CLI's -p.
func TestPipelinesMatchCLI(t *testing.T) {
	text := playground.PipeMagicText()
	for _, target := range playground.Targets() {
		for _, p := range target.Pipelines {
			code, want, wantErr := runCLI(t, "convert", "-t", target.Name, "-p", p.Name, "../../rules")
			got := playground.Convert(playground.Request{Target: target.Name, Pipelines: []string{p.Name}, Text: text})
			if got.Output != want || got.Status != code {
				t.Errorf("%s -p %s: status %d vs CLI %d; output\n%s\nCLI\n%s", target.Name, p.Name, got.Status, code, got.Output, want)
			}
			// Same messages; the CLI's positions are in the rule files, the
			// page's in the one text that holds them all.
			var cliMsgs, pageMsgs []string
			for _, line := range strings.Split(strings.TrimSpace(wantErr), "\n") {
				if line != "" && !strings.HasPrefix(line, "converted ") {
					cliMsgs = append(cliMsgs, cliPos.ReplaceAllString(line, ""))
				}
			}
			for _, d := range got.Diagnostics {
				pageMsgs = append(pageMsgs, d.Message)
			}
			if strings.Join(cliMsgs, "\n") != strings.Join(pageMsgs, "\n") {
				t.Errorf("%s -p %s: messages\n%q\nCLI\n%q", target.Name, p.Name, pageMsgs, cliMsgs)
			}
		}
		code, want, _ := runCLI(t, "convert", "-t", target.Name, "--without-pipeline", "../../rules")
		got := playground.Convert(playground.Request{Target: target.Name, WithoutPipeline: true, Text: text})
		if got.Output != want || got.Status != code {
			t.Errorf("%s --without-pipeline: status %d vs CLI %d; output\n%s\nCLI\n%s", target.Name, got.Status, code, got.Output, want)
		}
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
	if len(got.Diagnostics) != 1 || got.Diagnostics[0] != want {
		t.Fatalf("diagnostics %+v, want [%+v]", got.Diagnostics, want)
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
		}
	}
}
