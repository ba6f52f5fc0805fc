package kql_test

import (
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/kql"
	"github.com/sigconv/sigconv/internal/kqlcheck"
	"github.com/sigconv/sigconv/pipeline"
	"github.com/sigconv/sigconv/sigma"
)

// convertLogon converts a windows/security rule with the given detection
// block under defender-xdr (plus extra pipelines) in the plain format.
func convertLogon(t *testing.T, detection string, extra ...*pipeline.Pipeline) (string, error) {
	t.Helper()
	rule := "title: t\nlogsource:\n    product: windows\n    service: security\ndetection:\n" + detection
	f := sigma.ParseFile("logon.yml", []byte(rule))
	if err := f.Diags.Err(); err != nil {
		t.Fatalf("rule does not parse: %v\n%s", err, rule)
	}
	conv, err := backends.NewConverter(kql.New(), backends.Options{Pipelines: []string{"defender-xdr"}, Extra: extra, Format: "plain"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := conv.Convert(f.Documents[0].(*sigma.Rule))
	if err != nil {
		return "", err
	}
	return res.Output, nil
}

// Expected queries follow the DeviceLogonEvents reference (Microsoft
// Learn, advanced-hunting-devicelogonevents-table: ActionType LogonSuccess
// and LogonFailed, the LogonType words, AccountName/AccountDomain/
// AccountSid, RemoteIP, RemotePort); TestLogonConstructsParse has
// Kusto.Language compile each one against the Defender schema.
var logonConstructs = []struct {
	name, detection, want string
}{
	{"success", "    sel:\n        EventID: 4624\n        TargetUserName: admin\n    condition: sel",
		`DeviceLogonEvents | where ActionType == @"LogonSuccess" and AccountName =~ @"admin"`},
	{"failure", "    sel:\n        EventID: 4625\n        TargetDomainName: CONTOSO\n        TargetUserSid|startswith: 'S-1-5-21-'\n    condition: sel",
		`DeviceLogonEvents | where ActionType == @"LogonFailed" and AccountDomain =~ @"CONTOSO" and AccountSid startswith @"S-1-5-21-"`},
	{"both event ids as a list", "    sel:\n        EventID:\n            - 4624\n            - 4625\n        TargetUserName: x\n    condition: sel",
		`DeviceLogonEvents | where (ActionType in (@"LogonSuccess", @"LogonFailed")) and AccountName =~ @"x"`},
	{"event id as a string", "    sel:\n        EventID: '4624'\n    condition: sel",
		`DeviceLogonEvents | where ActionType == @"LogonSuccess"`},
	{"logon type number", "    sel:\n        EventID: 4624\n        LogonType: 10\n    condition: sel",
		`DeviceLogonEvents | where ActionType == @"LogonSuccess" and LogonType == @"RemoteInteractive"`},
	{"logon type as a string", "    sel:\n        EventID: 4624\n        LogonType: '3'\n    condition: sel",
		`DeviceLogonEvents | where ActionType == @"LogonSuccess" and LogonType == @"Network"`},
	{"logon type list", "    sel:\n        EventID: 4624\n        LogonType:\n            - 2\n            - 4\n            - 5\n    condition: sel",
		`DeviceLogonEvents | where ActionType == @"LogonSuccess" and (LogonType in (@"Interactive", @"Batch", @"Service"))`},
	// SECURITY_LOGON_TYPE names (ntsecapi.h enumeration page).
	{"logon types 7 to 13", "    sel:\n        EventID: 4624\n        LogonType:\n            - 7\n            - 8\n            - 9\n            - 11\n            - 12\n            - 13\n    condition: sel",
		`DeviceLogonEvents | where ActionType == @"LogonSuccess" and (LogonType in (@"Unlock", @"NetworkCleartext", @"NewCredentials", @"CachedInteractive", @"CachedRemoteInteractive", @"CachedUnlock"))`},
	{"negated logon type", "    sel:\n        EventID: 4624\n    filter:\n        LogonType: 3\n    condition: sel and not filter",
		`DeviceLogonEvents | where ActionType == @"LogonSuccess" and not(LogonType == @"Network")`},
	{"addresses", "    sel:\n        EventID: 4624\n        IpAddress:\n            - '::1'\n            - '127.0.0.1'\n        IpPort: 445\n    condition: sel",
		`DeviceLogonEvents | where ActionType == @"LogonSuccess" and (RemoteIP in~ (@"::1", @"127.0.0.1")) and RemotePort == 445`},
	{"cidr filter", "    sel:\n        EventID: 4625\n    filter:\n        IpAddress|cidr: '10.0.0.0/8'\n    condition: sel and not filter",
		`DeviceLogonEvents | where ActionType == @"LogonFailed" and not(ipv4_is_in_range(RemoteIP, "10.0.0.0/8"))`},
	{"every branch requires an id", "    a:\n        EventID: 4624\n        LogonType: 10\n    b:\n        EventID: 4625\n        TargetUserName: x\n    condition: a or b",
		`DeviceLogonEvents | where ActionType == @"LogonSuccess" and LogonType == @"RemoteInteractive" or ActionType == @"LogonFailed" and AccountName =~ @"x"`},
	{"id outside the or", "    sel:\n        EventID: 4624\n    a:\n        LogonType: 10\n    b:\n        TargetUserName: x\n    condition: sel and (a or b)",
		`DeviceLogonEvents | where ActionType == @"LogonSuccess" and (LogonType == @"RemoteInteractive" or AccountName =~ @"x")`},
	{"computer", "    sel:\n        EventID: 4624\n        Computer: host\n    condition: sel",
		`DeviceLogonEvents | where ActionType == @"LogonSuccess" and DeviceName =~ @"host"`},
}

func TestLogonConstructs(t *testing.T) {
	for _, tc := range logonConstructs {
		t.Run(tc.name, func(t *testing.T) {
			got, err := convertLogon(t, tc.detection)
			if err != nil {
				t.Fatalf("conversion failed: %v", err)
			}
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestLogonConstructsParse has Kusto.Language compile every expected
// query against the backend's Defender schema.
func TestLogonConstructsParse(t *testing.T) {
	kqlcheck.Require(t)
	var qs []kqlcheck.Query
	for _, tc := range logonConstructs {
		qs = append(qs, kqlcheck.Query{ID: tc.name, Query: tc.want})
	}
	results, err := kqlcheck.Check(kql.SchemaJSON(), "defender", qs)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if !r.OK {
			t.Errorf("%s: %v\n%s", r.ID, r.Errors, qs[i].Query)
		}
	}
}

// What has no exact equivalent in DeviceLogonEvents fails, positioned at
// the value or the condition, and is never approximated.
func TestLogonUnsupported(t *testing.T) {
	cases := []struct{ name, detection, want string }{
		// Line 7 is the first item of the first search (title, logsource
		// in 3 lines, "detection:", the search's name).
		{"other event", "    sel:\n        EventID: 4688\n    condition: sel",
			`logon.yml:7:18: kql: EventID value 4688 has no exact equivalent in DeviceLogonEvents: only equality with 4624, 4625`},
		{"explicit credentials", "    sel:\n        EventID: 4648\n    condition: sel", `EventID value 4648 has no exact equivalent`},
		{"one id not held", "    sel:\n        EventID:\n            - 4625\n            - 4776\n    condition: sel", `logon.yml:9:15: kql: EventID value 4776 has no exact equivalent`},
		{"event id pattern", "    sel:\n        EventID|startswith: '462'\n    condition: sel", `EventID value "462*" has no exact equivalent`},
		{"no event id", "    sel:\n        TargetUserName: admin\n    condition: sel",
			`logon.yml:8:16: kql: DeviceLogonEvents holds only the events whose EventID is 4624, 4625`},
		{"a branch without an id", "    sel:\n        EventID: 4624\n    other:\n        TargetUserName: admin\n    condition: sel or other",
			`logon.yml:10:16: kql: DeviceLogonEvents holds only the events whose EventID is 4624, 4625`},
		{"negated id only", "    sel:\n        EventID: 4624\n    condition: not sel", `holds only the events whose EventID is 4624, 4625`},
		{"keyword", "    sel:\n        EventID: 4624\n    kw:\n        - evil\n    condition: sel or kw", `holds only the events whose EventID is 4624, 4625`},
		{"logon type without a logon", "    sel:\n        EventID: 4624\n        LogonType: 6\n    condition: sel",
			`logon.yml:8:20: kql: LogonType value 6 has no exact equivalent in DeviceLogonEvents: only equality with 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13`},
		{"logon type word", "    sel:\n        EventID: 4624\n        LogonType: Network\n    condition: sel", `LogonType value "Network" has no exact equivalent`},
		{"logon type comparison", "    sel:\n        EventID: 4624\n        LogonType|gte: 3\n    condition: sel", `LogonType with a comparison value has no exact equivalent`},
		{"missing port placeholder", "    sel:\n        EventID: 4624\n        IpPort: 0\n    condition: sel", `RemotePort cannot match "0"`},
		{"no column", "    sel:\n        EventID: 4624\n        LogonProcessName: Advapi\n    condition: sel",
			`logon.yml:8:27: Defender XDR holds only the logon events (4624, 4625) of the Security log, in DeviceLogonEvents, which has no column for this field: field "LogonProcessName"`},
		{"status code", "    sel:\n        EventID: 4625\n        Status: '0xC0000072'\n    condition: sel", `field "Status" has no mapping`},
		{"failure reason of the event log", "    sel:\n        EventID: 4625\n        FailureReason: '%%2313'\n    condition: sel", `field "FailureReason" has no mapping`},
		{"workstation", "    sel:\n        EventID: 4624\n        WorkstationName: RULER\n    condition: sel", `field "WorkstationName" has no mapping`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := convertLogon(t, tc.detection)
			if err == nil {
				t.Fatalf("converted, want an error containing %q:\n%s", tc.want, got)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

// The value declarations apply to the rules their pipeline selects only:
// other logsources keep every other table's behaviour, and a broken
// declaration in a user pipeline is reported, not ignored.
func TestLogonValueDeclarations(t *testing.T) {
	bad := pipeline.MustLoad("bad.yml", []byte("name: bad\ntransformations:\n  - type: set_state\n    key: kql_values:AccountName\n    val: '{\"values\": {\"1\": \"x\"}}'\n"))
	// Refused when the pipeline meets the backend, at the value.
	_, err := backends.NewConverter(kql.New(), backends.Options{Pipelines: []string{"defender-xdr"}, Extra: []*pipeline.Pipeline{bad}})
	if err == nil || !strings.Contains(err.Error(), "bad.yml:5:10: pipeline bad: set_state kql_values:AccountName: column and values go together") {
		t.Fatalf("error = %v, want the broken declaration reported at its position", err)
	}
	// A process_creation rule is untouched: its LogonId is still
	// compared as the number a hexadecimal Sysmon id stands for.
	got, err := convertDetectionDefender(t, "    sel:\n        LogonId: '0x3e7'\n    condition: sel")
	if err != nil || got != `DeviceProcessEvents | where LogonId == 999` {
		t.Fatalf("process_creation changed: %q, %v", got, err)
	}
}

func convertDetectionDefender(t *testing.T, detection string) (string, error) {
	t.Helper()
	rule := "title: t\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n" + detection
	f := sigma.ParseFile("p.yml", []byte(rule))
	conv, err := backends.NewConverter(kql.New(), backends.Options{Format: "plain"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := conv.Convert(f.Documents[0].(*sigma.Rule))
	if err != nil {
		return "", err
	}
	return res.Output, nil
}

// TestLogonEmptyAddress: "-" (no address) is an empty RemoteIP or the
// text "-", whichever Defender writes; also under NOT and in a list.
func TestLogonEmptyAddress(t *testing.T) {
	cases := []struct{ name, detection, want string }{
		{"dash", "    sel:\n        EventID: 4624\n        IpAddress: '-'\n    condition: sel",
			`DeviceLogonEvents | where ActionType == @"LogonSuccess" and (isempty(RemoteIP) or RemoteIP == @"-")`},
		{"not dash", "    sel:\n        EventID: 4624\n    filter:\n        IpAddress: '-'\n    condition: sel and not filter",
			`DeviceLogonEvents | where ActionType == @"LogonSuccess" and not(isempty(RemoteIP) or RemoteIP == @"-")`},
		{"dash in a list", "    sel:\n        EventID: 4625\n        IpAddress:\n            - '-'\n            - '1.2.3.4'\n    condition: sel",
			`DeviceLogonEvents | where ActionType == @"LogonFailed" and (isempty(RemoteIP) or RemoteIP == @"-" or RemoteIP =~ @"1.2.3.4")`},
	}
	var qs []kqlcheck.Query
	for _, tc := range cases {
		got, err := convertLogon(t, tc.detection)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got != tc.want {
			t.Errorf("%s:\ngot  %s\nwant %s", tc.name, got, tc.want)
		}
		qs = append(qs, kqlcheck.Query{ID: tc.name, Query: got})
	}
	if kqlcheck.Available() != nil {
		return
	}
	results, err := kqlcheck.Check(kql.SchemaJSON(), "defender", qs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if !r.OK {
			t.Errorf("%s: Kusto.Language rejects it: %v", r.ID, r.Errors)
		}
	}
}
