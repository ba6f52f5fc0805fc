package kql_test

import (
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/backendtest"
	"github.com/sigconv/sigconv/backends/kql"
	"github.com/sigconv/sigconv/internal/kqlcheck"
)

func slidingConverter(t *testing.T, pipeline, format string) *backends.Converter {
	t.Helper()
	conv, err := backends.NewConverter(kql.New(), backends.Options{Pipelines: []string{pipeline}, Format: format, CorrelationMethod: "sliding"})
	if err != nil {
		t.Fatal(err)
	}
	return conv
}

const legsAB = `union
    (` + legA + ` | extend sigconv_rule = @"a", sigconv_Computer = DeviceName),
    (` + legB + ` | extend sigconv_rule = @"b", sigconv_Computer = DeviceName)`

// Expected queries were checked by hand against the Microsoft Learn pages
// cited in sliding.go (sort, prev, window functions, isnotempty,
// isnotnull, datetime arithmetic); TestSlidingParse has Kusto.Language
// compile each.
var slidingCases = []struct {
	name, pipeline, corr, want string
}{
	{"temporal", "defender-xdr", "type: temporal\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m",
		`// sigconv: sliding 5m window: events of both rules within 5m of each other with the same Computer (adjacent events after sorting by time)
` + legsAB + `
| where isnotempty(sigconv_Computer)
| sort by sigconv_Computer asc, Timestamp asc
| extend sigconv_prev_rule = prev(sigconv_rule), sigconv_prev_time = prev(Timestamp), sigconv_prev_Computer = prev(sigconv_Computer)
| where sigconv_prev_Computer == sigconv_Computer and sigconv_prev_rule != sigconv_rule and isnotnull(sigconv_prev_time) and Timestamp - sigconv_prev_time <= 5m`},
	// "a and b" and gte 2 both mean "both rules": the same query.
	{"rule-name condition both", "defender-xdr", "type: temporal\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m\n    condition: b and a",
		`// sigconv: sliding 5m window: events of both rules within 5m of each other with the same Computer (adjacent events after sorting by time)
` + legsAB + `
| where isnotempty(sigconv_Computer)
| sort by sigconv_Computer asc, Timestamp asc
| extend sigconv_prev_rule = prev(sigconv_rule), sigconv_prev_time = prev(Timestamp), sigconv_prev_Computer = prev(sigconv_Computer)
| where sigconv_prev_Computer == sigconv_Computer and sigconv_prev_rule != sigconv_rule and isnotnull(sigconv_prev_time) and Timestamp - sigconv_prev_time <= 5m`},
	{"without group-by, gt 1", "defender-xdr", "type: temporal\n    rules: [a, b]\n    timespan: 90s\n    condition: {gt: 1}",
		`// sigconv: sliding 90s window: events of both rules within 90s of each other (adjacent events after sorting by time)
union
    (` + legA + ` | extend sigconv_rule = @"a"),
    (` + legB + ` | extend sigconv_rule = @"b")
| sort by Timestamp asc
| extend sigconv_prev_rule = prev(sigconv_rule), sigconv_prev_time = prev(Timestamp)
| where sigconv_prev_rule != sigconv_rule and isnotnull(sigconv_prev_time) and Timestamp - sigconv_prev_time <= 90s`},
	{"two group-by columns", "defender-xdr", "type: temporal\n    rules: [a, b]\n    group-by: [Computer, User]\n    timespan: 1h",
		`// sigconv: sliding 1h window: events of both rules within 1h of each other with the same Computer, User (adjacent events after sorting by time)
union
    (` + legA + userA + ` | extend sigconv_rule = @"a", sigconv_Computer = DeviceName, sigconv_User = User),
    (` + legB + userB + ` | extend sigconv_rule = @"b", sigconv_Computer = DeviceName, sigconv_User = User)
| where isnotempty(sigconv_Computer) and isnotempty(sigconv_User)
| sort by sigconv_Computer asc, sigconv_User asc, Timestamp asc
| extend sigconv_prev_rule = prev(sigconv_rule), sigconv_prev_time = prev(Timestamp), sigconv_prev_Computer = prev(sigconv_Computer), sigconv_prev_User = prev(sigconv_User)
| where sigconv_prev_Computer == sigconv_Computer and sigconv_prev_User == sigconv_User and sigconv_prev_rule != sigconv_rule and isnotnull(sigconv_prev_time) and Timestamp - sigconv_prev_time <= 1h`},
	{"sentinel", "sentinel-asim", "type: temporal\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 1d",
		`// sigconv: sliding 1d window: events of both rules within 1d of each other with the same Computer (adjacent events after sorting by time)
union
    (imProcessCreate | where TargetProcessCommandLine contains @"x" | extend sigconv_rule = @"a", sigconv_Computer = DvcHostname),
    (imNetworkSession | where DstPortNumber == 8082 | extend sigconv_rule = @"b", sigconv_Computer = DvcHostname)
| where isnotempty(sigconv_Computer)
| sort by sigconv_Computer asc, TimeGenerated asc
| extend sigconv_prev_rule = prev(sigconv_rule), sigconv_prev_time = prev(TimeGenerated), sigconv_prev_Computer = prev(sigconv_Computer)
| where sigconv_prev_Computer == sigconv_Computer and sigconv_prev_rule != sigconv_rule and isnotnull(sigconv_prev_time) and TimeGenerated - sigconv_prev_time <= 1d`},
	{"event_count", "defender-xdr", "type: event_count\n    rules: [a]\n    group-by: [Computer]\n    timespan: 10m\n    condition: {gt: 2.5}",
		`// sigconv: sliding 10m window: 3 events within 10m with the same Computer (each event and the one 2 before it, after sorting by time)
` + legA + ` | extend sigconv_rule = @"a", sigconv_Computer = DeviceName
| where isnotempty(sigconv_Computer)
| sort by sigconv_Computer asc, Timestamp asc
| extend sigconv_first_time = prev(Timestamp, 2), sigconv_first_Computer = prev(sigconv_Computer, 2)
| where sigconv_first_Computer == sigconv_Computer and isnotnull(sigconv_first_time) and Timestamp - sigconv_first_time <= 10m`},
	{"event_count without group-by", "sentinel-asim", "type: event_count\n    rules: [a]\n    timespan: 1h\n    condition: {gte: 100}",
		`// sigconv: sliding 1h window: 100 events within 1h (each event and the one 99 before it, after sorting by time)
imProcessCreate | where TargetProcessCommandLine contains @"x" | extend sigconv_rule = @"a"
| sort by TimeGenerated asc
| extend sigconv_first_time = prev(TimeGenerated, 99)
| where isnotnull(sigconv_first_time) and TimeGenerated - sigconv_first_time <= 1h`},
}

