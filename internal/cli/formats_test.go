package cli_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// Issue 14, item 1: several rules converted to sentinel-rule are several
// YAML documents, so a YAML reader sees every rule, not only the last.
func TestSentinelRuleOneDocumentPerRule(t *testing.T) {
	code, out, errs := run("convert", "-t", "kql", "-p", "sentinel-asim", "-f", "sentinel-rule", "../../rules")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	dec := yaml.NewDecoder(strings.NewReader(out))
	var ids []string
	for {
		var doc struct{ ID string }
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, doc.ID)
	}
	want := []string{"7c6febf4-6483-42ac-91b8-8073cd4b62b9", "64975234-01cd-4a61-8bc4-d53da07ba8d2", "67808ff2-efbe-4183-bd55-e7d957c5cba9"}
	if strings.Join(ids, " ") != strings.Join(want, " ") {
		t.Errorf("documents have ids %v, want %v", ids, want)
	}
}

// -o DIR names the deployable formats' files as they are deployed: API
// bodies .json, ES correlation searches .conf.
func TestDeployableFormatsOutputDir(t *testing.T) {
	for _, c := range []struct{ target, format, ext string }{
		{"xql", "xsiam-correlation", ".json"}, {"kql", "defender-detection", ".json"}, {"spl", "es-correlation", ".conf"},
	} {
		dir := t.TempDir()
		code, _, errs := run("convert", "-t", c.target, "-f", c.format, "-o", dir, "../../rules/windows/process_creation")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.format, code, errs)
		}
		if _, err := os.Stat(filepath.Join(dir, "proc_creation_win_pipemagic_pipe_cmdline"+c.ext)); err != nil {
			t.Errorf("%s: %v", c.format, err)
		}
	}
}
