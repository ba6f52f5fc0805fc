package sigma

import (
	"fmt"
	"strings"
	"testing"
)

// hdr starts a rule whose detection entries begin on line 5, indented by
// four spaces.
const hdr = "title: t\nlogsource:\n    product: windows\ndetection:\n"

// rule builds a rule from detection lines (each indented by four spaces).
func rule(lines ...string) string {
	var b strings.Builder
	b.WriteString(hdr)
	for _, l := range lines {
		b.WriteString("    " + l + "\n")
	}
	return b.String()
}

const corrHdr = "title: c\ncorrelation:\n"

func aliasBomb() string {
	var b strings.Builder
	b.WriteString("title: t\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i,
			i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	return b.String()
}

func manyDocs(n int) string {
	doc := rule("sel: [x]", "condition: sel")
	return strings.Repeat(doc+"---\n", n)
}

var malformed = []struct {
	name string
	src  string
	want string // substring of the first error at line:col
	line int
	col  int
}{
	{"invalid yaml", "title: t\nlogsource: x\n  - b: c\n", "invalid YAML: mapping values are not allowed", 3, 1},
	{"binary garbage", "\x00\x01\x02\xff\xfe", "invalid YAML", 1, 1},
	{"tab indentation", "title: t\n\tlogsource: x\n", "invalid YAML", 2, 1},
	{"alias bomb", aliasBomb(), "too large after alias expansion", 1, 1},
	{"deep yaml nesting", "title: " + strings.Repeat("[", 300) + strings.Repeat("]", 300) + "\n", "nesting is deeper", 1, 208},
	{"file too large", "title: t\n#" + strings.Repeat("x", maxFileSize), "file is too large", 1, 1},
	{"too many documents", manyDocs(maxDocuments + 1), "too many YAML documents", 256 * 7, 1},
	{"empty file", "# nothing\n", "no Sigma document", 1, 1},
	{"not a map", "- a\n- b\n", "must be a map", 1, 1},
	{"missing title", "logsource:\n    product: x\ndetection:\n    sel: [x]\n    condition: sel\n", "missing title", 1, 1},
	{"title not string", "title: [a]\nlogsource: {product: x}\ndetection: {sel: [x], condition: sel}\n", "title must be a string", 1, 8},
	{"title too long", "title: " + strings.Repeat("a", 257) + "\nlogsource: {product: x}\ndetection: {sel: [x], condition: sel}\n", "longer than 256", 1, 8},
	{"missing logsource", "title: t\ndetection:\n    sel: [x]\n    condition: sel\n", "missing logsource", 1, 1},
	{"empty logsource", "title: t\nlogsource:\n    definition: x\ndetection:\n    sel: [x]\n    condition: sel\n", "at least one of category", 3, 5},
	{"missing detection", "title: t\nlogsource:\n    product: x\n", "missing detection", 1, 1},
	{"detection not a map", "title: t\nlogsource:\n    product: x\ndetection: sel\n", "detection must be a map", 4, 12},
	{"missing condition", rule("sel: [x]"), "has no condition", 5, 5},
	{"no searches", rule("condition: sel"), "has no search identifiers", 5, 5},
	{"null selection", rule("sel:", "condition: sel"), `search "sel" is empty`, 5, 9},
	{"empty list selection", rule("sel: []", "condition: sel"), "empty list", 5, 10},
	{"empty map selection", rule("sel: {}", "condition: sel"), "empty map", 5, 10},
	{"nested map value", rule("sel:", "    Image:", "        x: y", "condition: sel"), "is a map", 7, 13},
	{"nested list value", rule("sel:", "    Image: [[a]]", "condition: sel"), "only scalars", 6, 17},
	{"empty value list", rule("sel:", "    Image: []", "condition: sel"), "empty list", 6, 16},
	{"null keyword", rule("sel: [a, null]", "condition: sel"), "null keyword", 5, 14},
	{"unknown modifier", rule("sel:", "    Image|contain: x", "condition: sel"), `unknown modifier "contain"; did you mean "contains"`, 6, 15},
	{"empty modifier", rule("sel:", "    Image||contains: x", "condition: sel"), "empty modifier", 6, 15},
	{"quoted key modifier", rule("sel:", "    'Image|bogus': x", "condition: sel"), `unknown modifier "bogus"`, 6, 16},
	{"contains then re", rule("sel:", "    Image|contains|re: x", "condition: sel"), "re must come first", 6, 24},
	{"cidr then contains", rule("sel:", "    Ip|cidr|contains: 10.0.0.0/8", "condition: sel"), "contains cannot be applied to a CIDR", 6, 17},
	{"re then base64", rule("sel:", "    Image|re|base64: x", "condition: sel"), "base64 cannot be applied to a regular expression", 6, 18},
	{"wide then re", rule("sel:", "    Image|wide|re: x", "condition: sel"), "re must come first", 6, 20},
	{"gt on string", rule("sel:", "    Count|gt: '5'", "condition: sel"), "gt needs a number", 6, 15},
	{"base64 wildcard", rule("sel:", "    Cmd|base64: 'a*b'", "condition: sel"), "cannot encode wildcards", 6, 13},
	{"contains on number", rule("sel:", "    EventID|contains: 46", "condition: sel"), "contains cannot be applied to the number 46; quote", 6, 17},
	{"windash on number", rule("sel:", "    EventID|windash: 46", "condition: sel"), "windash cannot be applied to the number 46", 6, 17},
	{"re on number", rule("sel:", "    EventID|re: 46", "condition: sel"), "re needs a string value, not a number", 6, 21},
	{"invalid regex", rule("sel:", "    Image|re: '(abc'", "condition: sel"), "invalid regular expression: missing closing )", 6, 20},
	{"invalid regex repeat", rule("sel:", "    Image|re: 'a**'", "condition: sel"), "invalid regular expression", 6, 20},
	{"flag without re", rule("sel:", "    Image|i: x", "condition: sel"), "must follow re", 6, 15},
	{"invalid cidr", rule("sel:", "    Ip|cidr: 10.0.0.300/8", "condition: sel"), "invalid CIDR", 6, 18},
	{"cidr host bits", rule("sel:", "    Ip|cidr: 10.0.0.1/8", "condition: sel"), "host bits set; did you mean 10.0.0.0/8", 6, 18},
	{"cidr v6 host bits", rule("sel:", "    Ip|cidr: 'fe80::1/10'", "condition: sel"), "host bits", 6, 18},
	{"exists not bool", rule("sel:", "    Image|exists: 'true'", "condition: sel"), "exists needs true or false", 6, 23},
	{"exists keyword", rule("sel:", "    '|exists': true", "condition: sel"), "exists needs a field", 6, 11},
	{"time part on string", rule("sel:", "    Time|hour: x", "condition: sel"), "hour needs an integer", 6, 20},
	{"fieldref wildcard", rule("sel:", "    A|fieldref: 'B*'", "condition: sel"), "without wildcards", 6, 21},
	{"field control char", rule("sel:", "    \"Ima\\tge\": x", "condition: sel"), "control character", 6, 9},
	{"empty field", rule("sel:", "    '': x", "condition: sel"), "empty field name", 6, 9},
	{"bare scalar search", rule("sel: x", "condition: sel"), `search "sel" is a bare value; the Sigma specification allows a list of keywords or a map of fields: write it as a list, e.g. sel: [x]`, 5, 10},
	{"unbalanced parens", rule("sel: [x]", "condition: (sel"), "unbalanced parentheses", 6, 16},
	{"unknown operator", rule("sel: [x]", "sel2: [y]", "condition: sel xor sel2"), "unknown operator", 7, 20},
	{"upper-case operator", rule("sel: [x]", "sel2: [y]", "condition: sel AND sel2"), "lower case", 7, 20},
	{"unknown identifier", rule("selection: x", "condition: selection and selectoin"), `unknown search identifier "selectoin" in condition; did you mean "selection"`, 6, 30},
	{"unknown identifier quoted", rule("sel: [x]", "condition: 'sel and nope'"), `unknown search identifier "nope"`, 6, 25},
	{"unknown identifier double quoted", rule("sel: [x]", `condition: "sel and nope"`), `unknown search identifier "nope"`, 6, 25},
	{"unknown identifier block", rule("sel: [x]", "condition: |", "    sel and", "    nope"), `unknown search identifier "nope"`, 8, 9},
	{"unknown identifier in list", rule("sel: [x]", "condition:", "    - sel", "    - nope"), `unknown search identifier "nope"`, 8, 11},
	{"pattern matches nothing", rule("sel: [x]", "condition: sel and not 1 of filter_*"), `pattern "filter_*" matches no search`, 6, 33},
	{"them matches nothing", rule("_sel: [x]", "condition: 1 of them"), "them selects no search", 6, 21},
	{"legacy aggregation", rule("sel: [x]", "condition: sel | count() > 5"), "aggregation", 6, 20},
	{"empty condition", rule("sel: [x]", "condition: ''"), "condition is empty", 6, 17},
	{"condition map", rule("sel: [x]", "condition: {a: b}"), "condition must be a string or a list", 6, 16},
	{"deep parentheses", rule("sel: [x]", "condition: "+strings.Repeat("(", 5000)+"sel"+strings.Repeat(")", 5000)), "nested too deeply", 6, 516},
	{"duplicate top-level key", "title: a\ntitle: b\nlogsource: {product: x}\ndetection: {sel: [x], condition: sel}\n", `duplicate key "title" (first defined at 1:1)`, 2, 1},
	{"duplicate selection key", rule("sel:", "    Image: a", "    Image: b", "condition: sel"), `duplicate key "Image"`, 7, 9},
	{"merge key", rule("sel:", "    <<: {a: b}", "condition: sel"), "merge keys", 6, 9},
	{"alias cycle", "title: &a [*a]\n", "contains it", 1, 8},
	{"action global", "action: global\ntitle: t\n---\nlogsource: {product: x}\n", "action: global collections are not supported; write each rule as a complete document", 1, 9},
	{"bad id", "id: 1234\n" + rule("sel: [x]", "condition: sel"), "is not a UUID", 1, 5},
	{"bad status", "status: beta\n" + rule("sel: [x]", "condition: sel"), `unknown status "beta"`, 1, 9},
	{"bad level", "level: severe\n" + rule("sel: [x]", "condition: sel"), `unknown level "severe"`, 1, 8},
	{"bad date", "date: 23.10.2019\n" + rule("sel: [x]", "condition: sel"), "must be a date written YYYY-MM-DD", 1, 7},
	{"impossible date", "date: 2019-02-30\n" + rule("sel: [x]", "condition: sel"), "not a valid date", 1, 7},
	{"tag without namespace", "tags: [attack]\n" + rule("sel: [x]", "condition: sel"), "namespace.name", 1, 8},
	{"related bad type", "related:\n    - id: 929a690e-bef0-4204-a928-ef5e620d6fcc\n      type: cousin\n" + rule("sel: [x]", "condition: sel"), `unknown related type "cousin"`, 3, 13},
	{"related bad id", "related:\n    - id: nope\n      type: derived\n" + rule("sel: [x]", "condition: sel"), "related id \"nope\" is not a UUID", 2, 11},
	{"references not list", "references: {a: b}\n" + rule("sel: [x]", "condition: sel"), "references must be a list", 1, 13},
	{"correlation bad timespan", corrHdr + "    type: event_count\n    rules: [a]\n    group-by: [u]\n    timespan: 5 minutes\n    condition: {gte: 3}\n", "invalid timespan", 6, 15},
	{"correlation unknown type", corrHdr + "    type: event_cnt\n    rules: [a]\n    timespan: 5m\n    condition: {gte: 3}\n", `unknown correlation type "event_cnt"; did you mean "event_count"`, 3, 11},
	{"correlation no condition", corrHdr + "    type: event_count\n    rules: [a]\n    group-by: [u]\n    timespan: 5m\n", "needs a condition", 3, 5},
	{"correlation no rules", corrHdr + "    type: event_count\n    group-by: [u]\n    timespan: 5m\n    condition: {gte: 3}\n", "missing rules", 3, 5},
	{"correlation bad op", corrHdr + "    type: event_count\n    rules: [a]\n    group-by: [u]\n    timespan: 5m\n    condition: {greater: 3}\n", "unknown correlation condition key", 7, 17},
	{"correlation value without field", corrHdr + "    type: value_count\n    rules: [a]\n    group-by: [u]\n    timespan: 5m\n    condition: {gte: 3}\n", "needs a field", 7, 16},
	{"correlation unknown key", corrHdr + "    type: event_count\n    rules: [a]\n    group-by: [u]\n    timespan: 5m\n    timeframe: 5m\n    condition: {gte: 3}\n", `unknown correlation key "timeframe"; did you mean "timespan"`, 7, 5},
	{"filter without rules", "title: f\nlogsource: {product: windows}\nfilter:\n    sel: {User: admin}\n    condition: not sel\n", "filter has no rules", 4, 5},
	{"filter condition list", "title: f\nlogsource: {product: windows}\nfilter:\n    rules: any\n    sel: {User: admin}\n    condition: [not sel]\n", "single string", 6, 16},
}

func TestMalformed(t *testing.T) {
	if len(malformed) < 40 {
		t.Fatalf("only %d cases", len(malformed))
	}
	for _, tc := range malformed {
		t.Run(tc.name, func(t *testing.T) {
			f := ParseFile("bad.yml", []byte(tc.src))
			errs := f.Diags.Errors()
			if len(errs) == 0 {
				t.Fatalf("no error; diagnostics: %v", f.Diags)
			}
			if len(f.Documents) != 0 && !strings.Contains(tc.name, "too many") {
				t.Errorf("a document with errors was kept")
			}
			for _, d := range errs {
				if strings.Contains(d.Message, tc.want) {
					if d.Pos != (Pos{Line: tc.line, Column: tc.col}) {
						t.Errorf("%q at %s, want %d:%d", tc.want, d.Pos, tc.line, tc.col)
					}
					if d.File != "bad.yml" {
						t.Errorf("file %q", d.File)
					}
					return
				}
			}
			t.Errorf("no error contains %q; got:\n%v", tc.want, errs)
		})
	}
}

func TestDiagnosticFormat(t *testing.T) {
	f := ParseFile("x.yml", []byte(rule("sel: [x]", "condition: sel and nope")))
	got := f.Diags.Errors().Error()
	want := `x.yml:6:24: unknown search identifier "nope" in condition`
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestErrorCap(t *testing.T) {
	var lines []string
	for i := range 80 {
		lines = append(lines, fmt.Sprintf("sel%d: []", i))
	}
	f := ParseFile("x.yml", []byte(rule(append(lines, "condition: 1 of sel*")...)))
	if len(f.Diags) != maxFileDiags+1 {
		t.Fatalf("%d diagnostics, want %d", len(f.Diags), maxFileDiags+1)
	}
	if last := f.Diags[len(f.Diags)-1]; !strings.Contains(last.Message, "more not shown") {
		t.Errorf("last diagnostic %v", last)
	}
}
