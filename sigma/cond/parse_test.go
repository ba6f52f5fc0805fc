package cond

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want string // shape of the tree, when the parse succeeds
		err  string // expected error message, when it fails
		off  int    // expected error offset
	}{
		// Atoms.
		{in: "selection", want: "selection"},
		{in: "  sel1  ", want: "sel1"},
		{in: "selection-1", want: "selection-1"},
		{in: "filter_main_mdadm.conf", want: "filter_main_mdadm.conf"},
		{in: "notepad", want: "notepad"},
		{in: "android and order", want: "and(android, order)"},
		{in: "nota or andx", want: "or(nota, andx)"},
		{in: "1 of selection_*", want: "1 of selection_*"},
		{in: "all of *_filter", want: "all of *_filter"},
		{in: "1 of sel*_x", want: "1 of sel*_x"},
		{in: "1 of sel1*", want: "1 of sel1*"},
		{in: "1 of sel1", want: "1 of sel1"},
		{in: "all of them", want: "all of them"},
		{in: "1 of them", want: "1 of them"},
		{in: "1  of\tthem", want: "1 of them"},
		{in: "all", want: "all"},
		{in: "near", want: "near"},
		// Precedence and associativity.
		{in: "a or b and c", want: "or(a, and(b, c))"},
		{in: "a and b or c", want: "or(and(a, b), c)"},
		{in: "a and b and c", want: "and(and(a, b), c)"},
		{in: "a or b or c", want: "or(or(a, b), c)"},
		{in: "not a and b", want: "and(not(a), b)"},
		{in: "not (a and b)", want: "not(and(a, b))"},
		{in: "not not a", want: "not(not(a))"},
		{in: "not 1 of filter_*", want: "not(1 of filter_*)"},
		{in: "(a or b) and c", want: "and(or(a, b), c)"},
		{in: "a and (b or c)", want: "and(a, or(b, c))"},
		{in: "(sel1)and(sel2)", want: "and(sel1, sel2)"},
		{in: "not(sel1)", want: "not(sel1)"},
		{in: "((((a))))", want: "a"},
		{in: "selection and not 1 of filter_main_* and not 1 of filter_optional_*",
			want: "and(and(selection, not(1 of filter_main_*)), not(1 of filter_optional_*))"},
		{in: "sel\nand\r\nnot filter", want: "and(sel, not(filter))"},
		// Errors.
		{in: "", err: "empty condition", off: 0},
		{in: "   ", err: "empty condition", off: 0},
		{in: "sel )", err: `unexpected ")"`, off: 4},
		{in: ")", err: `unexpected ")"`, off: 0},
		{in: "()", err: `unexpected ")"`, off: 1},
		{in: "(a and (b or c)", err: `unbalanced parentheses: missing ")"`, off: 0},
		{in: "a and (b", err: `unbalanced parentheses: missing ")"`, off: 6},
		{in: "1 of", err: `expected identifier after "1 of"`, off: 4},
		{in: "all of )", err: `expected identifier after "all of"`, off: 7},
		{in: "1 of and", err: `expected identifier after "1 of"`, off: 5},
		{in: "a xor b", err: `unknown operator "xor"`, off: 2},
		{in: "sel1 sel2", err: `unknown operator "sel2"`, off: 5},
		{in: "sel1 AND sel2", err: `operators are lower case: write "and" instead of "AND"`, off: 5},
		{in: "NOT sel", err: `operators are lower case: write "not" instead of "NOT"`, off: 0},
		{in: "a Or b", err: `operators are lower case: write "or" instead of "Or"`, off: 2},
		{in: "any of sel*", err: `"any of" is not Sigma syntax; write "1 of"`, off: 0},
		{in: "2 of sel*", err: `unsupported quantifier "2": only "1 of" and "all of" exist`, off: 0},
		{in: "All of sel*", err: `quantifiers are lower case: write "all of"`, off: 0},
		{in: "sel*", err: `pattern "sel*" needs a quantifier: write "1 of sel*" or "all of sel*"`, off: 0},
		{in: "a and", err: `unexpected end of condition after "and"`, off: 5},
		{in: "not", err: `unexpected end of condition after "not"`, off: 3},
		{in: "a and or b", err: `unexpected "or"`, off: 6},
		{in: "and a", err: `unexpected "and"`, off: 0},
		{in: "a not b", err: `unexpected "not": write "and not" or "or not"`, off: 2},
		{in: "a (b)", err: `unexpected "(": missing "and" or "or" before it`, off: 2},
		{in: "a = 1", err: `unexpected character "="`, off: 2},
		{in: "a and é", err: `unexpected character "é"`, off: 6},
		{in: "selection | count() by User > 5", err: aggregationMsg, off: 10},
		{in: "selection and filter1 and filter2 | count(answer) by src_ip > 3", err: aggregationMsg, off: 34},
		{in: "selection_debugfs | near selection_tools", err: aggregationMsg, off: 18},
		{in: "selection near other", err: aggregationMsg, off: 10},
		{in: "(sel | count() > 5", err: aggregationMsg, off: 5},
		{in: "sel and | count()", err: aggregationMsg, off: 8},
	}
	for _, tt := range tests {
		e, err := Parse(tt.in)
		if tt.err != "" {
			var ce *Error
			if !errors.As(err, &ce) {
				t.Errorf("Parse(%q) = %v, %v; want error %q", tt.in, shapeOrNil(e), err, tt.err)
				continue
			}
			if ce.Msg != tt.err || ce.Off != tt.off {
				t.Errorf("Parse(%q) error = %d: %s; want %d: %s", tt.in, ce.Off, ce.Msg, tt.off, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q) error: %v", tt.in, err)
			continue
		}
		if got := shape(e); got != tt.want {
			t.Errorf("Parse(%q) = %s; want %s", tt.in, got, tt.want)
		}
		checkOffsets(t, tt.in, e)
	}
}