func TestSliding(t *testing.T) {
	for _, tc := range slidingCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := backendtest.Last(t, slidingConverter(t, tc.pipeline, "default"), correlationDoc(tc.corr))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// TestSlidingParse has Kusto.Language compile every sliding query, in
// the default and plain formats, under its pipeline's schema.
func TestSlidingParse(t *testing.T) {
	kqlcheck.Require(t)
	bySchema := map[string][]kqlcheck.Query{}
	for _, tc := range slidingCases {
		for _, format := range []string{"default", "plain"} {
			got, err := backendtest.Last(t, slidingConverter(t, tc.pipeline, format), correlationDoc(tc.corr))
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			s := schemaOf(tc.pipeline)
			bySchema[s] = append(bySchema[s], kqlcheck.Query{ID: tc.name + " " + format, Query: got})
		}
	}
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

// Shapes without an exact sliding form fail at their position and name
// the tumbling opt-in.
func TestSlidingRefused(t *testing.T) {
	cases := []struct{ name, corr, want string }{
		{"value_sum", "type: value_sum\n    rules: [b]\n    group-by: [Computer]\n    timespan: 10m\n    condition: {field: DestinationPort, gte: 10}",
			"case.yml:23:11: kql: a sliding window is rendered exactly only for temporal correlations of two rules and event_count correlations of one rule with a gt or gte condition; for this value_sum correlation use --correlation-method tumbling for fixed 10m windows"},
		{"event_count of two rules", "type: event_count\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 10m\n    condition: {gte: 10}",
			"case.yml:23:11: kql: a sliding event_count is rendered exactly only over one rule (an event several rules match would be counted once per rule); use --correlation-method tumbling"},
		{"event_count lt", "type: event_count\n    rules: [a]\n    group-by: [Computer]\n    timespan: 10m\n    condition: {lt: 10}",
			"case.yml:27:17: kql: a sliding event_count is rendered exactly only with one gt or gte condition"},
		{"temporal_ordered", "type: temporal_ordered\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m",
			"for this temporal_ordered correlation use --correlation-method tumbling"},
		{"one of two rules", "type: temporal\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {gte: 1}",
			"case.yml:27:17: kql: a sliding window is rendered exactly only for the condition \"both rules matched\"; use --correlation-method tumbling"},
		{"rule-name or", "type: temporal\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m\n    condition: a or b",
			"only for the condition \"both rules matched\""},
	}
	conv := slidingConverter(t, "defender-xdr", "default")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := backendtest.Last(t, conv, correlationDoc(tc.corr))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
