package spl_test

import (
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/spl"
	"github.com/sigconv/sigconv/sigma"
)

// convertRule converts a rule text with the given options.
func convertRule(t *testing.T, rule string, opt backends.Options) (string, error) {
	t.Helper()
	f := sigma.ParseFile("case.yml", []byte(rule))
	if err := f.Diags.Err(); err != nil {
		t.Fatalf("rule does not parse: %v\n%s", err, rule)
	}
	conv, err := backends.NewConverter(spl.New(), opt)
	if err != nil {
		t.Fatal(err)
	}
	res, err := conv.Convert(f.Documents[0].(*sigma.Rule))
	if err != nil {
		return "", err
	}
	return res.Output, nil
}

// convertDetection converts a process_creation rule with the given
// detection block without any pipeline (field names as written).
func convertDetection(t *testing.T, detection string) (string, error) {
	t.Helper()
	rule := "title: t\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n" + detection
	return convertRule(t, rule, backends.Options{WithoutPipeline: true})
}

// Each expected query was checked by hand against Splunk's search
// reference: in the search command "..." values compare case-insensitively
// with '*' as the only wildcard and \\ for a backslash; OR binds tighter
// than the implied AND; NOT field=* finds a missing field. Everything the
// search command cannot say goes to | where, whose eval strings also read
// \\ as one backslash, and where match() takes a PCRE found anywhere in
// the value (hence \A...\z) and is case-sensitive unless (?i).
var constructs = []struct {
	name, detection, want string
}{
	{"equal", "    sel:\n        CommandLine: 'abc'\n    condition: sel", `CommandLine="abc"`},
	{"contains", "    sel:\n        CommandLine|contains: 'abc'\n    condition: sel", `CommandLine="*abc*"`},
	{"startswith", "    sel:\n        CommandLine|startswith: 'abc'\n    condition: sel", `CommandLine="abc*"`},
	{"endswith", "    sel:\n        Image|endswith: '\\cmd.exe'\n    condition: sel", `Image="*\\cmd.exe"`},
	// A '*' between two pieces of text is answered from segmented index
	// terms ("might return inconsistent results", Wildcards page), so it
	// goes to | where; a leading or trailing '*' stays in the search.
	{"inner wildcard", "    sel:\n        CommandLine: 'a*b'\n    condition: sel",
		"*\n| where match('CommandLine', \"(?i)\\\\Aa(?s:.*)b\\\\z\")"},
	{"inner wildcard in a path", "    sel:\n        CommandLine|contains: 'C:\\Users\\\\*\\AppData'\n    condition: sel",
		"*\n| where match('CommandLine', \"(?i)\\\\A(?s:.*)C:\\\\x{5c}Users\\\\x{5c}(?s:.*)\\\\x{5c}AppData(?s:.*)\\\\z\")"},
	// Whether F=* matches an empty value is not documented: isnotnull()
	// and isnull() are exact either way.
	{"lone star", "    sel:\n        CommandLine: '*'\n    condition: sel", "*\n| where isnotnull('CommandLine')"},
	{"contains empty", "    sel:\n        CommandLine|contains: ''\n    condition: sel", "*\n| where isnotnull('CommandLine')"},
	{"list is IN", "    sel:\n        CommandLine:\n            - a\n            - b*\n    condition: sel", `CommandLine IN ("a", "b*")`},
	{"list with an inner wildcard", "    sel:\n        CommandLine:\n            - a\n            - b*c\n    condition: sel",
		"*\n| where match('CommandLine', \"(?i)\\\\Aa\\\\z\") OR match('CommandLine', \"(?i)\\\\Ab(?s:.*)c\\\\z\")"},
	{"all is and", "    sel:\n        CommandLine|contains|all:\n            - a\n            - b\n    condition: sel", `CommandLine="*a*" CommandLine="*b*"`},
	{"pipemagic pipes", "    sel:\n        CommandLine|contains:\n            - '\\\\\\\\.\\\\pipe\\\\1.'\n            - '\\\\\\\\.\\\\pipe\\\\magic3301'\n    condition: sel",
		`CommandLine IN ("*\\\\.\\pipe\\1.*", "*\\\\.\\pipe\\magic3301*")`},
	{"quote and trailing backslash", "    sel:\n        CommandLine|contains: 'a\"b\\'\n    condition: sel", `CommandLine="*a\"b\\*"`},
	{"pipe, brackets and equals stay quoted", "    sel:\n        CommandLine: 'a | b [c] = d'\n    condition: sel", `CommandLine="a | b [c] = d"`},
	{"cidr v4", "    sel:\n        SourceIp|cidr: '10.0.0.0/8'\n    condition: sel", `SourceIp="10.0.0.0/8"`},
	{"cidr v6", "    sel:\n        SourceIp|cidr: 'fe80::/10'\n    condition: sel", `SourceIp="fe80::/10"`},
	{"number", "    sel:\n        EventID: 4688\n    condition: sel", `EventID=4688`},
	{"compare", "    sel:\n        Size|gte: 1024\n    condition: sel", `Size>=1024`},
	{"bool", "    sel:\n        Flag: true\n    condition: sel", `Flag="true"`},
	{"null", "    sel:\n        CommandLine: null\n    condition: sel", "*\n| where isnull('CommandLine')"},
	{"not null has no NOT NOT", "    sel:\n        CommandLine: null\n    condition: not sel", "*\n| where isnotnull('CommandLine')"},
	{"exists", "    sel:\n        CommandLine|exists: true\n    condition: sel", "*\n| where isnotnull('CommandLine')"},
	{"not exists", "    sel:\n        CommandLine|exists: false\n    condition: sel", "*\n| where isnull('CommandLine')"},
	// Keywords are substrings of the event, not indexed terms.
	{"keywords", "    keywords:\n        - 'evil thing'\n        - 'bad*'\n    condition: keywords",
		"*\n| where match(_raw, \"(?i)evil\\\\x{20}thing\") OR match(_raw, \"(?i)bad\")"},
	{"keyword with ?", "    keywords:\n        - 'a?b'\n    condition: keywords", "*\n| where match(_raw, \"(?i)a(?s:.)b\")"},
	{"keyword number", "    keywords:\n        - 4688\n    condition: keywords", "*\n| where match(_raw, \"(?i)4688\")"},
	{"not keyword", "    sel:\n        A: x\n    keywords:\n        - 'a.b'\n    condition: sel and not keywords",
		"A=\"x\"\n| where NOT (match(_raw, \"(?i)a\\\\.b\"))"},
	{"not", "    sel:\n        CommandLine|contains: a\n    filter:\n        Image|endswith: '.exe'\n    condition: sel and not filter",
		`CommandLine="*a*" NOT Image="*.exe"`},
	{"not of a list groups", "    sel:\n        CommandLine|contains: a\n    filter:\n        Image:\n            - x\n            - y\n    condition: sel and not filter",
		`CommandLine="*a*" NOT (Image IN ("x", "y"))`},
	{"or under and needs no parentheses", "    s1:\n        A: '1'\n    s2:\n        B: '2'\n    s3:\n        C: '3'\n    condition: (s1 or s2) and s3",
		`A="1" OR B="2" C="3"`},
	{"and under or is grouped", "    s1:\n        A: '1'\n    s2:\n        B: '2'\n    s3:\n        C: '3'\n    condition: s1 or s2 and s3",
		`A="1" OR (B="2" C="3")`},
	{"list of maps", "    sel:\n        - A: '1'\n          B: '2'\n        - C: '3'\n    condition: sel",
		`(A="1" B="2") OR C="3"`},
	{"windash", "    sel:\n        CommandLine|windash|contains: ' -y'\n    condition: sel",
		"CommandLine IN (\"* -y*\", \"* /y*\", \"* \u2013y*\", \"* \u2014y*\", \"* \u2015y*\")"},

	// Constructs only | where can say exactly.
	{"single-char wildcard", "    sel:\n        CommandLine: 'a?b'\n    condition: sel",
		"*\n| where match('CommandLine', \"(?i)\\\\Aa(?s:.)b\\\\z\")"},
	{"literal star", "    sel:\n        CommandLine: 'a\\*b'\n    condition: sel",
		"*\n| where match('CommandLine', \"(?i)\\\\Aa\\\\*b\\\\z\")"},
	{"cased", "    sel:\n        CommandLine|cased: 'AbC'\n    condition: sel",
		"*\n| where match('CommandLine', \"\\\\AAbC\\\\z\")"},
	{"empty string", "    sel:\n        CommandLine: ''\n    condition: sel",
		"*\n| where match('CommandLine', \"(?i)\\\\A\\\\z\")"},
	{"regex", "    sel:\n        CommandLine|re: '^a\\.b\"c$'\n    condition: sel",
		"*\n| where match('CommandLine', \"^a\\\\.b\\\\x{22}c$\")"},
	{"regex ignorecase", "    sel:\n        CommandLine|re|i: 'abc'\n    condition: sel",
		"*\n| where match('CommandLine', \"(?i)abc\")"},
	{"newline", "    sel:\n        CommandLine: \"a\\nb\"\n    condition: sel",
		"*\n| where match('CommandLine', \"(?i)\\\\Aa\\\\x{a}b\\\\z\")"},
	{"backtick", "    sel:\n        CommandLine|contains: 'a`b'\n    condition: sel",
		"*\n| where match('CommandLine', \"(?i)\\\\A(?s:.*)a\\\\x{60}b(?s:.*)\\\\z\")"},
	{"fieldref", "    sel:\n        CommandLine|fieldref: ParentCommandLine\n    condition: sel",
		"*\n| where lower('CommandLine')==lower('ParentCommandLine')"},
	{"fieldref cased", "    sel:\n        CommandLine|fieldref|cased: ParentCommandLine\n    condition: sel",
		"*\n| where 'CommandLine'=='ParentCommandLine'"},
	{"odd field name", "    sel:\n        'Process Name': 'a'\n    condition: sel",
		"*\n| where match('Process Name', \"(?i)\\\\Aa\\\\z\")"},
	{"regex under or keeps the structure", "    sel:\n        Image|endswith: '\\x.exe'\n    re:\n        CommandLine|re: 'a|b'\n    other:\n        User: admin\n    condition: (sel or re) and other",
		"User=\"admin\"\n| where match('Image', \"(?i)\\\\A(?s:.*)\\\\x{5c}x\\\\.exe\\\\z\") OR match('CommandLine', \"a|b\")"},
	{"negated leaves are null-safe", "    sel:\n        A: x\n    re:\n        CommandLine|re: 'a'\n    condition: sel and not re",
		"A=\"x\"\n| where NOT (isnotnull('CommandLine') AND match('CommandLine', \"a\"))"},
	{"keyword in where", "    keywords:\n        - 'evil'\n    re:\n        CommandLine|re: 'a'\n    condition: keywords or re",
		"*\n| where match(_raw, \"(?i)evil\") OR match('CommandLine', \"a\")"},
	{"negated fieldref guards both fields", "    sel:\n        A: x\n    ref:\n        CommandLine|fieldref: ParentCommandLine\n    condition: sel and not ref",
		"A=\"x\"\n| where NOT (isnotnull('CommandLine') AND isnotnull('ParentCommandLine') AND lower('CommandLine')==lower('ParentCommandLine'))"},
	{"cidr in where", "    ip:\n        SourceIp|cidr: '10.0.0.0/8'\n    re:\n        CommandLine|re: 'a'\n    condition: ip or re",
		"*\n| where cidrmatch(\"10.0.0.0/8\", 'SourceIp') OR match('CommandLine', \"a\")"},
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

// Constructs SPL cannot express must fail with a positioned error naming
// the construct, never approximate.
func TestUnsupportedConstructs(t *testing.T) {
	cases := []struct{ name, detection, want string }{
		{"fieldref contains", "    sel:\n        A|fieldref|contains: B\n    condition: sel", "spl: fieldref with contains"},
		{"placeholder", "    sel:\n        A|expand: '%servers%'\n    condition: sel", "unresolved placeholder %servers%"},
		{"time part", "    sel:\n        T|hour: 3\n    condition: sel", "time-part modifier hour"},
		{"line separator", "    sel:\n        A: \"a\\u2028b\"\n    condition: sel", "7:12: spl: value contains the line-breaking character U+2028"},
		{"next line in a regex", "    sel:\n        A|re: \"a\\x85b\"\n    condition: sel", "U+0085, which SPL cannot carry"},
		{"field name with quote", "    sel:\n        \"a'b\": x\n    condition: sel", `field name "a'b" cannot be written`},
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
