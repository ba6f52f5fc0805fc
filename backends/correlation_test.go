package backends_test

import (
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/backendtest"
	"github.com/sigconv/sigconv/pipeline"
)

func converter(t *testing.T, target string, opt backends.Options) *backends.Converter {
	t.Helper()
	b, err := backends.Lookup(target)
	if err != nil {
		t.Fatal(err)
	}
	conv, err := backends.NewConverter(b, opt)
	if err != nil {
		t.Fatal(err)
	}
	return conv
}

// Target-independent refusals of correlation conditions, on every target
// and method: a condition only an empty group satisfies never fires (no
// target returns a row for a group without events), and a
// value_percentile without percentile names no percentile.
func TestCorrelationConditionRefused(t *testing.T) {
	cases := []struct{ name, corr, want string }{
		{"event_count lt 1", "type: event_count\n    rules: [a]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {lt: 1}",
			"case.yml:27:17: the condition holds only for a group without events"},
		{"value_count eq 0", "type: value_count\n    rules: [a]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {field: User, eq: 0}",
			"case.yml:27:30: the condition holds only for a group without events"},
		{"temporal lte 0", "type: temporal\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {lte: 0}",
			"holds only for a group without events"},
		{"range without integers", "type: event_count\n    rules: [a]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {gt: 1, lt: 2}",
			"holds only for a group without events"},
		// The specification's own example has no percentile key.
		{"percentile missing", "type: value_percentile\n    rules: [b]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {field: DestinationPort, gte: 1}",
			"case.yml:27:16: value_percentile needs a percentile key in its condition"},
	}
	for _, target := range []string{"xql", "kql", "spl"} {
		for _, method := range []string{"sliding", "tumbling"} {
			conv := converter(t, target, backends.Options{CorrelationMethod: method})
			for _, tc := range cases {
				t.Run(target+" "+method+" "+tc.name, func(t *testing.T) {
					_, err := backendtest.Last(t, conv, backendtest.CorrelationRules+"title: corr\ncorrelation:\n    "+tc.corr+"\n")
					if err == nil || !strings.Contains(err.Error(), tc.want) {
						t.Fatalf("err = %v, want %q", err, tc.want)
					}
				})
			}
		}
	}
}

// Conditions a group with events can satisfy convert (tumbling), and
// the condition field may be written as a string, as the specification's
// examples do.
func TestCorrelationConditionAccepted(t *testing.T) {
	for _, corr := range []string{
		"type: event_count\n    rules: [a]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {lt: 3}",
		"type: event_count\n    rules: [a]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {gt: 1, lt: 3}",
		"type: value_count\n    rules: [a]\n    group-by: [Computer]\n    timespan: 5m\n    condition:\n        field: User\n        gte: 2",
	} {
		for _, target := range []string{"xql", "kql", "spl"} {
			conv := converter(t, target, backends.Options{CorrelationMethod: "tumbling"})
			if _, err := backendtest.Last(t, conv, backendtest.CorrelationRules+"title: corr\ncorrelation:\n    "+corr+"\n"); err != nil {
				t.Errorf("%s: %q: %v", target, corr, err)
			}
		}
	}
}

// A value field named by an alias is each rule's aliased field, with or
// without a pipeline; the alias name itself is never used as a field.
func TestCorrelationValueFieldAlias(t *testing.T) {
	corr := backendtest.CorrelationRules + "title: corr\ncorrelation:\n    type: value_count\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {field: who, gte: 2}\n    aliases:\n        who:\n            a: User\n            b: SourceUser\n"
	got, err := backendtest.Last(t, converter(t, "spl", backends.Options{CorrelationMethod: "tumbling", WithoutPipeline: true}), corr)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`sigconv_rule="a", sigconv_Computer='Computer', sigconv_value='User'`, `sigconv_rule="b", sigconv_Computer='Computer', sigconv_value='SourceUser'`} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "'who'") {
		t.Errorf("the alias name is used as a field:\n%s", got)
	}
}

// A referenced rule that fails fails the correlation once, at the
// correlation's reference to it, naming both; the rule's own message is
// kept.
func TestCorrelationRuleFails(t *testing.T) {
	doc := backendtest.CorrelationRules + "title: rule k\nname: k\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    keywords:\n        - evil\n    condition: keywords\n---\ntitle: corr\nname: c\ncorrelation:\n    type: temporal\n    rules: [a, k]\n    group-by: [Computer]\n    timespan: 5m\n"
	_, err := backendtest.Last(t, converter(t, "xql", backends.Options{}), doc)
	want := "case.yml:35:16: correlation c: rule k fails: case.yml:28:11: xql: keyword search"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("err = %v, want prefix %q", err, want)
	}
}

