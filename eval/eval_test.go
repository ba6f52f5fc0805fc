package eval_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sigconv/sigconv/eval"
	"github.com/sigconv/sigconv/sigma"
)

// rule parses a one-rule document whose detection block is det.
func rule(t *testing.T, det string) *sigma.Rule {
	t.Helper()
	src := "title: t\nlogsource:\n    product: windows\ndetection:\n" + det
	f := sigma.ParseFile("t.yml", []byte(src))
	if err := f.Diags.Err(); err != nil {
		t.Fatalf("parse: %v\n%s", err, src)
	}
	return f.Documents[0].(*sigma.Rule)
}

func event(t *testing.T, js string) eval.Event {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(js))
	d.UseNumber()
	var ev eval.Event
	if err := d.Decode(&ev); err != nil {
		t.Fatalf("event %s: %v", js, err)
	}
	return ev
}

func TestSemantics(t *testing.T) {
	cases := []struct {
		name, det, ev string
		want          bool
	}{
		{"equal is case-insensitive", "    s:\n        Image: 'C:\\Windows\\cmd.exe'\n    condition: s", `{"Image":"c:\\windows\\CMD.EXE"}`, true},
		{"equal is anchored", "    s:\n        Image: 'cmd.exe'\n    condition: s", `{"Image":"xcmd.exe"}`, false},
		{"cased", "    s:\n        Image|cased: 'cmd.exe'\n    condition: s", `{"Image":"CMD.exe"}`, false},
		{"cased same", "    s:\n        Image|cased: 'cmd.exe'\n    condition: s", `{"Image":"cmd.exe"}`, true},
		{"star spans newlines", "    s:\n        C: 'a*b'\n    condition: s", `{"C":"a\nx\nb"}`, true},
		{"question is one char", "    s:\n        C: 'a?c'\n    condition: s", `{"C":"abbc"}`, false},
		{"question one rune", "    s:\n        C: 'a?c'\n    condition: s", `{"C":"aéc"}`, true},
		{"escaped star is literal", "    s:\n        C: 'a\\*'\n    condition: s", `{"C":"ab"}`, false},
		{"escaped star equal", "    s:\n        C: 'a\\*'\n    condition: s", `{"C":"a*"}`, true},
		{"pipe escapes", "    s:\n        C|contains: '\\\\\\\\.\\\\pipe\\\\1.'\n    condition: s", `{"C":"x \\\\.\\pipe\\1.abc"}`, true},
		{"contains", "    s:\n        C|contains: 'evil'\n    condition: s", `{"C":"so EVIL here"}`, true},
		{"startswith", "    s:\n        C|startswith: 'evil'\n    condition: s", `{"C":"so evil"}`, false},
		{"endswith", "    s:\n        C|endswith: '.exe'\n    condition: s", `{"C":"a.EXE"}`, true},
		{"all", "    s:\n        C|contains|all: [a, b]\n    condition: s", `{"C":"a only"}`, false},
		{"number vs string", "    s:\n        EventID: 4688\n    condition: s", `{"EventID":"4688"}`, true},
		{"number vs number", "    s:\n        EventID: 4688\n    condition: s", `{"EventID":4688}`, true},
		{"number differs", "    s:\n        EventID: 4688\n    condition: s", `{"EventID":"4689"}`, false},
		{"string rule vs number", "    s:\n        EventID: '4688'\n    condition: s", `{"EventID":4688}`, true},
		{"null absent", "    s:\n        F: null\n    condition: s", `{"G":1}`, true},
		{"null json", "    s:\n        F: null\n    condition: s", `{"F":null}`, true},
		{"null present", "    s:\n        F: null\n    condition: s", `{"F":""}`, false},
		{"empty string", "    s:\n        F: ''\n    condition: s", `{"F":""}`, true},
		{"exists", "    s:\n        F|exists: true\n    condition: s", `{"F":"x"}`, true},
		{"exists false", "    s:\n        F|exists: false\n    condition: s", `{"F":"x"}`, false},
		{"re unanchored", "    s:\n        C|re: 'ev.l'\n    condition: s", `{"C":"xx evil"}`, true},
		{"re case-sensitive", "    s:\n        C|re: 'evil'\n    condition: s", `{"C":"EVIL"}`, false},
		{"re i", "    s:\n        C|re|i: 'evil'\n    condition: s", `{"C":"EVIL"}`, true},
		{"cidr", "    s:\n        Ip|cidr: 10.0.0.0/8\n    condition: s", `{"Ip":"10.1.2.3"}`, true},
		{"cidr out", "    s:\n        Ip|cidr: 10.0.0.0/8\n    condition: s", `{"Ip":"11.1.2.3"}`, false},
		{"cidr v6", "    s:\n        Ip|cidr: 'fe80::/10'\n    condition: s", `{"Ip":"fe80::1"}`, true},
		{"gt", "    s:\n        N|gt: 5\n    condition: s", `{"N":"6"}`, true},
		{"lte", "    s:\n        N|lte: 5\n    condition: s", `{"N":6}`, false},
		{"keyword", "    kw:\n        - 'mimikatz'\n    condition: kw", `{"A":"x","B":{"C":"run MimiKatz now"}}`, true},
		{"keyword miss", "    kw:\n        - 'mimikatz'\n    condition: kw", `{"A":"x"}`, false},
		{"fieldref", "    s:\n        A|fieldref: B\n    condition: s", `{"A":"X","B":"x"}`, true},
		{"fieldref contains", "    s:\n        A|fieldref|contains: B\n    condition: s", `{"A":"aXb","B":"x"}`, true},
		{"windash", "    s:\n        C|windash|contains: ' -enc '\n    condition: s", `{"C":"ps /enc x"}`, true},
		{"base64offset", "    s:\n        C|base64offset|contains: 'http://'\n    condition: s", `{"C":"xxaHR0cDovLyy"}`, true},
		{"wide base64", "    s:\n        C|wide|base64offset|contains: 'ping'\n    condition: s", `{"C":"..cABpAG4AZw.."}`, true},
		{"neq", "    s:\n        C|neq: a\n    condition: s", `{"C":"b"}`, true},
		{"not", "    s:\n        C: a\n    f:\n        D: b\n    condition: s and not f", `{"C":"a","D":"b"}`, false},
		{"1 of them excludes _", "    s1:\n        C: a\n    _s2:\n        C: b\n    condition: 1 of them", `{"C":"b"}`, false},
		{"array element", "    s:\n        Tags: b\n    condition: s", `{"Tags":["a","b"]}`, true},
		{"dotted path", "    s:\n        process.name: cmd.exe\n    condition: s", `{"process":{"name":"cmd.exe"}}`, true},
		{"dotted key", "    s:\n        process.name: cmd.exe\n    condition: s", `{"process.name":"cmd.exe"}`, true},
		{"hour", "    s:\n        T|hour: 22\n    condition: s", `{"T":"2024-01-02T22:10:00Z"}`, true},
		{"hour gte", "    s:\n        T|hour|gte: 23\n    condition: s", `{"T":"2024-01-02 22:10:00.123"}`, false},
		{"bool", "    s:\n        Signed: true\n    condition: s", `{"Signed":"true"}`, true},
		{"condition list", "    a:\n        C: x\n    b:\n        C: y\n    condition:\n        - a\n        - b", `{"C":"y"}`, true},
		{"large number", "    s:\n        N: 1082195968\n    condition: s", `{"N":1082195968}`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := eval.New(rule(t, c.det), eval.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Match(event(t, c.ev)); got != c.want {
				t.Errorf("Match(%s) = %v, want %v", c.ev, got, c.want)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	cases := []struct{ name, det, want string }{
		{"re2", "    s:\n        C|re: '(?<=a)b'\n    condition: s", "t.yml:6:"},
		{"placeholder", "    s:\n        C|expand: '%admins%'\n    condition: s", "placeholder %admins% has no value"},
	}
	for _, c := range cases {
		_, err := eval.New(rule(t, c.det), eval.Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
}

func TestPlaceholderVars(t *testing.T) {
	r := rule(t, "    s:\n        Host|expand: '%servers%'\n    condition: s")
	m, err := eval.New(r, eval.Options{Vars: map[string][]string{"servers": {"srv1", "db*"}}})
	if err != nil {
		t.Fatal(err)
	}
	for ev, want := range map[string]bool{`{"Host":"srv1"}`: true, `{"Host":"DB42"}`: true, `{"Host":"web"}`: false} {
		if got := m.Match(event(t, ev)); got != want {
			t.Errorf("%s: got %v, want %v", ev, got, want)
		}
	}
}

func TestMetaFilter(t *testing.T) {
	r := rule(t, "    s:\n        Image|endswith: '\\cmd.exe'\n    condition: s")
	ff := sigma.ParseFile("f.yml", []byte("title: f\nlogsource:\n    product: windows\nfilter:\n    rules:\n        - x\n    selection:\n        User: admin\n    condition: not selection\n"))
	if err := ff.Diags.Err(); err != nil {
		t.Fatal(err)
	}
	f := ff.Documents[0].(*sigma.Filter)
	m, err := eval.New(r, eval.Options{MetaFilters: []*sigma.Filter{f}})
	if err != nil {
		t.Fatal(err)
	}
	if m.Match(event(t, `{"Image":"C:\\x\\cmd.exe","User":"admin"}`)) {
		t.Error("filtered event matched")
	}
	if !m.Match(event(t, `{"Image":"C:\\x\\cmd.exe","User":"bob"}`)) {
		t.Error("unfiltered event did not match")
	}
}
