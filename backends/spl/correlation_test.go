package spl_test

import (
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/backendtest"
	"github.com/sigconv/sigconv/backends/spl"
)

// splConverter builds a converter; the tables of this file pin the
// tumbling form (sliding_test.go pins the sliding one), so an unset
// method is tumbling here.
func splConverter(t *testing.T, opt backends.Options) *backends.Converter {
	t.Helper()
	if opt.CorrelationMethod == "" {
		opt.CorrelationMethod = "tumbling"
	}
	conv, err := backends.NewConverter(spl.New(), opt)
	if err != nil {
		t.Fatal(err)
	}
	return conv
}

// ruleC has a query that needs | where, two conditions (OR-ed into one
// expression) and a name that needs escaping in an eval string.
const ruleC = `title: rule c
name: 'we"ird'
logsource:
    category: process_creation
    product: windows
detection:
    sel:
        CommandLine|re: 'a.b'
    sel2:
        Image|endswith: '\x.exe'
    condition: [sel, sel2]
---
`

func correlationDoc(body string) string {
	return backendtest.CorrelationRules + ruleC + "title: corr\ncorrelation:\n    " + body + "\n"
}

// The rules' searches with the default sysmon pipeline.
const (
	searchA = `source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational" EventCode=1 CommandLine="*x*"`
	searchB = `source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational" EventCode=3 DestinationPort=8082`
	searchC = `source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational" EventCode=1 | where match('CommandLine', "a.b") OR match('Image', "(?i)\\A(?s:.*)\\x{5c}x\\.exe\\z")`
)