func shapeOrNil(e Expr) string {
	if e == nil {
		return "<nil>"
	}
	return shape(e)
}

func TestParseOffsets(t *testing.T) {
	src := "(sel and not 1 of f_*) or x"
	e, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	or := e.(*Binary)
	paren := or.X.(*Paren)
	and := paren.X.(*Binary)
	not := and.Y.(*Not)
	of := not.X.(*Of)
	got := []int{or.Off, paren.Off, and.Off, and.X.Offset(), not.Off, of.Off, of.PatOff, or.Y.Offset(), or.Offset()}
	want := []int{23, 0, 5, 1, 9, 13, 18, 26, 0}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("offsets = %v; want %v", got, want)
			break
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a", "a"},
		{"(a)", "a"},
		{"  a   and\tb ", "a and b"},
		{"(a and b) and c", "a and b and c"},
		{"a and (b and c)", "a and (b and c)"},
		{"a or (b and c)", "a or b and c"},
		{"(a or b) and c", "(a or b) and c"},
		{"not (a)", "not a"},
		{"not (a or b)", "not (a or b)"},
		{"not (not a)", "not not a"},
		{"(not a) and b", "not a and b"},
		{"1  of  sel*", "1 of sel*"},
		{"all of them or (1 of x)", "all of them or 1 of x"},
	}
	for _, tt := range tests {
		e, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := Format(e); got != tt.want {
			t.Errorf("Format(Parse(%q)) = %q; want %q", tt.in, got, tt.want)
		}
		if got := e.(interface{ String() string }).String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// roundTrip checks that a successfully parsed condition prints to a form
// that parses back to the same tree, and that printing is stable.
func roundTrip(t testing.TB, src string, e Expr) {
	t.Helper()
	f := Format(e)
	e2, err := Parse(f)
	if err != nil {
		t.Fatalf("Parse(Format(Parse(%q))) = Parse(%q): %v", src, f, err)
	}
	if s1, s2 := shape(e), shape(e2); s1 != s2 {
		t.Fatalf("round trip of %q via %q changed the tree:\n%s\n%s", src, f, s1, s2)
	}
	if f2 := Format(e2); f2 != f {
		t.Fatalf("Format is not stable for %q: %q then %q", src, f, f2)
	}
}

func TestRoundTrip(t *testing.T) {
	for _, src := range staticSeeds {
		e, err := Parse(src)
		if err != nil {
			continue
		}
		roundTrip(t, src, e)
	}
	// Hand-built trees Parse never returns in this shape.
	a, b, c := &Ident{Name: "a"}, &Ident{Name: "b"}, &Ident{Name: "c"}
	for _, e := range []Expr{
		&Binary{Op: And, X: a, Y: &Binary{Op: Or, X: b, Y: c}},
		&Binary{Op: Or, X: a, Y: &Binary{Op: Or, X: b, Y: c}},
		&Not{X: &Binary{Op: And, X: &Not{X: a}, Y: &Of{All: true, Pattern: "x*"}}},
		&Binary{Op: And, X: &Binary{Op: Or, X: a, Y: b}, Y: &Not{X: &Not{X: c}}},
	} {
		roundTrip(t, Format(e), e)
	}
}

func TestDepthAndLength(t *testing.T) {
	deep := strings.Repeat("(", 5000) + "a" + strings.Repeat(")", 5000)
	_, err := Parse(deep)
	want := "condition nested too deeply (more than 500 levels)"
	var ce *Error
	if !errors.As(err, &ce) || ce.Msg != want || ce.Off != MaxDepth {
		t.Errorf("5000 parentheses: %v; want %q at %d", err, want, MaxDepth)
	}
	nots := strings.Repeat("not ", 5000) + "a"
	if _, err := Parse(nots); !errors.As(err, &ce) || ce.Msg != want || ce.Off != 4*MaxDepth {
		t.Errorf("5000 nots: %v; want %q at %d", err, want, 4*MaxDepth)
	}
	ok := strings.Repeat("(not ", MaxDepth/2) + "a" + strings.Repeat(")", MaxDepth/2)
	if _, err := Parse(ok); err != nil {
		t.Errorf("%d levels: %v", MaxDepth, err)
	}
	long := strings.Repeat("a or ", MaxLength/5) + "bb"
	if _, err := Parse(long); !errors.As(err, &ce) || ce.Off != MaxLength || !strings.HasPrefix(ce.Msg, "condition too long") {
		t.Errorf("long condition: %v", err)
	}
	// Long but within the limit: fine, and left-associative chains do not
	// recurse, whatever their length.
	if _, err := Parse(long[:MaxLength-10] + "x"); err != nil {
		t.Errorf("long condition within the limit: %v", err)
	}
}

func TestMatchPattern(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"sel", "sel", true},
		{"sel", "sel1", false},
		{"sel*", "sel", true},
		{"sel*", "selection_1", true},
		{"*_filter", "main_filter", true},
		{"*_filter", "main_filter2", false},
		{"sel*_x", "sel1_x", true},
		{"sel*_x", "sel1_x_y", false},
		{"sel*_x", "sel_x_x", true},
		{"*", "", true},
		{"*", "anything", true},
		{"a*b*c", "abc", true},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXcYb", false},
		{"**", "x", true},
		{"", "", true},
		{"", "x", false},
		{"*a*a*a*a*b", strings.Repeat("a", 200), false},
	}
	for _, tt := range tests {
		if got := MatchPattern(tt.pattern, tt.name); got != tt.want {
			t.Errorf("MatchPattern(%q, %q) = %v; want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

func TestSelects(t *testing.T) {
	tests := []struct {
		of   Of
		name string
		want bool
	}{
		{Of{Pattern: "them", Them: true}, "selection", true},
		{Of{Pattern: "them", Them: true}, "_filter", false},
		{Of{Pattern: "*filter"}, "_filter", false},
		{Of{Pattern: "*"}, "_x", false},
		{Of{Pattern: "_*"}, "_x", true},
		{Of{Pattern: "_hidden"}, "_hidden", true},
		{Of{Pattern: "filter_*"}, "filter_main", true},
		{Of{Pattern: "filter_*"}, "selection", false},
	}
	for _, tt := range tests {
		if got := tt.of.Selects(tt.name); got != tt.want {
			t.Errorf("(%s).Selects(%q) = %v; want %v", Format(&tt.of), tt.name, got, tt.want)
		}
	}
}

// TestCorpus parses every condition of the SigmaHQ rules.
func TestCorpus(t *testing.T) {
	conds := loadCorpus(t)
	for _, c := range conds {
		e, err := Parse(c.Text)
		if err != nil {
			var ce *Error
			errors.As(err, &ce)
			t.Errorf("%s: condition %q: offset %d: %v", c.File, c.Text, ce.Off, err)
			continue
		}
		checkOffsets(t, c.Text, e)
		roundTrip(t, c.Text, e)
	}
	t.Logf("parsed %d corpus conditions", len(conds))
}
