package cond

import "strings"

// Binding strengths, loosest first; used to decide where Format needs
// parentheses.
const (
	precOr = iota + 1
	precAnd
	precNot
	precAtom
)

// Format prints e in canonical form: single spaces, lower-case operators
// and parentheses only where the tree shape needs them. Source Paren
// nodes are not printed as such, so Parse(Format(e)) returns the same tree
// up to Paren nodes and offsets. A right operand with the same operator
// keeps its parentheses ("a and (b and c)"), since dropping them would
// re-associate the tree.
func Format(e Expr) string {
	var b strings.Builder
	format(&b, e, precOr)
	return b.String()
}

func (e *Ident) String() string  { return Format(e) }
func (e *Of) String() string     { return Format(e) }
func (e *Not) String() string    { return Format(e) }
func (e *Binary) String() string { return Format(e) }
func (e *Paren) String() string  { return Format(e) }

// Unparen strips any Paren nodes wrapping e.
func Unparen(e Expr) Expr {
	for {
		p, ok := e.(*Paren)
		if !ok {
			return e
		}
		e = p.X
	}
}

func prec(e Expr) int {
	switch e := e.(type) {
	case *Binary:
		if e.Op == Or {
			return precOr
		}
		return precAnd
	case *Not:
		return precNot
	}
	return precAtom
}

// format writes e, parenthesized when it binds looser than its context
// min requires.
func format(b *strings.Builder, e Expr, min int) {
	e = Unparen(e)
	if prec(e) < min {
		b.WriteByte('(')
		defer b.WriteByte(')')
	}
	switch e := e.(type) {
	case *Ident:
		b.WriteString(e.Name)
	case *Of:
		b.WriteString(e.quantifier())
		b.WriteString(" of ")
		b.WriteString(e.Pattern)
	case *Not:
		b.WriteString("not ")
		format(b, e.X, precNot)
	case *Binary:
		p := prec(e)
		format(b, e.X, p)
		b.WriteByte(' ')
		b.WriteString(e.Op.String())
		b.WriteByte(' ')
		format(b, e.Y, p+1)
	case nil:
		b.WriteString("<nil>")
	}
}

func (e *Of) quantifier() string {
	if e.All {
		return "all"
	}
	return "1"
}
