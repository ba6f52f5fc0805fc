// Package textquery is the one condition-tree walker every text target
// shares. A target supplies a Dialect: a small table of tokens (boolean
// operators, grouping, precedence) and hooks that render leaves. The
// walker adds parentheses only where the target's precedence needs them,
// so each backend stays a table plus the few places it really differs.
package textquery

import (
	"errors"
	"strings"

	"github.com/sigconv/sigconv/ir"
)

// Precedence levels of rendered fragments. A fragment is wrapped in the
// group tokens when it binds looser than the place it is put in.
type Precedence int

// Fragments rendered by hooks use PrecAtom unless their text has a
// top-level boolean operator of the target.
const (
	PrecLowest Precedence = iota
	PrecLow               // the loosest binary operator of the target
	PrecHigh              // the tighter binary operator
	PrecNot               // negation
	PrecAtom              // a comparison or a parenthesized group
)

// Fragment is a rendered piece of a query with the precedence of its
// outermost operator.
type Fragment struct {
	Text string
	Prec Precedence
}

// Atom is a fragment that never needs parentheses.
func Atom(text string) Fragment { return Fragment{Text: text, Prec: PrecAtom} }

// Tokens are a target's boolean syntax.
type Tokens struct {
	And, Or     string // joiners including spaces, e.g. " and "
	Not         string // prefix, e.g. "not "
	Open, Close string // grouping, e.g. "(" and ")"
	// NotAlwaysGroups renders "not" followed by a group even for atoms
	// (KQL's not() is a function; XQL reads clearer that way).
	NotAlwaysGroups bool
	// OrBindsTighter is true where OR binds tighter than AND (Splunk's
	// search command); usually AND binds tighter.
	OrBindsTighter bool
	// TopAnd, when set, joins the arguments of the top-level AND instead of
	// And (for one condition per line); it must mean the same as And.
	TopAnd string
	// MaxChain, when positive, bounds how many operands one chain of the
	// same operator may have: longer runs are split into parenthesized
	// sub-chains, which AND and OR being associative never changes. It is
	// for parsers with a nesting limit (Kusto's parser nests a chain of n
	// operators n deep and refuses a few hundred).
	MaxChain int
}

// Hooks render leaves. Match is required; List is optional.
type Hooks struct {
	// Match renders one comparison.
	Match func(m *ir.Match) (Fragment, error)
	// List may render an OR of several matches on the same field as one
	// expression (an "in" list); ok=false falls back to Match per leaf.
	List func(ms []*ir.Match) (f Fragment, ok bool, err error)
}

// Dialect is a target's tokens plus hooks.
type Dialect struct {
	Tokens
	Hooks
}

func (d *Dialect) precOf(isAnd bool) Precedence {
	if isAnd != d.OrBindsTighter {
		return PrecHigh
	}
	return PrecLow
}

// Render renders a tree.
func (d *Dialect) Render(e ir.Expr) (string, error) {
	f, err := d.render(e)
	return f.Text, err
}

// RenderRule renders the pipeline's filters AND-ed with one query of the
// rule, flattening nested ANDs so that the added conditions and the
// detection read as one list.
func (d *Dialect) RenderRule(r *ir.Rule, q ir.Expr) (string, error) {
	args := append(append([]ir.Expr(nil), r.Filters...), q)
	all := flatten(args, true)
	if len(all) == 1 {
		return d.Render(all[0])
	}
	joiner := d.And
	if d.TopAnd != "" {
		joiner = d.TopAnd
	}
	return d.join(all, true, joiner)
}

func (d *Dialect) render(e ir.Expr) (Fragment, error) {
	switch e := e.(type) {
	case *ir.Match:
		return d.Match(e)
	case *ir.Not:
		return d.renderNot(e)
	case *ir.And:
		return d.renderJoin(e.Args, true)
	case *ir.Or:
		return d.renderJoin(e.Args, false)
	}
	return Fragment{}, nil
}

