package ir

import (
	"strings"
	"unicode/utf8"

	"github.com/sigconv/sigconv/sigma"
	"github.com/sigconv/sigconv/sigma/cond"
)

// maxDepth bounds the recursion of Lower. Parsed conditions nest at most
// cond.MaxDepth levels; hand-built trees might not, and Go's growable
// stacks make a few thousand levels cheap, so the cap only stops absurd
// input from taking memory.
const maxDepth = 10000

// Lower resolves the rule's conditions into match trees, one per
// condition, in order. Identifiers become their search's tree, "1 of"
// an Or and "all of" an And over the selected searches in rule order.
// Nested And-in-And and Or-in-Or are flattened and one-element And/Or
// collapsed, which never changes the meaning; nothing is reordered.
//
// The sigma package validates identifiers, so errors are unexpected; they
// come back as *sigma.Diagnostic at the offending condition token.
func Lower(r *sigma.Rule) (*Rule, error) {
	if r == nil {
		return nil, sigma.Errorf("", sigma.Pos{}, "internal error: Lower of a nil rule")
	}
	if len(r.Detection.Conditions) == 0 {
		return nil, sigma.Errorf(r.File, r.Detection.Pos, "detection has no condition")
	}
	out := &Rule{Source: r, LogSource: r.LogSource}
	for _, c := range r.Detection.Conditions {
		if c == nil || c.Expr == nil {
			return nil, sigma.Errorf(r.File, r.Detection.Pos, "internal error: condition was not parsed")
		}
		l := &lowerer{rule: r, cond: c}
		q, err := l.expr(c.Expr, 0)
		if err != nil {
			return nil, err
		}
		out.Queries = append(out.Queries, q)
	}
	return out, nil
}

// lowerer lowers one condition of a rule.
type lowerer struct {
	rule *sigma.Rule
	cond *sigma.Condition
}

func (l *lowerer) expr(e cond.Expr, depth int) (Expr, error) {
	if depth > maxDepth {
		return nil, l.errorf(e, "condition nested too deeply (more than %d levels)", maxDepth)
	}
	switch e := e.(type) {
	case *cond.Ident:
		s := l.rule.Detection.Search(e.Name)
		if s == nil {
			return nil, l.errorf(e, "unknown search identifier %q", e.Name)
		}
		return Search(s), nil
	case *cond.Of:
		return l.of(e)
	case *cond.Not:
		x, err := l.expr(e.X, depth+1)
		if err != nil {
			return nil, err
		}
		return &Not{Arg: x}, nil
	case *cond.Paren:
		return l.expr(e.X, depth+1)
	case *cond.Binary:
		return l.binary(e, depth)
	}
	return nil, sigma.Errorf(l.rule.File, l.cond.Pos, "internal error: unexpected condition node %T", e)
}

// of resolves "1 of X" / "all of X" over the searches in rule order.
func (l *lowerer) of(e *cond.Of) (Expr, error) {
	var args []Expr
	for _, s := range l.rule.Detection.Searches {
		if e.Selects(s.Name) {
			args = append(args, Search(s))
		}
	}
	if len(args) == 0 {
		if e.Them {
			return nil, l.errorfAt(e.PatOff, "them selects no search identifier (names starting with _ are excluded)")
		}
		return nil, l.errorfAt(e.PatOff, "pattern %q matches no search identifier", e.Pattern)
	}
	return joinOwned(e.All, args), nil
}

// binary lowers a chain of one operator. Parsed chains lean left
// ("a or b or c" is ((a or b) or c)) and can be thousands of operands
// long, so the left spine is walked in a loop rather than recursively.
func (l *lowerer) binary(e *cond.Binary, depth int) (Expr, error) {
	var operands []cond.Expr // right operands, last first
	var left cond.Expr = e
	for {
		b, ok := cond.Unparen(left).(*cond.Binary)
		if !ok || b.Op != e.Op {
			break
		}
		operands = append(operands, b.Y)
		left = b.X
	}
	operands = append(operands, left)
	args := make([]Expr, 0, len(operands))
	for i := len(operands) - 1; i >= 0; i-- {
		x, err := l.expr(operands[i], depth+1)
		if err != nil {
			return nil, err
		}
		args = append(args, x)
	}
	return joinOwned(e.Op == cond.And, args), nil
}

func (l *lowerer) errorf(e cond.Expr, format string, args ...any) error {
	return l.errorfAt(e.Offset(), format, args...)
}

func (l *lowerer) errorfAt(off int, format string, args ...any) error {
	return sigma.Errorf(l.rule.File, condPos(l.cond, off), format, args...)
}

// condPos maps a byte offset of the condition text to a file position.
// The condition's Pos is its first character; on the same line the
// offset is a column shift (counted in characters, as YAML columns are).
// Past a line break the layout of the YAML scalar is unknown here, so
// the condition's own position is the best answer.
func condPos(c *sigma.Condition, off int) sigma.Pos {
	if !c.Pos.IsValid() || off < 0 || off > len(c.Text) {
		return c.Pos
	}
	prefix := c.Text[:off]
	if strings.ContainsAny(prefix, "\r\n") {
		return c.Pos
	}
	return sigma.Pos{Line: c.Pos.Line, Column: c.Pos.Column + utf8.RuneCountInString(prefix)}
}