// Expected queries were checked by hand against the SPL search reference
// pages for multisearch (streaming subsearches only), eval (several
// comma-separated assignments, 'field' references, "\"" escapes), bin
// (span=<int><s|m|h|d>), stats (count, dc, sum, avg, min, max,
// exactperc<X>, count(eval(...)), space-separated by-fields) and where
// (==, !=, AND, OR, NOT).
var correlationCases = []struct {
	name, corr, want string
}{
	{"event_count", "type: event_count\n    rules: [a]\n    group-by: [Computer]\n    timespan: 10m\n    condition: {gte: 10}",
		searchA + `
| eval sigconv_rule="a", sigconv_Computer='Computer'
| where isnotnull(sigconv_Computer) AND sigconv_Computer!=""
| bin _time span=10m
| stats count as event_count by _time sigconv_Computer
| where event_count >= 10`},
	{"event_count eq without group-by", "type: event_count\n    rules: [a]\n    timespan: 90s\n    condition: {eq: 3}",
		searchA + `
| eval sigconv_rule="a"
| bin _time span=90s
| stats count as event_count by _time
| where event_count == 3`},
	{"value_count", "type: value_count\n    rules: [a]\n    group-by: [Computer]\n    timespan: 1h\n    condition: {field: User, gt: 3}",
		searchA + `
| eval sigconv_rule="a", sigconv_Computer='Computer', sigconv_value='User'
| where isnotnull(sigconv_Computer) AND sigconv_Computer!=""
| bin _time span=1h
| stats dc(eval(if(sigconv_value!="", sigconv_value, null()))) as value_count by _time sigconv_Computer
| where value_count > 3`},
	{"value_sum", "type: value_sum\n    rules: [b]\n    group-by: [Computer]\n    timespan: 1d\n    condition: {field: DestinationPort, lt: 100}",
		searchB + `
| eval sigconv_rule="b", sigconv_Computer='Computer', sigconv_value='DestinationPort'
| where isnotnull(sigconv_Computer) AND sigconv_Computer!=""
| bin _time span=1d
| stats sum(sigconv_value) as value_sum by _time sigconv_Computer
| where value_sum < 100`},
	{"value_avg range", "type: value_avg\n    rules: [b]\n    group-by: [Computer]\n    timespan: 30s\n    condition: {field: DestinationPort, gt: 1, lte: 5}",
		searchB + `
| eval sigconv_rule="b", sigconv_Computer='Computer', sigconv_value='DestinationPort'
| where isnotnull(sigconv_Computer) AND sigconv_Computer!=""
| bin _time span=30s
| stats avg(sigconv_value) as value_avg by _time sigconv_Computer
| where value_avg > 1 AND value_avg <= 5`},
	{"value_percentile", "type: value_percentile\n    rules: [b]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {field: DestinationPort, percentile: 95, gte: 1000}",
		searchB + `
| eval sigconv_rule="b", sigconv_Computer='Computer', sigconv_value='DestinationPort'
| where isnotnull(sigconv_Computer) AND sigconv_Computer!=""
| bin _time span=5m
| stats exactperc95(sigconv_value) as value_percentile by _time sigconv_Computer
| where value_percentile >= 1000`},
	{"value_percentile 100 is max", "type: value_percentile\n    rules: [b]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {field: DestinationPort, percentile: 100, gt: 2.5}",
		searchB + `
| eval sigconv_rule="b", sigconv_Computer='Computer', sigconv_value='DestinationPort'
| where isnotnull(sigconv_Computer) AND sigconv_Computer!=""
| bin _time span=5m
| stats max(sigconv_value) as value_percentile by _time sigconv_Computer
| where value_percentile > 2.5`},
	{"temporal", "type: temporal\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m",
		`| multisearch
    [search ` + searchA + ` | eval sigconv_rule="a", sigconv_Computer='Computer']
    [search ` + searchB + ` | eval sigconv_rule="b", sigconv_Computer='Computer']
| where isnotnull(sigconv_Computer) AND sigconv_Computer!=""
| bin _time span=5m
| stats dc(sigconv_rule) as rule_count by _time sigconv_Computer
| where rule_count >= 2`},
	{"temporal_ordered", "type: temporal_ordered\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m",
		`| multisearch
    [search ` + searchA + ` | eval sigconv_rule="a", sigconv_Computer='Computer', sigconv_time_1=_time]
    [search ` + searchB + ` | eval sigconv_rule="b", sigconv_Computer='Computer', sigconv_time_2=_time]
| where isnotnull(sigconv_Computer) AND sigconv_Computer!=""
| bin _time span=5m
| stats dc(sigconv_rule) as rule_count min(sigconv_time_1) as sigconv_first max(sigconv_time_2) as sigconv_last by _time sigconv_Computer
| where rule_count >= 2 AND sigconv_first < sigconv_last`},
	{"alias", "type: temporal\n    rules: [a, b]\n    group-by: [host]\n    timespan: 5m\n    aliases:\n        host:\n            a: Computer\n            b: Computer",
		`| multisearch
    [search ` + searchA + ` | eval sigconv_rule="a", sigconv_host='Computer']
    [search ` + searchB + ` | eval sigconv_rule="b", sigconv_host='Computer']
| where isnotnull(sigconv_host) AND sigconv_host!=""
| bin _time span=5m
| stats dc(sigconv_rule) as rule_count by _time sigconv_host
| where rule_count >= 2`},
	{"rule-name condition", "type: temporal\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m\n    condition: a and not (b or a)",
		`| multisearch
    [search ` + searchA + ` | eval sigconv_rule="a", sigconv_Computer='Computer']
    [search ` + searchB + ` | eval sigconv_rule="b", sigconv_Computer='Computer']
| where isnotnull(sigconv_Computer) AND sigconv_Computer!=""
| bin _time span=5m
| stats count(eval(sigconv_rule=="a")) as sigconv_matched_1 count(eval(sigconv_rule=="b")) as sigconv_matched_2 by _time sigconv_Computer
| where (sigconv_matched_1 > 0 AND NOT ((sigconv_matched_2 > 0 OR sigconv_matched_1 > 0)))`},
	{"where part, several conditions and an escaped label", "type: temporal\n    rules: [a, 'we\"ird']\n    group-by: [User]\n    timespan: 5m",
		`| multisearch
    [search ` + searchA + ` | eval sigconv_rule="a", sigconv_User='User']
    [search ` + searchC + ` | eval sigconv_rule="we\"ird", sigconv_User='User']
| where isnotnull(sigconv_User) AND sigconv_User!=""
| bin _time span=5m
| stats dc(sigconv_rule) as rule_count by _time sigconv_User
| where rule_count >= 2`},
	{"single rule with where part", "type: event_count\n    rules: ['we\"ird']\n    timespan: 1m\n    condition: {gt: 1}",
		`source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational" EventCode=1
| where match('CommandLine', "a.b") OR match('Image', "(?i)\\A(?s:.*)\\x{5c}x\\.exe\\z")
| eval sigconv_rule="we\"ird"
| bin _time span=1m
| stats count as event_count by _time
| where event_count > 1`},
}

const windowNote = "```sigconv: tumbling "

