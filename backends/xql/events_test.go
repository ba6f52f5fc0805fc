package xql_test

import (
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/xql"
	"github.com/sigconv/sigconv/eval"
	"github.com/sigconv/sigconv/sigma"
)

// Event-level tests: each rule is converted, the XQL query is read with
// the strict reader of xqleval_test.go (mixed and/or without parentheses
// is an error) and evaluated on xdr_data events under every reading of
// null the documentation leaves open; the verdict must equal the
// reference matcher's on the same event in Sigma's (Sysmon's) form.

// xqlQueries converts one rule in the plain format (one query a line).
func xqlQueries(t *testing.T, text string, withPipeline bool) (*sigma.Rule, []string) {
	t.Helper()
	f := sigma.ParseFile("case.yml", []byte(text))
	if err := f.Diags.Err(); err != nil {
		t.Fatalf("rule does not parse: %v", err)
	}
	r := f.Documents[0].(*sigma.Rule)
	conv, err := backends.NewConverter(xql.New(), backends.Options{WithoutPipeline: !withPipeline, Format: "plain"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := conv.Convert(r)
	if err != nil {
		t.Fatalf("conversion failed: %v", err)
	}
	return r, strings.Split(res.Output, "\n")
}

// computedColumns evaluates the alter stages sigconv writes (each must be
// the schema's expression) on an xdr_data event.
func computedColumns(t *testing.T, alters map[string]string, ev map[string]any) map[string]any {
	t.Helper()
	schema := xql.LoadSchema()
	out := map[string]any{}
	for k, v := range ev {
		out[k] = v
	}
	for name, expr := range alters {
		c, ok := schema.Computed[name]
		if !ok {
			continue // the config stage, a correlation's tags
		}
		want, _, err := queryParts("filter " + c.Expr)
		if err != nil || want != expr {
			t.Fatalf("alter %s = %s, want the schema's %s", name, expr, c.Expr)
		}
		switch name {
		case "sigconv_target_object":
			if full := ev["action_registry_full_key"]; full != nil {
				out[name] = full
			} else {
				out[name] = ev["action_registry_key_name"]
			}
		case "sigconv_original_file_name":
			if info, ok := ev["action_process_file_info"].(map[string]any); ok {
				out[name] = info["original_name"]
			}
		default:
			t.Fatalf("no evaluator for computed column %s", name)
		}
	}
	return out
}

// checkEvents requires the XQL verdict to equal the reference matcher's
// on every event pair, under both readings of null.
func checkEvents(t *testing.T, rule string, withPipeline bool, pairs []eventPair) {
	t.Helper()
	r, qs := xqlQueries(t, rule, withPipeline)
	if len(qs) != 1 {
		t.Fatalf("want one query, got %q", qs)
	}
	filter, alters, err := queryParts(qs[0])
	if err != nil {
		t.Fatal(err)
	}
	x, err := parseFilter(filter)
	if err != nil {
		t.Fatalf("%v\nquery: %s", err, qs[0])
	}
	m, err := eval.New(r, eval.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pairs {
		want := m.Match(p.sigma)
		ev := computedColumns(t, alters, p.xdr)
		for _, rd := range readings {
			rd.sensitive = alters["config"] == "true"
			if got := x.eval(ev, rd) == fTrue; got != want {
				t.Errorf("%s: XQL says %v, Sigma %v (%s)\nquery: %s\nevent: %v", rd, got, want, p.name, qs[0], p.xdr)
			}
		}
	}
}

type eventPair struct {
	name  string
	sigma eval.Event
	xdr   map[string]any
}

// same is an event that has the same form in Sigma and in the query
// (rules converted without a pipeline).
func same(name string, ev map[string]any) eventPair {
	return eventPair{name: name, sigma: eval.Event(ev), xdr: ev}
}

// fieldEvents are all events over the fields with each value missing, one
// that matches the rules below and one that does not.
func fieldEvents() []eventPair {
	values := map[string][]any{
		"CommandLine": {nil, "run a thing", "other"},
		"Image":       {nil, `C:\x\tool.exe`, `C:\x\tool.dll`},
		"ParentImage": {nil, "x", "y"},
	}
	var out []eventPair
	for _, c := range values["CommandLine"] {
		for _, i := range values["Image"] {
			for _, p := range values["ParentImage"] {
				ev := map[string]any{}
				for k, v := range map[string]any{"CommandLine": c, "Image": i, "ParentImage": p} {
					if v != nil {
						ev[k] = v
					}
				}
				out = append(out, same(strings.TrimSpace(strings.Join([]string{str(c), str(i), str(p)}, " | ")), ev))
			}
		}
	}
	return out
}

func str(v any) string {
	if v == nil {
		return "<missing>"
	}
	return v.(string)
}

// TestNotOverNullableColumns: a filter that does not apply (its field is
// missing) must not remove the event, whatever XQL does with null; and
// mixed and/or groups must read the same under any precedence (the
// strict reader refuses them otherwise).
func TestNotOverNullableColumns(t *testing.T) {
	const head = "title: t\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n" +
		"    sel:\n        CommandLine|contains: ' a '\n" +
		"    f1:\n        Image|endswith: '.exe'\n" +
		"    f2:\n        ParentImage: x\n" +
		"    f3:\n        Image: null\n" +
		"    f4:\n        ParentImage|exists: true\n"
	for _, cond := range []string{
		"sel and not f1",
		"not f1",
		"sel and not (f1 and f2)",
		"sel and not (f1 or f2)",
		"sel and not 1 of f*",
		"not (sel or f1 and f2)",
		"sel or f1 and not f2",
		"sel and not (f1 and not f2)",
		"not (f1 or f3)",
		"not (f2 and f4)",
		"not (sel and f3) or f2 and not f4",
	} {
		t.Run(cond, func(t *testing.T) {
			checkEvents(t, head+"    condition: "+cond+"\n", false, fieldEvents())
		})
	}
}

// TestUnguardedNotDropsEvents shows the reading the guard protects
// against: without it, "not" over a missing field drops the event when a
// comparison with null is null.
func TestUnguardedNotDropsEvents(t *testing.T) {
	x, err := parseFilter(`not (Image in ("*.exe"))`)
	if err != nil {
		t.Fatal(err)
	}
	if x.eval(map[string]any{}, reading{nullIsFalse: false}) == fTrue {
		t.Fatal("the unguarded form keeps the event under the null reading; the guard would be pointless")
	}
	g, err := parseFilter(`(Image = null or not (Image in ("*.exe")))`)
	if err != nil {
		t.Fatal(err)
	}
	for _, rd := range readings {
		if g.eval(map[string]any{}, rd) != fTrue {
			t.Errorf("%s: the guarded form drops an event without Image", rd)
		}
	}
}

// registry is a Sysmon registry event and the xdr_data event the agent
// records for it: hives spelled out, the key in action_registry_key_name,
// the value name in action_registry_value_name and both joined in
// action_registry_full_key (the Cortex XDR alert sample in schema.json).
// A key event (no value name) has no full key; keyOnlyFull puts the key
// there too, the other plausible reading.
func registry(name, sysmonPath, valueName, details string, keyOnlyFull bool) eventPair {
	full := strings.NewReplacer(`HKLM\`, `HKEY_LOCAL_MACHINE\`, `HKU\`, `HKEY_USERS\`).Replace(sysmonPath)
	x := map[string]any{
		"event_type": "ENUM.REGISTRY", "event_sub_type": "ENUM.REGISTRY_SET_VALUE", "agent_os_type": "ENUM.AGENT_OS_WINDOWS",
	}
	if valueName != "" {
		x["action_registry_full_key"] = full
		x["action_registry_key_name"] = strings.TrimSuffix(full, `\`+valueName)
		x["action_registry_value_name"] = valueName
	} else {
		x["action_registry_key_name"] = full
		if keyOnlyFull {
			x["action_registry_full_key"] = full
		}
	}
	s := eval.Event{"TargetObject": sysmonPath}
	if details != "" {
		x["action_registry_data"] = details
		s["Details"] = details
	}
	return eventPair{name: name, sigma: s, xdr: x}
}

func TestRegistryPaths(t *testing.T) {
	const head = "title: t\nlogsource:\n    category: registry_set\n    product: windows\ndetection:\n"
	fax := `HKLM\System\CurrentControlSet\Services\Fax\ObjectName`
	var events []eventPair
	for _, keyOnlyFull := range []bool{false, true} {
		events = append(events,
			registry("fax value", fax, "ObjectName", `LocalSystem`, keyOnlyFull),
			registry("fax value, network service", fax, "ObjectName", `NT AUTHORITY\NetworkService`, keyOnlyFull),
			registry("fax value, lower case", `HKLM\`+strings.ToLower(fax[5:]), "objectname", `x`, keyOnlyFull),
			registry("fax key only", `HKLM\System\CurrentControlSet\Services\Fax`, "", "", keyOnlyFull),
			registry("other value", `HKLM\System\CurrentControlSet\Services\Fax\Start`, "Start", `x`, keyOnlyFull),
			registry("user hive", `HKU\S-1-5-21-1\Software\Fax\ObjectName`, "ObjectName", `x`, keyOnlyFull),
			registry("value name with a backslash", `HKLM\System\Fax\Object\Name`, `Object\Name`, `x`, keyOnlyFull),
		)
	}
	for _, det := range []string{
		"    sel:\n        TargetObject: 'HKLM\\System\\CurrentControlSet\\Services\\Fax\\ObjectName'\n    condition: sel",
		"    sel:\n        TargetObject|endswith: '\\Services\\Fax\\ObjectName'\n    filter:\n        Details|contains: NetworkService\n    condition: sel and not filter",
		"    sel:\n        TargetObject|startswith: 'HKU\\'\n    condition: sel",
		"    sel:\n        TargetObject|endswith: '\\Fax'\n    condition: sel",
		"    sel:\n        TargetObject|contains: '\\Services\\Fax\\'\n    condition: not sel",
		"    sel:\n        TargetObject|endswith: '\\Object\\Name'\n    condition: sel",
	} {
		t.Run(det, func(t *testing.T) {
			checkEvents(t, head+det+"\n", true, events)
		})
	}
}

func TestOriginalFileName(t *testing.T) {
	const rule = "title: t\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n" +
		"    sel:\n        Image|endswith: '\\bitsadmin.exe'\n    alt:\n        OriginalFileName: bitsadmin.exe\n" +
		"    filter:\n        OriginalFileName|contains: 'x'\n    condition: (sel or alt) and not filter\n"
	base := map[string]any{"event_type": "ENUM.PROCESS", "event_sub_type": "ENUM.PROCESS_START", "agent_os_type": "ENUM.AGENT_OS_WINDOWS"}
	pair := func(name, image, orig string) eventPair {
		x := map[string]any{}
		for k, v := range base {
			x[k] = v
		}
		s := eval.Event{}
		if image != "" {
			x["action_process_image_path"], s["Image"] = image, image
		}
		if orig != "" {
			x["action_process_file_info"], s["OriginalFileName"] = map[string]any{"original_name": orig}, orig
		}
		return eventPair{name: name, sigma: s, xdr: x}
	}
	checkEvents(t, rule, true, []eventPair{
		pair("renamed bitsadmin", `C:\t\b.exe`, "bitsadmin.exe"),
		pair("bitsadmin, no file info", `C:\w\bitsadmin.exe`, ""),
		pair("bitsadmin, filtered name", `C:\w\bitsadmin.exe`, "xbits.exe"),
		pair("other", `C:\w\cmd.exe`, "Cmd.Exe"),
		pair("upper-case name", `C:\t\b.exe`, "BITSADMIN.EXE"),
	})
}

// Values and ENUMs without evidence are refused naming the Sigma field.
func TestRefusedValues(t *testing.T) {
	cases := []struct{ category, detection, want string }{
		{"registry_set", "TargetObject: 'HKCR\\CLSID\\x'", "Sigma field TargetObject (xdr_data sigconv_target_object): how xdr_data spells this hive"},
		{"registry_set", "TargetObject|contains: 'HKLM\\Software'", "hive abbreviation after a wildcard"},
		{"registry_set", "TargetObject|endswith: '\\Command\\(Default)'", "default value"},
		{"registry_set", "Details: 'DWORD (0x00000001)'", "Sigma field Details (xdr_data action_registry_data): the value is Sysmon's text form"},
		{"registry_set", "TargetObject|re: '^HKLM\\\\Software'", "hive abbreviation"},
		{"registry_add", "TargetObject: 'x'", "no evidenced event sub-type for creating or deleting a registry key"},
		{"registry_delete", "TargetObject: 'x'", "no evidenced event sub-type"},
		{"process_creation", "CommandLine|re: '(?<=a)b'", "xql: regular expression is not RE2 syntax"},
		{"process_creation", "CommandLine|re: '(a)\\1'", "not RE2 syntax"},
	}
	for _, tc := range cases {
		rule := "title: t\nlogsource:\n    category: " + tc.category + "\n    product: windows\ndetection:\n    sel:\n        " + tc.detection + "\n    condition: sel\n"
		f := sigma.ParseFile("case.yml", []byte(rule))
		if err := f.Diags.Err(); err != nil {
			t.Fatalf("%s: %v", tc.detection, err)
		}
		conv, _ := backends.NewConverter(xql.New(), backends.Options{})
		_, err := conv.Convert(f.Documents[0].(*sigma.Rule))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "case.yml:") {
			t.Errorf("%s: error = %v, want a positioned error containing %q", tc.detection, err, tc.want)
		}
	}
}

// TestIPv6Columns: xdr_data has action_remote_ip and action_remote_ip_v6;
// an IPv6 value is compared with both, so the query is right wherever the
// agent keeps the address, also under "not".
func TestIPv6Columns(t *testing.T) {
	const head = "title: t\nlogsource:\n    category: network_connection\n    product: windows\ndetection:\n" +
		"    sel:\n        Image|endswith: '\\x.exe'\n    local:\n        DestinationIp|cidr:\n            - '10.0.0.0/8'\n            - 'fe80::/10'\n" +
		"    loop:\n        DestinationIp: '::1'\n"
	pair := func(name, ip string, inV6 bool) eventPair {
		x := map[string]any{"event_type": "ENUM.NETWORK", "agent_os_type": "ENUM.AGENT_OS_WINDOWS", "actor_process_image_path": `C:\\x.exe`}
		s := eval.Event{"Image": `C:\\x.exe`}
		if ip != "" {
			s["DestinationIp"] = ip
			if inV6 {
				x["action_remote_ip_v6"] = ip
			} else {
				x["action_remote_ip"] = ip
			}
		}
		return eventPair{name: name, sigma: s, xdr: x}
	}
	var events []eventPair
	for _, inV6 := range []bool{false, true} {
		events = append(events, pair("v4 inside", "10.1.2.3", false), pair("v4 outside", "8.8.8.8", false),
			pair("v6 link-local", "fe80::1", inV6), pair("v6 global", "2001:db8::1", inV6), pair("v6 loopback", "::1", inV6), pair("no address", "", inV6))
	}
	for _, cond := range []string{"sel and not local", "sel and local", "sel and loop", "sel and not loop"} {
		t.Run(cond, func(t *testing.T) { checkEvents(t, head+"    condition: "+cond+"\n", true, events) })
	}
}

// TestCaseSensitiveParts: a rule with a case-sensitive part (cased, or a
// Sigma regex without i) must keep its case whether or not config
// case_sensitive = false folds ~=, and its other parts must stay
// case-insensitive.
func TestCaseSensitiveParts(t *testing.T) {
	const head = "title: t\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n"
	var events []eventPair
	for _, c := range []any{nil, "run -Enc abc", "run -enc abc", "RUN -ENC ABC"} {
		for _, i := range []any{nil, `C:\\x\\PowerShell.EXE`, `c:\\x\\powershell.exe`, `C:\\x\\cmd.exe`} {
			ev := map[string]any{}
			if c != nil {
				ev["CommandLine"] = c
			}
			if i != nil {
				ev["Image"] = i
			}
			events = append(events, same(str(c)+" | "+str(i), ev))
		}
	}
	for _, det := range []string{
		"    sel:\n        CommandLine|cased|contains: ' -Enc '\n        Image|endswith: '\\powershell.exe'\n    condition: sel",
		"    sel:\n        CommandLine|re: '-Enc\\s'\n    f:\n        Image|contains: 'CMD'\n    condition: sel and not f",
		"    sel:\n        CommandLine|re|i: '-enc\\s'\n    f:\n        CommandLine|cased: 'RUN -ENC ABC'\n    condition: sel and not f",
	} {
		t.Run(det, func(t *testing.T) { checkEvents(t, head+det+"\n", false, events) })
	}
}
