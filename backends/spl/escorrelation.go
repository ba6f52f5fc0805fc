package spl

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/attack"
	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// The es-correlation format is a Splunk Enterprise Security correlation
// search: a savedsearches.conf stanza that ES recognises by
// action.correlationsearch.enabled = 1 (ES "Upgrade correlation searches":
// since ES 4.6.0 correlation searches live in savedsearches.conf). Keys:
//   - savedsearches.conf.spec: enableSched, cron_schedule,
//     dispatch.earliest_time/latest_time, schedule_window, counttype,
//     relation, quantity, description, search;
//   - the ES keys as Splunk's own detection content (ESCU) writes them:
//     action.correlationsearch.label and .annotations ({"mitre_attack":
//     [...]}), action.notable with .param.rule_title, .rule_description,
//     .severity (informational, low, medium, high, critical),
//     .security_domain, .nes_fields; action.risk with .param._risk (a JSON
//     list of {risk_object_field, risk_object_type, risk_score}),
//     .param._risk_message and .param.verbose.
//
// Notable titles and risk messages take $field$ tokens, which ES fills in
// from the result; sigconv writes a token only for a field the search
// returns. The risk objects are the returned host and user fields; a
// search that returns neither gets no risk action, said in a comment line.

// esSystemFields and esUserFields are the host and user fields of the
// built-in pipelines' output, most specific first (CIM dest/user, Sysmon
// and Windows host/User), and the Sigma group-by names a correlation's
// host or user group has.
var (
	esSystemFields = []string{"dest", "host", "dvc", "Computer", "ComputerName", "Hostname"}
	esUserFields   = []string{"user", "User", "src_user", "SubjectUserName", "TargetUserName"}
)

