package ir

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/sigconv/sigconv/sigma"
	"github.com/sigconv/sigconv/sigma/cond"
)

// Builders for hand-made rules: positions are fake but valid, so tests
// can check that Match.Pos follows the value.

func str(s string) sigma.Value { return sigma.ParseString(s) }

// val is one written value with its alternatives.
func val(line int, alts ...sigma.Value) sigma.ItemValue {
	return sigma.ItemValue{Pos: sigma.Pos{Line: line, Column: 9}, Alternatives: alts}
}

// item is a field item with plain string values, one alternative each.
func item(field string, values ...string) *sigma.Item {
	it := &sigma.Item{Pos: sigma.Pos{Line: 1, Column: 5}, Field: field}
	for i, v := range values {
		it.Values = append(it.Values, val(10+i, str(v)))
	}
	return it
}

func group(items ...*sigma.Item) *sigma.Group { return &sigma.Group{Items: items} }

func search(name string, groups ...*sigma.Group) *sigma.Search {
	return &sigma.Search{Name: name, Groups: groups}
}

// rule builds a rule whose single-line condition text starts at 20:16.
func rule(t *testing.T, condition string, searches ...*sigma.Search) *sigma.Rule {
	t.Helper()
	r := &sigma.Rule{}
	r.File = "r.yml"
	r.Detection.Searches = searches
	for _, text := range strings.Split(condition, "\n---\n") {
		e, err := cond.Parse(text)
		if err != nil {
			t.Fatalf("cond.Parse(%q): %v", text, err)
		}
		r.Detection.Conditions = append(r.Detection.Conditions,
			&sigma.Condition{Pos: sigma.Pos{Line: 20, Column: 16}, Text: text, Expr: e})
	}
	return r
}

// std is a detection with searches of every shape used below.
func std() []*sigma.Search {
	all := item("CommandLine", "*a*", "*b*")
	all.All = true
	win := item("CommandLine")
	win.All = true
	win.Values = []sigma.ItemValue{
		val(30, str("* -x *"), str("* /x *")),
		val(31, str("* -y *"), str("* /y *")),
	}
	neq := item("User", "SYSTEM", "LOCAL SERVICE")
	neq.Negated = true
	return []*sigma.Search{
		search("sel", group(item("Image", "*\\cmd.exe"), item("CommandLine", "*\\\\.\\pipe\\1.*", "*whoami*"))),
		search("sel2", group(item("EventID", "1")), group(item("EventID", "2"))),
		search("filter_a", group(item("User", "a"))),
		search("filter_b", group(item("User", "b"))),
		search("_hidden", group(item("Hidden", "h"))),
		search("kw", group(item("", "evil", "*bad*"))),
		search("all", group(all)),
		search("win", group(win)),
		search("neq", group(neq)),
		search("empty"),
	}
}

func TestLower(t *testing.T) {
	tests := []struct{ cond, want string }{
		{"sel", `and(Image=*\\cmd.exe, or(CommandLine=*\\.\\pipe\\1.*, CommandLine=*whoami*))`},
		{"sel2", `or(EventID=1, EventID=2)`},
		{"kw", `or(keyword(evil), keyword(*bad*))`},
		{"1 of filter_*", `or(User=a, User=b)`},
		{"all of filter_*", `and(User=a, User=b)`},
		{"1 of filter_a", `User=a`},
		{"1 of *", `or(and(Image=*\\cmd.exe, or(CommandLine=*\\.\\pipe\\1.*, CommandLine=*whoami*)), EventID=1, EventID=2, User=a, User=b, ` +
			`keyword(evil), keyword(*bad*), and(CommandLine=*a*, CommandLine=*b*), ` +
			`and(or(CommandLine=* -x *, CommandLine=* /x *), or(CommandLine=* -y *, CommandLine=* /y *)), not(or(User=SYSTEM, User=LOCAL SERVICE)))`}, // "empty" is or(): false, dropped from the or
		{"1 of _*", `Hidden=h`},
		{"1 of _hidden or filter_a", `or(Hidden=h, User=a)`},
		{"1 of *filter_a", `User=a`},
		{"not sel2", `not(or(EventID=1, EventID=2))`},
		{"not not filter_a", `not(not(User=a))`},
		{"filter_a or filter_b and sel2", `or(User=a, and(User=b, or(EventID=1, EventID=2)))`},
		{"(filter_a or filter_b) and sel2", `and(or(User=a, User=b), or(EventID=1, EventID=2))`},
		{"filter_a and (filter_b and sel)", `and(User=a, User=b, Image=*\\cmd.exe, or(CommandLine=*\\.\\pipe\\1.*, CommandLine=*whoami*))`},
		{"sel2 or (filter_a or 1 of filter_*)", `or(EventID=1, EventID=2, User=a, User=a, User=b)`},
		{"not (filter_a and filter_b)", `not(and(User=a, User=b))`},
		{"all", `and(CommandLine=*a*, CommandLine=*b*)`},
		{"win", `and(or(CommandLine=* -x *, CommandLine=* /x *), or(CommandLine=* -y *, CommandLine=* /y *))`},
		{"neq and filter_a", `and(not(or(User=SYSTEM, User=LOCAL SERVICE)), User=a)`},
		{"empty or filter_a", `User=a`},
		{"empty and filter_a", `and(or(), User=a)`},
		{"(((filter_a)))", `User=a`},
	}
	for _, tt := range tests {
		got, err := Lower(rule(t, tt.cond, std()...))
		if err != nil {
			t.Errorf("Lower(%q): %v", tt.cond, err)
			continue
		}
		if len(got.Queries) != 1 {
			t.Errorf("Lower(%q): %d queries", tt.cond, len(got.Queries))
			continue
		}
		if f := Format(got.Queries[0]); f != tt.want {
			t.Errorf("Lower(%q) =\n  %s\nwant\n  %s", tt.cond, f, tt.want)
		}
	}
}

