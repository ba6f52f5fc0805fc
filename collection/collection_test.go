package collection_test

import (
	"strings"
	"testing"

	"github.com/sigconv/sigconv/collection"
	"github.com/sigconv/sigconv/sigma"
)

func parse(t *testing.T, name, text string) *sigma.File {
	t.Helper()
	f := sigma.ParseFile(name, []byte(text))
	if err := f.Diags.Err(); err != nil {
		t.Fatal(err)
	}
	return f
}

const rules = `title: a
id: 11111111-1111-4111-8111-111111111111
name: rule_a
logsource: {category: process_creation, product: windows}
detection:
    sel: {Image: x}
    condition: sel
---
title: b
name: rule_b
logsource: {category: network_connection, product: windows}
detection:
    sel: {DestinationPort: 1}
    condition: sel
`

func TestFiltersFor(t *testing.T) {
	filters := parse(t, "f.yml", `title: by name
logsource: {category: process_creation}
filter:
    rules: [rule_a]
    sel: {User: admin}
    condition: not sel
---
title: by id, wrong logsource
logsource: {category: network_connection}
filter:
    rules: [11111111-1111-4111-8111-111111111111]
    sel: {User: admin}
    condition: not sel
---
title: any windows
logsource: {product: windows}
filter:
    rules: any
    sel: {User: admin}
    condition: not sel
`)
	c, diags := collection.New([]*sigma.File{parse(t, "r.yml", rules), filters})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	titles := func(fs []*sigma.Filter) string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Title)
		}
		return strings.Join(out, ",")
	}
	if got := titles(c.FiltersFor(c.Rules[0])); got != "by name,any windows" {
		t.Errorf("filters for rule a: %s", got)
	}
	if got := titles(c.FiltersFor(c.Rules[1])); got != "any windows" {
		t.Errorf("filters for rule b: %s", got)
	}
}

func TestUnknownReferences(t *testing.T) {
	other := parse(t, "o.yml", `title: c
logsource: {product: windows}
correlation:
    type: event_count
    rules: [rule_a, rule_missing]
    group-by: [Computer]
    timespan: 5m
    condition: {gte: 2}
---
title: f
logsource: {product: windows}
filter:
    rules: [nobody]
    sel: {User: admin}
    condition: not sel
`)
	c, _ := collection.New([]*sigma.File{parse(t, "r.yml", rules), other})
	_, err := c.CorrelationRules(c.Correlations[0])
	if err == nil || !strings.Contains(err.Error(), `o.yml:5:21: correlation references rule "rule_missing"`) {
		t.Errorf("err = %v", err)
	}
	diags := c.CheckFilters()
	if len(diags) != 1 || !strings.Contains(diags[0].Error(), `o.yml:13:13: filter names rule "nobody"`) {
		t.Errorf("diags = %v", diags)
	}
}

func TestDuplicateNames(t *testing.T) {
	_, diags := collection.New([]*sigma.File{parse(t, "r.yml", rules), parse(t, "s.yml", rules)})
	if len(diags) != 3 {
		t.Fatalf("want 3 duplicate diagnostics (id, name a, name b), got %v", diags)
	}
	if !strings.Contains(diags[0].Error(), "s.yml:2:1: id 11111111-1111-4111-8111-111111111111 is also used by r.yml:1:1") {
		t.Errorf("diag = %v", diags[0])
	}
}
