// Package ir holds the resolved boolean match tree that processing
// pipelines transform and backends render. Lower builds it from a parsed
// sigma.Rule: search identifiers and "1 of"/"all of" selectors are resolved,
// modifiers are already applied, so every leaf is one field compared with
// one typed value.
package ir

import (
	"slices"

	"github.com/sigconv/sigconv/sigma"
)

// Expr is a node of the match tree: *And, *Or, *Not or *Match.
type Expr interface{ exprNode() }

// And matches when all its arguments match. An And with no arguments is true.
type And struct{ Args []Expr }

// Or matches when any argument matches. An Or with no arguments is false.
type Or struct{ Args []Expr }

// Not negates its argument.
type Not struct{ Arg Expr }

// Match compares one field with one value. An empty Field is a keyword
// search (the value anywhere in the event).
type Match struct {
	Field string
	Value sigma.Value
	Pos   sigma.Pos // where the value (or its item) is written in the rule
}

func (*And) exprNode()   {}
func (*Or) exprNode()    {}
func (*Not) exprNode()   {}
func (*Match) exprNode() {}

// Rule is a rule ready for a backend: its source document (read only),
// one match tree per condition, and what the pipelines decided.
type Rule struct {
	Source  *sigma.Rule
	Queries []Expr // one per condition of the rule, in order

	// Set by processing pipelines. LogSource starts as the rule's own and
	// may be changed by change_logsource.
	LogSource sigma.LogSource
	// Filters are the conditions pipelines add (add_condition), to be
	// AND-ed before each query, in order. The converter folds them into
	// Queries (see Combined) before a backend sees the rule, so a
	// backend renders Queries alone and cannot drop them.
	Filters   []Expr
	Table     string   // dataset / table / index selected for the logsource
	Fields    []string // output fields, mapped to target names
	Pipelines []string // names of the pipelines applied, in order
	State     map[string]string

	// Correlation is set, with Source holding only its metadata and no
	// Queries, when a backend formats a correlation rule's queries.
	Correlation *sigma.Correlation
}

// Clone returns a shallow copy whose slices and map may be replaced
// without touching the original; pipelines build new values with it.
func (r *Rule) Clone() *Rule {
	c := *r
	c.Queries = append([]Expr(nil), r.Queries...)
	c.Filters = append([]Expr(nil), r.Filters...)
	c.Fields = append([]string(nil), r.Fields...)
	c.Pipelines = append([]string(nil), r.Pipelines...)
	c.State = make(map[string]string, len(r.State))
	for k, v := range r.State {
		c.State[k] = v
	}
	return &c
}

// Combined returns the rule with its pipeline Filters AND-ed before each
// query (flattened, filters first) and Filters empty: one tree per query
// that says everything the query must match. r is not modified.
func (r *Rule) Combined() *Rule {
	if len(r.Filters) == 0 {
		return r
	}
	// A copy that replaces Queries and Filters and shares the rest with r
	// (clipped, so appending to the copy's slices allocates): nothing
	// downstream writes into a processed rule, and copying its fields,
	// pipelines and state per rule showed in the profiles.
	c := *r
	c.Fields = slices.Clip(c.Fields)
	c.Pipelines = slices.Clip(c.Pipelines)
	c.Queries = make([]Expr, len(r.Queries))
	args := make([]Expr, len(r.Filters)+1)
	copy(args, r.Filters)
	for i, q := range r.Queries {
		args[len(r.Filters)] = q
		c.Queries[i] = NewAnd(args...) // a new slice: args is reused
	}
	c.Filters = nil
	return &c
}

// Inspect calls f for every match of the tree in document order, until f
// returns false.
func Inspect(e Expr, f func(*Match) bool) bool {
	switch e := e.(type) {
	case *Match:
		return f(e)
	case *Not:
		return Inspect(e.Arg, f)
	case *And:
		return inspectAll(e.Args, f)
	case *Or:
		return inspectAll(e.Args, f)
	}
	return true
}

func inspectAll(args []Expr, f func(*Match) bool) bool {
	for _, a := range args {
		if !Inspect(a, f) {
			return false
		}
	}
	return true
}

// AnyOf ORs the queries of a rule into one tree, for targets that render
// a rule as one search (a correlation's leg). The conditions every query
// starts with — the pipelines' added conditions after Combined, shared
// by pointer — are factored out: (F and q1) or (F and q2) becomes
// F and (q1 or q2), which means the same and keeps F where a target
// looks for its leading conditions.
func AnyOf(queries []Expr) Expr {
	if len(queries) == 1 {
		return queries[0]
	}
	prefix := commonPrefix(queries)
	if prefix == 0 {
		return &Or{Args: queries}
	}
	shared := queries[0].(*And).Args[:prefix]
	rests := make([]Expr, len(queries))
	for i, q := range queries {
		rests[i] = NewAnd(q.(*And).Args[prefix:]...)
	}
	return NewAnd(append(append([]Expr(nil), shared...), &Or{Args: rests})...)
}

// commonPrefix counts the leading conjuncts (the same nodes) that every
// query has, leaving each query at least one of its own.
func commonPrefix(queries []Expr) int {
	var lists [][]Expr
	for _, q := range queries {
		a, ok := q.(*And)
		if !ok {
			return 0
		}
		lists = append(lists, a.Args)
	}
	n := 0
	for {
		for _, l := range lists {
			if n >= len(l)-1 || l[n] != lists[0][n] {
				return n
			}
		}
		n++
	}
}
