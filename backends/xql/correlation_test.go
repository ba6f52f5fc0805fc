package xql_test

import (
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/backendtest"
	"github.com/sigconv/sigconv/backends/xql"
)

func xqlConverter(t *testing.T) *backends.Converter {
	t.Helper()
	conv, err := backends.NewConverter(xql.New(), backends.Options{Format: "plain", CorrelationMethod: "tumbling"})
	if err != nil {
		t.Fatal(err)
	}
	return conv
}

// The search part shared by every case: both rules tagged and unioned.
const searchA = `config case_sensitive = false | dataset = xdr_data | filter event_type = ENUM.PROCESS and event_sub_type = ENUM.PROCESS_START and agent_os_type = ENUM.AGENT_OS_WINDOWS and action_process_image_command_line contains "x" | alter sigconv_rule = "a"`

// Expected queries were checked by hand against the XQL reference pages
// for union, alter, bin, comp (count, values, sum, avg, min, max),
// array_length and filter.
var correlationCases = []struct {
	name, corr, want string
}{
	{"event_count", "type: event_count\n    rules: [a]\n    group-by: [Computer]\n    timespan: 10m\n    condition: {gte: 10}",
		searchA + `, sigconv_Computer = agent_hostname | filter sigconv_Computer != null and to_string(sigconv_Computer) != "" | bin _time span = 10m | comp count() as event_count by _time, sigconv_Computer | filter event_count >= 10`},
	{"value_count", "type: value_count\n    rules: [a]\n    group-by: [Computer]\n    timespan: 1h\n    condition: {field: User, gt: 3}",
		searchA + `, sigconv_Computer = agent_hostname, sigconv_value = action_process_username | filter sigconv_Computer != null and to_string(sigconv_Computer) != "" | bin _time span = 1h | alter sigconv_value = if(sigconv_value != null, to_string(sigconv_value), "") | comp values(sigconv_value) as sigconv_values by _time, sigconv_Computer | alter value_count = array_length(arrayfilter(sigconv_values, "@element" != "")) | filter value_count > 3`},
	{"value_sum", "type: value_sum\n    rules: [b]\n    group-by: [Computer]\n    timespan: 1d\n    condition: {field: DestinationPort, lt: 100}",
		`config case_sensitive = false | dataset = xdr_data | filter event_type = ENUM.NETWORK and agent_os_type = ENUM.AGENT_OS_WINDOWS and action_remote_port = 8082 | alter sigconv_rule = "b", sigconv_Computer = agent_hostname, sigconv_value = action_remote_port | filter sigconv_Computer != null and to_string(sigconv_Computer) != "" | bin _time span = 1d | comp sum(sigconv_value) as value_sum by _time, sigconv_Computer | filter value_sum < 100`},
	{"value_avg range", "type: value_avg\n    rules: [b]\n    group-by: [Computer]\n    timespan: 30s\n    condition: {field: DestinationPort, gt: 1, lte: 5}",
		`config case_sensitive = false | dataset = xdr_data | filter event_type = ENUM.NETWORK and agent_os_type = ENUM.AGENT_OS_WINDOWS and action_remote_port = 8082 | alter sigconv_rule = "b", sigconv_Computer = agent_hostname, sigconv_value = action_remote_port | filter sigconv_Computer != null and to_string(sigconv_Computer) != "" | bin _time span = 30s | comp avg(sigconv_value) as value_avg by _time, sigconv_Computer | filter value_avg > 1 and value_avg <= 5`},
	{"temporal", "type: temporal\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m",
		searchA + `, sigconv_Computer = agent_hostname | union (config case_sensitive = false | dataset = xdr_data | filter event_type = ENUM.NETWORK and agent_os_type = ENUM.AGENT_OS_WINDOWS and action_remote_port = 8082 | alter sigconv_rule = "b", sigconv_Computer = agent_hostname) | filter sigconv_Computer != null and to_string(sigconv_Computer) != "" | bin _time span = 5m | comp values(sigconv_rule) as sigconv_rules by _time, sigconv_Computer | alter rule_count = array_length(sigconv_rules) | filter rule_count >= 2`},
	{"temporal_ordered", "type: temporal_ordered\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m",
		searchA + `, sigconv_Computer = agent_hostname, sigconv_time_1 = _time | union (config case_sensitive = false | dataset = xdr_data | filter event_type = ENUM.NETWORK and agent_os_type = ENUM.AGENT_OS_WINDOWS and action_remote_port = 8082 | alter sigconv_rule = "b", sigconv_Computer = agent_hostname, sigconv_time_2 = _time) | filter sigconv_Computer != null and to_string(sigconv_Computer) != "" | bin _time span = 5m | comp values(sigconv_rule) as sigconv_rules, min(sigconv_time_1) as sigconv_first, max(sigconv_time_2) as sigconv_last by _time, sigconv_Computer | alter rule_count = array_length(sigconv_rules) | filter rule_count >= 2 and sigconv_first < sigconv_last`},
	{"alias", "type: temporal\n    rules: [a, b]\n    group-by: [host]\n    timespan: 5m\n    aliases:\n        host:\n            a: Computer\n            b: Computer",
		searchA + `, sigconv_host = agent_hostname | union (config case_sensitive = false | dataset = xdr_data | filter event_type = ENUM.NETWORK and agent_os_type = ENUM.AGENT_OS_WINDOWS and action_remote_port = 8082 | alter sigconv_rule = "b", sigconv_host = agent_hostname) | filter sigconv_host != null and to_string(sigconv_host) != "" | bin _time span = 5m | comp values(sigconv_rule) as sigconv_rules by _time, sigconv_host | alter rule_count = array_length(sigconv_rules) | filter rule_count >= 2`},
}

func correlationDoc(body string) string {
	return backendtest.CorrelationRules + "title: corr\ncorrelation:\n    " + body + "\n"
}

func TestCorrelationTypes(t *testing.T) {
	conv := xqlConverter(t)
	for _, tc := range correlationCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := backendtest.Last(t, conv, correlationDoc(tc.corr))
			if err != nil {
				t.Fatal(err)
			}
			const note = "// sigconv: tumbling "
			first, rest, _ := strings.Cut(got, "\n")
			if !strings.HasPrefix(first, note) {
				t.Errorf("missing window note: %q", first)
			}
			if rest != tc.want {
				t.Errorf("got  %s\nwant %s", rest, tc.want)
			}
		})
	}
}

func TestCorrelationErrors(t *testing.T) {
	conv := xqlConverter(t)
	cases := []struct{ name, corr, want string }{
		{"percentile", "type: value_percentile\n    rules: [b]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {field: DestinationPort, percentile: 95, gte: 1}", "no exact XQL aggregate"},
		{"rule-name condition", "type: temporal\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m\n    condition: a and not b", "temporal condition over rule names is not supported"},
		{"unmappable group-by", "type: event_count\n    rules: [a]\n    group-by: [NoSuchField]\n    timespan: 5m\n    condition: {gte: 1}", `case.yml:22:1: field "NoSuchField" of rule a cannot be used by the correlation`},
		{"alias without every rule", "type: temporal\n    rules: [a, b]\n    group-by: [host]\n    timespan: 5m\n    aliases:\n        host:\n            a: Computer", `alias "host" has no field for rule "b"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := backendtest.Last(t, conv, correlationDoc(tc.corr))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