func TestLowerThem(t *testing.T) {
	searches := []*sigma.Search{
		search("sel", group(item("A", "1"))),
		search("_filt_x_sel", group(item("B", "2"))),
		search("other", group(item("C", "3"))),
	}
	for cond, want := range map[string]string{
		"1 of them":   "or(A=1, C=3)",
		"all of them": "and(A=1, C=3)",
	} {
		got, err := Lower(rule(t, cond, searches...))
		if err != nil {
			t.Fatal(err)
		}
		if f := Format(got.Queries[0]); f != want {
			t.Errorf("Lower(%q) = %s; want %s", cond, f, want)
		}
	}
}

func TestLowerRule(t *testing.T) {
	r := rule(t, "sel2\n---\nnot filter_a", std()...)
	r.LogSource = sigma.LogSource{Product: "windows"}
	got, err := Lower(r)
	if err != nil {
		t.Fatal(err)
	}
	if got.Source != r || got.LogSource.Product != "windows" || len(got.Queries) != 2 {
		t.Fatalf("Lower = %+v", got)
	}
	if f := Format(got.Queries[1]); f != "not(User=a)" {
		t.Errorf("second query = %s", f)
	}
	// Positions: a value's own position, else its item's.
	m := got.Queries[1].(*Not).Arg.(*Match)
	if m.Pos != (sigma.Pos{Line: 10, Column: 9}) {
		t.Errorf("Match.Pos = %v; want the value's 10:9", m.Pos)
	}
	s := search("nopos", group(item("F", "x")))
	s.Groups[0].Items[0].Values[0].Pos = sigma.Pos{}
	got, err = Lower(rule(t, "nopos", s))
	if err != nil {
		t.Fatal(err)
	}
	if m := got.Queries[0].(*Match); m.Pos != (sigma.Pos{Line: 1, Column: 5}) {
		t.Errorf("Match.Pos = %v; want the item's 1:5", m.Pos)
	}
}

// TestLowerFresh checks that a search referenced twice yields distinct
// nodes, so rewriting one occurrence cannot change the other.
func TestLowerFresh(t *testing.T) {
	got, err := Lower(rule(t, "filter_a and not filter_a", std()...))
	if err != nil {
		t.Fatal(err)
	}
	and := got.Queries[0].(*And)
	if and.Args[0] == and.Args[1].(*Not).Arg {
		t.Error("the two references share one node")
	}
}

func TestLowerValues(t *testing.T) {
	values := []sigma.Value{
		sigma.Null{}, sigma.Bool{Value: true}, sigma.Number{Int: 4688},
		sigma.Number{Float: 1.5, IsFloat: true},
		sigma.Regex{Pattern: `a.*b`, IgnoreCase: true, DotAll: true},
		sigma.CIDR{Prefix: netip.MustParsePrefix("10.0.0.0/8")},
		sigma.Compare{Op: sigma.GTE, Value: sigma.Number{Int: 5}},
		sigma.Exists{Value: false},
		sigma.FieldRef{Field: "Other", StartsWith: true, EndsWith: true},
		sigma.TimePart{Part: "hour", HasOp: true, Op: sigma.LT, Value: sigma.Number{Int: 6}},
		sigma.TimePart{Part: "day", Value: sigma.Number{Int: 1}},
		sigma.Raw{Text: "ENUM.PROCESS"},
		sigma.String{Parts: []sigma.Part{{Kind: sigma.Literal, Text: "A*"}, {Kind: sigma.WildSingle}}, Cased: true},
		sigma.String{},
		sigma.String{Parts: []sigma.Part{{Kind: sigma.Placeholder, Text: "admins"}}},
	}
	it := &sigma.Item{Field: "F"}
	for i, v := range values {
		it.Values = append(it.Values, val(i+1, v))
	}
	got, err := Lower(rule(t, "s", search("s", group(it))))
	if err != nil {
		t.Fatal(err)
	}
	want := `or(F=null, F=bool(true), F=num(4688), F=num(1.5), F=re(/a.*b/is), F=cidr(10.0.0.0/8), F>=5, ` +
		`F=exists(false), F=fieldref(*Other*), F|hour<6, F|day=1, F=raw(ENUM.PROCESS), F=cased(A\*?), F='', F=%admins%)`
	if f := Format(got.Queries[0]); f != want {
		t.Errorf("Format =\n  %s\nwant\n  %s", f, want)
	}
}

