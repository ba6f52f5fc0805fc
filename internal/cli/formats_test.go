package cli_test

import (
	"errors"
	"io"
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
