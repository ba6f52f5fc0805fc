package kql_test

import (
	"path"
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/kql"
	"github.com/sigconv/sigconv/eval"
	"github.com/sigconv/sigconv/internal/kqlcheck"
	"github.com/sigconv/sigconv/sigma"
)

// convertDefender converts a rule of the category with the defender-xdr
// pipeline in the plain format.
func convertDefender(t *testing.T, category, detection string) (string, *sigma.Rule, error) {
	t.Helper()
	rule := "title: t\nlogsource:\n    category: " + category + "\n    product: windows\ndetection:\n" + detection
	f := sigma.ParseFile("case.yml", []byte(rule))
	if err := f.Diags.Err(); err != nil {
		t.Fatalf("rule does not parse: %v\n%s", err, rule)
	}
	r := f.Documents[0].(*sigma.Rule)
	conv, err := backends.NewConverter(kql.New(), backends.Options{Pipelines: []string{"defender-xdr"}, Format: "plain"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := conv.Convert(r)
	if err != nil {
		return "", r, err
	}
	return res.Output, r, nil
}

// The direction columns, registry paths and file-name columns of the
// defender-xdr pipeline; each "want" is a part the query must hold, and
// TestDefenderMappingsParse has Kusto.Language compile every query.
var defenderMappings = []struct {
	name, category, detection string
	want                      []string
}{
	{"destination is remote only for outbound", "network_connection", "    sel:\n        DestinationPort: 3389\n    condition: sel",
		[]string{`DestinationPort = case(ActionType in ("ConnectionSuccess", "ConnectionAttempt", "ConnectionFailed", "ConnectionRequest"), RemotePort, ActionType == "InboundConnectionAccepted", LocalPort, int(null))`,
			`where DestinationPort == 3389`}},
	{"source ip", "network_connection", "    sel:\n        SourceIp: '10.1.2.3'\n    condition: sel",
		[]string{`SourceIp = case(ActionType in ("ConnectionSuccess", "ConnectionAttempt", "ConnectionFailed", "ConnectionRequest"), LocalIP, ActionType == "InboundConnectionAccepted", RemoteIP, "")`,
			`where SourceIp =~ @"10.1.2.3"`}},
	{"initiated as a boolean", "network_connection", "    sel:\n        Initiated: true\n    condition: sel",
		[]string{`where Initiated == "true"`}},
	{"initiated as text", "network_connection", "    sel:\n        Initiated: 'false'\n    condition: sel",
		[]string{`where Initiated =~ @"false"`}},
	{"user hive", "registry_set", "    sel:\n        TargetObject|startswith: 'HKU\\'\n    condition: sel",
		[]string{`@"(?i)^HKEY_(USERS|CURRENT_USER)(\\|$)", @"HKU\2"`, `@"(?i)^HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet\d{3}(\\|$)", @"HKLM\System\CurrentControlSet\1"`,
			`TargetObject startswith @"HKU\"`}},
	{"parent file name", "network_connection", "    sel:\n        ParentImage|endswith: '\\rundll32.exe'\n    condition: sel",
		[]string{`where InitiatingProcessParentFileName =~ @"rundll32.exe"`}},
	{"parent name suffix", "file_event", "    sel:\n        ParentImage|endswith:\n            - 'll32.exe'\n            - '\\mshta.exe'\n    condition: sel",
		[]string{`(InitiatingProcessParentFileName endswith @"ll32.exe" or InitiatingProcessParentFileName =~ @"mshta.exe")`}},
	{"grandparent", "process_creation", "    sel:\n        GrandParentImage|endswith: '\\TieringEngineService.exe'\n    condition: sel",
		[]string{`DeviceProcessEvents`, `where InitiatingProcessParentFileName =~ @"TieringEngineService.exe"`}},
}

func TestDefenderMappings(t *testing.T) {
	for _, tc := range defenderMappings {
		got, _, err := convertDefender(t, tc.category, tc.detection)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: query lacks %s\n%s", tc.name, w, got)
			}
		}
	}
}

