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
	"github.com/sigconv/sigconv/sigma"
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
	// GroupMixed puts every AND group that is an operand of OR in
	// parentheses too, so that the query means the same whichever of the
	// two operators binds tighter (for targets whose documentation does
	// not state their precedence, such as XQL).
	GroupMixed bool
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

// NullGuard makes negation exact on columns that can be null. Sigma reads
// a comparison with a missing field as false, so "not (F contains x)"
// keeps an event without F. Where a comparison with null is null (or
// where the target leaves it open), the negation of that null drops the
// event. With a NullGuard the walker writes, for each "not", a form that
// is two-valued whatever the target does with null: when the leaves under
// the "not" use one nullable column F, "(F is null or not (...))"; when
// they use several, each leaf on a nullable column becomes "(F is not
// null and leaf)". Leaves that test for null themselves (Sigma null and
// exists) are two-valued already and are left as they are, and so is a
// "not" nested inside, which carries its own guard.
type NullGuard struct {
	// CanBeNull reports whether the column can be null.
	CanBeNull func(field string) bool
	// IsNull and NotNull render the two null tests of a column.
	IsNull, NotNull func(field string) string
}

// Dialect is a target's tokens plus hooks.
type Dialect struct {
	Tokens
	Hooks
	// Null, when set, guards every negation over a column that can be
	// null (see NullGuard).
	Null *NullGuard
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
	var all []ir.Expr
	if len(r.Filters) == 0 {
		all = flatten([]ir.Expr{q}, true)
	} else {
		all = flatten(append(append(make([]ir.Expr, 0, len(r.Filters)+1), r.Filters...), q), true)
	}
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
	return d.renderIn(e, false)
}

// renderIn renders e; guard is set inside a "not" whose leaves are each
// guarded against null (see NullGuard).
func (d *Dialect) renderIn(e ir.Expr, guard bool) (Fragment, error) {
	switch e := e.(type) {
	case *ir.Match:
		f, err := d.Match(e)
		if err != nil || !guard {
			return f, err
		}
		return d.guardLeaf(e, f), nil
	case *ir.Not:
		return d.renderNot(e)
	case *ir.And:
		return d.renderJoin(e.Args, true, guard)
	case *ir.Or:
		return d.renderJoin(e.Args, false, guard)
	}
	return Fragment{}, nil
}

func (d *Dialect) renderNot(e *ir.Not) (Fragment, error) {
	guarded, one := d.nullableUnder(e.Arg)
	inner, err := d.renderIn(e.Arg, guarded && one == "")
	if err != nil {
		return Fragment{}, err
	}
	var f Fragment
	if d.NotAlwaysGroups || inner.Prec < PrecNot {
		f = Fragment{Text: d.Not + d.Open + inner.Text + d.Close, Prec: PrecNot}
	} else {
		f = Fragment{Text: d.Not + inner.Text, Prec: PrecNot}
	}
	if one != "" {
		// Every leaf is on this one nullable column: where it is null
		// every leaf is false in Sigma, so the and/or of them is false
		// and the negation true.
		f = Fragment{Text: d.Null.IsNull(one) + d.Or + f.Text, Prec: d.precOf(false)}
	}
	return f, nil
}

// guardLeaf makes a leaf false where its column is null.
func (d *Dialect) guardLeaf(m *ir.Match, f Fragment) Fragment {
	if !d.needsGuard(m) {
		return f
	}
	if f.Prec < d.precOf(true) {
		f.Text = d.Open + f.Text + d.Close
	}
	return Atom(d.Open + d.Null.NotNull(m.Field) + d.And + f.Text + d.Close)
}

// needsGuard reports whether a leaf can be null: its column can be, and
// it is not itself a null test.
func (d *Dialect) needsGuard(m *ir.Match) bool {
	if d.Null == nil || m.Field == "" {
		return false
	}
	switch m.Value.(type) {
	case sigma.Null, sigma.Exists:
		return false
	}
	return d.Null.CanBeNull(m.Field)
}

// nullableUnder reports whether a leaf under a "not" (outside any nested
// "not") can be null, and, when the expression is only an and/or of such
// leaves on one column, that column: then "column is null or not (...)"
// is exact. Otherwise every nullable leaf is guarded on its own.
func (d *Dialect) nullableUnder(e ir.Expr) (guarded bool, one string) {
	if d.Null == nil {
		return false, ""
	}
	single := true // only and/or of guarded leaves on one column so far
	var walk func(ir.Expr)
	walk = func(e ir.Expr) {
		switch e := e.(type) {
		case *ir.Match:
			if !d.needsGuard(e) {
				single = false
				return
			}
			if guarded && e.Field != one {
				single = false
			}
			guarded, one = true, e.Field
		case *ir.And:
			for _, a := range e.Args {
				walk(a)
			}
		case *ir.Or:
			for _, a := range e.Args {
				walk(a)
			}
		default:
			single = false
		}
	}
	walk(e)
	if !guarded || !single {
		return guarded, ""
	}
	return true, one
}

