// Package cond parses Sigma condition strings ("selection and not 1 of
// filter_*") into a small syntax tree. Every node records its byte offset in
// the condition string, so errors can be shifted to the absolute position in
// the YAML file by the caller.
package cond

// Expr is a node of a condition tree.
type Expr interface {
	// Offset is the byte offset of the node's first token in the condition.
	Offset() int
	exprNode()
}

// Op is a binary boolean operator.
type Op uint8

const (
	And Op = iota
	Or
)

func (op Op) String() string {
	if op == And {
		return "and"
	}
	return "or"
}

// Ident is a reference to one search identifier.
type Ident struct {
	Name string
	Off  int
}

// Of is "1 of X" or "all of X", where X is an identifier, a pattern with
// '*' wildcards (selection_*), or "them" (every identifier not starting
// with '_').
type Of struct {
	All     bool   // "all of"; otherwise "1 of"
	Pattern string // identifier or pattern; "them" when Them
	Them    bool
	Off     int // offset of the quantifier ("1" or "all")
	PatOff  int // offset of the pattern
}

// Not negates its operand.
type Not struct {
	X   Expr
	Off int
}

// Binary is "X and Y" or "X or Y".
type Binary struct {
	Op   Op
	X, Y Expr
	Off  int // offset of the operator keyword
}

// Paren is a parenthesized expression; kept so that a printer can
// reproduce the source and positions stay exact.
type Paren struct {
	X   Expr
	Off int
}

func (e *Ident) Offset() int  { return e.Off }
func (e *Of) Offset() int     { return e.Off }
func (e *Not) Offset() int    { return e.Off }
func (e *Binary) Offset() int { return e.X.Offset() }
func (e *Paren) Offset() int  { return e.Off }

func (*Ident) exprNode()  {}
func (*Of) exprNode()     {}
func (*Not) exprNode()    {}
func (*Binary) exprNode() {}
func (*Paren) exprNode()  {}

// Error is a condition syntax error at a byte offset of the condition.
type Error struct {
	Off int
	Msg string
}

func (e *Error) Error() string { return e.Msg }