func TestDefenderMappingsParse(t *testing.T) {
	kqlcheck.Require(t)
	var qs []kqlcheck.Query
	for _, tc := range defenderMappings {
		got, _, err := convertDefender(t, tc.category, tc.detection)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		qs = append(qs, kqlcheck.Query{ID: tc.name, Query: got})
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

func TestDefenderRefusals(t *testing.T) {
	cases := []struct{ name, category, detection, want string }{
		{"classes root", "registry_set", "    sel:\n        TargetObject|startswith: 'HKCR\\ms-msdt\\'\n    condition: sel",
			`case.yml:7:34: kql: TargetObject cannot match "HKCR\\\\ms-msdt\\\\*" in DeviceRegistryEvents: Sysmon writes HKCR`},
		{"parent directory", "file_event", "    sel:\n        ParentImage|contains: '\\Temp\\'\n    condition: sel",
			`case.yml:7:31: kql: ParentImage value "*\\\\Temp\\\\*" cannot be matched in DeviceFileEvents, which holds only the file name`},
		{"parent full path", "network_connection", "    sel:\n        ParentImage: 'C:\\x\\python.exe'\n    condition: sel",
			`holds only the file name`},
		{"parent suffix with a directory", "file_event", "    sel:\n        ParentImage|endswith: '\\bin\\x.exe'\n    condition: sel",
			`holds only the file name`},
	}
	for _, tc := range cases {
		_, _, err := convertDefender(t, tc.category, tc.detection)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error = %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestParentFileNameMeaning checks the file-name rewrite on events: for
// each path, the reference matcher's verdict on the Sigma rule equals
// KQL's on the path's file name (=~ is case-insensitive equality,
// endswith a case-insensitive suffix test). Paths are full paths, as
// Windows writes images: a bare name ("System", the kernel's pseudo
// process) has no "\" before it, which the file-name column cannot show
// (README, open points).
func TestParentFileNameMeaning(t *testing.T) {
	values := []string{`'\rundll32.exe'`, `'ll32.exe'`, `'.EXE'`}
	paths := []string{`C:\Windows\System32\rundll32.exe`, `C:\x\RUNDLL32.EXE`, `C:\x\myrundll32.exe`,
		`C:\rundll32.exe\other.exe`, `C:\x\shell32.exe`, `C:\x\ll32.exe`, `C:\x\a.exe.txt`, `\\server\share\rundll32.exe`}
	for _, v := range values {
		got, r, err := convertDefender(t, "network_connection", "    sel:\n        ParentImage|endswith: "+v+"\n    condition: sel")
		if err != nil {
			t.Fatal(err)
		}
		where := got[strings.Index(got, "where ")+len("where "):]
		if i := strings.IndexByte(where, '\n'); i >= 0 {
			where = where[:i]
		}
		op, lit, ok := strings.Cut(strings.TrimPrefix(where, "InitiatingProcessParentFileName "), " ")
		if !ok || !strings.HasPrefix(lit, `@"`) {
			t.Fatalf("unexpected query %s", got)
		}
		lit = strings.TrimSuffix(strings.TrimPrefix(lit, `@"`), `"`)
		m, err := eval.New(r, eval.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			name := path.Base(strings.ReplaceAll(p, `\`, "/"))
			var kqlSays bool
			switch op {
			case "=~":
				kqlSays = strings.EqualFold(name, lit)
			case "endswith":
				kqlSays = strings.HasSuffix(strings.ToLower(name), strings.ToLower(lit))
			default:
				t.Fatalf("unexpected operator %q in %s", op, got)
			}
			sigmaSays := m.Match(eval.Event{"ParentImage": p})
			if kqlSays != sigmaSays {
				t.Errorf("value %s, path %q: KQL %v, Sigma %v (%s)", v, p, kqlSays, sigmaSays, where)
			}
		}
	}
}
