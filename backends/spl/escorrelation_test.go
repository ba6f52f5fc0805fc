package spl_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/backendtest"
	"github.com/sigconv/sigconv/backends/spl"
)

func splFormat(t *testing.T, pipeline, format string) *backends.Converter {
	t.Helper()
	conv, err := backends.NewConverter(spl.New(), backends.Options{Pipelines: []string{pipeline}, Format: format})
	if err != nil {
		t.Fatal(err)
	}
	return conv
}

const esDoc = `title: t
id: 0e5a6b8e-0000-4000-8000-000000000001
description: d
level: critical
risk_score: 42
tags: [attack.t1055, attack.discovery]
logsource:
    category: process_creation
    product: windows
detection:
    sel:
        CommandLine|contains: 'x'
    condition: sel
fields:
    - Computer
    - User
    - CommandLine
`

// parseStanza reads one savedsearches.conf stanza: the [name] line, then
// key = value lines, a value continued by a trailing backslash.
func parseStanza(t *testing.T, text string) (string, map[string]string) {
	t.Helper()
	lines := strings.Split(text, "\n")
	name, ok := strings.CutPrefix(lines[0], "[")
	if !ok || !strings.HasSuffix(name, "]") {
		t.Fatalf("no stanza header: %q", lines[0])
	}
	kv := map[string]string{}
	for i := 1; i < len(lines); i++ {
		line := lines[i]
		if strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, " = ")
		if !ok {
			t.Fatalf("line %d is not key = value: %q", i+1, line)
		}
		for strings.HasSuffix(v, " \\") && i+1 < len(lines) {
			i++
			v = strings.TrimSuffix(v, " \\") + "\n" + lines[i]
		}
		if _, dup := kv[k]; dup {
			t.Errorf("%s set twice", k)
		}
		kv[k] = v
	}
	return strings.TrimSuffix(name, "]"), kv
}

var token = regexp.MustCompile(`\$([^$]+)\$`)

