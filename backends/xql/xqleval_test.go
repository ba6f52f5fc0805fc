package xql_test

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/sigconv/sigconv/internal/xqltok"
)

// A small reader and evaluator of the filter expressions sigconv writes,
// for tests. It is strict where the documentation is silent: a group that
// mixes "and" and "or" without parentheses is a parse error (no vendor
// page states their precedence), and it evaluates under each reading of
// null the documentation leaves open, so a test can require the same
// verdict under all of them.

// tri is a three-valued truth value.
type tri int

const (
	fFalse tri = iota
	fTrue
	fNull
)

// reading is one way XQL may behave where its documentation is silent: a
// comparison with a null column is null (SQL/Kleene logic, so "not" of it
// is null and drops the row) or false; config case_sensitive = false folds
// ~= too, or leaves regexes to their own flags. sensitive is not a
// reading but the query's config stage.
type reading struct {
	nullIsFalse, regexFolds bool
	sensitive               bool
}

var readings = []reading{{false, false, false}, {true, false, false}, {false, true, false}, {true, true, false}}

func (r reading) String() string {
	s := "comparisons with null are null"
	if r.nullIsFalse {
		s = "comparisons with null are false"
	}
	if r.regexFolds {
		s += ", case_sensitive = false folds ~="
	}
	return s
}

type xexpr interface {
	eval(ev map[string]any, r reading) tri
}

type xand struct{ args []xexpr }
type xor struct{ args []xexpr }
type xnot struct{ arg xexpr }

// xcmp is one comparison: field op value(s).
type xcmp struct {
	field, op string
	vals      []xqltok.Token
}

func (e xand) eval(ev map[string]any, r reading) tri {
	out := fTrue
	for _, a := range e.args {
		switch a.eval(ev, r) {
		case fFalse:
			return fFalse
		case fNull:
			out = fNull
		}
	}
	return out
}

func (e xor) eval(ev map[string]any, r reading) tri {
	out := fFalse
	for _, a := range e.args {
		switch a.eval(ev, r) {
		case fTrue:
			return fTrue
		case fNull:
			out = fNull
		}
	}
	return out
}

func (e xnot) eval(ev map[string]any, r reading) tri {
	switch e.arg.eval(ev, r) {
	case fTrue:
		return fFalse
	case fFalse:
		return fTrue
	}
	return fNull
}

func truth(b bool) tri {
	if b {
		return fTrue
	}
	return fFalse
}