func TestCorrelationTypes(t *testing.T) {
	conv := splConverter(t, backends.Options{})
	for _, tc := range correlationCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := backendtest.Last(t, conv, correlationDoc(tc.corr))
			if err != nil {
				t.Fatal(err)
			}
			first, rest, _ := strings.Cut(got, "\n")
			if !strings.HasPrefix(first, windowNote) || !strings.HasSuffix(first, "are not correlated```") {
				t.Errorf("missing window note: %q", first)
			}
			if rest != tc.want {
				t.Errorf("got\n%s\nwant\n%s", rest, tc.want)
			}
		})
	}
}

// A single rule over a CIM data model needs no multisearch: its events
// come from the datamodel command, with <dataset>.<field> names.
func TestCorrelationCIMSingleRule(t *testing.T) {
	conv := splConverter(t, backends.Options{Pipelines: []string{"cim"}})
	got, err := backendtest.Last(t, conv, correlationDoc("type: event_count\n    rules: [a]\n    group-by: [User]\n    timespan: 10m\n    condition: {gte: 10}"))
	if err != nil {
		t.Fatal(err)
	}
	want := "```sigconv: tumbling 10m windows (bin _time span=10m); events in neighbouring windows are not correlated```" + `
| datamodel Endpoint Processes search
| search Processes.process="*x*"
| eval sigconv_rule="a", sigconv_User='Processes.user'
| where isnotnull(sigconv_User) AND sigconv_User!=""
| bin _time span=10m
| stats count as event_count by _time sigconv_User
| where event_count >= 10`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestCorrelationErrors(t *testing.T) {
	ordered3 := "type: temporal_ordered\n    rules: [a, b, 'we\"ird']\n    group-by: [Computer]\n    timespan: 5m"
	cases := []struct {
		name string
		opt  backends.Options
		corr string
		want string
	}{
		{"median", backends.Options{}, "type: value_median\n    rules: [b]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {field: DestinationPort, gte: 1}", "value_median has no exact Splunk aggregate"},
		{"percentile missing", backends.Options{}, "type: value_percentile\n    rules: [b]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {field: DestinationPort, gte: 1}", "value_percentile needs a percentile key in its condition"},
		{"ordered over three rules", backends.Options{}, ordered3, "temporal_ordered is supported for exactly two rules"},
		{"rule-name condition on ordered", backends.Options{}, "type: temporal_ordered\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m\n    condition: a and b", "only supported for temporal correlations"},
		{"cim with several rules", backends.Options{Pipelines: []string{"cim"}}, "type: temporal\n    rules: [a, b]\n    group-by: [User]\n    timespan: 5m", "multisearch cannot run in a subsearch"},
		{"clashing group-by columns", backends.Options{WithoutPipeline: true}, "type: event_count\n    rules: [a]\n    group-by: [x-y, x_y]\n    timespan: 5m\n    condition: {gte: 1}", "would both become column sigconv_x_y"},
		{"unwritable group-by field", backends.Options{WithoutPipeline: true}, "type: event_count\n    rules: [a]\n    group-by: [\"it's\"]\n    timespan: 5m\n    condition: {gte: 1}", `field name "it's" of rule "a" cannot be written in SPL`},
		{"unmappable group-by", backends.Options{Pipelines: []string{"windows-security"}}, "type: event_count\n    rules: [a]\n    group-by: [User]\n    timespan: 5m\n    condition: {gte: 1}", `case.yml:34:1: field "User" of rule a cannot be used by the correlation`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := backendtest.Last(t, splConverter(t, tc.opt), correlationDoc(tc.corr))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// The synthetic rule of a correlation carries only its metadata; every
// format must still render it.
func TestCorrelationFormats(t *testing.T) {
	doc := backendtest.CorrelationRules + "title: corr [x]\ndescription: two rules\nlevel: high\ntags: [attack.t1059]\ncorrelation:\n    type: temporal\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m\n"
	cases := []struct{ format, want string }{
		{"default", windowNote},
		{"savedsearches", "[corr (x)]\ndescription = two rules\n"},
		{"savedsearches", "alert.severity = 5\n"},
		{"savedsearches", `action.correlationsearch.annotations = {"mitre_attack":["T1059"]}`},
		{"savedsearches", "search = ```sigconv: tumbling 5m windows (bin _time span=5m); events in neighbouring windows are not correlated``` \\\n| multisearch \\\n    [search "},
		{"json", `"title":"corr [x]","level":"high","tags":["attack.t1059"]`},
		{"json", `"queries":["` + windowNote},
	}
	for _, tc := range cases {
		t.Run(tc.format, func(t *testing.T) {
			got, err := backendtest.Last(t, splConverter(t, backends.Options{Format: tc.format}), doc)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(got, tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, got)
			}
		})
	}
}
