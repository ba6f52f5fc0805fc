package spl_test

import (
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/pipeline"
)

const procRule = `title: t
logsource:
    category: process_creation
    product: windows
detection:
    sel:
        CommandLine|contains: 'x'
    condition: sel
`

// The source naming comes from pipeline state, so a user pipeline with a
// higher priority changes it without copying the built-in one.
func TestSourceOverride(t *testing.T) {
	got, err := convertRule(t, procRule, backends.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := `source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational" EventCode=1 CommandLine="*x*"`
	if got != want {
		t.Errorf("default:\ngot  %s\nwant %s", got, want)
	}
	// The prefix may be written with or without its colon (the README
	// writes 'WinEventLog:'); both give one colon.
	for _, prefix := range []string{"WinEventLog", "'WinEventLog:'"} {
		user, err := pipeline.Load("mine.yml", []byte(`name: mine
priority: 60
transformations:
  - {type: set_state, key: spl.source_prefix, val: `+prefix+`}
  - {type: set_state, key: spl.index, val: sysmon}
`))
		if err != nil {
			t.Fatal(err)
		}
		got, err = convertRule(t, procRule, backends.Options{Extra: []*pipeline.Pipeline{user}})
		if err != nil {
			t.Fatal(err)
		}
		want = `index=sysmon source="WinEventLog:Microsoft-Windows-Sysmon/Operational" EventCode=1 CommandLine="*x*"`
		if got != want {
			t.Errorf("override %s:\ngot  %s\nwant %s", prefix, got, want)
		}
	}
}

func TestPipelines(t *testing.T) {
	cases := []struct {
		name, rule string
		opt        backends.Options
		want       string // the output, or a substring of the error
		fails      bool
	}{
		{"sysmon registry_event lists its codes", strings.Replace(procRule, "process_creation", "registry_event", 1), backends.Options{},
			`source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational" EventCode IN (12, 13, 14) CommandLine="*x*"`, false},
		{"sysmon refuses other logsources", strings.Replace(procRule, "category: process_creation", "service: security", 1), backends.Options{},
			"case.yml:3:5: Sysmon has no events for this logsource", true},
		{"windows-security 4688", procRule, backends.Options{Pipelines: []string{"windows-security"}},
			`source="XmlWinEventLog:Security" EventCode=4688 CommandLine="*x*"`, false},
		{"windows-security unmapped field", strings.Replace(procRule, "CommandLine|contains", "ProcessId", 1), backends.Options{Pipelines: []string{"windows-security"}},
			`case.yml:7:20: event 4688 has no field with this meaning: field "ProcessId"`, true},
		{"cim tstats", procRule, backends.Options{Pipelines: []string{"cim"}},
			"| tstats summariesonly=false allow_old_summaries=true fillnull_value=\"unknown\" count min(_time) AS firstTime max(_time) AS lastTime from datamodel=Endpoint.Processes where Processes.process=\"*x*\" by Processes.process\n| rename \"Processes.*\" AS \"*\"\n| convert ctime(firstTime) ctime(lastTime)", false},
		{"cim unmapped field", strings.Replace(procRule, "CommandLine|contains", "Company", 1), backends.Options{Pipelines: []string{"cim"}},
			`case.yml:7:18: the CIM data model has no field with this meaning: field "Company"`, true},
		{"cim regex uses the datamodel command", strings.Replace(procRule, "CommandLine|contains", "CommandLine|re", 1), backends.Options{Pipelines: []string{"cim"}},
			"| datamodel Endpoint Processes search\n| where match('Processes.process', \"x\")\n| rename \"Processes.*\" AS \"*\"", false},
		{"cim logsource", strings.Replace(procRule, "process_creation", "pipe_created", 1), backends.Options{Pipelines: []string{"cim"}},
			"no CIM data model is mapped for this logsource", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := convertRule(t, tc.rule, tc.opt)
			if tc.fails {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error = %v, want it to contain %q (output %q)", err, tc.want, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}
