package kql_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends/backendtest"
	"github.com/sigconv/sigconv/backends/kql"
	"github.com/sigconv/sigconv/internal/kqlcheck"
)

const defenderDoc = `title: t
id: 0e5a6b8e-0000-4000-8000-000000000001
description: d
level: critical
logsource:
    category: process_creation
    product: windows
detection:
    sel:
        CommandLine|contains: 'x>y'
    condition: sel
fields:
    - Timestamp
    - Computer
    - ParentUser
    - ReportId
    - DeviceId
`

// The body's schema, from the Graph v1.0 reference pages cited in
// defender.go: the keys of detectionRule and its complex types, their
// JSON types, and the severity enum. Unknown keys fail, so no deprecated
// property (schedule.period, category, mitreTechniques, impactedAssets)
// slips in.
func checkDetectionRule(t *testing.T, body string) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, body)
	}
	keys := func(path string, m map[string]any, required, optional []string) {
		for _, k := range required {
			if _, ok := m[k]; !ok {
				t.Errorf("%s lacks required %s", path, k)
			}
		}
		for k := range m {
			if !contains(required, k) && !contains(optional, k) {
				t.Errorf("%s has %s, which the v1.0 schema does not", path, k)
			}
		}
	}
	keys("detectionRule", doc, []string{"displayName", "isEnabled", "queryCondition", "schedule", "detectionAction"}, nil)
	if _, ok := doc["displayName"].(string); !ok {
		t.Error("displayName is not a string")
	}
	if _, ok := doc["isEnabled"].(bool); !ok {
		t.Error("isEnabled is not a boolean")
	}
	qc, _ := doc["queryCondition"].(map[string]any)
	keys("queryCondition", qc, []string{"queryText"}, nil)
	sched, _ := doc["schedule"].(map[string]any)
	keys("schedule", sched, []string{"frequency"}, nil)
	if f, _ := sched["frequency"].(string); !strings.HasPrefix(f, "PT") && !strings.HasPrefix(f, "P") {
		t.Errorf("frequency %q is not an ISO 8601 duration", f)
	}
	act, _ := doc["detectionAction"].(map[string]any)
	keys("detectionAction", act, []string{"alertTemplate"}, []string{"responseActions", "organizationalScope"})
	tmpl, _ := act["alertTemplate"].(map[string]any)
	keys("alertTemplate", tmpl, []string{"title", "description", "severity"}, []string{"recommendedActions", "entityMappings", "tactics", "customDetails"})
	if s, _ := tmpl["severity"].(string); !contains([]string{"informational", "low", "medium", "high"}, s) {
		t.Errorf("severity %q is not an alertSeverity", s)
	}
	if em, ok := tmpl["entityMappings"].(map[string]any); ok {
		keys("entityMappings", em, nil, []string{"accounts", "hosts", "files", "ips", "processes", "urls"})
		for _, h := range em["hosts"].([]any) {
			keys("hostEntityMapping", h.(map[string]any), nil, []string{"deviceIdColumn", "dnsDomainColumn", "nameColumn", "netBiosNameColumn", "ntDomainColumn"})
		}
		if as, ok := em["accounts"].([]any); ok {
			for _, a := range as {
				keys("accountEntityMapping", a.(map[string]any), nil, []string{"aadUserIdColumn", "dnsDomainColumn", "nameColumn", "ntDomainColumn", "sidColumn", "upnColumn", "upnSuffixColumn"})
			}
		}
	}
	return doc
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// The body follows the schema, its query is byte for byte the default
// format's, the entities name columns the query returns, and
// Kusto.Language compiles the query against the Defender schema.
func TestDefenderDetection(t *testing.T) {
	body, err := backendtest.Last(t, kqlConverter(t, "defender-xdr", "defender-detection"), defenderDoc)
	if err != nil {
		t.Fatal(err)
	}
	query, err := backendtest.Last(t, kqlConverter(t, "defender-xdr", "default"), defenderDoc)
	if err != nil {
		t.Fatal(err)
	}
	doc := checkDetectionRule(t, body)
	text := doc["queryCondition"].(map[string]any)["queryText"].(string)
	if text != query {
		t.Errorf("queryText differs from the default query:\n%s\n%s", text, query)
	}
	if !strings.Contains(body, `x>y`) {
		t.Errorf("the body escapes > (not needed in JSON):\n%s", body)
	}
	tmpl := doc["detectionAction"].(map[string]any)["alertTemplate"].(map[string]any)
	if tmpl["severity"] != "high" {
		t.Errorf("critical → %v, want high (Defender has no critical)", tmpl["severity"])
	}
	em, _ := json.Marshal(tmpl["entityMappings"])
	// ParentUser is sigconv's computed DOMAIN\name column, not an
	// account name, so no account is mapped (the network rule's golden
	// shows one).
	if want := `{"hosts":[{"deviceIdColumn":"DeviceId","nameColumn":"DeviceName"}]}`; string(em) != want {
		t.Errorf("entityMappings = %s, want %s", em, want)
	}
	kqlcheck.Require(t)
	res, err := kqlcheck.Check(kql.SchemaJSON(), "defender", []kqlcheck.Query{{ID: "defender-detection", Query: text}})
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].OK {
		t.Errorf("Kusto.Language rejects the query: %v\n%s", res[0].Errors, text)
	}
}

// Rules that cannot be deployed as custom detections fail with their
// position and the reason.
func TestDefenderDetectionRefuses(t *testing.T) {
	cases := []struct{ name, pipeline, doc, want string }{
		{"missing columns", "defender-xdr", strings.Replace(defenderDoc, "    - ReportId\n    - DeviceId\n", "", 1), ":12:1: defender-detection: a custom detection on DeviceProcessEvents must return DeviceId, ReportId"},
		{"not defender", "sentinel-asim", defenderDoc, "defender-detection: table imProcessCreate is not a Defender XDR advanced hunting table"},
		{"no description", "defender-xdr", strings.Replace(defenderDoc, "description: d\n", "", 1), "the alert needs a description"},
		{"correlation", "defender-xdr", correlationDoc("type: temporal\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m"), "sigconv does not prove that for correlation queries"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := backendtest.Last(t, kqlConverter(t, c.pipeline, "defender-detection"), c.doc)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want %q", err, c.want)
			}
		})
	}
}
