package kql

import (
	"encoding/json"
	"strings"

	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// The defender-detection format is the request body of Microsoft Graph
// "Create detectionRule" (POST /security/rules/detectionRules, v1.0), a
// Defender XDR custom detection rule. Its shape, from the Graph v1.0
// reference (resources security-detectionrule, security-querycondition,
// security-ruleschedule, security-detectionaction, security-alerttemplate,
// security-entitymappingconfiguration, security-hostentitymapping,
// security-accountentitymapping):
//
//   - schedule.frequency is an ISO 8601 duration ("PT1H"). The older
//     schedule.period ("1H") and alertTemplate's category, mitreTechniques
//     and impactedAssets are deprecated in beta and were removed on
//     2026-10-01; v1.0 has frequency and entityMappings only, so those are
//     not written.
//   - alertTemplate.severity is informational, low, medium or high.
//   - alertTemplate.entityMappings names the result columns that become the
//     alert's entities (hosts: deviceIdColumn, nameColumn; accounts:
//     nameColumn, ntDomainColumn, ...).
//
// Custom detections need, in every result row, Timestamp and, for the
// Device* tables, DeviceId and ReportId (Microsoft Learn, "Create custom
// detection rules", required columns in the query results). A query that
// does not return them is refused here, with the rule's position, instead
// of failing on upload.

type detectionRule struct {
	DisplayName     string          `json:"displayName"`
	IsEnabled       bool            `json:"isEnabled"`
	QueryCondition  queryCondition  `json:"queryCondition"`
	Schedule        ruleSchedule    `json:"schedule"`
	DetectionAction detectionAction `json:"detectionAction"`
}

type queryCondition struct {
	QueryText string `json:"queryText"`
}

type ruleSchedule struct {
	Frequency string `json:"frequency"`
}

type detectionAction struct {
	AlertTemplate   alertTemplate `json:"alertTemplate"`
	ResponseActions []any         `json:"responseActions"`
}

type alertTemplate struct {
	Title          string               `json:"title"`
	Description    string               `json:"description"`
	Severity       string               `json:"severity"`
	EntityMappings *entityMappingConfig `json:"entityMappings,omitempty"`
}

type entityMappingConfig struct {
	Hosts    []hostEntityMapping    `json:"hosts,omitempty"`
	Accounts []accountEntityMapping `json:"accounts,omitempty"`
}

type hostEntityMapping struct {
	DeviceIDColumn string `json:"deviceIdColumn,omitempty"`
	NameColumn     string `json:"nameColumn,omitempty"`
}

type accountEntityMapping struct {
	NameColumn     string `json:"nameColumn,omitempty"`
	NTDomainColumn string `json:"ntDomainColumn,omitempty"`
	SIDColumn      string `json:"sidColumn,omitempty"`
	UPNColumn      string `json:"upnColumn,omitempty"`
}

// defenderSeverities maps Sigma levels to alertSeverity; Defender has no
// "critical", so critical rules are high (as in sentinel-rule).
var defenderSeverities = map[string]string{
	"informational": "informational", "low": "low", "medium": "medium", "high": "high", "critical": "high",
}

// defenderFrequency is how often the rule runs; hourly is one of the
// schedules custom detections offer (every 1, 3, 12 or 24 hours).
const defenderFrequency = "PT1H"

// Account columns of the Device* tables: the account name and its domain,
// taken together when both are returned (sigconv's computed User column is
// DOMAIN\name, which is neither and is not mapped).
var accountColumnPairs = [][2]string{
	{"AccountName", "AccountDomain"},
	{"InitiatingProcessAccountName", "InitiatingProcessAccountDomain"},
}

// defenderDetection packages a rule's query as a custom detection rule.
func (b *Backend) defenderDetection(r *ir.Rule, queries []string) (string, error) {
	src := r.Source
	if r.Correlation != nil {
		return "", sigma.Errorf(src.File, src.Pos,
			"defender-detection: a custom detection needs Timestamp, DeviceId and ReportId in every result row; sigconv does not prove that for correlation queries (a tumbling window returns one row per window and group, without them), so a correlation is not deployed as a custom detection").WithReason(sigma.ReasonDeploy)
	}
	if len(queries) != 1 {
		return "", sigma.Errorf(src.File, src.PosOf("detection"), "defender-detection: a custom detection holds one query, the rule has %d conditions", len(queries)).WithReason(sigma.ReasonDeploy)
	}
	t, err := b.tableOf(r)
	if err != nil {
		return "", err
	}
	if r.State[stateSchema] != "defender" || !t.known() {
		return "", sigma.Errorf(src.File, src.LogSource.Pos,
			"defender-detection: table %s is not a Defender XDR advanced hunting table of sigconv's schema; use the defender-xdr pipeline", t.name).WithReason(sigma.ReasonDeploy)
	}
	if !strings.HasPrefix(t.name, "Device") {
		return "", sigma.Errorf(src.File, src.LogSource.Pos,
			"defender-detection: the columns a custom detection on %s must return are not known to sigconv (only the Device* tables': Timestamp, DeviceId, ReportId)", t.name).WithReason(sigma.ReasonDeploy)
	}
	out := returned(t, r.Fields)
	var missing []string
	for _, c := range []string{"Timestamp", "DeviceId", "ReportId"} {
		if !out[c] {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return "", sigma.Errorf(src.File, src.PosOf("fields"),
			"defender-detection: a custom detection on %s must return %s; add them to the rule's fields (the query projects only the fields listed)",
			t.name, strings.Join(missing, ", ")).WithReason(sigma.ReasonDeploy)
	}
	severity, ok := defenderSeverities[src.Level]
	if !ok {
		severity = "medium"
	}
	if src.Description == "" {
		return "", sigma.Errorf(src.File, src.Pos, "defender-detection: the alert needs a description; the rule has none").WithReason(sigma.ReasonDeploy)
	}
	doc := detectionRule{
		DisplayName:    src.Title,
		IsEnabled:      true,
		QueryCondition: queryCondition{QueryText: queries[0]},
		Schedule:       ruleSchedule{Frequency: defenderFrequency},
		DetectionAction: detectionAction{
			AlertTemplate: alertTemplate{
				Title: src.Title, Description: src.Description, Severity: severity,
				EntityMappings: defenderEntities(out),
			},
			ResponseActions: []any{},
		},
	}
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // JSON needs no \u003c for <, and queries read better without
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// returned is the set of columns the query returns: the projected fields,
// or every column of the table when the rule lists none.
func returned(t table, fields []string) map[string]bool {
	out := map[string]bool{}
	project, _ := projection(t, fields)
	if cols, ok := strings.CutPrefix(project, "project "); ok {
		for _, c := range strings.Split(cols, ", ") {
			out[c] = true
		}
		return out
	}
	for c := range t.columns {
		out[c] = true
	}
	return out
}

// defenderEntities maps the device (always returned, see the required
// columns) and the first account name column returned.
func defenderEntities(out map[string]bool) *entityMappingConfig {
	cfg := &entityMappingConfig{Hosts: []hostEntityMapping{{DeviceIDColumn: "DeviceId"}}}
	if out["DeviceName"] {
		cfg.Hosts[0].NameColumn = "DeviceName"
	}
	for _, p := range accountColumnPairs {
		if out[p[0]] {
			a := accountEntityMapping{NameColumn: p[0]}
			if out[p[1]] {
				a.NTDomainColumn = p[1]
			}
			cfg.Accounts = append(cfg.Accounts, a)
			break
		}
	}
	return cfg
}
