package kql

import (
	"strings"
	"testing"
)

func validRule() analyticRule {
	return analyticRule{
		ID: "0e5a6b8e-0000-4000-8000-000000000001", Name: "n", Description: "d", Severity: "High",
		RequiredDataConnectors: []any{}, QueryFrequency: "1h", QueryPeriod: "1h", TriggerOperator: "gt",
		Tactics: []string{"Execution", "PrivilegeEscalation", "DefenseEvasion"}, RelevantTechniques: []string{"T1055.012", "T1106"},
		Query: "T\n", Version: "1.0.0", Kind: "Scheduled",
		EntityMappings: []entityMapping{{EntityType: "Host", FieldMappings: []fieldMapping{{Identifier: "HostName", ColumnName: "DeviceName"}}}},
	}
}

// Each constraint of the Azure-Sentinel template validation (see
// sentinelcheck.go for the file each comes from) rejects a rule that
// breaks it, and only that.
func TestSentinelConstraints(t *testing.T) {
	if err := func() error { r := validRule(); return r.validate() }(); err != nil {
		t.Fatalf("valid rule: %v", err)
	}
	cases := []struct {
		name   string
		change func(*analyticRule)
		want   string
	}{
		{"id not a GUID", func(r *analyticRule) { r.ID = "pipemagic" }, "not a GUID"},
		{"kind", func(r *analyticRule) { r.Kind = "NRT" }, "kind"},
		{"name too long", func(r *analyticRule) { r.Name = strings.Repeat("n", 257) }, "name must have"},
		{"severity", func(r *analyticRule) { r.Severity = "Critical" }, "severity"},
		{"query too long", func(r *analyticRule) { r.Query = strings.Repeat("x", 10001) }, "query must have"},
		{"ISO span", func(r *analyticRule) { r.QueryFrequency = "PT1H" }, "not a short time span"},
		{"frequency below 5m", func(r *analyticRule) { r.QueryFrequency, r.QueryPeriod = "4m", "4m" }, "outside 5m..14d"},
		{"period above 14d", func(r *analyticRule) { r.QueryPeriod = "15d" }, "outside 5m..14d"},
		{"period shorter than frequency", func(r *analyticRule) { r.QueryFrequency, r.QueryPeriod = "2h", "1h" }, "shorter than queryFrequency"},
		{"long period run too often", func(r *analyticRule) { r.QueryFrequency, r.QueryPeriod = "30m", "2d" }, "must be at least 1h"},
		{"tactic name", func(r *analyticRule) { r.Tactics = append(r.Tactics, "command-and-control") }, "not a Sentinel tactic"},
		{"technique without its tactic", func(r *analyticRule) { r.Tactics = []string{"Execution", "DefenseEvasion"} }, "T1055.012 belongs to tactic PrivilegeEscalation"},
		{"technique form", func(r *analyticRule) { r.RelevantTechniques = []string{"t1055"} }, "not of the form"},
		{"unknown technique", func(r *analyticRule) { r.RelevantTechniques = []string{"T1999"} }, "no known tactics"},
		{"six entities", func(r *analyticRule) {
			for len(r.EntityMappings) < 6 {
				r.EntityMappings = append(r.EntityMappings, r.EntityMappings[0])
			}
		}, "1 to 5 entries"},
		{"empty entity list", func(r *analyticRule) { r.EntityMappings = []entityMapping{} }, "1 to 5 entries"},
		{"four field mappings", func(r *analyticRule) {
			f := fieldMapping{Identifier: "HostName", ColumnName: "DeviceName"}
			r.EntityMappings[0].FieldMappings = []fieldMapping{f, f, f, f}
		}, "1 to 3 field mappings"},
		{"identifier twice", func(r *analyticRule) {
			f := fieldMapping{Identifier: "HostName", ColumnName: "DeviceName"}
			r.EntityMappings[0].FieldMappings = []fieldMapping{f, f}
		}, "mapped twice"},
		{"invalid identifier", func(r *analyticRule) { r.EntityMappings[0].FieldMappings[0].Identifier = "Name" }, "not valid for entity Host"},
		{"no required identifier", func(r *analyticRule) { r.EntityMappings[0].FieldMappings[0].Identifier = "DnsDomain" }, "none of its required identifiers"},
		{"column name", func(r *analyticRule) { r.EntityMappings[0].FieldMappings[0].ColumnName = "Device Name" }, "not a plain column name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := validRule()
			r.EntityMappings = append([]entityMapping(nil), r.EntityMappings...)
			r.EntityMappings[0].FieldMappings = append([]fieldMapping(nil), r.EntityMappings[0].FieldMappings...)
			c.change(&r)
			if err := r.validate(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want %q", err, c.want)
			}
		})
	}
}
