package kql_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/backendtest"
	"github.com/sigconv/sigconv/backends/kql"
	"github.com/sigconv/sigconv/internal/kqlcheck"
	"github.com/sigconv/sigconv/pipeline"
)

// kqlConverter builds a converter for the tumbling tables of this file
// (sliding_test.go pins the sliding form).
func kqlConverter(t *testing.T, pipeline, format string) *backends.Converter {
	t.Helper()
	conv, err := backends.NewConverter(kql.New(), backends.Options{Pipelines: []string{pipeline}, Format: format, CorrelationMethod: "tumbling"})
	if err != nil {
		t.Fatal(err)
	}
	return conv
}

func correlationDoc(body string) string {
	return backendtest.CorrelationRules + "title: corr\ncorrelation:\n    " + body + "\n"
}

// The legs of rules a and b in defender-xdr, without their tags.
const (
	legA = `DeviceProcessEvents | where ProcessCommandLine contains @"x"`
	// Sysmon's DestinationPort is direction-aware on Defender (schema.json).
	legB = `DeviceNetworkEvents | extend DestinationPort = case(ActionType in ("ConnectionSuccess", "ConnectionAttempt", "ConnectionFailed", "ConnectionRequest"), RemotePort, ActionType == "InboundConnectionAccepted", LocalPort, int(null)) | where DestinationPort == 8082`
	// userA, userB: the computed User column of each table, added when a
	// tag reads it (schema.json "computed").
	userA = ` | extend User = iff(isempty(AccountDomain), AccountName, strcat(AccountDomain, @"\", AccountName))`
	userB = ` | extend User = iff(isempty(InitiatingProcessAccountDomain), InitiatingProcessAccountName, strcat(InitiatingProcessAccountDomain, @"\", InitiatingProcessAccountName))`
)