func (d *Dialect) renderNot(e *ir.Not) (Fragment, error) {
	inner, err := d.render(e.Arg)
	if err != nil {
		return Fragment{}, err
	}
	if d.NotAlwaysGroups || inner.Prec < PrecNot {
		return Fragment{Text: d.Not + d.Open + inner.Text + d.Close, Prec: PrecNot}, nil
	}
	return Fragment{Text: d.Not + inner.Text, Prec: PrecNot}, nil
}

func (d *Dialect) renderJoin(args []ir.Expr, isAnd bool) (Fragment, error) {
	args = flatten(args, isAnd)
	if len(args) == 0 {
		// Lowering never builds an empty group; refuse rather than emit
		// a constant the rule did not say.
		return Fragment{}, errors.New("internal error: empty boolean group")
	}
	if len(args) == 1 {
		return d.render(args[0])
	}
	joiner := d.Or
	if isAnd {
		joiner = d.And
	}
	text, err := d.join(args, isAnd, joiner)
	return Fragment{Text: text, Prec: d.precOf(isAnd)}, err
}

// join renders args and joins them, grouping the ones that bind looser
// than the joiner. Under OR, runs of matches on one field are offered to
// the List hook (each run once, so long ORs stay linear).
func (d *Dialect) join(args []ir.Expr, isAnd bool, joiner string) (string, error) {
	prec := d.precOf(isAnd)
	parts := make([]string, 0, len(args))
	for i := 0; i < len(args); {
		frags, n, err := d.renderRun(args[i:], isAnd)
		if err != nil {
			return "", err
		}
		i += n
		for _, f := range frags {
			if f.Prec < prec {
				f.Text = d.Open + f.Text + d.Close
			}
			parts = append(parts, f.Text)
		}
	}
	return d.chain(parts, joiner), nil
}

// chain joins parts, grouping them into at most MaxChain operands per
// chain when the run is longer.
func (d *Dialect) chain(parts []string, joiner string) string {
	if d.MaxChain < 2 || len(parts) <= d.MaxChain {
		return strings.Join(parts, joiner)
	}
	size := (len(parts) + d.MaxChain - 1) / d.MaxChain
	var groups []string
	for i := 0; i < len(parts); i += size {
		end := min(i+size, len(parts))
		g := d.chain(parts[i:end], joiner)
		if end-i > 1 {
			g = d.Open + g + d.Close
		}
		groups = append(groups, g)
	}
	return d.chain(groups, joiner)
}

// renderRun renders the next argument, or the next run of same-field
// matches: as one list when under OR and the List hook accepts them,
// else each on its own.
func (d *Dialect) renderRun(args []ir.Expr, isAnd bool) ([]Fragment, int, error) {
	if !isAnd && d.List != nil {
		if run := sameFieldRun(args); len(run) > 1 {
			f, ok, err := d.List(run)
			if err != nil {
				return nil, 0, err
			}
			if ok {
				return []Fragment{f}, len(run), nil
			}
			frags := make([]Fragment, len(run))
			for i, m := range run {
				if frags[i], err = d.Match(m); err != nil {
					return nil, 0, err
				}
			}
			return frags, len(run), nil
		}
	}
	f, err := d.render(args[0])
	return []Fragment{f}, 1, err
}

func sameFieldRun(args []ir.Expr) []*ir.Match {
	var run []*ir.Match
	for _, a := range args {
		m, ok := a.(*ir.Match)
		if !ok || m.Field == "" || (len(run) > 0 && run[0].Field != m.Field) {
			break
		}
		run = append(run, m)
	}
	return run
}

// flatten splices nested nodes of the same kind into one argument list.
func flatten(args []ir.Expr, isAnd bool) []ir.Expr {
	var out []ir.Expr
	for _, a := range args {
		switch a := a.(type) {
		case *ir.And:
			if isAnd {
				out = append(out, flatten(a.Args, true)...)
				continue
			}
		case *ir.Or:
			if !isAnd {
				out = append(out, flatten(a.Args, false)...)
				continue
			}
		}
		out = append(out, a)
	}
	return out
}
