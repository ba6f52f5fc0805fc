package textquery_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends/textquery"
	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

func m(f string) *ir.Match { return &ir.Match{Field: f, Value: sigma.Plain("v")} }

func and(args ...ir.Expr) ir.Expr { return &ir.And{Args: args} }
func or(args ...ir.Expr) ir.Expr  { return &ir.Or{Args: args} }
func not(a ir.Expr) ir.Expr       { return &ir.Not{Arg: a} }

func leaf(m *ir.Match) (textquery.Fragment, error) { return textquery.Atom(m.Field), nil }

func dialect(orTighter, notGroups bool) *textquery.Dialect {
	return &textquery.Dialect{
		Tokens: textquery.Tokens{And: " & ", Or: " | ", Not: "!", Open: "(", Close: ")",
			OrBindsTighter: orTighter, NotAlwaysGroups: notGroups},
		Hooks: textquery.Hooks{Match: leaf},
	}
}

func TestPrecedence(t *testing.T) {
	cases := []struct {
		name      string
		e         ir.Expr
		and, spl  string // AND binds tighter / OR binds tighter
		notGroups string
	}{
		{"and of or", and(or(m("a"), m("b")), m("c")), "(a | b) & c", "a | b & c", "(a | b) & c"},
		{"or of and", or(and(m("a"), m("b")), m("c")), "a & b | c", "(a & b) | c", "a & b | c"},
		{"flatten", and(m("a"), and(m("b"), and(m("c"))), m("d")), "a & b & c & d", "a & b & c & d", "a & b & c & d"},
		{"not atom", not(m("a")), "!a", "!a", "!(a)"},
		{"not group", not(or(m("a"), m("b"))), "!(a | b)", "!(a | b)", "!(a | b)"},
		{"not inside and", and(not(m("a")), m("b")), "!a & b", "!a & b", "!(a) & b"},
		{"nested", or(and(m("a"), or(m("b"), not(and(m("c"), m("d"))))), m("e")),
			"a & (b | !(c & d)) | e", "(a & b | !(c & d)) | e", "a & (b | !(c & d)) | e"},
	}
	for _, tc := range cases {
		for _, v := range []struct {
			d    *textquery.Dialect
			want string
		}{{dialect(false, false), tc.and}, {dialect(true, false), tc.spl}, {dialect(false, true), tc.notGroups}} {
			got, err := v.d.Render(tc.e)
			if err != nil {
				t.Fatal(err)
			}
			if got != v.want {
				t.Errorf("%s: got %q want %q", tc.name, got, v.want)
			}
		}
	}
}

func TestListHook(t *testing.T) {
	d := dialect(false, false)
	d.List = func(ms []*ir.Match) (textquery.Fragment, bool, error) {
		return textquery.Atom(ms[0].Field + " in list"), true, nil
	}
	got, _ := d.Render(or(m("a"), m("a"), m("b"), m("a")))
	if want := "a in list | b | a"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
	got, _ = d.Render(and(m("a"), m("a")))
	if want := "a & a"; got != want {
		t.Errorf("lists only fold OR: got %q", got)
	}
}

func TestRenderRuleTopAnd(t *testing.T) {
	d := dialect(false, false)
	d.TopAnd = "\n & "
	r := &ir.Rule{Filters: []ir.Expr{m("f1"), m("f2")}}
	got, _ := d.RenderRule(r, or(m("a"), m("b")))
	if want := "f1\n & f2\n & (a | b)"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
}

func TestEmptyGroupIsAnError(t *testing.T) {
	if _, err := dialect(false, false).Render(&ir.And{}); err == nil {
		t.Error("an empty group must not render")
	}
}

func TestWildcardRegex(t *testing.T) {
	s := sigma.String{Parts: []sigma.Part{{Kind: sigma.Literal, Text: `C:\a"b.`}, {Kind: sigma.WildMulti}, {Kind: sigma.WildSingle}, {Kind: sigma.Literal, Text: "\n"}}}
	got, err := textquery.WildcardRegex(s, textquery.RegexOptions{QuoteSafe: true})
	if err != nil {
		t.Fatal(err)
	}
	want := `(?i)^C:\x{5c}a\x{22}b\.(?s:.*)(?s:.)\x{a}$`
	if got != want {
		t.Errorf("got %s want %s", got, want)
	}
	re := regexp.MustCompile(got)
	for in, ok := range map[string]bool{"c:\\A\"B.xy\n": true, "C:\\a\"b.y\n": true, "C:\\a\"b.\n": false, "C:\\a\"bxxy\n": false} {
		if re.MatchString(in) != ok {
			t.Errorf("%q: match = %v, want %v", in, !ok, ok)
		}
	}
	if _, err := textquery.WildcardRegex(sigma.String{Parts: []sigma.Part{{Kind: sigma.Placeholder, Text: "x"}}}, textquery.RegexOptions{}); err == nil {
		t.Error("placeholders must not render")
	}
	if _, err := textquery.WildcardRegex(sigma.Plain("\xff"), textquery.RegexOptions{}); err == nil {
		t.Error("invalid UTF-8 must not render")
	}
}