// Scheduled formats search a range not aligned to the windows: only
// conditions that a partial window cannot satisfy falsely are accepted.
func TestCorrelationScheduled(t *testing.T) {
	formats := []struct{ target, pipeline, format string }{
		{"kql", "sentinel-asim", "sentinel-rule"},
		{"spl", "", "savedsearches"},
		{"spl", "", "es-correlation"},
		{"xql", "", "xsiam-correlation"},
	}
	cases := []struct{ corr, want string }{
		{"type: event_count\n    rules: [a]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {lt: 3}", "case.yml:29:17: "},
		{"type: event_count\n    rules: [a]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {gte: 1, lte: 3}", "condition lte could hold on such a part alone"},
		{"type: value_avg\n    rules: [b]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {field: DestinationPort, gte: 3}", "a value_avg condition could hold"},
		{"type: value_sum\n    rules: [b]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {field: DestinationPort, gte: 3}", "a value_sum condition could hold"},
		{"type: temporal\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m\n    condition: a and not b", "a condition over rule names that more matched rules can make false"},
		{"type: event_count\n    rules: [a]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {gte: 3}", ""},
		{"type: temporal\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m", ""},
	}
	for _, f := range formats {
		opt := backends.Options{Format: f.format, CorrelationMethod: "tumbling"}
		if f.pipeline != "" {
			opt.Pipelines = []string{f.pipeline}
		}
		conv := converter(t, f.target, opt)
		for _, tc := range cases {
			doc := backendtest.CorrelationRules + "title: corr\nid: 0e5a6b8e-0000-4000-8000-000000000001\ndescription: d\ncorrelation:\n    " + tc.corr + "\n"
			_, err := backendtest.Last(t, conv, doc)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("%s %s: %q: %v", f.target, f.format, tc.corr, err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "runs on a schedule")):
				t.Errorf("%s %s: %q: err = %v, want %q", f.target, f.format, tc.corr, err, tc.want)
			}
		}
	}
	// The query formats take every condition.
	if _, err := backendtest.Last(t, converter(t, "spl", backends.Options{CorrelationMethod: "tumbling"}), backendtest.CorrelationRules+"title: corr\ncorrelation:\n    "+cases[0].corr+"\n"); err != nil {
		t.Errorf("default format: %v", err)
	}
}

// An event two rules reading the same table match is one row in each
// rule's leg: the tumbling event_count and value_* forms would count it
// twice, so such correlations are refused at the second rule's
// reference; rules on different tables (or SPL sources) convert.
func TestCorrelationSharedEvents(t *testing.T) {
	a2 := "title: rule a2\nname: a2\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    sel:\n        CommandLine|contains: 'y'\n    condition: sel\n---\n"
	channels := pipeline.MustLoad("channels.yml", []byte("name: channels\ntransformations:\n  - type: set_state\n    key: spl.channel\n    val: A\n    rule_conditions:\n      - {type: logsource, category: process_creation}\n  - type: set_state\n    key: spl.channel\n    val: B\n    rule_conditions:\n      - {type: logsource, category: network_connection}\n"))
	cases := []struct{ target, corr, want string }{
		{"kql", "type: event_count\n    rules: [a, a2]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {gte: 2}", "case.yml:34:16: event_count: rules a and a2 both read table DeviceProcessEvents, so an event both match would be counted twice"},
		{"xql", "type: value_sum\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {field: DestinationPort, gte: 2}", "case.yml:34:16: value_sum: rules a and b both read table xdr_data"},
		{"spl", "type: value_avg\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {field: DestinationPort, gte: 2}", "case.yml:34:16: value_avg: rules a and b may read the same events"},
		{"spl channels", "type: event_count\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {gte: 2}", ""},
		{"kql", "type: value_percentile\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {field: n, percentile: 100, gte: 2}\n    aliases:\n        n:\n            a: ProcessId\n            b: DestinationPort", ""},
		// Distinct counts and rule counts are not changed by a repeated row.
		{"xql", "type: value_count\n    rules: [a, a2]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {field: User, gte: 2}", ""},
		{"spl", "type: temporal\n    rules: [a, a2]\n    group-by: [Computer]\n    timespan: 5m", ""},
	}
	for _, tc := range cases {
		opt := backends.Options{CorrelationMethod: "tumbling"}
		target := tc.target
		if target == "spl channels" {
			// Rules a and b read two sources: different events.
			target, opt.WithoutPipeline, opt.Extra = "spl", true, []*pipeline.Pipeline{channels}
		}
		conv := converter(t, target, opt)
		_, err := backendtest.Last(t, conv, a2+backendtest.CorrelationRules+"title: corr\ncorrelation:\n    "+tc.corr+"\n")
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s %q: %v", tc.target, tc.corr, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s %q: err = %v, want %q", tc.target, tc.corr, err, tc.want)
		}
	}
}
