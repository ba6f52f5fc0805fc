package sigma

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// parseItem parses a rule whose only search holds the one entry
// "key: val" and returns that item and the file.
func parseOne(t *testing.T, key, val string) (*Item, *File) {
	t.Helper()
	f := ParseFile("v.yml", []byte(rule("sel:", "    "+key+": "+val, "condition: sel")))
	if f.Diags.HasErrors() {
		t.Fatalf("%s: %v", key, f.Diags.Errors())
	}
	r := f.Documents[0].(*Rule)
	return r.Detection.Searches[0].Groups[0].Items[0], f
}

func lit(s string) Part { return Part{Kind: Literal, Text: s} }

var (
	wm = Part{Kind: WildMulti}
	ws = Part{Kind: WildSingle}
)

func str(parts ...Part) String { return String{Parts: parts} }

func plains(texts ...string) []Value {
	out := make([]Value, len(texts))
	for i, t := range texts {
		out[i] = Plain(t)
	}
	return out
}

func contained(texts ...string) []Value {
	out := make([]Value, len(texts))
	for i, t := range texts {
		out[i] = str(wm, lit(t), wm)
	}
	return out
}

var valueCases = []struct {
	key, val string
	want     []Value // alternatives of the single value
	warn     string  // expected warning substring, if any
}{
	// Plain scalars (YAML 1.1 decisions documented in readScalar).
	{"A", "'C:\\Windows\\\\*'", []Value{str(lit(`C:\Windows\`), wm)}, ""},
	{"A", "'C:\\Windows\\*'", []Value{Plain(`C:\Windows*`)}, ""},
	{"A", `'a\*b?'`, []Value{str(lit("a*b"), ws)}, ""},
	{"A", "''", []Value{String{}}, ""},
	{"A", "4688", []Value{Number{Int: 4688}}, ""},
	{"A", "-1.5", []Value{Number{Float: -1.5, IsFloat: true}}, ""},
	{"A", "0x17", []Value{Number{Int: 23}}, ""},
	{"A", "010", []Value{Number{Int: 8}}, "octal"},
	{"A", "true", []Value{Bool{Value: true}}, ""},
	{"A", "null", []Value{Null{}}, ""},
	{"A", "~", []Value{Null{}}, ""},
	{"A", "yes", []Value{Plain("yes")}, "boolean"},
	{"A", "off", []Value{Plain("off")}, "boolean"},
	{"A", "1e3", []Value{Plain("1e3")}, "as a string"},
	{"A", "0o10", []Value{Plain("0o10")}, "as a string"},
	{"A", "1:20", []Value{Plain("1:20")}, "base-60"},
	{"A", "2019-10-23", []Value{Plain("2019-10-23")}, ""},
	{"A", "'yes'", []Value{Plain("yes")}, ""},
	// contains / startswith / endswith.
	{"A|contains", "x", []Value{str(wm, lit("x"), wm)}, ""},
	{"A|contains", "'*x'", []Value{str(wm, lit("x"), wm)}, ""},
	{"A|startswith", "x", []Value{str(lit("x"), wm)}, ""},
	{"A|endswith", "'x*'", []Value{str(wm, lit("x"), wm)}, ""},
	{"A|contains|cased", "X", []Value{String{Parts: []Part{wm, lit("X"), wm}, Cased: true}}, ""},
	// Regular expressions.
	{"A|re", "'^a\\d+'", []Value{Regex{Pattern: `^a\d+`}}, ""},
	{"A|re|contains", "abc", []Value{Regex{Pattern: ".*abc.*"}}, ""},
	{"A|re|startswith", "'^abc'", []Value{Regex{Pattern: "^abc.*"}}, ""},
	{"A|re|endswith", "'abc$'", []Value{Regex{Pattern: ".*abc$"}}, ""},
	{"A|re|i|m|s", "x", []Value{Regex{Pattern: "x", IgnoreCase: true, Multiline: true, DotAll: true}}, ""},
	{"A|re|ignorecase", "x", []Value{Regex{Pattern: "x", IgnoreCase: true}}, ""},
	{"A|re", "'foo(?=bar)'", []Value{Regex{Pattern: "foo(?=bar)"}}, "look-ahead"},
	{"A|re", `'(a)\1'`, []Value{Regex{Pattern: `(a)\1`}}, "back-references"},
	// Valid PCRE that RE2 lacks: kept, with a warning naming it.
	{"A|re", "'a(?#note)b'", []Value{Regex{Pattern: "a(?#note)b"}}, "comments (?#...)"},
	{"A|re", "'(?x) a b # c'", []Value{Regex{Pattern: "(?x) a b # c"}}, "extended mode (?x)"},
	{"A|re", "'(?ix:a b)c'", []Value{Regex{Pattern: "(?ix:a b)c"}}, "extended mode (?x)"},
	// CIDR, comparisons, exists, time parts.
	{"A|cidr", "10.0.0.0/8", []Value{CIDR{Prefix: netip.MustParsePrefix("10.0.0.0/8")}}, ""},
	{"A|cidr", "'2001:db8::/32'", []Value{CIDR{Prefix: netip.MustParsePrefix("2001:db8::/32")}}, ""},
	{"A|cidr", "192.168.1.7", []Value{CIDR{Prefix: netip.MustParsePrefix("192.168.1.7/32")}}, ""},
	{"A|gte", "5", []Value{Compare{Op: GTE, Value: Number{Int: 5}}}, ""},
	{"A|lt", "1.5", []Value{Compare{Op: LT, Value: Number{Float: 1.5, IsFloat: true}}}, ""},
	{"A|hour|gte", "22", []Value{TimePart{Part: "hour", HasOp: true, Op: GTE, Value: Number{Int: 22}}}, ""},
	{"A|month", "12", []Value{TimePart{Part: "month", Value: Number{Int: 12}}}, ""},
	{"A|exists", "false", []Value{Exists{Value: false}}, ""},
	{"A|exists", "yes", []Value{Exists{Value: true}}, "read as true"},
	// Field references and placeholders.
	{"A|fieldref", "B", []Value{FieldRef{Field: "B"}}, ""},
	{"A|fieldref|contains", "B", []Value{FieldRef{Field: "B", StartsWith: true, EndsWith: true}}, ""},
	{"A|fieldref|endswith|cased", "B", []Value{FieldRef{Field: "B", EndsWith: true, Cased: true}}, ""},
	{"A|expand", "'%Servers%'", []Value{str(Part{Kind: Placeholder, Text: "Servers"})}, ""},
	{"A|expand", `'\%plain%Servers%'`, []Value{str(lit("%plain"), Part{Kind: Placeholder, Text: "Servers"})}, ""},
	{"A|contains|expand", "'x%a%y'", []Value{str(wm, lit("x"), Part{Kind: Placeholder, Text: "a"}, lit("y"), wm)}, ""},
	// Encodings. base64offset vectors from the reference, §4.2.
	{"A|base64", "cmd", plains("Y21k"), ""},
	{"A|base64|contains", "cmd", contained("Y21k"), ""},
	{"A|base64offset", "'http://'", plains("aHR0cDovL", "h0dHA6Ly", "odHRwOi8v"), ""},
	{"A|base64offset|contains", "foobar", contained("Zm9vYmFy", "Zvb2Jhc", "mb29iYX"), ""},
	{"A|base64offset", "ab", plains("YW", "Fi", "hY"), ""},
	{"A|base64offset", "abc", plains("YWJj", "FiY", "hYm"), ""},
	{"A|base64offset", "abcd", plains("YWJjZ", "FiY2", "hYmNk"), ""},
	{"A|base64offset", "a", plains("Y", "h"), "too short"},
	{"A|wide|base64offset|contains", "ping", contained("cABpAG4AZw", "AAaQBuAGcA", "wAGkAbgBnA"), ""},
	{"A|utf16le|base64offset", "ping", plains("cABpAG4AZw", "AAaQBuAGcA", "wAGkAbgBnA"), ""},
	{"A|utf16be|base64offset", "ping", plains("AHAAaQBuAG", "BwAGkAbgBn", "AcABpAG4AZ"), ""},
	{"A|wide|base64offset", "Invoke-Mimikatz", plains("SQBuAHYAbwBrAGUALQBNAGkAbQBpAGsAYQB0AHoA",
		"kAbgB2AG8AawBlAC0ATQBpAG0AaQBrAGEAdAB6A", "JAG4AdgBvAGsAZQAtAE0AaQBtAGkAawBhAHQAeg"), ""},
	// Byte length, not pySigma's character count (reference §4.2, §13.4).
	{"A|base64offset", "éab", plains("w6lhY", "OpYW", "DqWFi"), ""},
	{"A|utf16le", "ab", plains("a\x00b\x00"), ""},
	{"A|utf16be", "ab", plains("\x00a\x00b"), ""},
	{"A|utf16", "ab", plains("\xff\xfea\x00b\x00"), ""},
	{"A|utf16|base64", "cmd", plains("//5jAG0AZAA="), ""},
	{"A|wide|base64", "é", plains("6QA="), ""},
	// windash, reference §4.3.
	{"A|windash", "' -exec '", plains(" -exec ", " /exec ", " –exec ", " —exec ", " ―exec "), ""},
	{"A|windash", "'/c '", plains("-c ", "/c ", "–c ", "—c ", "―c "), ""},
	{"A|windash", "foo-bar", plains("foo-bar"), ""},
	{"A|windash", "'x -'", plains("x -"), ""},
	{"A|windash", "'--force'", plains("--force", "-/force", "-–force", "-—force", "-―force"), ""},
	{"A|windash", "' -ä'", plains(" -ä", " /ä", " –ä", " —ä", " ―ä"), ""},
	{"A|contains|windash", "' -a'", contained(" -a", " /a", " –a", " —a", " ―a"), ""},
	{"A|windash", "'*-x'", []Value{str(wm, lit("-x")), str(wm, lit("/x")), str(wm, lit("–x")), str(wm, lit("—x")), str(wm, lit("―x"))}, ""},
}

func TestValues(t *testing.T) {
	for _, tc := range valueCases {
		t.Run(tc.key+"="+tc.val, func(t *testing.T) {
			it, f := parseOne(t, tc.key, tc.val)
			if len(it.Values) != 1 {
				t.Fatalf("%d values", len(it.Values))
			}
			if d := cmp.Diff(tc.want, it.Values[0].Alternatives, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); d != "" {
				t.Errorf("alternatives (-want +got):\n%s", d)
			}
			checkWarning(t, f, tc.warn)
		})
	}
}

func checkWarning(t *testing.T, f *File, want string) {
	t.Helper()
	ws := f.Diags.Warnings()
	if want == "" {
		if len(ws) > 0 {
			t.Errorf("unexpected warnings: %v", ws)
		}
		return
	}
	for _, w := range ws {
		if strings.Contains(w.Message, want) {
			return
		}
	}
	t.Errorf("no warning contains %q; got %v", want, ws)
}

func TestWindashProduct(t *testing.T) {
	it, _ := parseOne(t, "A|windash", "' -a -b'")
	alts := it.Values[0].Alternatives
	if len(alts) != 25 {
		t.Fatalf("%d alternatives, want 25", len(alts))
	}
	// The first flag varies slowest.
	want := plains(" -a -b", " -a /b", " -a –b", " -a —b", " -a ―b", " /a -b")
	if d := cmp.Diff(want, alts[:6]); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	it, _ = parseOne(t, "A|windash", "'C:/x -y'")
	if n := len(it.Values[0].Alternatives); n != 25 {
		t.Errorf("C:/x -y: %d alternatives, want 25", n)
	}
}

func TestItemFlags(t *testing.T) {
	it, f := parseOne(t, "A|windash|contains|all", "[' -a ', ' -b ']")
	if !it.All || it.Negated || len(it.Values) != 2 || len(it.Values[1].Alternatives) != 5 {
		t.Errorf("all: %+v", it)
	}
	checkWarning(t, f, "")
	it, _ = parseOne(t, "A|neq", "[a, b]")
	if !it.Negated || it.All || len(it.Values) != 2 {
		t.Errorf("neq: %+v", it)
	}
	if d := cmp.Diff([]Modifier{ModNeq}, it.Modifiers); d != "" {
		t.Errorf("modifiers: %s", d)
	}
	it, f = parseOne(t, "A|contains|all", "x")
	if !it.All {
		t.Errorf("all with one value: %+v", it)
	}
	checkWarning(t, f, "single value")
	_, f = parseOne(t, "A", "[a, null]")
	checkWarning(t, f, "null inside a value list")
}

func TestDetectionShapes(t *testing.T) {
	src := rule(
		"map:",
		"    A: 1",
		"    B|contains: x",
		"maps:",
		"    - A: 1",
		"    - B: 2",
		"keywords:",
		"    - a",
		"    - b",
		"mixed:",
		"    - kw",
		"    - A: 1",
		"allkw:",
		"    '|all': [a, b]",
		"timeframe: 5m",
		"condition: 1 of them",
	)
	f := ParseFile("s.yml", []byte(src))
	if f.Diags.HasErrors() {
		t.Fatal(f.Diags)
	}
	checkWarning(t, f, "timeframe")
	det := f.Documents[0].(*Rule).Detection
	shape := func(name string) (groups, items int, field string) {
		s := det.Search(name)
		if s == nil {
			t.Fatalf("no search %s", name)
		}
		return len(s.Groups), len(s.Groups[0].Items), s.Groups[0].Items[0].Field
	}
	for _, tc := range []struct {
		name          string
		groups, items int
		field         string
	}{
		{"map", 1, 2, "A"}, {"maps", 2, 1, "A"}, {"keywords", 1, 1, ""},
		{"mixed", 2, 1, "A"}, {"allkw", 1, 1, ""},
	} {
		g, i, fld := shape(tc.name)
		if g != tc.groups || i != tc.items || fld != tc.field {
			t.Errorf("%s: %d groups, %d items, field %q", tc.name, g, i, fld)
		}
	}
	if det.Search("timeframe") != nil {
		t.Error("timeframe read as a search")
	}
	if kw := det.Search("keywords").Groups[0].Items[0]; len(kw.Values) != 2 {
		t.Errorf("keywords: %d values", len(kw.Values))
	}
	if all := det.Search("allkw").Groups[0].Items[0]; !all.All || len(all.Values) != 2 {
		t.Errorf("|all keyword: %+v", all)
	}
	if mixed := det.Search("mixed"); mixed.Groups[1].Items[0].Field != "" {
		t.Errorf("mixed: keyword group should come last")
	}
}

// TestNormalize covers both paths of Normalize: parts already normal come
// back unchanged (shared), others are merged into a new slice.
func TestNormalize(t *testing.T) {
	lit := func(s string) Part { return Part{Kind: Literal, Text: s} }
	multi, single := Part{Kind: WildMulti}, Part{Kind: WildSingle}
	ph := func(s string) Part { return Part{Kind: Placeholder, Text: s} }
	for _, c := range []struct{ in, want []Part }{
		{nil, nil},
		{[]Part{lit("")}, nil},
		{[]Part{lit("a"), lit("b")}, []Part{lit("ab")}},
		{[]Part{multi, multi, lit("a")}, []Part{multi, lit("a")}},
		{[]Part{lit(""), multi}, []Part{multi}},
		{[]Part{lit("a"), lit(""), lit("b"), multi}, []Part{lit("ab"), multi}},
		{[]Part{multi, lit("a"), multi}, []Part{multi, lit("a"), multi}},
		{[]Part{single, single, lit("a")}, []Part{single, single, lit("a")}},
		{[]Part{ph("x"), ph("y")}, []Part{ph("x"), ph("y")}},
	} {
		in := append([]Part(nil), c.in...)
		got := String{Parts: in, Cased: true}.Normalize()
		if !got.Cased || !cmp.Equal(got.Parts, c.want) {
			t.Errorf("Normalize(%v) = %v, want %v", c.in, got.Parts, c.want)
		}
		if !cmp.Equal(in, c.in) {
			t.Errorf("Normalize changed its input %v to %v", c.in, in)
		}
	}
}
