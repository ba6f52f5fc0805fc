package cli_test

import (
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
)

// Item 7: every command answers --help and -h with its flags, one line
// each, on stdout with exit 0; "help CMD" prints the same.
func TestCommandHelp(t *testing.T) {
	for _, tc := range []struct {
		cmd   string
		flags []string
	}{
		{"check", []string{"--exclude GLOB", "--filter FILE", "-q, --quiet", "-h, --help"}},
		{"convert", []string{"-t, --target TARGET", "-p, --pipeline NAME|FILE", "-f, --format FORMAT", "-o, --output FILE|DIR", "-s, --skip-unsupported", "--without-pipeline", "--json", "--filter FILE", "--exclude GLOB", "--correlation-method sliding|tumbling", "-h, --help"}},
		{"test", []string{"-update", "--targets LIST", "--junit FILE", "-v, --verbose", "-h, --help"}},
		{"list", []string{"-h, --help"}},
	} {
		var first string
		for _, args := range [][]string{{tc.cmd, "--help"}, {tc.cmd, "-h"}, {tc.cmd, "x.yml", "-h"}, {"help", tc.cmd}} {
			code, out, errs := run(args...)
			if code != 0 || errs != "" || !strings.HasPrefix(out, "usage: sigconv "+tc.cmd) {
				t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errs)
				continue
			}
			if first == "" {
				first = out
			} else if out != first {
				t.Errorf("%v prints another help:\n%s", args, out)
			}
			for _, f := range tc.flags {
				found := false
				for _, line := range strings.Split(out, "\n") {
					if strings.HasPrefix(strings.TrimSpace(line), f) {
						found = true
					}
				}
				if !found {
					t.Errorf("%v: no line for %s:\n%s", args, f, out)
				}
			}
		}
	}
	// After "--" a -h is a path, not a help request.
	if code, _, errs := run("check", "--", "-h"); code == 0 || !strings.Contains(errs, "-h") {
		t.Errorf("check -- -h: exit %d %s", code, errs)
	}
	if code, out, _ := run("help"); code != 0 || !strings.Contains(out, "sigconv COMMAND --help") {
		t.Errorf("help: %d %s", code, out)
	}
	if code, _, errs := run("help", "nope"); code != 2 || !strings.Contains(errs, `unknown command "nope"`) {
		t.Errorf("help nope: %d %s", code, errs)
	}
}

func TestVersion(t *testing.T) {
	for _, arg := range []string{"--version", "version"} {
		code, out, _ := run(arg)
		if code != 0 || !strings.HasPrefix(out, "sigconv ") || !strings.Contains(out, "(go") {
			t.Errorf("%s: exit %d %q", arg, code, out)
		}
	}
}

// Item 7: list gives one line with a description per target (with its
// aliases), pipeline and format, and misses none.
func TestListDescriptions(t *testing.T) {
	lines := func(what string) []string {
		code, out, errs := run("list", what)
		if code != 0 {
			t.Fatalf("list %s: %d %s", what, code, errs)
		}
		return strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	}
	targets := lines("targets")
	if len(targets) != len(backends.Names()) {
		t.Errorf("list targets: %q", targets)
	}
	want := 0
	for _, n := range backends.Names() {
		b, _ := backends.Lookup(n)
		want += len(backends.PipelinesOf(b))
	}
	pipelines := lines("pipelines")
	if len(pipelines) != want {
		t.Errorf("list pipelines: %d lines, want %d", len(pipelines), want)
	}
	formats := lines("formats")
	for _, l := range append(append(targets, pipelines...), formats...) {
		cols := strings.Split(l, "\t")
		if len(cols) < 2 || strings.Contains(l, "(no description)") || strings.TrimSpace(cols[len(cols)-1]) == "" {
			t.Errorf("line without a description: %q", l)
		}
	}
	all := strings.Join(targets, "\n")
	for _, w := range []string{"spl\tSplunk SPL searches (aliases: splunk)", "(aliases: kusto, microsoft_xdr)", "(aliases: cortexxdr)"} {
		if !strings.Contains(all, w) {
			t.Errorf("list targets lacks %q:\n%s", w, all)
		}
	}
	if !strings.Contains(strings.Join(formats, "\n"), "kql\tsentinel-rule\t") || !strings.Contains(strings.Join(formats, "\n"), "xql\tdefault (default)\t") {
		t.Errorf("list formats:\n%s", strings.Join(formats, "\n"))
	}
	if code, _, errs := run("list", "nope"); code != 2 || !strings.Contains(errs, "unknown list") {
		t.Errorf("list nope: %d %s", code, errs)
	}
}

// Item 7: the target (and Defender pipeline) names sigma-cli users type
// give the same output as the built-in names.
func TestTargetAliases(t *testing.T) {
	for _, tc := range []struct{ alias, canon []string }{
		{[]string{"-t", "splunk"}, []string{"-t", "spl"}},
		{[]string{"-t", "kusto"}, []string{"-t", "kql"}},
		{[]string{"-t", "kusto", "-p", "microsoft_xdr"}, []string{"-t", "kql", "-p", "defender-xdr"}},
		{[]string{"-t", "microsoft_xdr"}, []string{"-t", "kql"}},
		{[]string{"-t", "cortexxdr"}, []string{"-t", "xql"}},
	} {
		c1, aliased, e1 := run(append(append([]string{"convert"}, tc.alias...), "../../rules")...)
		c2, canon, e2 := run(append(append([]string{"convert"}, tc.canon...), "../../rules")...)
		if c1 != 0 || c2 != 0 || aliased != canon || aliased == "" {
			t.Errorf("%v vs %v: exit %d/%d\n%s\n%s", tc.alias, tc.canon, c1, c2, e1, e2)
		}
	}
	code, out, _ := run("convert", "-t", "splunk", "--json", "../../rules")
	if code != 0 || !strings.Contains(out, `"target":"spl"`) {
		t.Errorf("an alias reports the canonical target: %s", out)
	}
}
