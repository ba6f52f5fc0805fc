package spl

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// savedSearches renders one savedsearches.conf stanza per query, with the
// keys of the savedsearches.conf specification: a scheduled alert that
// fires when the search returns results, with Sigma's level as
// alert.severity, the rule's risk_score (or one derived from its level)
// as a Splunk Enterprise Security risk action, and its ATT&CK technique
// tags as correlation-search annotations.
func savedSearches(r *ir.Rule, queries []string) string {
	var b strings.Builder
	src := r.Source
	for i, q := range queries {
		if i > 0 {
			b.WriteString("\n")
		}
		name := stanzaName(src.Title)
		if len(queries) > 1 {
			name += fmt.Sprintf(" (%d)", i+1)
		}
		fmt.Fprintf(&b, "[%s]\n", name)
		if src.Description != "" {
			fmt.Fprintf(&b, "description = %s\n", oneLine(src.Description))
		}
		b.WriteString("enableSched = 1\n")
		b.WriteString("cron_schedule = */30 * * * *\n")
		fmt.Fprintf(&b, "dispatch.earliest_time = -%dm@m\n", lookbackMinutes(r))
		b.WriteString("dispatch.latest_time = now\n")
		b.WriteString("counttype = number of events\n")
		b.WriteString("relation = greater than\n")
		b.WriteString("quantity = 0\n")
		fmt.Fprintf(&b, "alert.severity = %d\n", severity(src.Level))
		b.WriteString("action.risk = 1\n")
		fmt.Fprintf(&b, "action.risk.param._risk_score = %d\n", riskScore(src))
		if ann := annotations(src); ann != "" {
			fmt.Fprintf(&b, "action.correlationsearch.annotations = %s\n", ann)
		}
		fmt.Fprintf(&b, "search = %s\n", confValue(q))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// stanzaName keeps a title on one line and without the brackets that
// would end the stanza header.
func stanzaName(title string) string {
	return stanzaEscaper.Replace(oneLine(title))
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// confValue continues a multi-line value with a trailing backslash, as
// .conf files do.
func confValue(q string) string { return strings.ReplaceAll(q, "\n", " \\\n") }

// severity maps Sigma levels to alert.severity (1 debug … 6 critical).
func severity(level string) int {
	switch level {
	case "informational":
		return 2
	case "low":
		return 3
	case "high":
		return 5
	case "critical":
		return 6
	}
	return 4
}

// riskScore is the rule's risk_score attribute when it is a number in
// 0..100, else a score derived from the level (sigconv's own scale).
func riskScore(r *sigma.Rule) int {
	if v, ok := r.CustomValue("risk_score"); ok {
		switch n := v.(type) {
		case int64:
			if n >= 0 && n <= 100 {
				return int(n)
			}
		case string:
			if i, err := strconv.Atoi(n); err == nil && i >= 0 && i <= 100 {
				return i
			}
		}
	}
	switch r.Level {
	case "informational":
		return 10
	case "low":
		return 25
	case "high":
		return 75
	case "critical":
		return 100
	}
	return 50
}

// annotations lists ATT&CK techniques (attack.tNNNN[.NNN] tags) in the
// JSON form of Enterprise Security's correlation-search annotations.
func annotations(r *sigma.Rule) string {
	var ids []string
	for _, t := range r.Tags {
		if id, ok := strings.CutPrefix(t, "attack.t"); ok && id != "" && id[0] >= '0' && id[0] <= '9' {
			ids = append(ids, "T"+strings.ToUpper(id))
		}
	}
	if len(ids) == 0 {
		return ""
	}
	data, _ := json.Marshal(map[string][]string{"mitre_attack": ids})
	return string(data)
}

// stanzaEscaper keeps brackets out of a stanza name (built once).
var stanzaEscaper = strings.NewReplacer("[", "(", "]", ")")

// lookbackMinutes is how far back each scheduled run searches: the 30
// minutes since the last run, plus, for a correlation, one timespan, so
// that a window that started before the last run is searched whole.
func lookbackMinutes(r *ir.Rule) int {
	m := 30
	if r.Correlation != nil && r.Correlation.Timespan > 0 {
		m += int((r.Correlation.Timespan + time.Minute - 1) / time.Minute)
	}
	return m
}