// checkCorrelationSearch checks the keys Enterprise Security needs, the
// enums and JSON values, and that every $token$ names a risk or notable
// field the search returns.
func checkCorrelationSearch(t *testing.T, kv map[string]string) {
	t.Helper()
	for _, k := range []string{"action.correlationsearch.enabled", "action.correlationsearch.label", "description", "enableSched", "cron_schedule",
		"dispatch.earliest_time", "dispatch.latest_time", "action.notable", "action.notable.param.rule_title",
		"action.notable.param.rule_description", "action.notable.param.severity", "action.notable.param.security_domain", "search"} {
		if kv[k] == "" {
			t.Errorf("%s missing", k)
		}
	}
	if kv["action.correlationsearch.enabled"] != "1" || kv["action.notable"] != "1" || kv["enableSched"] != "1" {
		t.Error("correlation search, notable or schedule not enabled")
	}
	if !contains([]string{"informational", "low", "medium", "high", "critical"}, kv["action.notable.param.severity"]) {
		t.Errorf("severity %q", kv["action.notable.param.severity"])
	}
	if !contains([]string{"access", "endpoint", "network", "threat", "identity", "audit"}, kv["action.notable.param.security_domain"]) {
		t.Errorf("security_domain %q", kv["action.notable.param.security_domain"])
	}
	if !regexp.MustCompile(`^-\d+m@m$`).MatchString(kv["dispatch.earliest_time"]) {
		t.Errorf("earliest %q", kv["dispatch.earliest_time"])
	}
	if a := kv["action.correlationsearch.annotations"]; a != "" {
		var ann map[string][]string
		if err := json.Unmarshal([]byte(a), &ann); err != nil || len(ann["mitre_attack"]) == 0 {
			t.Errorf("annotations %q: %v", a, err)
		}
	}
	risk := map[string]bool{}
	if kv["action.risk"] == "1" {
		var objs []struct {
			Field string `json:"risk_object_field"`
			Type  string `json:"risk_object_type"`
			Score *int   `json:"risk_score"`
		}
		if err := json.Unmarshal([]byte(kv["action.risk.param._risk"]), &objs); err != nil || len(objs) == 0 {
			t.Fatalf("_risk %q: %v", kv["action.risk.param._risk"], err)
		}
		for _, o := range objs {
			if !contains([]string{"system", "user", "other"}, o.Type) || o.Field == "" || o.Score == nil || *o.Score < 0 || *o.Score > 100 {
				t.Errorf("risk object %+v", o)
			}
			risk[o.Field] = true
		}
	}
	for _, k := range []string{"action.notable.param.rule_title", "action.risk.param._risk_message"} {
		for _, m := range token.FindAllStringSubmatch(kv[k], -1) {
			if !risk[m[1]] || !strings.Contains(kv["search"], m[1]) {
				t.Errorf("%s uses $%s$, which is no risk field the search returns", k, m[1])
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestESCorrelation(t *testing.T) {
	for _, c := range []struct{ pipeline, system, user string }{{"sysmon", "host", "User"}, {"cim", "dest", "user"}} {
		t.Run(c.pipeline, func(t *testing.T) {
			out, err := backendtest.Last(t, splFormat(t, c.pipeline, "es-correlation"), esDoc)
			if err != nil {
				t.Fatal(err)
			}
			query, err := backendtest.Last(t, splFormat(t, c.pipeline, "default"), esDoc)
			if err != nil {
				t.Fatal(err)
			}
			name, kv := parseStanza(t, out)
			checkCorrelationSearch(t, kv)
			if name != "t" || kv["search"] != query {
				t.Errorf("stanza %q, search %q, want the default query %q", name, kv["search"], query)
			}
			want := `[{"risk_object_field":"` + c.system + `","risk_object_type":"system","risk_score":42},{"risk_object_field":"` + c.user + `","risk_object_type":"user","risk_score":42}]`
			if kv["action.risk.param._risk"] != want || kv["action.notable.param.severity"] != "critical" || kv["action.notable.param.rule_title"] != "t on $"+c.system+"$" {
				t.Errorf("risk %s, severity %s, title %s", kv["action.risk.param._risk"], kv["action.notable.param.severity"], kv["action.notable.param.rule_title"])
			}
		})
	}
}

// A correlation's risk object is its host group column; its window is
// searched whole.
func TestESCorrelationOfCorrelation(t *testing.T) {
	doc := backendtest.CorrelationRules + "title: corr\ndescription: d\ncorrelation:\n    type: temporal\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 1h\n"
	out, err := backendtest.Last(t, splFormat(t, "sysmon", "es-correlation"), doc)
	if err != nil {
		t.Fatal(err)
	}
	_, kv := parseStanza(t, out)
	checkCorrelationSearch(t, kv)
	if kv["dispatch.earliest_time"] != "-90m@m" || !strings.Contains(kv["action.risk.param._risk"], `"risk_object_field":"sigconv_Computer"`) {
		t.Errorf("earliest %s, risk %s", kv["dispatch.earliest_time"], kv["action.risk.param._risk"])
	}
}

func TestESCorrelationRefuses(t *testing.T) {
	for name, c := range map[string]struct{ from, to, want string }{
		"no description":     {"description: d\n", "", ":1:1: es-correlation: the rule has no description"},
		"dollar in title":    {"title: t\n", "title: cost $5\n", ":1:1: es-correlation: the title has \"$\""},
		"trailing backslash": {"description: d\n", "description: 'd\\'\n", ":3:1: es-correlation: the description ends with a backslash"},
		"unknown technique":  {"attack.t1055", "attack.t1999", ":6:1: ATT&CK technique T1999"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := backendtest.Last(t, splFormat(t, "sysmon", "es-correlation"), strings.Replace(esDoc, c.from, c.to, 1))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want %q", err, c.want)
			}
		})
	}
}
