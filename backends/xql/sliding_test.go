package xql_test

import (
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/backendtest"
	"github.com/sigconv/sigconv/backends/xql"
)

const legB = `union (config case_sensitive = false | dataset = xdr_data | filter event_type = ENUM.NETWORK and agent_os_type = ENUM.AGENT_OS_WINDOWS and action_remote_port = 8082 | alter sigconv_rule = "b"`

// Expected queries were checked by hand against the XQL reference pages
// cited in sliding.go: windowcomp, row_number, lag, timestamp_diff,
// filter, to_string.
var slidingCases = []struct {
	name, corr, want string
}{
	{"temporal", "type: temporal\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m",
		`// sigconv: sliding 5m window: events of both rules within 5m of each other with the same Computer (adjacent events after sorting by time)
` + searchA + `, sigconv_Computer = agent_hostname | ` + legB + `, sigconv_Computer = agent_hostname)` +
			` | filter sigconv_Computer != null and to_string(sigconv_Computer) != ""` +
			` | windowcomp row_number() by sigconv_Computer sort asc _time as sigconv_n` +
			` | windowcomp lag(sigconv_rule) by sigconv_Computer sort asc sigconv_n as sigconv_prev_rule` +
			` | windowcomp lag(_time) by sigconv_Computer sort asc sigconv_n as sigconv_prev_time` +
			` | filter sigconv_prev_rule != null and sigconv_prev_rule != sigconv_rule and timestamp_diff(_time, sigconv_prev_time, "MICROSECOND") <= 300000000`},
	{"without group-by", "type: temporal\n    rules: [a, b]\n    timespan: 2s\n    condition: {eq: 2}",
		`// sigconv: sliding 2s window: events of both rules within 2s of each other (adjacent events after sorting by time)
` + searchA + ` | ` + legB + `)` +
			` | windowcomp row_number() sort asc _time as sigconv_n` +
			` | windowcomp lag(sigconv_rule) sort asc sigconv_n as sigconv_prev_rule` +
			` | windowcomp lag(_time) sort asc sigconv_n as sigconv_prev_time` +
			` | filter sigconv_prev_rule != null and sigconv_prev_rule != sigconv_rule and timestamp_diff(_time, sigconv_prev_time, "MICROSECOND") <= 2000000`},
	{"two group-by columns", "type: temporal\n    rules: [a, b]\n    group-by: [Computer, User]\n    timespan: 1h\n    condition: a and b",
		`// sigconv: sliding 1h window: events of both rules within 1h of each other with the same Computer, User (adjacent events after sorting by time)
` + searchA + `, sigconv_Computer = agent_hostname, sigconv_User = action_process_username | ` + legB + `, sigconv_Computer = agent_hostname, sigconv_User = actor_effective_username)` +
			` | filter sigconv_Computer != null and to_string(sigconv_Computer) != "" and sigconv_User != null and to_string(sigconv_User) != ""` +
			` | windowcomp row_number() by sigconv_Computer, sigconv_User sort asc _time as sigconv_n` +
			` | windowcomp lag(sigconv_rule) by sigconv_Computer, sigconv_User sort asc sigconv_n as sigconv_prev_rule` +
			` | windowcomp lag(_time) by sigconv_Computer, sigconv_User sort asc sigconv_n as sigconv_prev_time` +
			` | filter sigconv_prev_rule != null and sigconv_prev_rule != sigconv_rule and timestamp_diff(_time, sigconv_prev_time, "MICROSECOND") <= 3600000000`},
	{"event_count", "type: event_count\n    rules: [a]\n    group-by: [Computer]\n    timespan: 10m\n    condition: {gte: 3}",
		`// sigconv: sliding 10m window: 3 events within 10m with the same Computer (each event and the 2 before it, after sorting by time)
` + searchA + `, sigconv_Computer = agent_hostname` +
			` | filter sigconv_Computer != null and to_string(sigconv_Computer) != ""` +
			` | windowcomp row_number() by sigconv_Computer sort asc _time as sigconv_n` +
			` | windowcomp first_value(_time) by sigconv_Computer sort asc sigconv_n between -2 and 0 as sigconv_first_time` +
			` | filter sigconv_n >= 3 and timestamp_diff(_time, sigconv_first_time, "MICROSECOND") <= 600000000`},
}

func slidingConverter(t *testing.T) *backends.Converter {
	t.Helper()
	conv, err := backends.NewConverter(xql.New(), backends.Options{Format: "plain"})
	if err != nil {
		t.Fatal(err)
	}
	return conv
}

func TestSliding(t *testing.T) {
	conv := slidingConverter(t)
	for _, tc := range slidingCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := backendtest.Last(t, conv, correlationDoc(tc.corr))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// Shapes without an exact sliding form fail at their position and name
// the tumbling opt-in.
func TestSlidingRefused(t *testing.T) {
	cases := []struct{ name, corr, want string }{
		{"value_count", "type: value_count\n    rules: [a]\n    group-by: [Computer]\n    timespan: 1h\n    condition: {field: User, gt: 3}",
			"xql: a sliding window is rendered exactly only for temporal correlations of two rules and event_count correlations of one rule with a gt or gte condition; for this value_count correlation use --correlation-method tumbling for fixed 1h windows"},
		{"three rules", "type: temporal\n    rules: [a, b, a2]\n    group-by: [Computer]\n    timespan: 5m",
			"xql: a sliding window is rendered exactly only for temporal correlations of two rules; this one has 3; use --correlation-method tumbling"},
		{"lte 1", "type: temporal\n    rules: [a, b]\n    timespan: 5m\n    condition: {lte: 1}",
			"only for the condition \"both rules matched\""},
		{"names differ in case only", "type: temporal\n    rules: [a, A]\n    timespan: 5m",
			"xql: rules \"a\" and \"A\" differ only in case"},
	}
	extra := "title: rule a2\nname: a2\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    sel:\n        CommandLine|contains: 'y'\n    condition: sel\n---\ntitle: rule A\nname: A\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    sel:\n        CommandLine|contains: 'z'\n    condition: sel\n---\n"
	conv := slidingConverter(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := backendtest.Last(t, conv, extra+correlationDoc(tc.corr))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
