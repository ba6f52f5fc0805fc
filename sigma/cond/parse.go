package cond

import (
	"fmt"
	"strings"
)

// Limits that keep hostile or broken input from costing much: the parser
// is recursive, so nesting is capped well below anything that could
// strain the stack, and real conditions are a few hundred bytes at most.
const (
	MaxLength = 64 << 10 // bytes
	MaxDepth  = 500      // nested parentheses and "not"s
)

// aggregationMsg is reported at a legacy "| count() ..." or "near".
const aggregationMsg = `aggregation in conditions ("| count() ...") is not supported since Sigma v2; write a correlation rule instead`

// Parse parses a Sigma condition. Precedence, loosest first: or, and, not,
// then "1 of"/"all of", identifiers and parentheses. Operators are lower
// case only. Errors are *Error values carrying the byte offset of the
// offending token.
func Parse(s string) (Expr, error) {
	if len(s) > MaxLength {
		return nil, &Error{Off: MaxLength, Msg: fmt.Sprintf("condition too long (%d bytes, limit %d)", len(s), MaxLength)}
	}
	p := &parser{toks: tokenize(s)}
	if p.peek().kind == tEOF {
		return nil, &Error{Off: 0, Msg: "empty condition"}
	}
	x, err := p.parseOr(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.afterOperand(t)
	}
	return x, nil
}

// parser walks the token slice with arbitrary lookahead; tokenize always
// ends the slice with tEOF, and the parser never moves past it.
type parser struct {
	toks []token
	pos  int
}

func (p *parser) peek() token { return p.toks[p.pos] }

// peekAt returns the token n places ahead, or the final tEOF.
func (p *parser) peekAt(n int) token {
	if p.pos+n >= len(p.toks) {
		return p.toks[len(p.toks)-1]
	}
	return p.toks[p.pos+n]
}

func (p *parser) advance() token {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}

// isWord reports whether t is the word w, exactly (operators are case
// sensitive).
func isWord(t token, w string) bool { return t.kind == tWord && t.text == w }

func (p *parser) parseOr(depth int) (Expr, error) {
	x, err := p.parseAnd(depth)
	for err == nil && isWord(p.peek(), "or") {
		op := p.advance()
		var y Expr
		if y, err = p.parseAnd(depth); err == nil {
			x = &Binary{Op: Or, X: x, Y: y, Off: op.off}
		}
	}
	return x, err
}

func (p *parser) parseAnd(depth int) (Expr, error) {
	x, err := p.parseUnary(depth)
	for err == nil && isWord(p.peek(), "and") {
		op := p.advance()
		var y Expr
		if y, err = p.parseUnary(depth); err == nil {
			x = &Binary{Op: And, X: x, Y: y, Off: op.off}
		}
	}
	return x, err
}

// parseUnary parses "not" chains and atoms. depth counts the enclosing
// parentheses and "not"s, so both kinds of nesting are capped.
func (p *parser) parseUnary(depth int) (Expr, error) {
	t := p.peek()
	if !isWord(t, "not") {
		return p.parseAtom(depth)
	}
	if depth >= MaxDepth {
		return nil, tooDeep(t)
	}
	p.advance()
	x, err := p.parseUnary(depth + 1)
	if err != nil {
		return nil, err
	}
	return &Not{X: x, Off: t.off}, nil
}

func tooDeep(t token) error {
	return &Error{Off: t.off, Msg: fmt.Sprintf("condition nested too deeply (more than %d levels)", MaxDepth)}
}

func (p *parser) parseAtom(depth int) (Expr, error) {
	t := p.peek()
	switch t.kind {
	case tLParen:
		return p.parseParen(depth)
	case tWord:
		return p.parseWord()
	case tEOF:
		return nil, p.unexpectedEnd(t)
	case tPipe:
		return nil, &Error{Off: t.off, Msg: aggregationMsg}
	case tRParen:
		return nil, &Error{Off: t.off, Msg: `unexpected ")"`}
	}
	return nil, unexpectedChar(t)
}

// unexpectedEnd reports a condition that stops where an operand is due,
// naming the token before, which is what left the condition incomplete.
func (p *parser) unexpectedEnd(t token) error {
	if p.pos == 0 {
		return &Error{Off: t.off, Msg: "empty condition"}
	}
	prev := p.toks[p.pos-1]
	return &Error{Off: t.off, Msg: fmt.Sprintf("unexpected end of condition after %q", prev.text)}
}

func unexpectedChar(t token) error {
	return &Error{Off: t.off, Msg: fmt.Sprintf("unexpected character %q", t.text)}
}