// Search returns the match tree of one search: an Or over its groups, each
// an And over its items. Every call builds fresh nodes, so a search
// referenced twice never shares nodes that a pipeline might rewrite.
func Search(s *sigma.Search) Expr {
	// The search's Match nodes are allocated as one array: most items
	// hold a value or two, and a node each was the lowering's largest
	// share of allocations.
	n := 0
	for _, g := range s.Groups {
		for _, it := range g.Items {
			n += matchCount(it)
		}
	}
	ms := make([]Match, n)
	if len(s.Groups) == 1 { // most searches: no one-element list to collapse
		x, _ := groupFrom(s.Groups[0], ms)
		return x
	}
	groups := make([]Expr, 0, len(s.Groups))
	for _, g := range s.Groups {
		var x Expr
		x, ms = groupFrom(g, ms)
		groups = append(groups, x)
	}
	return joinOwned(false, groups)
}

// groupFrom is the And of a group's items, taking its Match nodes from the
// front of ms; it returns the rest.
func groupFrom(g *sigma.Group, ms []Match) (Expr, []Match) {
	if len(g.Items) == 1 {
		return itemFrom(g.Items[0], ms)
	}
	items := make([]Expr, 0, len(g.Items))
	for _, it := range g.Items {
		var x Expr
		x, ms = itemFrom(it, ms)
		items = append(items, x)
	}
	return joinOwned(true, items), ms
}

// Item returns the match tree of one detection item: its values OR-ed, or
// AND-ed under the all modifier. The alternatives of one value (from
// windash, base64offset, ...) are always OR-ed. A neq item is negated as
// a whole.
func Item(it *sigma.Item) Expr {
	x, _ := itemFrom(it, make([]Match, matchCount(it)))
	return x
}

// matchCount is the number of Match nodes item builds for it.
func matchCount(it *sigma.Item) int {
	n := 0
	for _, v := range it.Values {
		n += len(v.Alternatives)
	}
	return n
}

// itemFrom is Item taking its Match nodes from the front of ms, which holds
// at least matchCount(it); it returns the rest.
func itemFrom(it *sigma.Item, ms []Match) (Expr, []Match) {
	next := func(v sigma.Value, pos sigma.Pos) *Match {
		m := &ms[0]
		*m = Match{Field: it.Field, Value: v, Pos: pos}
		ms = ms[1:]
		return m
	}
	if len(it.Values) == 1 && len(it.Values[0].Alternatives) == 1 {
		// One value, one alternative (most items): its Match is the item.
		v := it.Values[0]
		pos := v.Pos
		if !pos.IsValid() {
			pos = it.Pos
		}
		var x Expr = next(v.Alternatives[0], pos)
		if it.Negated {
			x = &Not{Arg: x}
		}
		return x, ms
	}
	values := make([]Expr, 0, len(it.Values))
	for _, v := range it.Values {
		pos := v.Pos
		if !pos.IsValid() {
			pos = it.Pos
		}
		if len(v.Alternatives) == 1 {
			// The common case: one Match, no Or around it to build and
			// collapse again.
			values = append(values, next(v.Alternatives[0], pos))
			continue
		}
		alts := make([]Expr, 0, len(v.Alternatives))
		for _, a := range v.Alternatives {
			alts = append(alts, next(a, pos))
		}
		values = append(values, joinOwned(false, alts))
	}
	x := joinOwned(it.All, values)
	if it.Negated {
		x = &Not{Arg: x}
	}
	return x, ms
}

// joinOwned is NewAnd (and true) or NewOr (and false) for an argument
// slice the caller built and hands over: when nothing needs splicing the
// slice becomes the node's Args as is, instead of being copied.
func joinOwned(and bool, args []Expr) Expr {
	switch len(args) {
	case 0:
		args = nil // as NewAnd and NewOr leave it
	case 1:
		return args[0]
	}
	for _, a := range args {
		if _, ok := a.(*And); ok && and {
			return NewAnd(args...)
		}
		if _, ok := a.(*Or); ok && !and {
			return NewOr(args...)
		}
	}
	if and {
		return &And{Args: args}
	}
	return &Or{Args: args}
}

// NewAnd builds the conjunction of args, splicing in the arguments of
// any *And among them and returning a lone argument as is. With no
// arguments it is an empty And, which is true.
func NewAnd(args ...Expr) Expr {
	flat := splice(args, true)
	if len(flat) == 1 {
		return flat[0]
	}
	return &And{Args: flat}
}

// NewOr is NewAnd for disjunctions; with no arguments it is an empty Or,
// which is false.
func NewOr(args ...Expr) Expr {
	flat := splice(args, false)
	if len(flat) == 1 {
		return flat[0]
	}
	return &Or{Args: flat}
}

// splice returns args with the arguments of each *And (and true) or *Or
// (and false) among them in its place, in a new slice of the exact size
// (nil when that is empty).
func splice(args []Expr, and bool) []Expr {
	n := 0
	for _, a := range args {
		if inner, ok := sameOp(a, and); ok {
			n += len(inner)
		} else {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	flat := make([]Expr, 0, n)
	for _, a := range args {
		if inner, ok := sameOp(a, and); ok {
			flat = append(flat, inner...)
		} else {
			flat = append(flat, a)
		}
	}
	return flat
}

// sameOp returns a's arguments when a is an *And (and true) or an *Or
// (and false).
func sameOp(a Expr, and bool) ([]Expr, bool) {
	switch x := a.(type) {
	case *And:
		return x.Args, and
	case *Or:
		return x.Args, !and
	}
	return nil, false
}