func (d *Dialect) renderJoin(args []ir.Expr, isAnd, guard bool) (Fragment, error) {
	args = flatten(args, isAnd)
	if len(args) == 0 {
		// Lowering never builds an empty group; refuse rather than emit
		// a constant the rule did not say.
		return Fragment{}, errors.New("internal error: empty boolean group")
	}
	if len(args) == 1 {
		return d.renderIn(args[0], guard)
	}
	joiner := d.Or
	if isAnd {
		joiner = d.And
	}
	text, err := d.joinIn(args, isAnd, joiner, guard)
	return Fragment{Text: text, Prec: d.precOf(isAnd)}, err
}

// join renders args and joins them, grouping the ones that bind looser
// than the joiner. Under OR, runs of matches on one field are offered to
// the List hook (each run once, so long ORs stay linear).
func (d *Dialect) join(args []ir.Expr, isAnd bool, joiner string) (string, error) {
	return d.joinIn(args, isAnd, joiner, false)
}

func (d *Dialect) joinIn(args []ir.Expr, isAnd bool, joiner string, guard bool) (string, error) {
	prec := d.precOf(isAnd)
	// The fragments are collected and written once into a builder of the
	// exact size: no slice per argument, no string per added group.
	parts := make([]Fragment, 0, len(args))
	size := 0
	for i := 0; i < len(args); {
		var n int
		var err error
		start := len(parts)
		parts, n, err = d.renderRun(parts, args[i:], isAnd, guard)
		if err != nil {
			return "", err
		}
		i += n
		for j := start; j < len(parts); j++ {
			// Prec marks the fragments to group from here on.
			f := &parts[j]
			group := f.Prec < prec || (d.GroupMixed && f.Prec < PrecNot && f.Prec != prec)
			f.Prec = PrecAtom
			size += len(f.Text)
			if group {
				f.Prec = PrecLowest
				size += len(d.Open) + len(d.Close)
			}
		}
	}
	if d.MaxChain >= 2 && len(parts) > d.MaxChain {
		texts := make([]string, len(parts))
		for i, f := range parts {
			texts[i] = d.grouped(f)
		}
		return d.chain(texts, joiner), nil
	}
	var b strings.Builder
	b.Grow(size + len(joiner)*(len(parts)-1))
	for i, f := range parts {
		if i > 0 {
			b.WriteString(joiner)
		}
		if f.Prec == PrecLowest {
			b.WriteString(d.Open)
			b.WriteString(f.Text)
			b.WriteString(d.Close)
		} else {
			b.WriteString(f.Text)
		}
	}
	return b.String(), nil
}

// grouped is a fragment joinIn marked for grouping (PrecLowest) in the
// group tokens, any other as it is.
func (d *Dialect) grouped(f Fragment) string {
	if f.Prec == PrecLowest {
		return d.Open + f.Text + d.Close
	}
	return f.Text
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
// else each on its own. It appends the fragments to dst.
func (d *Dialect) renderRun(dst []Fragment, args []ir.Expr, isAnd, guard bool) ([]Fragment, int, error) {
	if !isAnd && d.List != nil {
		if run := sameFieldRun(args); len(run) > 1 {
			f, ok, err := d.List(run)
			if err != nil {
				return nil, 0, err
			}
			if ok && guard {
				// One guard for the list, unless it holds a null test,
				// which a guard would turn false.
				for _, m := range run {
					if !d.needsGuard(m) {
						ok = false
					}
				}
				f = d.guardLeaf(run[0], f)
			}
			if ok {
				return append(dst, f), len(run), nil
			}
			for _, m := range run {
				f, err := d.renderIn(m, guard)
				if err != nil {
					return nil, 0, err
				}
				dst = append(dst, f)
			}
			return dst, len(run), nil
		}
	}
	f, err := d.renderIn(args[0], guard)
	return append(dst, f), 1, err
}

// sameFieldRun returns the matches on one field that args starts with,
// nil when there are fewer than two (counted first, so that the common
// run of one allocates nothing).
func sameFieldRun(args []ir.Expr) []*ir.Match {
	n := 0
	for _, a := range args {
		m, ok := a.(*ir.Match)
		if !ok || m.Field == "" || (n > 0 && args[0].(*ir.Match).Field != m.Field) {
			break
		}
		n++
	}
	if n < 2 {
		return nil
	}
	run := make([]*ir.Match, n)
	for i := range run {
		run[i] = args[i].(*ir.Match)
	}
	return run
}

// flatten splices nested nodes of the same kind into one argument list.
// When there is nothing to splice it returns args itself (read only).
func flatten(args []ir.Expr, isAnd bool) []ir.Expr {
	nested := false
	for _, a := range args {
		switch a.(type) {
		case *ir.And:
			nested = nested || isAnd
		case *ir.Or:
			nested = nested || !isAnd
		}
	}
	if !nested {
		return args
	}
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