func (p *parser) parseParen(depth int) (Expr, error) {
	open := p.peek()
	if depth >= MaxDepth {
		return nil, tooDeep(open)
	}
	p.advance()
	x, err := p.parseOr(depth + 1)
	if err != nil {
		return nil, err
	}
	switch t := p.peek(); t.kind {
	case tRParen:
		p.advance()
		return &Paren{X: x, Off: open.off}, nil
	case tEOF:
		// Point at the "(" left open: the end of the text says little.
		return nil, &Error{Off: open.off, Msg: `unbalanced parentheses: missing ")"`}
	default:
		return nil, p.afterOperand(t)
	}
}

// parseWord parses an atom that starts with a word: a quantifier
// ("1 of", "all of") or an identifier.
func (p *parser) parseWord() (Expr, error) {
	t := p.peek()
	if err := checkOperatorCase(t); err != nil {
		return nil, err
	}
	if next := p.peekAt(1); next.kind == tWord && strings.EqualFold(next.text, "of") {
		if w := strings.ToLower(t.text); isQuantifier(w) || w == "any" || isNumber(w) {
			return p.parseOf()
		}
	}
	switch {
	case t.text == "and" || t.text == "or":
		return nil, &Error{Off: t.off, Msg: fmt.Sprintf("unexpected %q", t.text)}
	case strings.Contains(t.text, "*"):
		return nil, &Error{Off: t.off, Msg: fmt.Sprintf(`pattern %q needs a quantifier: write "1 of %s" or "all of %s"`, t.text, t.text, t.text)}
	}
	p.advance()
	return &Ident{Name: t.text, Off: t.off}, nil
}

func isQuantifier(w string) bool { return w == "1" || w == "all" }

func isNumber(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return w != ""
}

// checkOperatorCase refuses "AND", "Or", "NOT" and the like: Sigma
// operators are lower case, and reading them as identifiers would only
// produce a confusing "unknown identifier" later.
func checkOperatorCase(t token) error {
	for _, op := range [...]string{"and", "or", "not"} {
		if t.text != op && strings.EqualFold(t.text, op) {
			return &Error{Off: t.off, Msg: fmt.Sprintf("operators are lower case: write %q instead of %q", op, t.text)}
		}
	}
	return nil
}

// parseOf parses "<quantifier> of <pattern>". The caller has seen a word
// followed by something spelled like "of".
func (p *parser) parseOf() (Expr, error) {
	q, of := p.advance(), p.advance()
	switch {
	case strings.EqualFold(q.text, "any"):
		return nil, &Error{Off: q.off, Msg: `"any of" is not Sigma syntax; write "1 of"`}
	case !isQuantifier(strings.ToLower(q.text)):
		return nil, &Error{Off: q.off, Msg: fmt.Sprintf(`unsupported quantifier %q: only "1 of" and "all of" exist`, q.text)}
	case !isQuantifier(q.text) || of.text != "of":
		return nil, &Error{Off: q.off, Msg: fmt.Sprintf(`quantifiers are lower case: write "%s of"`, strings.ToLower(q.text))}
	}
	pat := p.peek()
	if pat.kind != tWord || pat.text == "and" || pat.text == "or" || pat.text == "not" {
		return nil, &Error{Off: pat.off, Msg: fmt.Sprintf("expected identifier after %q", q.text+" of")}
	}
	p.advance()
	return &Of{
		All:     q.text == "all",
		Pattern: pat.text,
		Them:    pat.text == "them",
		Off:     q.off,
		PatOff:  pat.off,
	}, nil
}

// afterOperand reports token t found after a complete operand, where only
// "and", "or", ")" or the end may follow.
func (p *parser) afterOperand(t token) error {
	switch t.kind {
	case tPipe:
		return &Error{Off: t.off, Msg: aggregationMsg}
	case tRParen:
		return &Error{Off: t.off, Msg: `unexpected ")"`}
	case tLParen:
		return &Error{Off: t.off, Msg: `unexpected "(": missing "and" or "or" before it`}
	case tOther:
		return unexpectedChar(t)
	}
	if t.text == "not" {
		return &Error{Off: t.off, Msg: `unexpected "not": write "and not" or "or not"`}
	}
	if t.text == "near" {
		// Sigma v1's "selection | near other" without the pipe.
		return &Error{Off: t.off, Msg: aggregationMsg}
	}
	if err := checkOperatorCase(t); err != nil {
		return err
	}
	return &Error{Off: t.off, Msg: fmt.Sprintf("unknown operator %q", t.text)}
}
