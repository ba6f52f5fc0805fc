package xql_test

import (
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/xql"
	"github.com/sigconv/sigconv/sigma"
)

// convertDetection converts a process_creation rule with the given
// detection block without any pipeline (field names as written) in the
// plain format, and returns the filter expression.
func convertDetection(t *testing.T, detection string) (string, error) {
	t.Helper()
	rule := "title: t\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n" + detection
	f := sigma.ParseFile("case.yml", []byte(rule))
	if err := f.Diags.Err(); err != nil {
		t.Fatalf("rule does not parse: %v\n%s", err, rule)
	}
	conv, err := backends.NewConverter(xql.New(), backends.Options{WithoutPipeline: true, Format: "plain"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := conv.Convert(f.Documents[0].(*sigma.Rule))
	if err != nil {
		return "", err
	}
	q := res.Output
	const pre, post = " | dataset = xdr_data | filter ", " | sort desc _time"
	// Rules with a case-sensitive part run under case_sensitive = true.
	config := "config case_sensitive = false"
	if strings.Contains(detection, "|re:") || strings.Contains(detection, "|cased") {
		config = "config case_sensitive = true"
	}
	if !strings.HasPrefix(q, config+pre) || !strings.HasSuffix(q, post) {
		t.Fatalf("unexpected query frame: %s", q)
	}
	return strings.TrimSuffix(strings.TrimPrefix(q, config+pre), post), nil
}

// Each expected filter was checked by hand against the XQL reference:
// "..." literals are taken as typed and '*' in them is a wildcard (filter
// stage page); in-lists accept wildcards, ~= is a regular expression,
// incidr/incidr6 test IPv4/IPv6 networks (Supported operators page).
var constructs = []struct {
	name, detection, want string
}{
	{"equal", "    sel:\n        CommandLine: 'abc'\n    condition: sel", `CommandLine = "abc"`},
	{"empty string", "    sel:\n        CommandLine: ''\n    condition: sel", `CommandLine = ""`},
	{"contains", "    sel:\n        CommandLine|contains: 'abc'\n    condition: sel", `CommandLine contains "abc"`},
	{"startswith", "    sel:\n        CommandLine|startswith: 'abc'\n    condition: sel", `CommandLine in ("abc*")`},
	{"endswith", "    sel:\n        Image|endswith: '.exe'\n    condition: sel", `Image in ("*.exe")`},
	{"inner wildcard", "    sel:\n        CommandLine: 'a*b'\n    condition: sel", `CommandLine in ("a*b")`},
	{"single-char wildcard", "    sel:\n        CommandLine: 'a?b'\n    condition: sel", `CommandLine ~= "(?i)^a(?s:.)b$"`},
	{"lone star", "    sel:\n        CommandLine: '*'\n    condition: sel", `CommandLine != null`},
	{"list is or", "    sel:\n        CommandLine:\n            - a\n            - b\n    condition: sel", `CommandLine = "a" or CommandLine = "b"`},
	{"all is and", "    sel:\n        CommandLine|contains|all:\n            - a\n            - b\n    condition: sel", `CommandLine contains "a" and CommandLine contains "b"`},
	{"pipemagic pipes", "    sel:\n        CommandLine|contains:\n            - '\\\\\\\\.\\\\pipe\\\\1.'\n            - '\\\\\\\\.\\\\pipe\\\\magic3301'\n    condition: sel",
		`CommandLine contains "\\.\pipe\1." or CommandLine contains "\\.\pipe\magic3301"`},
	{"case-sensitive rule: every part says its case", "    sel:\n        CommandLine|cased: 'AbC'\n        Image|endswith: '.exe'\n        ParentImage: '*'\n    condition: sel",
		`CommandLine ~= "^AbC$" and Image ~= "(?i)^(?s:.*)\.exe$" and ParentImage != null`},
	{"regex", "    sel:\n        CommandLine|re: '^a.*b$'\n    condition: sel", `CommandLine ~= "(?s:.*)(?:^a.*b$)(?s:.*)"`},
	{"regex ignorecase", "    sel:\n        CommandLine|re|i: 'abc'\n    condition: sel", `CommandLine ~= "(?i)(?s:.*)(?:abc)(?s:.*)"`},
	{"regex leading flags hoisted", "    sel:\n        CommandLine|re: '(?i)abc'\n    condition: sel", `CommandLine ~= "(?i)(?s:.*)(?:abc)(?s:.*)"`},
	{"regex leading flags merged", "    sel:\n        CommandLine|re|i: '(?s)a.c'\n    condition: sel", `CommandLine ~= "(?is)(?s:.*)(?:a.c)(?s:.*)"`},
	{"regex scoped flags kept", "    sel:\n        CommandLine|re: 'a(?i:bc)'\n    condition: sel", `CommandLine ~= "(?s:.*)(?:a(?i:bc))(?s:.*)"`},
	{"regex with quote and escaped backslash", "    sel:\n        CommandLine|re: 'a\"b\\\\'\n    condition: sel", `CommandLine ~= "(?s:.*)(?:a\x{22}b\x{5c})(?s:.*)"`},
	{"cidr v4", "    sel:\n        SourceIp|cidr: '10.0.0.0/8'\n    condition: sel", `SourceIp incidr "10.0.0.0/8"`},
	{"cidr v6", "    sel:\n        SourceIp|cidr: 'fe80::/10'\n    condition: sel", `SourceIp incidr6 "fe80::/10"`},
	{"number", "    sel:\n        EventID: 4688\n    condition: sel", `EventID = 4688`},
	{"compare", "    sel:\n        Size|gte: 1024\n    condition: sel", `Size >= 1024`},
	{"bool", "    sel:\n        Flag: true\n    condition: sel", `Flag = true`},
	{"null", "    sel:\n        CommandLine: null\n    condition: sel", `CommandLine = null`},
	{"exists", "    sel:\n        CommandLine|exists: true\n    condition: sel", `CommandLine != null`},
	{"not exists", "    sel:\n        CommandLine|exists: false\n    condition: sel", `CommandLine = null`},
	{"cased", "    sel:\n        CommandLine|cased: 'AbC'\n    condition: sel", `CommandLine ~= "^AbC$"`},
	{"fieldref", "    sel:\n        CommandLine|fieldref: ParentCommandLine\n    condition: sel", `CommandLine = ParentCommandLine`},
	{"literal star", "    sel:\n        CommandLine: 'a\\*b'\n    condition: sel", `CommandLine ~= "(?i)^a\*b$"`},
	{"literal question mark", "    sel:\n        CommandLine: 'a\\?b'\n    condition: sel", `CommandLine ~= "(?i)^a\?b$"`},
	{"quote", "    sel:\n        CommandLine: 'a\"b'\n    condition: sel", `CommandLine ~= "(?i)^a\x{22}b$"`},
	{"trailing backslash", "    sel:\n        CommandLine|contains: 'C:\\Windows\\'\n    condition: sel", `CommandLine ~= "(?i)^(?s:.*)C:\x{5c}Windows\x{5c}(?s:.*)$"`},
	{"backslash before wildcard", "    sel:\n        Image|startswith: 'C:\\Windows\\'\n    condition: sel", `Image ~= "(?i)^C:\x{5c}Windows\x{5c}(?s:.*)$"`},
	{"newline", "    sel:\n        CommandLine: \"a\\nb\"\n    condition: sel", `CommandLine ~= "(?i)^a\x{a}b$"`},
	{"line separator", "    sel:\n        CommandLine|contains: \"a\\u2028b\"\n    condition: sel", `CommandLine ~= "(?i)^(?s:.*)a\x{2028}b(?s:.*)$"`},
	{"regex line separator", "    sel:\n        CommandLine|re|i: \"a\\u0085b\"\n    condition: sel", `CommandLine ~= "(?i)(?s:.*)(?:a\x{85}b)(?s:.*)"`},
	{"pipe character stays in literal", "    sel:\n        CommandLine|contains: 'a | dataset = x'\n    condition: sel", `CommandLine contains "a | dataset = x"`},
	{"not", "    sel:\n        CommandLine|contains: a\n    filter:\n        Image|endswith: '.exe'\n    condition: sel and not filter",
		`CommandLine contains "a" and (Image = null or not (Image in ("*.exe")))`},
	{"precedence", "    s1:\n        A: '1'\n    s2:\n        B: '2'\n    s3:\n        C: '3'\n    condition: (s1 or s2) and s3",
		`(A = "1" or B = "2") and C = "3"`},
	{"mixed group parenthesized", "    s1:\n        A: '1'\n    s2:\n        B: '2'\n    s3:\n        C: '3'\n    condition: s1 or s2 and s3",
		`A = "1" or (B = "2" and C = "3")`},
	{"list of maps", "    sel:\n        - A: '1'\n          B: '2'\n        - C: '3'\n    condition: sel",
		`(A = "1" and B = "2") or C = "3"`},
	{"windash", "    sel:\n        CommandLine|windash|contains: ' -y'\n    condition: sel",
		"CommandLine contains \" -y\" or CommandLine contains \" /y\" or CommandLine contains \" \u2013y\" or CommandLine contains \" \u2014y\" or CommandLine contains \" \u2015y\""},
	{"base64", "    sel:\n        CommandLine|base64|contains: 'abc'\n    condition: sel", `CommandLine contains "YWJj"`},
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

// Constructs XQL cannot express must fail with a positioned error naming
// the construct, never approximate.
func TestUnsupportedConstructs(t *testing.T) {
	cases := []struct{ name, detection, want string }{
		{"keywords", "    keywords:\n        - evil\n    condition: keywords", "7:11: xql: keyword search"},
		{"fieldref contains", "    sel:\n        A|fieldref|contains: B\n    condition: sel", "xql: fieldref with contains"},
		{"field name", "    sel:\n        'a b': x\n    condition: sel", `field name "a b" cannot be written`},
		{"placeholder", "    sel:\n        A|expand: '%servers%'\n    condition: sel", "unresolved placeholder %servers%"},
		{"time part", "    sel:\n        T|hour: 3\n    condition: sel", "time-part modifier hour"},
		{"look-ahead", "    sel:\n        A|re: 'a(?=b)'\n    condition: sel", "7:15: xql: regular expression is not RE2 syntax"},
		{"back-reference", "    sel:\n        A|re: '(a)\\1'\n    condition: sel", "not RE2 syntax"},
		{"flags after the start", "    sel:\n        A|re: 'a(?i)b'\n    condition: sel", "sets flags with (?i) after its start"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := convertDetection(t, tc.detection)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "case.yml:") {
				t.Errorf("error %q does not name the rule file", err)
			}
		})
	}
}

// A "/*" in a header line is folded: a block comment opened inside a line
// comment (an undocumented case) must not swallow the query.
func TestHeaderBlockCommentOpener(t *testing.T) {
	rule := "title: 'a /* b'\ndescription: 'x/**/y'\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    sel:\n        CommandLine: x\n    condition: sel\n"
	f := sigma.ParseFile("case.yml", []byte(rule))
	conv, err := backends.NewConverter(xql.New(), backends.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := conv.Convert(f.Documents[0].(*sigma.Rule))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(res.Output, "/*") || !strings.Contains(res.Output, "// Title: a / * b\n// Description: x/ **/y\n") {
		t.Errorf("header not folded:\n%s", res.Output)
	}
}
