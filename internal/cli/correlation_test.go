package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeRule(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// check resolves correlation references and duplicate ids across the
// given paths, as convert does.
func TestCheckAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	rule := "title: a\nid: 0e5a6b8e-0000-4000-8000-0000000000aa\nname: a\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    sel:\n        CommandLine|contains: x\n    condition: sel\n"
	a := writeRule(t, dir, "a.yml", rule)
	dup := writeRule(t, dir, "dup.yml", strings.Replace(rule, "name: a", "name: a2", 1))
	corr := writeRule(t, dir, "corr.yml", "title: c\ncorrelation:\n    type: event_count\n    rules: [a, nosuch]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {gte: 2}\n")
	code, _, errs := run("check", a, dup, corr)
	for _, want := range []string{
		dup + ":2:1: id 0e5a6b8e-0000-4000-8000-0000000000aa is also used by " + a,
		corr + `:4:16: correlation references rule "nosuch", which is not among the rules given`,
		"2 errors",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("check output lacks %q:\n%s", want, errs)
		}
	}
	if code != 1 {
		t.Errorf("exit %d", code)
	}
	if code, _, errs := run("check", a, corr); code != 1 || strings.Contains(errs, `"a", which`) {
		t.Errorf("exit %d, a is given:\n%s", code, errs)
	}
}

// A correlation of a correlation fails with a message that says so, as a
// correlation failure.
func TestCorrelationChain(t *testing.T) {
	dir := t.TempDir()
	p := writeRule(t, dir, "chain.yml", "title: a\nname: a\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    sel:\n        CommandLine|contains: x\n    condition: sel\n---\ntitle: many\nname: many\ncorrelation:\n    type: event_count\n    rules: [a]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {gte: 3}\n---\ntitle: chain\ncorrelation:\n    type: event_count\n    rules: [many]\n    group-by: [Computer]\n    timespan: 1h\n    condition: {gte: 2}\n")
	code, _, errs := run("convert", "-t", "spl", "--correlation-method", "tumbling", p)
	if code != 1 || !strings.Contains(errs, `chain.yml:23:13: correlation references correlation "many"; chains of correlations are not supported`) || !strings.Contains(errs, "1 unsupported correlation") {
		t.Errorf("exit %d:\n%s", code, errs)
	}
}

// --correlation-method picks the window form; an unknown method is a
// usage error.
func TestCorrelationMethodFlag(t *testing.T) {
	const warning = "corr_win_pipemagic_pipe_and_loopback.yml:18:11: warning: tumbling 5m windows (--correlation-method tumbling): events within 5m of each other that fall into neighbouring windows are not correlated"
	code, out, errs := run("convert", "-t", "xql", "../../rules")
	if code != 0 || !strings.Contains(out, "// sigconv: sliding 5m window") || strings.Contains(errs, "warning") {
		t.Errorf("default: exit %d\n%s\n%s", code, out, errs)
	}
	// The tumbling form says what it cannot express on stderr too, as
	// the specification asks.
	code, out, errs = run("convert", "-t", "xql", "--correlation-method", "tumbling", "../../rules")
	if code != 0 || !strings.Contains(out, "// sigconv: tumbling 5m windows") || !strings.Contains(errs, warning) {
		t.Errorf("tumbling: exit %d\n%s\n%s", code, out, errs)
	}
	if code, _, errs := run("convert", "-t", "xql", "--correlation-method", "hopping", "../../rules"); code != 2 || !strings.Contains(errs, `unknown correlation method "hopping" (known: sliding, tumbling)`) {
		t.Errorf("unknown method: exit %d\n%s", code, errs)
	}
}
