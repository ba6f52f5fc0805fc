package kql

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sigconv/sigconv/backends/attack"
	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// analyticRule is a Microsoft Sentinel scheduled analytic rule with the
// keys, order and spelling of the YAML files in the Azure-Sentinel
// repository (Detections/*/*.yaml).
type analyticRule struct {
	ID                     string          `yaml:"id"`
	Name                   string          `yaml:"name"`
	Description            string          `yaml:"description"`
	Severity               string          `yaml:"severity"`
	RequiredDataConnectors []any           `yaml:"requiredDataConnectors"`
	QueryFrequency         string          `yaml:"queryFrequency"`
	QueryPeriod            string          `yaml:"queryPeriod"`
	TriggerOperator        string          `yaml:"triggerOperator"`
	TriggerThreshold       int             `yaml:"triggerThreshold"`
	Tactics                []string        `yaml:"tactics"`
	RelevantTechniques     []string        `yaml:"relevantTechniques"`
	Query                  string          `yaml:"query"`
	EntityMappings         []entityMapping `yaml:"entityMappings,omitempty"`
	Version                string          `yaml:"version"`
	Kind                   string          `yaml:"kind"`
}

type entityMapping struct {
	EntityType    string         `yaml:"entityType"`
	FieldMappings []fieldMapping `yaml:"fieldMappings"`
}

type fieldMapping struct {
	Identifier string `yaml:"identifier"`
	ColumnName string `yaml:"columnName"`
}

// Sentinel severities; it has no "critical", so critical rules are High.
var severities = map[string]string{
	"informational": "Informational", "low": "Low", "medium": "Medium", "high": "High", "critical": "High",
}

// Candidate columns for the host and account entities, most specific
// first: the first one the query returns is mapped.
var (
	hostColumns    = []string{"DeviceName", "DvcHostname", "Computer"}
	accountColumns = []string{"AccountName", "TargetUsername", "InitiatingProcessAccountName", "ActorUsername", "SubjectUserName", "SrcUsername", "UserName"}
)

// sentinelRule packages the rule's query as an analytic rule. The query
// runs every hour over the last hour and alerts on any result.
func sentinelRule(r *ir.Rule, t table, queries []string) (string, error) {
	if len(queries) != 1 {
		return "", fmt.Errorf("%s: the sentinel-rule format holds one query, the rule has %d conditions", r.Source.File, len(queries))
	}
	src := r.Source
	doc := analyticRule{
		ID: src.ID, Name: src.Title, Description: src.Description,
		Severity:               severities[src.Level],
		RequiredDataConnectors: []any{},
		QueryFrequency:         "1h", QueryPeriod: "1h", TriggerOperator: "gt", TriggerThreshold: 0,
		Tactics: []string{}, RelevantTechniques: []string{},
		Query: queries[0] + "\n", Version: "1.0.0", Kind: "Scheduled",
	}
	period, err := queryPeriod(r)
	if err != nil {
		return "", err
	}
	doc.QueryPeriod = period
	if doc.Severity == "" {
		doc.Severity = "Medium"
	}
	att, err := attack.FromTags(&src.Meta)
	if err != nil {
		return "", err
	}
	// Every tactic of every technique, not only the tagged ones: the
	// template validation rejects a technique whose tactics are missing.
	for _, tc := range att.Tactics {
		doc.Tactics = append(doc.Tactics, tc.Pascal)
	}
	doc.RelevantTechniques = append(doc.RelevantTechniques, att.TechniqueIDs()...)
	doc.EntityMappings = entities(r, t)
	if err := doc.validate(); err != nil {
		return "", sigma.Errorf(src.File, src.Pos, "sentinel-rule: %v", err).WithReason(sigma.ReasonDeploy)
	}
	var b strings.Builder
	// One YAML document per rule, so that several rules in one stream are
	// several documents and a reader keeps every one of them.
	b.WriteString("---\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2) // the Azure-Sentinel repository's indentation
	if err := enc.Encode(doc); err != nil {
		return "", err
	}
	return b.String(), enc.Close()
}

// entities maps the host and account columns that the query returns: the
// first candidate that is a column of the table and, when the rule lists
// fields, one of them. A table outside the schema gets no mappings.
func entities(r *ir.Rule, t table) []entityMapping {
	if !t.known() {
		return nil
	}
	var out []entityMapping
	add := func(entity, identifier string, candidates []string) {
		for _, c := range candidates {
			if t.has(c) && (len(r.Fields) == 0 || contains(r.Fields, c)) {
				out = append(out, entityMapping{EntityType: entity, FieldMappings: []fieldMapping{{Identifier: identifier, ColumnName: c}}})
				return
			}
		}
	}
	add("Host", "HostName", hostColumns)
	add("Account", "Name", accountColumns)
	return out
}