// Expected queries (after the window note) were checked by hand against
// the Microsoft Learn pages cited in correlation.go: union, extend,
// summarize, bin, count, make_set, array_length, sum, avg, max, minif,
// maxif, set_has_element, tostring; TestCorrelationParse has
// Kusto.Language compile every one under its pipeline's schema.
var correlationCases = []struct {
	name, pipeline, corr, want string
}{
	{"event_count", "defender-xdr", "type: event_count\n    rules: [a]\n    group-by: [Computer]\n    timespan: 10m\n    condition: {gte: 10}",
		legA + ` | extend sigconv_rule = @"a", sigconv_Computer = DeviceName
| where isnotempty(sigconv_Computer)
| summarize event_count = count() by bin(Timestamp, 10m), sigconv_Computer
| where event_count >= 10`},
	{"event_count sentinel", "sentinel-asim", "type: event_count\n    rules: [a]\n    group-by: [Computer]\n    timespan: 10m\n    condition: {eq: 3}",
		`imProcessCreate | where TargetProcessCommandLine contains @"x" | extend sigconv_rule = @"a", sigconv_Computer = DvcHostname
| where isnotempty(sigconv_Computer)
| summarize event_count = count() by bin(TimeGenerated, 10m), sigconv_Computer
| where event_count == 3`},
	{"value_count", "defender-xdr", "type: value_count\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 1h\n    condition: {field: User, gt: 3}",
		`union
    (` + legA + userA + ` | extend sigconv_rule = @"a", sigconv_Computer = DeviceName, sigconv_value = User),
    (` + legB + userB + ` | extend sigconv_rule = @"b", sigconv_Computer = DeviceName, sigconv_value = User)
| where isnotempty(sigconv_Computer)
| summarize value_count = array_length(make_set_if(sigconv_value, isnotempty(sigconv_value))) by bin(Timestamp, 1h), sigconv_Computer
| where value_count > 3`},
	{"value_sum", "defender-xdr", "type: value_sum\n    rules: [b]\n    group-by: [Computer]\n    timespan: 1d\n    condition: {field: DestinationPort, lt: 100}",
		legB + ` | extend sigconv_rule = @"b", sigconv_Computer = DeviceName, sigconv_value = DestinationPort
| where isnotempty(sigconv_Computer)
| summarize value_sum = sum(sigconv_value) by bin(Timestamp, 1d), sigconv_Computer
| where value_sum < 100`},
	{"value_avg range", "defender-xdr", "type: value_avg\n    rules: [b]\n    group-by: [Computer]\n    timespan: 30s\n    condition: {field: DestinationPort, gt: 1, lte: 5.5}",
		legB + ` | extend sigconv_rule = @"b", sigconv_Computer = DeviceName, sigconv_value = DestinationPort
| where isnotempty(sigconv_Computer)
| summarize value_avg = avg(sigconv_value) by bin(Timestamp, 30s), sigconv_Computer
| where value_avg > 1 and value_avg <= 5.5`},
	{"value_percentile 100", "defender-xdr", "type: value_percentile\n    rules: [b]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {field: DestinationPort, percentile: 100, neq: 8082}",
		legB + ` | extend sigconv_rule = @"b", sigconv_Computer = DeviceName, sigconv_value = DestinationPort
| where isnotempty(sigconv_Computer)
| summarize value_percentile = max(sigconv_value) by bin(Timestamp, 5m), sigconv_Computer
| where value_percentile != 8082`},
	{"temporal", "defender-xdr", "type: temporal\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m",
		`union
    (` + legA + ` | extend sigconv_rule = @"a", sigconv_Computer = DeviceName),
    (` + legB + ` | extend sigconv_rule = @"b", sigconv_Computer = DeviceName)
| where isnotempty(sigconv_Computer)
| summarize sigconv_rules = make_set(sigconv_rule) by bin(Timestamp, 5m), sigconv_Computer
| extend rule_count = array_length(sigconv_rules)
| where rule_count >= 2`},
	{"temporal without group-by", "defender-xdr", "type: temporal\n    rules: [a, b]\n    timespan: 5m\n    condition: {gte: 1}",
		`union
    (` + legA + ` | extend sigconv_rule = @"a"),
    (` + legB + ` | extend sigconv_rule = @"b")
| summarize sigconv_rules = make_set(sigconv_rule) by bin(Timestamp, 5m)
| extend rule_count = array_length(sigconv_rules)
| where rule_count >= 1`},
	{"temporal_ordered", "defender-xdr", "type: temporal_ordered\n    rules: [a, b]\n    group-by: [Computer, User]\n    timespan: 5m",
		`union
    (` + legA + userA + ` | extend sigconv_rule = @"a", sigconv_Computer = DeviceName, sigconv_User = User),
    (` + legB + userB + ` | extend sigconv_rule = @"b", sigconv_Computer = DeviceName, sigconv_User = User)
| where isnotempty(sigconv_Computer) and isnotempty(sigconv_User)
| summarize sigconv_rules = make_set(sigconv_rule), sigconv_first = minif(Timestamp, sigconv_rule == @"a"), sigconv_last = maxif(Timestamp, sigconv_rule == @"b") by bin(Timestamp, 5m), sigconv_Computer, sigconv_User
| extend rule_count = array_length(sigconv_rules)
| where rule_count >= 2 and sigconv_first < sigconv_last`},
	{"rule-name condition", "sentinel-asim", "type: temporal\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m\n    condition: a and not (b or a)",
		`union
    (imProcessCreate | where TargetProcessCommandLine contains @"x" | extend sigconv_rule = @"a", sigconv_Computer = DvcHostname),
    (imNetworkSession | where DstPortNumber == 8082 | extend sigconv_rule = @"b", sigconv_Computer = DvcHostname)
| where isnotempty(sigconv_Computer)
| summarize sigconv_rules = make_set(sigconv_rule) by bin(TimeGenerated, 5m), sigconv_Computer
| where (set_has_element(sigconv_rules, @"a") and not((set_has_element(sigconv_rules, @"b") or set_has_element(sigconv_rules, @"a"))))`},
	// ProcessId is long in DeviceProcessEvents, RemoteIP a string in
	// DeviceNetworkEvents: union would split a column of two types, so
	// both become strings.
	{"alias over columns of different types", "defender-xdr", "type: temporal\n    rules: [a, b]\n    group-by: [key]\n    timespan: 1h\n    aliases:\n        key:\n            a: ProcessId\n            b: DestinationIp",
		`union
    (` + legA + ` | extend sigconv_rule = @"a", sigconv_key = tostring(ProcessId)),
    (` + legB + ` | extend DestinationIp = case(ActionType in ("ConnectionSuccess", "ConnectionAttempt", "ConnectionFailed", "ConnectionRequest"), RemoteIP, ActionType == "InboundConnectionAccepted", LocalIP, "") | extend sigconv_rule = @"b", sigconv_key = tostring(DestinationIp))
| where isnotempty(sigconv_key)
| summarize sigconv_rules = make_set(sigconv_rule) by bin(Timestamp, 1h), sigconv_key
| extend rule_count = array_length(sigconv_rules)
| where rule_count >= 2`},
}

