package kql_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/kql"
	"github.com/sigconv/sigconv/internal/kqlcheck"
	"github.com/sigconv/sigconv/pipeline"
	"github.com/sigconv/sigconv/sigma"
)

// tablePipeline selects table T, unknown to the backend's schema, so that
// fields are taken as written.
var tablePipeline = pipeline.MustLoad("test.yml", []byte("name: t\ntransformations:\n  - type: set_table\n    table: T\n"))

// convertDetection converts a process_creation rule with the given
// detection block on table T in the plain format and returns the where
// expression.
func convertDetection(t *testing.T, detection string) (string, error) {
	t.Helper()
	rule := "title: t\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n" + detection
	f := sigma.ParseFile("case.yml", []byte(rule))
	if err := f.Diags.Err(); err != nil {
		t.Fatalf("rule does not parse: %v\n%s", err, rule)
	}
	conv, err := backends.NewConverter(kql.New(), backends.Options{WithoutPipeline: true, Extra: []*pipeline.Pipeline{tablePipeline}, Format: "plain"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := conv.Convert(f.Documents[0].(*sigma.Rule))
	if err != nil {
		return "", err
	}
	const pre = "T | where "
	if !strings.HasPrefix(res.Output, pre) {
		t.Fatalf("unexpected query frame: %s", res.Output)
	}
	return strings.TrimPrefix(res.Output, pre), nil
}

// Each expected expression was checked by hand against Microsoft's KQL
// reference (string operators, string literals, matches regex,
// ipv4/ipv6_is_in_range, isempty/isnotempty pages; see match.go), and
// TestConstructsParse has Kusto.Language compile every one.
var constructs = []struct {
	name, detection, want string
}{
	{"equal", "    sel:\n        CommandLine: 'abc'\n    condition: sel", `CommandLine =~ @"abc"`},
	{"empty string", "    sel:\n        CommandLine: ''\n    condition: sel", `CommandLine =~ @""`},
	{"contains", "    sel:\n        CommandLine|contains: 'abc'\n    condition: sel", `CommandLine contains @"abc"`},
	{"startswith", "    sel:\n        CommandLine|startswith: 'abc'\n    condition: sel", `CommandLine startswith @"abc"`},
	{"endswith", "    sel:\n        Image|endswith: '.exe'\n    condition: sel", `Image endswith @".exe"`},
	{"inner wildcard", "    sel:\n        CommandLine: 'a*b'\n    condition: sel", `CommandLine matches regex @"(?si)^a.*b$"`},
	{"single-char wildcard", "    sel:\n        CommandLine: 'a?b'\n    condition: sel", `CommandLine matches regex @"(?si)^a.b$"`},
	{"wildcards with contains", "    sel:\n        CommandLine|contains: 'a*b'\n    condition: sel", `CommandLine matches regex @"(?si)^.*a.*b.*$"`},
	{"lone star", "    sel:\n        CommandLine: '*'\n    condition: sel", `isnotempty(CommandLine)`},
	{"list is in~", "    sel:\n        CommandLine:\n            - a\n            - b\n    condition: sel", `CommandLine in~ (@"a", @"b")`},
	{"contains list is or", "    sel:\n        CommandLine|contains:\n            - a\n            - b\n    condition: sel", `CommandLine contains @"a" or CommandLine contains @"b"`},
	{"all is and", "    sel:\n        CommandLine|contains|all:\n            - a\n            - b\n    condition: sel", `CommandLine contains @"a" and CommandLine contains @"b"`},
	{"all equal is and", "    sel:\n        CommandLine|all:\n            - a\n            - b\n    condition: sel", `CommandLine =~ @"a" and CommandLine =~ @"b"`},
	{"pipemagic pipes", "    sel:\n        CommandLine|contains:\n            - '\\\\\\\\.\\\\pipe\\\\1.'\n            - '\\\\\\\\.\\\\pipe\\\\magic3301'\n    condition: sel",
		`CommandLine contains @"\\.\pipe\1." or CommandLine contains @"\\.\pipe\magic3301"`},
	{"regex", "    sel:\n        CommandLine|re: '^a.*b$'\n    condition: sel", `CommandLine matches regex @"^a.*b$"`},
	{"regex ignorecase", "    sel:\n        CommandLine|re|i: 'abc'\n    condition: sel", `CommandLine matches regex @"(?i)abc"`},
	{"regex with quote and backslash", "    sel:\n        CommandLine|re: 'a\"b\\\\'\n    condition: sel", `CommandLine matches regex @"a""b\\"`},
	{"cidr v4", "    sel:\n        SourceIp|cidr: '10.0.0.0/8'\n    condition: sel", `ipv4_is_in_range(SourceIp, "10.0.0.0/8")`},
	{"cidr v6", "    sel:\n        SourceIp|cidr: 'fe80::/10'\n    condition: sel", `ipv6_is_in_range(SourceIp, "fe80::/10")`},
	{"number", "    sel:\n        EventID: 4688\n    condition: sel", `EventID == 4688`},
	{"numbers in a list", "    sel:\n        EventID:\n            - 4688\n            - 1\n    condition: sel", `EventID in (4688, 1)`},
	{"compare", "    sel:\n        Size|gte: 1024\n    condition: sel", `Size >= 1024`},
	{"bool", "    sel:\n        Flag: true\n    condition: sel", `Flag == true`},
	{"null", "    sel:\n        CommandLine: null\n    condition: sel", `isempty(CommandLine)`},
	{"exists", "    sel:\n        CommandLine|exists: true\n    condition: sel", `isnotempty(CommandLine)`},
	{"not exists", "    sel:\n        CommandLine|exists: false\n    condition: sel", `isempty(CommandLine)`},
	{"cased", "    sel:\n        CommandLine|cased: 'AbC'\n    condition: sel", `CommandLine == @"AbC"`},
	{"cased contains", "    sel:\n        CommandLine|cased|contains: 'AbC'\n    condition: sel", `CommandLine contains_cs @"AbC"`},
	{"cased list", "    sel:\n        CommandLine|cased:\n            - A\n            - B\n    condition: sel", `CommandLine in (@"A", @"B")`},
	{"cased pattern", "    sel:\n        CommandLine|cased: 'A?'\n    condition: sel", `CommandLine matches regex @"(?s)^A.$"`},
	{"fieldref", "    sel:\n        CommandLine|fieldref: ParentCommandLine\n    condition: sel", `CommandLine =~ ParentCommandLine`},
	{"fieldref contains", "    sel:\n        CommandLine|fieldref|contains: ParentCommandLine\n    condition: sel", `CommandLine contains ParentCommandLine`},
	{"field name with space", "    sel:\n        'a b': x\n    condition: sel", `['a b'] =~ @"x"`},
	{"keyword field name", "    sel:\n        where: x\n    condition: sel", `['where'] =~ @"x"`},
	{"keyword", "    keywords:\n        - evil\n    condition: keywords", `* contains @"evil"`},
	{"literal star", "    sel:\n        CommandLine: 'a\\*b'\n    condition: sel", `CommandLine =~ @"a*b"`},
	{"quote", "    sel:\n        CommandLine: 'a\"b'\n    condition: sel", `CommandLine =~ @"a""b"`},
	{"trailing backslash", "    sel:\n        CommandLine|contains: 'C:\\Windows\\'\n    condition: sel", `CommandLine contains @"C:\Windows\"`},
	{"newline", "    sel:\n        CommandLine: \"a\\nb\\t\\\"\\\\\"\n    condition: sel", `CommandLine =~ "a\nb\t\"\\"`},
	{"pipe character stays in literal", "    sel:\n        CommandLine|contains: 'a | where x'\n    condition: sel", `CommandLine contains @"a | where x"`},
	{"not", "    sel:\n        CommandLine|contains: a\n    filter:\n        Image|endswith: '.exe'\n    condition: sel and not filter",
		`CommandLine contains @"a" and not(Image endswith @".exe")`},
	{"precedence", "    s1:\n        A: '1'\n    s2:\n        B: '2'\n    s3:\n        C: '3'\n    condition: (s1 or s2) and s3",
		`(A =~ @"1" or B =~ @"2") and C =~ @"3"`},
	{"windash", "    sel:\n        CommandLine|windash|contains: ' -y'\n    condition: sel",
		"CommandLine contains @\" -y\" or CommandLine contains @\" /y\" or CommandLine contains @\" \u2013y\" or CommandLine contains @\" \u2014y\" or CommandLine contains @\" \u2015y\""},
	{"base64", "    sel:\n        CommandLine|base64|contains: 'abc'\n    condition: sel", `CommandLine contains @"YWJj"`},
}

func TestConstructs(t *testing.T) {
	for _, tc := range constructs {
		t.Run(tc.name, func(t *testing.T) {
			got, err := convertDetection(t, tc.detection)
			if err != nil {
				t.Fatalf("conversion failed: %v", err)
			}
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// constructColumns is table T for the parser: every field the constructs
// use, with a fitting type.
var constructColumns = map[string]string{
	"CommandLine": "string", "ParentCommandLine": "string", "Image": "string", "SourceIp": "string",
	"A": "string", "B": "string", "C": "string", "a b": "string", "where": "string",
	"EventID": "long", "Size": "long", "Flag": "bool",
}

// TestConstructsParse has Kusto.Language compile every construct.
func TestConstructsParse(t *testing.T) {
	kqlcheck.Require(t)
	schema, err := json.Marshal(map[string]any{"test": map[string]any{"tables": map[string]any{"T": map[string]any{"columns": constructColumns}}}})
	if err != nil {
		t.Fatal(err)
	}
	var qs []kqlcheck.Query
	for _, tc := range constructs {
		qs = append(qs, kqlcheck.Query{ID: tc.name, Query: "T | where " + tc.want})
	}
	results, err := kqlcheck.Check(schema, "test", qs)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if !r.OK {
			t.Errorf("%s: %v\n%s", r.ID, r.Errors, qs[i].Query)
		}
	}
}

// Constructs KQL cannot express exactly fail with a positioned error
// naming the construct, never approximate.
func TestUnsupportedConstructs(t *testing.T) {
	cases := []struct{ name, detection, want string }{
		{"keyword with wildcard", "    keywords:\n        - 'ev*il'\n    condition: keywords", "7:11: kql: keyword"},
		{"placeholder", "    sel:\n        A|expand: '%servers%'\n    condition: sel", "unresolved placeholder"},
		{"time part", "    sel:\n        T|hour: 3\n    condition: sel", "time-part modifier hour"},
		{"carriage return", "    sel:\n        A: \"a\\rb\"\n    condition: sel", "control character"},
		{"lookahead regex", "    sel:\n        A|re: 'a(?=b)'\n    condition: sel", "not RE2 syntax"},
		{"utf16 bytes", "    sel:\n        A|wide|base64offset|contains: 'ab'\n    condition: sel", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := convertDetection(t, tc.detection)
			if tc.want == "" {
				// Allowed to convert (e.g. when base64 of UTF-16 is ASCII),
				// but then every literal must be printable.
				if err == nil && strings.ContainsAny(got, "\x00\r") {
					t.Errorf("control bytes reached the query: %q", got)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "case.yml:") {
				t.Errorf("error %q does not name the rule file", err)
			}
		})
	}
}
