package xql_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/backendtest"
	"github.com/sigconv/sigconv/backends/xql"
)

func xqlFormat(t *testing.T, format string) *backends.Converter {
	t.Helper()
	conv, err := backends.NewConverter(xql.New(), backends.Options{Format: format})
	if err != nil {
		t.Fatal(err)
	}
	return conv
}

const xsiamDoc = `title: t
id: 0e5a6b8e-0000-4000-8000-000000000001
description: d
level: low
tags: [attack.t1055, attack.discovery]
logsource:
    category: process_creation
    product: windows
detection:
    sel:
        CommandLine|contains: 'x>y'
    condition: sel
`

var (
	tacticKey    = regexp.MustCompile(`^TA\d{4} - [A-Z][A-Za-z ]+$`)
	techniqueVal = regexp.MustCompile(`^T\d{4}(\.\d{3})? - \S.*$`)
	spanForm     = regexp.MustCompile(`^\d+ (minutes|hours)$`)
)

// checkInsert checks a body against the insert API's request schema: the
// sample's keys with their JSON types, the enums (severity ladder,
// execution mode, drilldown timeframe, mapping strategy), the span and
// mitre_defs forms. An unknown key fails.
func checkInsert(t *testing.T, body string) []map[string]any {
	t.Helper()
	var doc struct {
		RequestData []map[string]any `json:"request_data"`
	}
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil || len(doc.RequestData) == 0 {
		t.Fatalf("not a request body (%v):\n%s", err, body)
	}
	types := map[string]string{
		"name": "string", "severity": "string", "xql_query": "string", "is_enabled": "bool", "description": "string",
		"alert_name": "string", "alert_category": "string", "alert_description": "string", "alert_fields": "object",
		"execution_mode": "string", "search_window": "string", "simple_schedule": "string", "timezone": "string",
		"crontab": "string", "suppression_enabled": "bool", "suppression_duration": "string?", "suppression_fields": "array?",
		"dataset": "string", "user_defined_severity": "string?", "user_defined_category": "string?", "mitre_defs": "object",
		"investigation_query_link": "string?", "drilldown_query_timeframe": "string", "mapping_strategy": "string",
	}
	enums := map[string][]string{
		"severity":                  {"SEV_010_INFO", "SEV_020_LOW", "SEV_030_MEDIUM", "SEV_040_HIGH", "SEV_050_CRITICAL"},
		"execution_mode":            {"SCHEDULED", "REAL_TIME"},
		"drilldown_query_timeframe": {"ALERT", "QUERY"},
		"mapping_strategy":          {"AUTO", "CUSTOM"},
	}
	for _, r := range doc.RequestData {
		for k, want := range types {
			v, ok := r[k]
			if !ok {
				t.Errorf("%s missing", k)
				continue
			}
			if v == nil && strings.HasSuffix(want, "?") {
				continue
			}
			var got string
			switch v.(type) {
			case string:
				got = "string"
			case bool:
				got = "bool"
			case map[string]any:
				got = "object"
			case []any:
				got = "array"
			}
			if got != strings.TrimSuffix(want, "?") {
				t.Errorf("%s is %T, want %s", k, v, want)
			}
		}
		for k := range r {
			if _, ok := types[k]; !ok {
				t.Errorf("unknown key %s", k)
			}
		}
		for k, vals := range enums {
			if s, _ := r[k].(string); !contains(vals, s) {
				t.Errorf("%s = %q, not one of %v", k, s, vals)
			}
		}
		for _, k := range []string{"search_window", "simple_schedule"} {
			if s, _ := r[k].(string); !spanForm.MatchString(s) {
				t.Errorf("%s = %q", k, s)
			}
		}
		for tac, techs := range r["mitre_defs"].(map[string]any) {
			if !tacticKey.MatchString(tac) {
				t.Errorf("mitre_defs key %q", tac)
			}
			for _, tech := range techs.([]any) {
				if !techniqueVal.MatchString(tech.(string)) {
					t.Errorf("mitre_defs value %q", tech)
				}
			}
		}
	}
	return doc.RequestData
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// The body follows the schema; xql_query is byte for byte the plain
// format's query; the level and tags are mapped.
func TestXSIAMCorrelation(t *testing.T) {
	body, err := backendtest.Last(t, xqlFormat(t, "xsiam-correlation"), xsiamDoc)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := backendtest.Last(t, xqlFormat(t, "plain"), xsiamDoc)
	if err != nil {
		t.Fatal(err)
	}
	rules := checkInsert(t, body)
	if len(rules) != 1 || rules[0]["xql_query"] != plain {
		t.Fatalf("xql_query is not the plain query %q:\n%s", plain, body)
	}
	if rules[0]["severity"] != "SEV_020_LOW" || rules[0]["suppression_enabled"] != false {
		t.Errorf("severity/suppression: %v %v", rules[0]["severity"], rules[0]["suppression_enabled"])
	}
	mitre, _ := json.Marshal(rules[0]["mitre_defs"])
	if want := `{"TA0004 - Privilege Escalation":["T1055 - Process Injection"],"TA0005 - Defense Evasion":["T1055 - Process Injection"],"TA0007 - Discovery":[]}`; string(mitre) != want {
		t.Errorf("mitre_defs = %s, want %s", mitre, want)
	}
	if !strings.Contains(body, "x>y") {
		t.Errorf("the body escapes >:\n%s", body)
	}
}

// A correlation looks back one timespan more and suppresses repeats per
// group; its query is the plain format's, note line included.
func TestXSIAMCorrelationOfCorrelation(t *testing.T) {
	doc := backendtest.CorrelationRules + "title: corr\ndescription: d\ncorrelation:\n    type: temporal\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 1h\n"
	body, err := backendtest.Last(t, xqlFormat(t, "xsiam-correlation"), doc)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := backendtest.Last(t, xqlFormat(t, "plain"), doc)
	if err != nil {
		t.Fatal(err)
	}
	r := checkInsert(t, body)[0]
	if r["xql_query"] != plain || !strings.HasPrefix(plain, "// sigconv: sliding 1h window") {
		t.Errorf("xql_query %q, plain %q", r["xql_query"], plain)
	}
	if r["search_window"] != "70 minutes" || r["suppression_duration"] != "70 minutes" || r["suppression_enabled"] != true {
		t.Errorf("window/suppression: %v %v %v", r["search_window"], r["suppression_duration"], r["suppression_enabled"])
	}
	if f, _ := json.Marshal(r["suppression_fields"]); string(f) != `["sigconv_Computer"]` {
		t.Errorf("suppression_fields = %s", f)
	}
}

func TestXSIAMCorrelationRefuses(t *testing.T) {
	for name, c := range map[string]struct{ from, to, want string }{
		"no description":         {"description: d\n", "", ":1:1: xsiam-correlation: the rule has no description"},
		"technique without name": {"attack.t1055", "attack.t1554", ":5:1: xsiam-correlation: mitre_defs names each technique"},
		"unknown technique":      {"attack.t1055", "attack.t1999", ":5:1: ATT&CK technique T1999"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := backendtest.Last(t, xqlFormat(t, "xsiam-correlation"), strings.Replace(xsiamDoc, c.from, c.to, 1))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want %q", err, c.want)
			}
		})
	}
}