func esCorrelation(r *ir.Rule, queries []string) (string, error) {
	src := r.Source
	if src.Description == "" {
		return "", sigma.Errorf(src.File, src.Pos, "es-correlation: the rule has no description, which the notable event needs").WithReason(sigma.ReasonDeploy)
	}
	for _, v := range []struct{ key, text string }{{"title", src.Title}, {"description", src.Description}} {
		if err := esText(src, v.key, v.text); err != nil {
			return "", err
		}
	}
	att, err := attack.FromTags(&src.Meta)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for i, q := range queries {
		if i > 0 {
			b.WriteString("\n")
		}
		name := stanzaName(src.Title)
		if len(queries) > 1 {
			name += fmt.Sprintf(" (%d)", i+1)
		}
		system, user := esRiskFields(r, q)
		kv := func(k, v string) { fmt.Fprintf(&b, "%s = %s\n", k, v) }
		fmt.Fprintf(&b, "[%s]\n", name)
		kv("action.correlationsearch.enabled", "1")
		kv("action.correlationsearch.label", oneLine(name))
		if ids := att.TechniqueIDs(); len(ids) > 0 {
			data, _ := json.Marshal(map[string][]string{"mitre_attack": ids})
			kv("action.correlationsearch.annotations", string(data))
		}
		kv("description", oneLine(src.Description))
		kv("enableSched", "1")
		kv("cron_schedule", "*/30 * * * *")
		kv("dispatch.earliest_time", fmt.Sprintf("-%dm@m", lookbackMinutes(r)))
		kv("dispatch.latest_time", "now")
		kv("schedule_window", "auto")
		kv("counttype", "number of events")
		kv("relation", "greater than")
		kv("quantity", "0")
		kv("action.notable", "1")
		title := oneLine(src.Title)
		if system != "" {
			title += " on $" + system + "$"
		}
		kv("action.notable.param.rule_title", title)
		kv("action.notable.param.rule_description", oneLine(src.Description))
		kv("action.notable.param.severity", esSeverity(src.Level))
		kv("action.notable.param.security_domain", securityDomain(r))
		var nes []string
		for _, f := range []string{system, user} {
			if f != "" {
				nes = append(nes, f)
			}
		}
		if len(nes) > 0 {
			kv("action.notable.param.nes_fields", strings.Join(nes, ","))
		}
		if len(nes) == 0 {
			b.WriteString("# sigconv: no risk action: the search returns no host or user field to be the risk object\n")
		} else {
			score := riskScore(src)
			type riskObject struct {
				Field string `json:"risk_object_field"`
				Type  string `json:"risk_object_type"`
				Score int    `json:"risk_score"`
			}
			var objs []riskObject
			if system != "" {
				objs = append(objs, riskObject{system, "system", score})
			}
			if user != "" {
				objs = append(objs, riskObject{user, "user", score})
			}
			data, _ := json.Marshal(objs)
			kv("action.risk", "1")
			kv("action.risk.param._risk", string(data))
			kv("action.risk.param._risk_message", title)
			kv("action.risk.param.verbose", "0")
		}
		kv("search", confValue(q))
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// esText refuses text that a notable setting cannot carry as written: a
// "$" starts a field token in ES titles and descriptions, and a trailing
// backslash continues a .conf value onto the next line.
func esText(src *sigma.Rule, key, text string) error {
	t := oneLine(text)
	switch {
	case strings.Contains(t, "$"):
		return sigma.Errorf(src.File, src.PosOf(key), "es-correlation: the %s has \"$\", which Enterprise Security reads as a $field$ token", key).WithReason(sigma.ReasonDeploy)
	case strings.HasSuffix(t, "\\"):
		return sigma.Errorf(src.File, src.PosOf(key), "es-correlation: the %s ends with a backslash, which continues a .conf value onto the next line", key).WithReason(sigma.ReasonDeploy)
	}
	return nil
}

// esSeverity maps Sigma levels to ES notable severities (a rule without a
// level is medium, as in every format).
func esSeverity(level string) string {
	switch level {
	case "informational", "low", "medium", "high", "critical":
		return level
	}
	return "medium"
}

// securityDomain is ES's notable security domain: network for network
// logsources, endpoint for the rest of the host telemetry Sigma covers.
func securityDomain(r *ir.Rule) string {
	switch r.Source.LogSource.Category {
	case "network_connection", "dns", "dns_query", "firewall", "proxy", "webserver":
		return "network"
	}
	return "endpoint"
}

// esRiskFields picks the host and user fields query q returns: for a
// correlation its host and user group columns, else the fields of its
// "| table" stage or its tstats "by" clause (with a datamodel prefix that
// the search renames away).
func esRiskFields(r *ir.Rule, q string) (system, user string) {
	returned := map[string]bool{}
	if c := r.Correlation; c != nil {
		for _, g := range c.GroupBy {
			col := backends.GroupColumn(g)
			if system == "" && contains(esSystemFields, g) {
				system = col
			}
			if user == "" && contains(esUserFields, g) {
				user = col
			}
		}
		return system, user
	}
	prefix := ""
	for _, line := range strings.Split(q, "\n") {
		if fields, ok := strings.CutPrefix(line, "| table "); ok {
			fields, _, _ = strings.Cut(fields, " ```")
			for _, f := range strings.Split(fields, ", ") {
				returned[strings.Trim(f, `"`)] = true
			}
		}
		if strings.HasPrefix(line, "| tstats ") {
			if i := strings.LastIndex(line, " by "); i >= 0 {
				for _, f := range strings.Fields(line[i+len(" by "):]) {
					returned[f] = true
				}
			}
		}
		if rest, ok := strings.CutPrefix(line, `| rename "`); ok {
			prefix, _, _ = strings.Cut(rest, `*"`)
		}
	}
	has := func(f string) bool { return returned[prefix+f] || prefix == "" && returned[f] }
	for _, f := range esSystemFields {
		if has(f) {
			system = f
			break
		}
	}
	for _, f := range esUserFields {
		if has(f) {
			user = f
			break
		}
	}
	return system, user
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