// eval follows the Supported operators page under config case_sensitive
// = false: string comparisons fold case, '*' in "=" and "in" strings is a
// wildcard, ~= is an RE2 search (the patterns sigconv writes mean the same
// whether ~= searches or matches whole), incidr tests an IPv4 network.
func (e xcmp) eval(ev map[string]any, r reading) tri {
	v, present := ev[e.field]
	if present && v == nil {
		present = false
	}
	if len(e.vals) == 1 && e.vals[0].Kind == xqltok.Word && e.vals[0].Text == "null" {
		switch e.op {
		case "=":
			return truth(!present)
		case "!=":
			return truth(present)
		}
	}
	if !present {
		if r.nullIsFalse {
			return fFalse
		}
		return fNull
	}
	s := fmt.Sprint(v)
	arg := e.vals[0]
	switch e.op {
	case "=", "!=":
		eq := false
		if arg.Kind == xqltok.String {
			eq = glob(arg.Text, r.sensitive).MatchString(s)
		} else {
			eq = s == arg.Text || numEq(s, arg.Text)
		}
		return truth(eq == (e.op == "="))
	case "contains":
		if r.sensitive {
			return truth(strings.Contains(s, arg.Text))
		}
		return truth(strings.Contains(strings.ToLower(s), strings.ToLower(arg.Text)))
	case "in":
		for _, a := range e.vals {
			if (a.Kind == xqltok.String && glob(a.Text, r.sensitive).MatchString(s)) || (a.Kind == xqltok.Word && a.Text == s) {
				return fTrue
			}
		}
		return fFalse
	case "~=":
		pat := arg.Text
		if r.regexFolds && !r.sensitive {
			pat = "(?i)" + pat
		}
		return truth(regexp.MustCompile(pat).MatchString(s))
	case "incidr", "incidr6":
		// An address of the other family, or text that is no address,
		// is not in the network.
		pfx := netip.MustParsePrefix(arg.Text)
		a, err := netip.ParseAddr(s)
		return truth(err == nil && a.Is6() == (e.op == "incidr6") && pfx.Contains(a))
	case ">", ">=", "<", "<=":
		a, err1 := strconv.ParseFloat(s, 64)
		b, err2 := strconv.ParseFloat(arg.Text, 64)
		if err1 != nil || err2 != nil {
			return fFalse
		}
		return truth(map[string]bool{">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b}[e.op])
	}
	panic("xqleval: operator " + e.op)
}

func numEq(a, b string) bool {
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	return err1 == nil && err2 == nil && x == y
}

func glob(pat string, sensitive bool) *regexp.Regexp {
	parts := strings.Split(pat, "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	flags := "(?is)"
	if sensitive {
		flags = "(?s)"
	}
	return regexp.MustCompile(flags + "^" + strings.Join(parts, ".*") + "$")
}

// xparser reads a filter expression.
type xparser struct {
	toks []xqltok.Token
	i    int
}

func parseFilter(text string) (xexpr, error) {
	toks, err := xqltok.Split(text)
	if err != nil {
		return nil, err
	}
	p := &xparser{toks: toks}
	e, err := p.chain()
	if err == nil && p.i < len(p.toks) {
		err = fmt.Errorf("unexpected %v", p.toks[p.i])
	}
	return e, err
}

func (p *xparser) peek() xqltok.Token {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return xqltok.Token{Kind: xqltok.Punct, Text: "<end>"}
}

func (p *xparser) next() xqltok.Token { t := p.peek(); p.i++; return t }

func (p *xparser) expect(text string) error {
	if t := p.next(); t.Text != text {
		return fmt.Errorf("want %q, got %v", text, t)
	}
	return nil
}

// chain reads operands joined by one operator; a second, different
// operator at the same level is an error.
func (p *xparser) chain() (xexpr, error) {
	first, err := p.unary()
	if err != nil {
		return nil, err
	}
	args := []xexpr{first}
	op := ""
	for {
		t := p.peek()
		if t.Kind != xqltok.Word || (t.Text != "and" && t.Text != "or") {
			break
		}
		if op != "" && t.Text != op {
			return nil, fmt.Errorf("%q and %q mixed in one group without parentheses", op, t.Text)
		}
		op = t.Text
		p.next()
		e, err := p.unary()
		if err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	switch op {
	case "and":
		return xand{args}, nil
	case "or":
		return xor{args}, nil
	}
	return first, nil
}

func (p *xparser) unary() (xexpr, error) {
	t := p.peek()
	if t.Kind == xqltok.Word && t.Text == "not" {
		p.next()
		if p.peek().Text != "(" {
			return nil, fmt.Errorf("not without a group")
		}
		e, err := p.unary()
		return xnot{e}, err
	}
	if t.Text == "(" {
		p.next()
		e, err := p.chain()
		if err != nil {
			return nil, err
		}
		return e, p.expect(")")
	}
	return p.comparison()
}

func (p *xparser) comparison() (xexpr, error) {
	f := p.next()
	if f.Kind != xqltok.Word {
		return nil, fmt.Errorf("want a field, got %v", f)
	}
	op := p.next().Text
	c := xcmp{field: f.Text, op: op}
	if op == "in" {
		if err := p.expect("("); err != nil {
			return nil, err
		}
		for {
			c.vals = append(c.vals, p.next())
			if t := p.next(); t.Text == ")" {
				break
			} else if t.Text != "," {
				return nil, fmt.Errorf("want , or ) in list, got %v", t)
			}
		}
		return c, nil
	}
	switch op {
	case "=", "!=", "contains", "~=", "incidr", "incidr6", ">", ">=", "<", "<=":
	default:
		return nil, fmt.Errorf("unknown operator %q", op)
	}
	c.vals = []xqltok.Token{p.next()}
	return c, nil
}

// walk calls f for every node in document order, with the chain of its
// ancestors (outermost first).
func walk(e xexpr, anc []xexpr, f func(e xexpr, anc []xexpr)) {
	f(e, anc)
	anc = append(anc, e)
	switch e := e.(type) {
	case xand:
		for _, a := range e.args {
			walk(a, anc, f)
		}
	case xor:
		for _, a := range e.args {
			walk(a, anc, f)
		}
	case xnot:
		walk(e.arg, anc, f)
	}
}

// queryParts splits an XQL query into its filter expression and its alter
// assignments (name → expression); alters["config"] is the value of
// config case_sensitive.
func queryParts(q string) (filter string, alters map[string]string, err error) {
	alters = map[string]string{}
	toks, err := xqltok.Split(q)
	if err != nil {
		return "", nil, err
	}
	// Stages are separated by top-level '|' tokens.
	var stages [][]xqltok.Token
	cur := []xqltok.Token{}
	depth := 0
	for _, t := range toks {
		switch {
		case t.Kind == xqltok.Comment:
			continue
		case t.Text == "(":
			depth++
		case t.Text == ")":
			depth--
		case t.Text == "|" && t.Kind == xqltok.Punct && depth == 0:
			stages = append(stages, cur)
			cur = nil
			continue
		}
		cur = append(cur, t)
	}
	stages = append(stages, cur)
	for _, st := range stages {
		if len(st) == 0 {
			continue
		}
		switch st[0].Text {
		case "filter":
			if filter != "" {
				return "", nil, fmt.Errorf("two filter stages")
			}
			filter = join(st[1:])
		case "config":
			if join(st[1:]) != "case_sensitive = false" && join(st[1:]) != "case_sensitive = true" {
				return "", nil, fmt.Errorf("unexpected config %v", st)
			}
			alters["config"] = st[3].Text
		case "alter":
			if len(st) < 4 || st[2].Text != "=" {
				return "", nil, fmt.Errorf("unexpected alter %v", st)
			}
			alters[st[1].Text] = join(st[3:])
		}
	}
	return filter, alters, nil
}

func join(toks []xqltok.Token) string {
	parts := make([]string, len(toks))
	for i, t := range toks {
		parts[i] = t.String()
	}
	return strings.Join(parts, " ")
}
