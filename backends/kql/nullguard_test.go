package kql_test

import (
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/kql"
	"github.com/sigconv/sigconv/internal/kqlcheck"
	"github.com/sigconv/sigconv/sigma"
)

// TestNullGuard: in KQL a non-string column can be null, a comparison with
// null is null and not(null) drops the row, while Sigma keeps an event a
// filter does not apply to. Such columns get "isnull(F) or not(...)";
// string columns (empty, never null) stay as they were. Expected forms
// checked by hand against the isnull() and not() reference pages; the
// query is proved by Microsoft's parser when it is installed.
func TestNullGuard(t *testing.T) {
	rule := "title: t\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n" +
		"    sel:\n        CommandLine|contains: a\n    f:\n        ProcessId: 4\n    g:\n        Image|endswith: '.exe'\n" +
		"    h:\n        ProcessId: 5\n        ParentProcessId: 6\n" +
		"    condition: sel and not f and not g and not h\n"
	f := sigma.ParseFile("case.yml", []byte(rule))
	if err := f.Diags.Err(); err != nil {
		t.Fatal(err)
	}
	conv, err := backends.NewConverter(kql.New(), backends.Options{Format: "plain"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := conv.Convert(f.Documents[0].(*sigma.Rule))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`(isnull(ProcessId) or not(ProcessId == 4))`,
		`and not(FolderPath endswith @".exe")`,
		`not((isnotnull(ProcessId) and ProcessId == 5) and (isnotnull(InitiatingProcessId) and InitiatingProcessId == 6))`,
	} {
		if !strings.Contains(res.Output, want) {
			t.Errorf("query lacks %s:\n%s", want, res.Output)
		}
	}
	kqlcheck.Require(t)
	results, err := kqlcheck.Check(kql.SchemaJSON(), "defender", []kqlcheck.Query{{ID: "guard", Query: res.Queries[0]}})
	if err != nil {
		t.Fatal(err)
	}
	if !results[0].OK {
		t.Errorf("Kusto.Language rejects the query: %v\n%s", results[0].Errors, res.Queries[0])
	}
}