func TestCorrelationTypes(t *testing.T) {
	for _, tc := range correlationCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := backendtest.Last(t, kqlConverter(t, tc.pipeline, "default"), correlationDoc(tc.corr))
			if err != nil {
				t.Fatal(err)
			}
			first, rest, _ := strings.Cut(got, "\n")
			if !strings.HasPrefix(first, "// sigconv: tumbling ") || !strings.Contains(first, "neighbouring windows are not correlated") {
				t.Errorf("missing window note: %q", first)
			}
			if rest != tc.want {
				t.Errorf("got\n%s\nwant\n%s", rest, tc.want)
			}
		})
	}
}

// TestCorrelationParse has Kusto.Language compile every correlation
// query, in the default and plain formats, under its pipeline's schema.
func TestCorrelationParse(t *testing.T) {
	kqlcheck.Require(t)
	bySchema := map[string][]kqlcheck.Query{}
	add := func(id, pipeline, doc string) {
		for _, format := range []string{"default", "plain"} {
			got, err := backendtest.Last(t, kqlConverter(t, pipeline, format), doc)
			if err != nil {
				t.Fatalf("%s: %v", id, err)
			}
			s := schemaOf(pipeline)
			bySchema[s] = append(bySchema[s], kqlcheck.Query{ID: id + " " + format, Query: got})
		}
	}
	for _, tc := range correlationCases {
		add(tc.name, tc.pipeline, correlationDoc(tc.corr))
	}
	add("sentinel-windows", "sentinel-windows", windowsRules+"title: corr\ncorrelation:\n    type: temporal_ordered\n    rules: [c, d]\n    group-by: [Computer]\n    timespan: 5m\n")
	for schema, qs := range bySchema {
		results, err := kqlcheck.Check(kql.SchemaJSON(), schema, qs)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range results {
			if !r.OK {
				t.Errorf("%s: %v\n%s", r.ID, r.Errors, qs[i].Query)
			}
		}
	}
}

// windowsRules are two rules the sentinel-windows pipeline serves.
const windowsRules = `title: rule c
name: c
logsource:
    category: process_creation
    product: windows
detection:
    sel:
        CommandLine|contains: 'x'
    condition: sel
---
title: rule d
name: d
logsource:
    product: windows
    service: security
detection:
    sel:
        EventID: 4624
    sel2:
        EventID: 4625
    condition:
        - sel
        - sel2
---
`

