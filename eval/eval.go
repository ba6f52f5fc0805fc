// Package eval is the reference matcher of sigconv: it decides whether
// one event matches a rule, reading the rule exactly as the converters do
// (the match tree of ir.Lower, before any processing pipeline), so event
// tests check the meaning the generated queries start from.
//
// Semantics, following the Sigma specification:
//
//   - strings compare case-insensitively unless the cased modifier is
//     set; '*' matches any run of characters (newlines too) and '?'
//     exactly one character; the whole value must match;
//   - regular expressions (re) search anywhere in the value, with Go's
//     RE2 syntax, case-sensitive unless the i flag is set; a pattern RE2
//     cannot compile is an error for the rule, never a silent miss;
//   - numbers compare numerically, and an event value "4688" (Windows
//     event JSON holds strings) equals the rule's 4688;
//   - null means the field is absent or JSON null; exists checks only
//     presence (a JSON null counts as absent);
//   - cidr uses net/netip; gt/gte/lt/lte compare numbers; time-part
//     modifiers read RFC 3339 timestamps (and "2006-01-02 15:04:05",
//     taken as UTC, as Sysmon writes UtcTime);
//   - fieldref compares with another field of the same event;
//   - a keyword (a value without field) matches when it occurs anywhere
//     in any scalar value of the event;
//   - placeholders (%name% under expand) must be resolved by
//     Options.Vars, else the rule is refused;
//   - an event value that is a JSON array matches when any element does.
//
// Field names: a field is first looked up as a key of the event as is;
// if there is no such key and the name contains dots, it is looked up as
// a path into nested objects ("process.command_line" reaches
// {"process": {"command_line": ...}}), trying every split so keys that
// themselves contain dots still work.
//
// Correlation rules are evaluated over a stream of timestamped events by
// CorrelationMatcher (sliding windows, see NewCorrelation); meta-filters
// apply through Options.MetaFilters (or, as match trees, Options.Filters).
package eval

import (
	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// Event is one log event, as decoded from JSON (use json.Decoder.UseNumber
// so that large integers keep their exact text).
type Event map[string]any

// Options tune a Matcher.
type Options struct {
	// Vars resolves placeholders: each value is read as a Sigma string
	// (wildcards work), and several values are alternatives (OR), as the
	// value_placeholders pipeline transformation does.
	Vars map[string][]string
	// Filters are extra conditions an event must also satisfy, AND-ed
	// with every condition of the rule, in the manner of ir.Rule.Filters.
	// A Sigma meta-filter applies by lowering its condition (which holds
	// its own "not") and passing it here.
	Filters []ir.Expr
	// MetaFilters are Sigma meta-filter documents applied to the rule
	// with ir.ApplyFilters, exactly as the converters apply them. The
	// caller picks the filters that concern the rule (for instance with
	// collection.FiltersFor).
	MetaFilters []*sigma.Filter
}

// Matcher matches events against one rule. It is immutable after
// construction and safe for concurrent use.
type Matcher struct {
	rule    *ir.Rule
	conds   []pred
	filters []pred
}

// pred is a compiled test on an event.
type pred func(ev Event) bool

// New lowers a parsed rule and compiles it. Errors (a regex RE2 cannot
// compile, an unresolved placeholder, a value kind that cannot be
// evaluated) are *sigma.Diagnostic values naming the rule file and the
// value's position.
func New(r *sigma.Rule, opt Options) (*Matcher, error) {
	lowered, err := ir.Lower(r)
	if err != nil {
		return nil, err
	}
	if lowered, err = ir.ApplyFilters(lowered, opt.MetaFilters); err != nil {
		return nil, err
	}
	return Compile(lowered, opt)
}

// Compile compiles an already lowered rule. The rule's own Filters (set by
// pipelines) and opt.Filters are both applied.
func Compile(r *ir.Rule, opt Options) (*Matcher, error) {
	c := &compiler{opt: opt}
	if r.Source != nil {
		c.file = r.Source.File
	}
	m := &Matcher{rule: r}
	for _, q := range r.Queries {
		p, err := c.expr(q)
		if err != nil {
			return nil, err
		}
		m.conds = append(m.conds, p)
	}
	for _, f := range append(append([]ir.Expr(nil), r.Filters...), opt.Filters...) {
		p, err := c.expr(f)
		if err != nil {
			return nil, err
		}
		m.filters = append(m.filters, p)
	}
	return m, nil
}

// Rule returns the lowered rule the matcher evaluates.
func (m *Matcher) Rule() *ir.Rule { return m.rule }

// Match reports whether the event matches any condition of the rule (a
// condition list is an OR of its entries) and every filter.
func (m *Matcher) Match(ev Event) bool {
	for _, f := range m.filters {
		if !f(ev) {
			return false
		}
	}
	for _, c := range m.conds {
		if c(ev) {
			return true
		}
	}
	return false
}

// Conditions reports, for each condition of the rule in order, whether
// the event matches it (filters are not applied).
func (m *Matcher) Conditions(ev Event) []bool {
	out := make([]bool, len(m.conds))
	for i, c := range m.conds {
		out[i] = c(ev)
	}
	return out
}

// Eval compiles and evaluates one match tree, for callers that build trees
// themselves. file is used only in error messages.
func Eval(e ir.Expr, ev Event, file string, opt Options) (bool, error) {
	c := &compiler{file: file, opt: opt}
	p, err := c.expr(e)
	if err != nil {
		return false, err
	}
	return p(ev), nil
}