func TestQuoteSafeRegex(t *testing.T) {
	cases := []struct{ in, unsafe, want, err string }{
		{`a"b`, `"`, `a\x{22}b`, ""},
		{`a\"b`, `"`, `a\x{22}b`, ""},
		{`C:\\Windows\\`, `"`, `C:\x{5c}Windows\x{5c}`, ""},
		{"a\nb`", "\"`", `a\x{a}b\x{60}`, ""},
		{`\d+\.exe`, `"`, `\d+\.exe`, ""},
		{`abc\`, `"`, "", "lone backslash"},
		{`\Qa"b\E`, `"`, "", `\Q...\E`},
		{"\xff", `"`, "", "UTF-8"},
	}
	for _, tc := range cases {
		got, err := textquery.QuoteSafeRegex(tc.in, tc.unsafe, "test")
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: got %q, %v; want %q", tc.in, got, err, tc.want)
		}
		// The rewritten pattern must match exactly what the original does.
		orig, re := regexp.MustCompile(tc.in), regexp.MustCompile(got)
		for _, probe := range []string{tc.in, "a\"b", `C:\Windows\`, "a\nb`", "12.exe", ""} {
			if orig.MatchString(probe) != re.MatchString(probe) {
				t.Errorf("%q and %q disagree on %q", tc.in, got, probe)
			}
		}
	}
}

func nullDialect(nullable ...string) *textquery.Dialect {
	d := dialect(false, true)
	d.GroupMixed = true
	d.Match = func(m *ir.Match) (textquery.Fragment, error) {
		if _, ok := m.Value.(sigma.Null); ok {
			return textquery.Atom(m.Field + "=null"), nil
		}
		return textquery.Atom(m.Field), nil
	}
	d.Null = &textquery.NullGuard{
		CanBeNull: func(f string) bool {
			for _, n := range nullable {
				if n == f {
					return true
				}
			}
			return false
		},
		IsNull:  func(f string) string { return f + "=null" },
		NotNull: func(f string) string { return f + "!=null" },
	}
	return d
}

func isNull(f string) *ir.Match { return &ir.Match{Field: f, Value: sigma.Null{}} }

// Each guarded form was checked by hand: with the guard every operand of
// a negation is two-valued, so the negation is Sigma's (a comparison on a
// missing field is false) whatever the target does with null.
func TestNullGuard(t *testing.T) {
	cases := []struct {
		name string
		e    ir.Expr
		want string
	}{
		{"not on nullable leaf", not(m("a")), "a=null | !(a)"},
		{"not on non-nullable leaf", not(m("x")), "!(x)"},
		{"one column, and/or", not(or(m("a"), and(m("a"), m("a")))), "a=null | !(a | (a & a))"},
		{"two columns", not(and(m("a"), m("b"))), "!((a!=null & a) & (b!=null & b))"},
		{"nullable and non-nullable", not(and(m("a"), m("x"))), "!((a!=null & a) & x)"},
		{"null test stays", not(or(m("a"), isNull("a"))), "!((a!=null & a) | a=null)"},
		{"nested not carries its own guard", not(and(m("a"), not(m("a")))), "!((a!=null & a) & (a=null | !(a)))"},
		{"guard is grouped under and", and(m("x"), not(m("a"))), "x & (a=null | !(a))"},
		{"no guard outside not", or(m("a"), m("b")), "a | b"},
	}
	for _, tc := range cases {
		got, err := nullDialect("a", "b").Render(tc.e)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("%s: got %q want %q", tc.name, got, tc.want)
		}
	}
}

// GroupMixed parenthesizes every AND under an OR (and OR under AND, as
// always), so no output depends on which operator binds tighter.
func TestGroupMixed(t *testing.T) {
	d := dialect(false, false)
	d.GroupMixed = true
	cases := []struct {
		e    ir.Expr
		want string
	}{
		{or(and(m("a"), m("b")), m("c")), "(a & b) | c"},
		{and(or(m("a"), m("b")), m("c")), "(a | b) & c"},
		{or(m("a"), not(m("b")), m("c")), "a | !b | c"},
		{and(m("a"), and(m("b"), m("c"))), "a & b & c"},
	}
	for _, tc := range cases {
		got, err := d.Render(tc.e)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("got %q want %q", got, tc.want)
		}
	}
}

// TestMaxChain splits a long run into parenthesized sub-chains of at most
// MaxChain operands, each operand grouped as it would be in one chain.
func TestMaxChain(t *testing.T) {
	d := dialect(false, false)
	d.MaxChain = 2
	e := or(m("a"), and(m("b"), m("c")), m("d"), m("e"), m("f"))
	got, err := d.Render(e)
	if err != nil {
		t.Fatal(err)
	}
	// Five operands, MaxChain 2: sub-chains of 3 and 2, the first split again.
	want := "((a | b & c) | d) | (e | f)"
	if got != want {
		t.Errorf("got %q want %q", got, want)
	}
	e = and(m("a"), or(m("b"), m("c")), m("d"))
	if got, err = d.Render(e); err != nil || got != "(a & (b | c)) & d" {
		t.Errorf("got %q, %v", got, err)
	}
}