// A rule with several conditions takes part with its conditions OR-ed,
// so that an event matching two of them is counted once.
func TestCorrelationSeveralConditions(t *testing.T) {
	got, err := backendtest.Last(t, kqlConverter(t, "sentinel-windows", "plain"), windowsRules+"title: corr\ncorrelation:\n    type: event_count\n    rules: [d]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {gte: 5}\n")
	if err != nil {
		t.Fatal(err)
	}
	want := `// sigconv: tumbling 5m windows (bin(TimeGenerated, 5m)); events in neighbouring windows are not correlated
SecurityEvent | where EventID in (4624, 4625) | extend sigconv_rule = @"d", sigconv_Computer = Computer | where isnotempty(sigconv_Computer) | summarize event_count = count() by bin(TimeGenerated, 5m), sigconv_Computer | where event_count >= 5`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// Every format renders a correlation: plain on one line after the window
// note, json with the correlation's metadata, sentinel-rule looking back
// one timespan more than its hourly schedule.
func TestCorrelationFormats(t *testing.T) {
	doc := correlationDoc("type: temporal\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m\nid: 0e5a6b8e-0000-4000-8000-000000000001\nlevel: high\ndescription: d\ntags:\n    - attack.execution")
	def, err := backendtest.Last(t, kqlConverter(t, "defender-xdr", "default"), doc)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := backendtest.Last(t, kqlConverter(t, "defender-xdr", "plain"), doc)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(plain, "\n"); len(lines) != 2 || !strings.HasPrefix(lines[1], "union (DeviceProcessEvents | where ") {
		t.Errorf("plain is not the note and one line:\n%s", plain)
	}
	if strings.Join(strings.Fields(plain), " ") != strings.Join(strings.Fields(def), " ") {
		t.Errorf("plain and default differ beyond whitespace:\n%s\n%s", plain, def)
	}
	js, err := backendtest.Last(t, kqlConverter(t, "defender-xdr", "json"), doc)
	if err != nil {
		t.Fatal(err)
	}
	var parsed struct {
		Title   string
		Level   string
		Queries []string
	}
	if err := json.Unmarshal([]byte(js), &parsed); err != nil || parsed.Title != "corr" || parsed.Level != "high" || len(parsed.Queries) != 1 || parsed.Queries[0] != def {
		t.Errorf("json = %s (%v)", js, err)
	}
	rule, err := backendtest.Last(t, kqlConverter(t, "sentinel-asim", "sentinel-rule"), doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"id: 0e5a6b8e-0000-4000-8000-000000000001\n", "name: corr\n", "severity: High\n", "queryFrequency: 1h\n", "queryPeriod: 65m\n", "  - Execution\n", "query: |\n  // sigconv: tumbling 5m windows", "  | where rule_count >= 2\n", "kind: Scheduled\n"} {
		if !strings.Contains(rule, want) {
			t.Errorf("sentinel-rule lacks %q:\n%s", want, rule)
		}
	}
	long := correlationDoc("type: temporal\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 15d")
	if _, err := backendtest.Last(t, kqlConverter(t, "sentinel-asim", "sentinel-rule"), long); err == nil || !strings.Contains(err.Error(), "at most 14 days") {
		t.Errorf("15d in a sentinel-rule: err = %v", err)
	}
}

func TestCorrelationErrors(t *testing.T) {
	cases := []struct{ name, corr, want string }{
		{"percentile estimate", "type: value_percentile\n    rules: [b]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {field: DestinationPort, percentile: 95, gte: 1}",
			"kql: percentile() is an estimate (t-digest), so value_percentile is only rendered for percentile 100"},
		{"median", "type: value_median\n    rules: [b]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {field: DestinationPort, gte: 1}",
			"case.yml:33:11: kql: value_median has no exact KQL aggregate"},
		{"ordered three rules", "type: temporal_ordered\n    rules: [a, b, a2]\n    group-by: [Computer]\n    timespan: 5m",
			"kql: temporal_ordered is supported for exactly two rules (first before last); this one has 3"},
		{"rule-name condition on ordered", "type: temporal_ordered\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m\n    condition: a and b",
			"only supported for temporal correlations"},
		{"value_count threshold beyond make_set", "type: value_count\n    rules: [a]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {field: User, gte: 1048576}",
			"kql: value_count counts at most 1048576 distinct values exactly"},
		{"sum of strings", "type: value_sum\n    rules: [a]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {field: CommandLine, gt: 1}",
			"kql: value_sum needs a numeric column; ProcessCommandLine of DeviceProcessEvents (rule \"a\") is string"},
		{"group-by names clash", "type: temporal\n    rules: [a, b]\n    group-by: [host.name, host_name]\n    timespan: 5m\n    aliases:\n        host.name:\n            a: Computer\n            b: Computer\n        host_name:\n            a: Computer\n            b: Computer",
			`kql: group-by names "host.name" and "host_name" would both become column sigconv_host_name`},
		{"unmappable group-by", "type: event_count\n    rules: [a]\n    group-by: [NoSuchField]\n    timespan: 5m\n    condition: {gte: 1}",
			`field "NoSuchField" of rule a cannot be used by the correlation`},
	}
	extra := "title: rule a2\nname: a2\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    sel:\n        CommandLine|contains: 'y'\n    condition: sel\n---\n"
	conv := kqlConverter(t, "defender-xdr", "default")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := backendtest.Last(t, conv, extra+correlationDoc(tc.corr))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// twoTables is a user pipeline: tables T (process_creation) and U
// (network_connection), unknown to the schema; different tables, so the
// legs of rules a and b cannot share an event.
const twoTables = "  - type: set_table\n    table: T\n    rule_conditions:\n      - {type: logsource, category: process_creation}\n  - type: set_table\n    table: U\n    rule_conditions:\n      - {type: logsource, category: network_connection}\n"

// timedTable is twoTables with the event time column named in the state
// key the backend reads.
var timedTable = pipeline.MustLoad("timed.yml", []byte("name: timed\ntransformations:\n"+twoTables+"  - type: set_state\n    key: kql_time_column\n    val: EventTime\n"))

// untimedTables is twoTables without a time column.
var untimedTables = pipeline.MustLoad("untimed.yml", []byte("name: untimed\ntransformations:\n"+twoTables))

// On tables outside the schema the time column comes from the pipeline
// state, and columns of unknown type are converted to one type in a
// union: todouble() for sums, tostring() for grouping.
func TestCorrelationUserPipeline(t *testing.T) {
	doc := correlationDoc("type: value_sum\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 2h\n    condition: {field: Size, gt: 10}")
	conv, err := backends.NewConverter(kql.New(), backends.Options{WithoutPipeline: true, Extra: []*pipeline.Pipeline{timedTable}, CorrelationMethod: "tumbling"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := backendtest.Last(t, conv, doc)
	if err != nil {
		t.Fatal(err)
	}
	want := `// sigconv: tumbling 2h windows (bin(EventTime, 2h)); events in neighbouring windows are not correlated
union
    (T | where CommandLine contains @"x" | extend sigconv_rule = @"a", sigconv_Computer = tostring(Computer), sigconv_value = todouble(Size)),
    (U | where DestinationPort == 8082 | extend sigconv_rule = @"b", sigconv_Computer = tostring(Computer), sigconv_value = todouble(Size))
| where isnotempty(sigconv_Computer)
| summarize value_sum = sum(sigconv_value) by bin(EventTime, 2h), sigconv_Computer
| where value_sum > 10`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	conv, err = backends.NewConverter(kql.New(), backends.Options{WithoutPipeline: true, Extra: []*pipeline.Pipeline{untimedTables}, CorrelationMethod: "tumbling"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := backendtest.Last(t, conv, doc); err == nil || !strings.Contains(err.Error(), "kql: no time column for table T of rule \"a\": set the pipeline state kql_time_column") {
		t.Errorf("without a time column: err = %v", err)
	}
}

// Every table and parser of each schema has the time column the backend
// correlates on, as a datetime.
func TestTimeColumnsInSchema(t *testing.T) {
	var file map[string]json.RawMessage
	if err := json.Unmarshal(kql.SchemaJSON(), &file); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"defender": "Timestamp", "sentinel": "TimeGenerated"}
	for schema, col := range want {
		var s struct {
			Tables    map[string]struct{ Columns map[string]string }
			Functions map[string]struct{ Columns map[string]string }
		}
		if err := json.Unmarshal(file[schema], &s); err != nil {
			t.Fatal(err)
		}
		if len(s.Tables)+len(s.Functions) == 0 {
			t.Errorf("schema %s has no tables", schema)
		}
		for name, tab := range s.Tables {
			if tab.Columns[col] != "datetime" {
				t.Errorf("%s table %s: %s is %q", schema, name, col, tab.Columns[col])
			}
		}
		for name, fn := range s.Functions {
			if fn.Columns[col] != "datetime" {
				t.Errorf("%s function %s: %s is %q", schema, name, col, fn.Columns[col])
			}
		}
	}
}
