package eval

import (
	"fmt"
	"sort"
	"time"

	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// TimedEvent is one event of a stream with its time.
type TimedEvent struct {
	Time  time.Time
	Event Event
}

// CorrelationMatcher decides whether a correlation rule fires on a stream
// of timestamped events, with the specification's sliding meaning: the
// condition holds for the events of one group that lie within the
// timespan of each other, wherever that window starts.
//
//   - Each referenced rule is matched with its own Matcher; an event
//     matched by several rules takes part once per rule for temporal
//     types, and counts once for event_count and value_count (the
//     specification counts events).
//   - The group is the group-by fields (through the aliases) of the rule
//     that matched; an event whose group value is missing or empty is not
//     correlated with anything.
//   - "Within the timespan" is inclusive: events exactly one timespan
//     apart are correlated, as the sliding queries of every target test
//     (difference <= timespan).
//   - temporal: every rule matched in the window (or the condition over
//     the number of distinct rules, or over rule names); temporal_ordered:
//     the rules matched in their listed order at strictly increasing
//     times; event_count, value_count: the number of events or distinct
//     non-empty values.
//
// Only conditions that more events can never make false (gt, gte; for
// temporal any condition true for a set of rules and its supersets) have
// one meaning over sliding windows; the others, and the value_sum,
// value_avg, value_percentile and value_median types, are refused.
type CorrelationMatcher struct {
	corr   *sigma.Correlation
	rules  []*sigma.Rule
	match  []*Matcher
	groups [][]string // per rule, the field of each group-by name
	names  ir.Expr    // the lowered condition over rule names, if any
}

// NewCorrelation compiles a correlation whose referenced rules are given
// in the correlation's order.
func NewCorrelation(c *sigma.Correlation, rules []*sigma.Rule, opt Options) (*CorrelationMatcher, error) {
	m := &CorrelationMatcher{corr: c, rules: rules}
	var err error
	if m.names, err = ir.LowerRuleCondition(c); err != nil {
		return nil, err
	}
	if len(rules) != len(c.Rules) {
		return nil, sigma.Errorf(c.File, c.Pos, "correlation %s: %d rules given for %d references", c.Title, len(rules), len(c.Rules))
	}
	for _, r := range rules {
		rm, err := New(r, opt)
		if err != nil {
			return nil, err
		}
		m.match = append(m.match, rm)
		var fields []string
		for _, g := range c.GroupBy {
			f, a, ok := c.GroupField(g, r)
			if !ok {
				return nil, sigma.Errorf(c.File, a.Pos, "alias %q has no field for rule %s", g, r.Title)
			}
			fields = append(fields, f)
		}
		m.groups = append(m.groups, fields)
	}
	if err := m.checkCondition(); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *CorrelationMatcher) checkCondition() error {
	c := m.corr
	refuse := func(pos sigma.Pos, what string) error {
		return sigma.Errorf(c.File, pos, "the reference matcher does not evaluate %s over sliding windows", what)
	}
	switch c.Type {
	case sigma.Temporal:
		if !monotone(len(m.rules), m.temporalHolds) {
			return refuse(c.ConditionPos, "a temporal condition that more matched rules can make false")
		}
	case sigma.TemporalOrdered:
		if len(c.Condition) > 0 || m.names != nil {
			return refuse(c.ConditionPos, "a temporal_ordered condition")
		}
	case sigma.EventCount, sigma.ValueCount:
		for _, cc := range c.Condition {
			if !cc.Op.IsLower() {
				return refuse(cc.Pos, "condition "+string(cc.Op))
			}
		}
		if c.Type == sigma.ValueCount && c.Field == "" {
			return refuse(c.ConditionPos, "value_count without a field")
		}
	default:
		return refuse(c.TypePos, "correlation type "+string(c.Type))
	}
	return nil
}

// monotone reports whether holds, over every subset of n rules, stays
// true when rules are added.
func monotone(n int, holds func(set uint) bool) bool {
	for set := uint(0); set < 1<<n; set++ {
		if !holds(set) {
			continue
		}
		for i := 0; i < n; i++ {
			if !holds(set | 1<<i) {
				return false
			}
		}
	}
	return true
}

// temporalHolds is a temporal correlation's condition on the set of rules
// matched in a window (bit i for rule i).
func (m *CorrelationMatcher) temporalHolds(set uint) bool {
	c := m.corr
	if m.names != nil {
		return ir.RulesHold(m.names, func(i int) bool { return set&(1<<i) != 0 })
	}
	n := 0
	for i := range m.rules {
		if set&(1<<i) != 0 {
			n++
		}
	}
	if len(c.Condition) == 0 {
		return n == len(m.rules)
	}
	return countHolds(c.Condition, float64(n))
}

func countHolds(conds []sigma.CorrelationCondition, n float64) bool {
	for _, cc := range conds {
		if !cc.Op.Holds(n, cc.Value) {
			return false
		}
	}
	return true
}

// hit is one rule's match of one event.
type hit struct {
	t     time.Time
	rule  int
	event int
	value string
	has   bool // value present and non-empty
}

// Match reports whether the correlation fires on the events.
func (m *CorrelationMatcher) Match(events []TimedEvent) bool {
	groups := map[string][]hit{}
	var keys []string
	for ei, ev := range events {
		for ri, rm := range m.match {
			if !rm.Match(ev.Event) {
				continue
			}
			key, ok := m.groupKey(ri, ev.Event)
			if !ok {
				continue
			}
			h := hit{t: ev.Time, rule: ri, event: ei}
			if m.corr.Field != "" {
				h.value, h.has = nonEmpty(ev.Event, m.corr.Field)
			}
			if _, seen := groups[key]; !seen {
				keys = append(keys, key)
			}
			groups[key] = append(groups[key], h)
		}
	}
	for _, k := range keys {
		hits := groups[k]
		sort.SliceStable(hits, func(i, j int) bool { return hits[i].t.Before(hits[j].t) })
		if m.anyWindow(hits) {
			return true
		}
	}
	return false
}

// groupKey is the group of rule ri's match of ev; ok is false when a
// group-by value is missing or empty.
func (m *CorrelationMatcher) groupKey(ri int, ev Event) (string, bool) {
	key := ""
	for _, f := range m.groups[ri] {
		v, ok := nonEmpty(ev, f)
		if !ok {
			return "", false
		}
		key += fmt.Sprintf("%d:%s;", len(v), v)
	}
	return key, true
}

func nonEmpty(ev Event, field string) (string, bool) {
	x, ok := Lookup(ev, field)
	if !ok || x == nil {
		return "", false
	}
	s, ok := scalarText(x)
	return s, ok && s != ""
}

// anyWindow tests every window that ends at a hit and reaches one
// timespan back: with conditions that more events never make false, some
// window satisfies the condition exactly when one of these does (every
// window's hits are among those of the window ending at its last hit).
func (m *CorrelationMatcher) anyWindow(hits []hit) bool {
	start := 0
	for end := range hits {
		for hits[end].t.Sub(hits[start].t) > m.corr.Timespan {
			start++
		}
		if m.windowHolds(hits[start : end+1]) {
			return true
		}
	}
	return false
}

func (m *CorrelationMatcher) windowHolds(w []hit) bool {
	c := m.corr
	switch c.Type {
	case sigma.Temporal:
		var set uint
		for _, h := range w {
			set |= 1 << h.rule
		}
		return m.temporalHolds(set)
	case sigma.TemporalOrdered:
		next, last := 0, time.Time{}
		for _, h := range w {
			if h.rule == next && (next == 0 || h.t.After(last)) {
				next, last = next+1, h.t
				if next == len(m.rules) {
					return true
				}
			}
		}
		return false
	case sigma.EventCount:
		seen := map[int]bool{}
		for _, h := range w {
			seen[h.event] = true
		}
		return countHolds(c.Condition, float64(len(seen)))
	case sigma.ValueCount:
		seen := map[string]bool{}
		for _, h := range w {
			if h.has {
				seen[h.value] = true
			}
		}
		return countHolds(c.Condition, float64(len(seen)))
	}
	return false
}
