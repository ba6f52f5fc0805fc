package xql

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/attack"
	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// The xsiam-correlation format is the request body of the Cortex XSIAM
// "Insert or update Correlation Rules" API (POST
// /public_api/v1/correlations/insert, Cortex XSIAM Platform APIs), one
// entry of request_data per query. Keys and value forms come from that
// page's request sample (rule fields, "SEV_010_INFO", "SCHEDULED",
// "2 hours" / "5 minutes" spans, "*/10 * * * *", drilldown_query_timeframe
// "QUERY" or "ALERT", mapping_strategy "AUTO"); the SEV_0x0_* ladder
// (SEV_020_LOW … SEV_050_CRITICAL) and the mitre_defs form
// {"TA0011 - Command and Control": ["T1090.001 - Internal Proxy"]} from
// public correlation-rule content written against the API.
//
// Choices, each exact whichever way the product reads it:
//   - xql_query is the plain format's query (no "// Title" header: the
//     title, description and techniques have fields of their own here);
//     a correlation keeps its one "// sigconv: ..." window note.
//   - alert_fields is empty with mapping_strategy AUTO: the query returns
//     xdr_data's own columns, which XSIAM maps itself; sigconv has no
//     documented list of alert field names to map them to by hand.
//   - alert_category is OTHER, the one category the sample documents;
//     the ATT&CK tactics go to mitre_defs.
//   - The rule runs every 10 minutes over the last 10 minutes plus, for a
//     correlation, one timespan (so a window that started before the last
//     run is seen whole); a correlation suppresses repeats per group for
//     that search window, since consecutive runs see the same windows.

type correlationInsert struct {
	RequestData []correlationRule `json:"request_data"`
}

type correlationRule struct {
	Name                    string              `json:"name"`
	Severity                string              `json:"severity"`
	XQLQuery                string              `json:"xql_query"`
	IsEnabled               bool                `json:"is_enabled"`
	Description             string              `json:"description"`
	AlertName               string              `json:"alert_name"`
	AlertCategory           string              `json:"alert_category"`
	AlertDescription        string              `json:"alert_description"`
	AlertFields             map[string]string   `json:"alert_fields"`
	ExecutionMode           string              `json:"execution_mode"`
	SearchWindow            string              `json:"search_window"`
	SimpleSchedule          string              `json:"simple_schedule"`
	Timezone                string              `json:"timezone"`
	Crontab                 string              `json:"crontab"`
	SuppressionEnabled      bool                `json:"suppression_enabled"`
	SuppressionDuration     *string             `json:"suppression_duration"`
	SuppressionFields       []string            `json:"suppression_fields"`
	Dataset                 string              `json:"dataset"`
	UserDefinedSeverity     *string             `json:"user_defined_severity"`
	UserDefinedCategory     *string             `json:"user_defined_category"`
	MitreDefs               map[string][]string `json:"mitre_defs"`
	InvestigationQueryLink  *string             `json:"investigation_query_link"`
	DrilldownQueryTimeframe string              `json:"drilldown_query_timeframe"`
	MappingStrategy         string              `json:"mapping_strategy"`
}

// xsiamSeverities maps Sigma levels onto the SEV_0x0_* ladder; a rule
// without a level is medium, as in every other format.
var xsiamSeverities = map[string]string{
	"informational": "SEV_010_INFO", "low": "SEV_020_LOW", "medium": "SEV_030_MEDIUM",
	"high": "SEV_040_HIGH", "critical": "SEV_050_CRITICAL",
}

// xsiamSchedule is how often every rule runs.
const xsiamSchedule = 10 * time.Minute

func (b *Backend) xsiamCorrelation(r *ir.Rule, queries []string) (string, error) {
	src := r.Source
	if src.Description == "" {
		return "", sigma.Errorf(src.File, src.Pos, "xsiam-correlation: the rule has no description, which the alert needs").WithReason(sigma.ReasonDeploy)
	}
	var plain []string
	if r.Correlation != nil {
		for _, q := range queries {
			plain = append(plain, oneLineStages([]string{q}))
		}
	} else {
		qs, err := b.queries(r, false)
		if err != nil {
			return "", err
		}
		plain = qs
	}
	mitre, err := mitreDefs(&src.Meta)
	if err != nil {
		return "", err
	}
	severity, ok := xsiamSeverities[src.Level]
	if !ok {
		severity = xsiamSeverities["medium"]
	}
	window := xsiamSchedule
	if r.Correlation != nil {
		window += r.Correlation.Timespan
	}
	var body correlationInsert
	for i, q := range plain {
		name := oneLine(src.Title)
		if len(plain) > 1 {
			name += fmt.Sprintf(" (%d)", i+1)
		}
		rule := correlationRule{
			Name: name, Severity: severity, XQLQuery: q, IsEnabled: true,
			Description: src.Description, AlertName: name, AlertCategory: "OTHER", AlertDescription: src.Description,
			AlertFields:   map[string]string{},
			ExecutionMode: "SCHEDULED", SearchWindow: xsiamSpan(window), SimpleSchedule: xsiamSpan(xsiamSchedule),
			Timezone: "UTC", Crontab: "*/10 * * * *",
			Dataset: "alerts", MitreDefs: mitre,
			DrilldownQueryTimeframe: "ALERT", MappingStrategy: "AUTO",
		}
		if c := r.Correlation; c != nil && len(c.GroupBy) > 0 {
			d := xsiamSpan(window)
			rule.SuppressionEnabled, rule.SuppressionDuration = true, &d
			for _, g := range c.GroupBy {
				rule.SuppressionFields = append(rule.SuppressionFields, backends.GroupColumn(g))
			}
		}
		body.RequestData = append(body.RequestData, rule)
	}
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // JSON needs no \u003c for <, and queries read better without
	enc.SetIndent("", "  ")
	if err := enc.Encode(body); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// xsiamSpan writes a span in the API's form: "10 minutes", "2 hours",
// always plural as in the documented samples ("1 hours").
func xsiamSpan(d time.Duration) string {
	if d%time.Hour == 0 {
		return strconv.Itoa(int(d/time.Hour)) + " hours"
	}
	return strconv.Itoa(int((d+time.Minute-1)/time.Minute)) + " minutes"
}

// mitreDefs groups the rule's techniques under their tactics, with the
// tagged tactics that no technique names listed with none. A technique
// that techniques.tsv does not name fails: the form needs its name.
func mitreDefs(m *sigma.Meta) (map[string][]string, error) {
	att, err := attack.FromTags(m)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	key := func(t attack.Tactic) string { return t.ID + " - " + t.Name }
	for _, t := range att.Tagged {
		out[key(t)] = []string{}
	}
	for _, tech := range att.Techniques {
		if tech.Name == "" {
			return nil, sigma.Errorf(m.File, m.PosOf("tags"),
				"xsiam-correlation: mitre_defs names each technique, and sigconv's technique table (backends/attack/techniques.tsv) has no name for %s; add it", tech.ID).WithReason(sigma.ReasonDeploy)
		}
		for _, t := range tech.Tactics {
			out[key(t)] = append(out[key(t)], tech.ID+" - "+tech.Name)
		}
	}
	return out, nil
}

// Scheduled implements backends.Scheduler: XSIAM correlation rules run
// on a schedule.
func (b *Backend) Scheduled(format string) bool { return format == "xsiam-correlation" }
