package spl_test

import (
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/backendtest"
)

const multisearchAB = `| multisearch
    [search source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational" EventCode=1 CommandLine="*x*" | eval sigconv_rule="a"%s]
    [search source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational" EventCode=3 DestinationPort=8082 | eval sigconv_rule="b"%s]`

// Expected queries were checked by hand against the Splunk pages cited in
// sliding.go: multisearch, where, sort, streamstats (current, window,
// global, last).
var slidingCases = []struct {
	name, corr, want string
}{
	{"temporal", "type: temporal\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m",
		"```sigconv: sliding 5m window: events of both rules within 5m of each other with the same Computer (adjacent events after sorting by time)```\n" +
			strings.ReplaceAll(multisearchAB, "%s", ", sigconv_Computer='Computer'") + `
| where isnotnull(sigconv_Computer) AND sigconv_Computer!=""
| sort 0 _time
| streamstats current=f window=1 global=f last(sigconv_rule) as sigconv_prev_rule last(_time) as sigconv_prev_time by sigconv_Computer
| where isnotnull(sigconv_prev_rule) AND sigconv_prev_rule!=sigconv_rule AND _time-sigconv_prev_time<=300`},
	{"without group-by", "type: temporal\n    rules: [a, b]\n    timespan: 1d\n    condition: a and b",
		"```sigconv: sliding 1d window: events of both rules within 1d of each other (adjacent events after sorting by time)```\n" +
			strings.ReplaceAll(multisearchAB, "%s", "") + `
| sort 0 _time
| streamstats current=f window=1 global=f last(sigconv_rule) as sigconv_prev_rule last(_time) as sigconv_prev_time
| where isnotnull(sigconv_prev_rule) AND sigconv_prev_rule!=sigconv_rule AND _time-sigconv_prev_time<=86400`},
	{"two group-by columns", "type: temporal\n    rules: [a, b]\n    group-by: [Computer, User]\n    timespan: 30s\n    condition: {gte: 2}",
		"```sigconv: sliding 30s window: events of both rules within 30s of each other with the same Computer, User (adjacent events after sorting by time)```\n" +
			strings.ReplaceAll(multisearchAB, "%s", ", sigconv_Computer='Computer', sigconv_User='User'") + `
| where isnotnull(sigconv_Computer) AND sigconv_Computer!="" AND isnotnull(sigconv_User) AND sigconv_User!=""
| sort 0 _time
| streamstats current=f window=1 global=f last(sigconv_rule) as sigconv_prev_rule last(_time) as sigconv_prev_time by sigconv_Computer sigconv_User
| where isnotnull(sigconv_prev_rule) AND sigconv_prev_rule!=sigconv_rule AND _time-sigconv_prev_time<=30`},
	{"event_count", "type: event_count\n    rules: [a]\n    group-by: [Computer]\n    timespan: 10m\n    condition: {gte: 3}",
		"```sigconv: sliding 10m window: 3 events within 10m with the same Computer (each event and the 2 before it, after sorting by time)```\n" + searchA + `
| eval sigconv_rule="a", sigconv_Computer='Computer'
| where isnotnull(sigconv_Computer) AND sigconv_Computer!=""
| sort 0 _time
| streamstats current=t window=3 global=f count as sigconv_count min(_time) as sigconv_first_time by sigconv_Computer
| where sigconv_count>=3 AND _time-sigconv_first_time<=600`},
}

func TestSliding(t *testing.T) {
	conv := splConverter(t, backends.Options{CorrelationMethod: "sliding"})
	for _, tc := range slidingCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := backendtest.Last(t, conv, correlationDoc(tc.corr))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// Shapes without an exact sliding form fail at their position and name
// the tumbling opt-in.
func TestSlidingRefused(t *testing.T) {
	cases := []struct{ name, corr, want string }{
		{"value_sum", "type: value_sum\n    rules: [b]\n    group-by: [Computer]\n    timespan: 1d\n    condition: {field: DestinationPort, lt: 100}",
			"spl: a sliding window is rendered exactly only for temporal correlations of two rules and event_count correlations of one rule with a gt or gte condition; for this value_sum correlation use --correlation-method tumbling for fixed 1d windows"},
		{"three rules", "type: temporal\n    rules: [a, b, 'we\"ird']\n    timespan: 5m",
			"this one has 3; use --correlation-method tumbling"},
		{"neq 2", "type: temporal\n    rules: [a, b]\n    timespan: 5m\n    condition: {neq: 2}",
			"only for the condition \"both rules matched\""},
		{"a and not b", "type: temporal\n    rules: [a, b]\n    timespan: 5m\n    condition: a and not b",
			"only for the condition \"both rules matched\""},
	}
	conv := splConverter(t, backends.Options{CorrelationMethod: "sliding"})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := backendtest.Last(t, conv, correlationDoc(tc.corr))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
