package eval_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sigconv/sigconv/eval"
	"github.com/sigconv/sigconv/sigma"
)

// corrRules are rules a (a pipe command line) and b (a loopback
// connection), then the correlation under test.
const corrRules = `title: a
name: a
logsource: {category: process_creation, product: windows}
detection:
    sel: {CommandLine|contains: pipe}
    condition: sel
---
title: b
name: b
logsource: {category: network_connection, product: windows}
detection:
    sel: {DestinationPort: 8082}
    condition: sel
---
title: both
`

func correlation(t *testing.T, body string) *eval.CorrelationMatcher {
	t.Helper()
	m, err := correlationErr(t, body)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func correlationErr(t *testing.T, body string) (*eval.CorrelationMatcher, error) {
	t.Helper()
	f := sigma.ParseFile("c.yml", []byte(corrRules+"correlation:\n"+body))
	if err := f.Diags.Err(); err != nil {
		t.Fatalf("parse: %v", err)
	}
	byName := map[string]*sigma.Rule{}
	var corr *sigma.Correlation
	for _, d := range f.Documents {
		switch d := d.(type) {
		case *sigma.Rule:
			byName[d.Name] = d
		case *sigma.Correlation:
			corr = d
		}
	}
	var rules []*sigma.Rule
	for _, r := range corr.Rules {
		rules = append(rules, byName[r.Ref])
	}
	return eval.NewCorrelation(corr, rules, eval.Options{})
}

// at builds a timed event: the time as "15:04:05" on one day, the event as
// JSON.
func at(t *testing.T, clock, js string) eval.TimedEvent {
	t.Helper()
	tm, err := time.Parse(time.DateTime, "2025-08-22 "+clock)
	if err != nil {
		t.Fatal(err)
	}
	return eval.TimedEvent{Time: tm, Event: event(t, js)}
}

const (
	pipeH1 = `{"CommandLine": "x pipe", "Computer": "h1", "User": "u1"}`
	loopH1 = `{"DestinationPort": 8082, "Computer": "h1", "User": "u1"}`
	loopH2 = `{"DestinationPort": 8082, "Computer": "h2", "User": "u2"}`
	both   = `{"CommandLine": "pipe", "DestinationPort": 8082, "Computer": "h1"}`
)

func TestCorrelationSliding(t *testing.T) {
	temporal := "    type: temporal\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m\n"
	cases := []struct {
		name, corr string
		events     [][2]string // clock, event
		want       bool
	}{
		{"60 s apart across a 5-minute boundary", temporal, [][2]string{{"10:04:30", pipeH1}, {"10:05:30", loopH1}}, true},
		{"reverse order", temporal, [][2]string{{"10:04:30", loopH1}, {"10:05:30", pipeH1}}, true},
		{"exactly the timespan apart", temporal, [][2]string{{"10:00:00", pipeH1}, {"10:05:00", loopH1}}, true},
		{"one second more", temporal, [][2]string{{"10:00:00", pipeH1}, {"10:05:01", loopH1}}, false},
		{"6 minutes apart", temporal, [][2]string{{"10:00:00", pipeH1}, {"10:06:00", loopH1}}, false},
		{"two hosts", temporal, [][2]string{{"10:00:00", pipeH1}, {"10:00:10", loopH2}}, false},
		{"one rule twice", temporal, [][2]string{{"10:00:00", pipeH1}, {"10:00:10", pipeH1}}, false},
		{"one event matching both rules", temporal, [][2]string{{"10:00:00", both}}, true},
		{"empty group value", temporal, [][2]string{{"10:00:00", `{"CommandLine": "pipe", "Computer": ""}`}, {"10:00:01", `{"DestinationPort": 8082, "Computer": ""}`}}, false},
		{"missing group value", temporal, [][2]string{{"10:00:00", `{"CommandLine": "pipe"}`}, {"10:00:01", `{"DestinationPort": 8082}`}}, false},
		{"pair hidden behind others", temporal, [][2]string{{"10:00:00", pipeH1}, {"10:03:00", loopH2}, {"10:04:00", pipeH1}, {"10:08:59", loopH1}}, true},
		{"without group-by", "    type: temporal\n    rules: [a, b]\n    timespan: 1m\n", [][2]string{{"10:00:00", pipeH1}, {"10:00:30", loopH2}}, true},
		{"alias", "    type: temporal\n    rules: [a, b]\n    group-by: [who]\n    timespan: 1m\n    aliases:\n        who:\n            a: User\n            b: Computer\n",
			[][2]string{{"10:00:00", `{"CommandLine": "pipe", "User": "h9"}`}, {"10:00:30", `{"DestinationPort": 8082, "Computer": "h9"}`}}, true},
		{"rule-name condition", "    type: temporal\n    rules: [a, b]\n    timespan: 1m\n    condition: a and b\n", [][2]string{{"10:00:00", pipeH1}, {"10:00:30", loopH1}}, true},
		{"ordered, in order", "    type: temporal_ordered\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m\n", [][2]string{{"10:00:00", pipeH1}, {"10:01:00", loopH1}}, true},
		{"ordered, out of order", "    type: temporal_ordered\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m\n", [][2]string{{"10:00:00", loopH1}, {"10:01:00", pipeH1}}, false},
		{"ordered, same time", "    type: temporal_ordered\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 5m\n", [][2]string{{"10:00:00", loopH1}, {"10:00:00", pipeH1}}, false},
		{"event_count in a sliding window", "    type: event_count\n    rules: [a]\n    group-by: [Computer]\n    timespan: 1m\n    condition: {gte: 3}\n",
			[][2]string{{"10:00:40", pipeH1}, {"10:01:00", pipeH1}, {"10:01:30", pipeH1}}, true},
		{"event_count spread out", "    type: event_count\n    rules: [a]\n    group-by: [Computer]\n    timespan: 1m\n    condition: {gte: 3}\n",
			[][2]string{{"10:00:00", pipeH1}, {"10:00:50", pipeH1}, {"10:01:30", pipeH1}}, false},
		{"event_count counts an event once", "    type: event_count\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 1m\n    condition: {gte: 2}\n",
			[][2]string{{"10:00:00", both}}, false},
		{"value_count", "    type: value_count\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 1m\n    condition: {field: User, gt: 1}\n",
			[][2]string{{"10:00:00", pipeH1}, {"10:00:10", `{"DestinationPort": 8082, "Computer": "h1", "User": "u3"}`}}, true},
		{"value_count ignores empty values", "    type: value_count\n    rules: [a, b]\n    group-by: [Computer]\n    timespan: 1m\n    condition: {field: User, gt: 1}\n",
			[][2]string{{"10:00:00", pipeH1}, {"10:00:10", `{"DestinationPort": 8082, "Computer": "h1", "User": ""}`}}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := correlation(t, tc.corr)
			var evs []eval.TimedEvent
			for _, e := range tc.events {
				evs = append(evs, at(t, e[0], e[1]))
			}
			if got := m.Match(evs); got != tc.want {
				t.Errorf("Match = %v, want %v", got, tc.want)
			}
		})
	}
}

// Conditions that more events can make false have no single sliding
// meaning; the matcher refuses them rather than pick one.
func TestCorrelationRefused(t *testing.T) {
	cases := []struct{ corr, want string }{
		{"    type: event_count\n    rules: [a]\n    timespan: 1m\n    condition: {lt: 3}\n", "c.yml:20:17: the reference matcher does not evaluate condition lt"},
		{"    type: temporal\n    rules: [a, b]\n    timespan: 1m\n    condition: a and not b\n", "a temporal condition that more matched rules can make false"},
		{"    type: value_sum\n    rules: [a]\n    timespan: 1m\n    condition: {field: X, gt: 3}\n", "correlation type value_sum"},
	}
	for _, tc := range cases {
		_, err := correlationErr(t, tc.corr)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.corr, err, tc.want)
		}
	}
}
