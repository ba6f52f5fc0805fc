package sigma

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/sigconv/sigconv/sigma/cond"
)

const multiDoc = `title: Failed logon
id: 929a690e-bef0-4204-a928-ef5e620d6fcc
name: failed_logon
status: test
date: 2024/01/02
modified: 2024-03-04
tags: [attack.t1110, d3fend.d3f-WindowsNtOpenFile]
logsource:
    product: windows
    service: security
    x_custom: 1
detection:
    selection:
        EventID: 4625
    condition: "selection"
level: Medium
simulation:
    - type: atomic-red-team
      name: x
---
title: Many failed logons
correlation:
    type: value_count
    rules:
        - failed_logon
    group-by: [TargetUserName]
    timespan: 1h
    condition:
        gte: 10
        field: IpAddress
    aliases:
        user:
            failed_logon: TargetUserName
generate: true
---
title: Ignore admin
logsource:
    product: windows
filter:
    rules: any
    admin:
        TargetUserName: admin
    condition: not admin
`

func TestMultiDocument(t *testing.T) {
	f := ParseFile("m.yml", []byte(multiDoc))
	if f.Diags.HasErrors() {
		t.Fatal(f.Diags)
	}
	if len(f.Documents) != 3 {
		t.Fatalf("%d documents", len(f.Documents))
	}
	checkWarning(t, f, "Sigma 1 format")
	r := f.Documents[0].(*Rule)
	if r.Date != "2024-01-02" || r.Modified != "2024-03-04" || r.Level != "medium" || r.Status != "test" {
		t.Errorf("meta: %q %q %q %q", r.Date, r.Modified, r.Level, r.Status)
	}
	if r.Detection.Conditions[0].Pos != (Pos{Line: 15, Column: 17}) {
		t.Errorf("condition pos %s", r.Detection.Conditions[0].Pos)
	}
	if _, ok := r.Detection.Conditions[0].Expr.(*cond.Ident); !ok {
		t.Errorf("condition expr %T", r.Detection.Conditions[0].Expr)
	}
	wantCustom := []KeyValue{{Key: "type", Value: "atomic-red-team"}, {Key: "name", Value: "x"}}
	v, _ := r.CustomValue("simulation")
	if d := cmp.Diff([]any{wantCustom}, v); d != "" {
		t.Errorf("custom: %s", d)
	}
	if d := cmp.Diff([]KeyValue{{Key: "x_custom", Value: int64(1)}}, r.LogSource.Custom); d != "" {
		t.Errorf("logsource custom: %s", d)
	}
	if r.PosOf("level") != (Pos{Line: 16, Column: 1}) {
		t.Errorf("level key pos %s", r.PosOf("level"))
	}

	c := f.Documents[1].(*Correlation)
	want := &Correlation{
		Type: "value_count", Rules: []RuleRef{{Ref: "failed_logon", Pos: Pos{Line: 25, Column: 11}}},
		GroupBy: []string{"TargetUserName"}, Timespan: time.Hour, TimespanText: "1h",
		Condition:    []CorrelationCondition{{Op: "gte", Value: 10, Pos: Pos{Line: 29, Column: 9}}},
		ConditionPos: Pos{Line: 29, Column: 9},
		Field:        "IpAddress", Fields: []string{"IpAddress"}, Generate: true, TypePos: Pos{Line: 23, Column: 11},
		Aliases: []Alias{{Name: "user", Pos: Pos{Line: 32, Column: 9}, Fields: []KeyValueString{{Key: "failed_logon", Value: "TargetUserName", Pos: Pos{Line: 33, Column: 13}}}}},
	}
	if d := cmp.Diff(want, c, cmpopts.IgnoreFields(Correlation{}, "Meta")); d != "" {
		t.Errorf("correlation (-want +got):\n%s", d)
	}

	fl := f.Documents[2].(*Filter)
	if !fl.AnyRule || len(fl.Detection.Searches) != 1 || fl.LogSource.Product != "windows" {
		t.Errorf("filter: %+v", fl)
	}
}

func TestTimespan(t *testing.T) {
	for in, want := range map[string]time.Duration{"30s": 30 * time.Second, "5m": 5 * time.Minute, "1d": 24 * time.Hour, "2w": 14 * 24 * time.Hour} {
		if got, err := parseTimespan(in); err != nil || got != want {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	for _, in := range []string{"", "5", "1H", "1.5h", "-1m", "m", "99999999999999999999d", "9999999999999d"} {
		if _, err := parseTimespan(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestTemporalStringCondition(t *testing.T) {
	src := corrHdr + "    type: temporal\n    group-by: [u]\n    timespan: 5m\n    condition: a and not b\n"
	f := ParseFile("t.yml", []byte(src))
	if f.Diags.HasErrors() {
		t.Fatal(f.Diags)
	}
	c := f.Documents[0].(*Correlation)
	if len(c.Rules) != 2 || c.Rules[1].Ref != "b" || c.ConditionExpr == nil {
		t.Errorf("%+v", c)
	}
}

func TestUnquotedDate(t *testing.T) {
	f := ParseFile("d.yml", []byte("date: 2019-10-23\nmodified: '2020-01-01'\n"+rule("sel: [x]", "condition: sel")))
	if f.Diags.HasErrors() {
		t.Fatal(f.Diags)
	}
	if r := f.Documents[0].(*Rule); r.Date != "2019-10-23" || r.Modified != "2020-01-01" {
		t.Errorf("%q %q", r.Date, r.Modified)
	}
}

func TestPanicRecovered(t *testing.T) {
	// A nil data slice and odd inputs must give diagnostics, not panics.
	for _, src := range []string{"", "---\n---\n", "~", "[]", "title: t\ncorrelation: x\n", "title: t\nfilter: [x]\n"} {
		f := ParseFile("p.yml", []byte(src))
		if !f.Diags.HasErrors() {
			t.Errorf("%q: no error", src)
		}
	}
}