func TestLowerErrors(t *testing.T) {
	tests := []struct {
		cond, msg string
		col       int
	}{
		{"sel and nosuch", `unknown search identifier "nosuch"`, 16 + 8},
		{"sel or 1 of nomatch_*", `pattern "nomatch_*" matches no search identifier`, 16 + 12},
		{"not 1 of them", `them selects no search identifier (names starting with _ are excluded)`, 16 + 9},
	}
	for _, tt := range tests {
		searches := std()
		if strings.Contains(tt.cond, "them") {
			searches = []*sigma.Search{search("_only", group(item("A", "1")))}
		}
		_, err := Lower(rule(t, tt.cond, searches...))
		var d *sigma.Diagnostic
		if !errors.As(err, &d) {
			t.Errorf("Lower(%q) error = %v; want a *sigma.Diagnostic", tt.cond, err)
			continue
		}
		if d.Message != tt.msg || d.Pos != (sigma.Pos{Line: 20, Column: tt.col}) || d.File != "r.yml" {
			t.Errorf("Lower(%q) = %v; want r.yml:20:%d: %s", tt.cond, d, tt.col, tt.msg)
		}
	}
	// Past a line break the condition's own position is used.
	r := rule(t, "sel and\n nosuch", std()...)
	if _, err := Lower(r); err == nil || !strings.HasPrefix(err.Error(), "r.yml:20:16: ") {
		t.Errorf("multi-line condition error = %v", err)
	}
	// Malformed input never panics.
	for _, r := range []*sigma.Rule{nil, {}, {Detection: sigma.Detection{Conditions: []*sigma.Condition{{}}}}} {
		if _, err := Lower(r); err == nil {
			t.Errorf("Lower(%v) succeeded", r)
		}
	}
}

func TestLowerDeep(t *testing.T) {
	searches := []*sigma.Search{search("a", group(item("F", "x")))}
	var e cond.Expr = &cond.Ident{Name: "a"}
	for range 5000 {
		e = &cond.Not{X: e}
	}
	r := rule(t, "a", searches...)
	r.Detection.Conditions[0].Expr = e
	got, err := Lower(r)
	if err != nil {
		t.Fatalf("5000 nots: %v", err)
	}
	if f := Format(got.Queries[0]); f != strings.Repeat("not(", 5000)+"F=x"+strings.Repeat(")", 5000) {
		t.Errorf("5000 nots: unexpected tree")
	}
	for range maxDepth {
		e = &cond.Not{X: e}
	}
	r.Detection.Conditions[0].Expr = e
	if _, err := Lower(r); err == nil || !strings.Contains(err.Error(), "nested too deeply") {
		t.Errorf("%d nots: %v", 5000+maxDepth, err)
	}
	// A long flat chain is a loop, not recursion: 12000 operands.
	long := strings.Repeat("a or ", 11999) + "a"
	r = rule(t, long, searches...)
	got, err = Lower(r)
	if err != nil {
		t.Fatalf("long chain: %v", err)
	}
	if or := got.Queries[0].(*Or); len(or.Args) != 12000 {
		t.Errorf("long chain: %d operands", len(or.Args))
	}
}

func TestNewAndOr(t *testing.T) {
	a, b := &Match{Field: "A", Value: str("1")}, &Match{Field: "B", Value: str("2")}
	tests := []struct {
		got  Expr
		want string
	}{
		{NewAnd(), "and()"},
		{NewOr(), "or()"},
		{NewAnd(a), "A=1"},
		{NewAnd(NewAnd(a, b), b), "and(A=1, B=2, B=2)"},
		{NewOr(NewAnd(a, b), NewOr(a, b)), "or(and(A=1, B=2), A=1, B=2)"},
		{NewAnd(a, NewAnd()), "A=1"},
		{NewOr(&Not{Arg: NewOr(a, b)}), "not(or(A=1, B=2))"},
	}
	for _, tt := range tests {
		if f := Format(tt.got); f != tt.want {
			t.Errorf("got %s; want %s", f, tt.want)
		}
	}
}
