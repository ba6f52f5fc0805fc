package backends

import (
	"fmt"
	"math"

	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// CorrelationMethod is how a correlation's timespan cuts time.
type CorrelationMethod int

const (
	// Sliding correlates events that lie within the timespan of each
	// other, wherever the window starts: the Sigma specification's
	// meaning, and the default.
	Sliding CorrelationMethod = iota
	// Tumbling cuts time into fixed buckets of the timespan (bin): two
	// events closer than the timespan in neighbouring buckets are not
	// correlated.
	Tumbling
)

// String is the method's name as the command line takes it.
func (m CorrelationMethod) String() string {
	if m == Tumbling {
		return "tumbling"
	}
	return "sliding"
}

// ParseCorrelationMethod reads a method name; "" is Sliding.
func ParseCorrelationMethod(s string) (CorrelationMethod, error) {
	switch s {
	case "", "sliding":
		return Sliding, nil
	case "tumbling":
		return Tumbling, nil
	}
	return Sliding, fmt.Errorf("unknown correlation method %q (known: sliding, tumbling)", s)
}

// CheckSlidingPair tells whether the correlation has the one shape every
// target renders exactly in sliding form: a temporal correlation of two
// rules whose condition holds exactly when both rules matched. Its events
// are merged, sorted per group by time, and each is compared with the
// previous one: a pair of events of different rules within the timespan
// exists exactly when two adjacent events of different rules are within
// it (between any such pair, the rule changes at some adjacent step,
// and that step is no longer than the pair). Other shapes fail with a
// positioned message that names the tumbling opt-in.
func (c *Correlation) CheckSlidingPair(target string) error {
	src := c.Source
	span, _ := SpanText(src.Timespan)
	optIn := fmt.Sprintf("use --correlation-method tumbling for fixed %s windows (events in neighbouring windows are then not correlated)", span)
	if src.Type != sigma.Temporal {
		return c.Fail(src.TypePos, "%s: a sliding window is rendered exactly only for temporal correlations of two rules and event_count correlations of one rule with a gt or gte condition; for this %s correlation %s", target, src.Type, optIn)
	}
	if len(c.Rules) != 2 {
		return c.Fail(src.TypePos, "%s: a sliding window is rendered exactly only for temporal correlations of two rules; this one has %d; %s", target, len(c.Rules), optIn)
	}
	if !c.bothRulesOnly() {
		pos := src.ConditionPos
		if len(src.Condition) > 0 {
			pos = src.Condition[0].Pos
		}
		return c.Fail(pos, "%s: a sliding window is rendered exactly only for the condition \"both rules matched\"; %s", target, optIn)
	}
	return nil
}

// bothRulesOnly reports whether a two-rule temporal condition holds when
// both rules matched and fails when only one did (a group with no match
// has no events, so zero never needs judging).
func (c *Correlation) bothRulesOnly() bool {
	src := c.Source
	if c.RuleCondition != nil {
		for _, matched := range [][2]bool{{true, true}, {true, false}, {false, true}} {
			got := ir.RulesHold(c.RuleCondition, func(i int) bool { return matched[i] })
			if got != (matched[0] && matched[1]) {
				return false
			}
		}
		return true
	}
	holds := func(n float64) bool {
		for _, cc := range src.Condition {
			if !cc.Op.Holds(n, cc.Value) {
				return false
			}
		}
		if len(src.Condition) == 0 {
			return n >= 2
		}
		return true
	}
	return holds(2) && !holds(1)
}

// SlidingCount checks the other shape rendered in sliding form: an
// event_count correlation of one rule with one gt or gte condition, and
// returns N, the number of events that must lie within the timespan. Its
// events, sorted per group by time, hold N within the timespan exactly
// when some event and the one N-1 places before it in the same group are
// at most the timespan apart (the events between them are in the
// window too, and the last of any N such events is such an event).
// One rule only: an event two rules match would be counted twice.
func (c *Correlation) SlidingCount(target string) (int, error) {
	src := c.Source
	span, _ := SpanText(src.Timespan)
	optIn := fmt.Sprintf("use --correlation-method tumbling for fixed %s windows (events in neighbouring windows are then not correlated)", span)
	if len(c.Rules) != 1 {
		return 0, c.Fail(src.TypePos, "%s: a sliding event_count is rendered exactly only over one rule (an event several rules match would be counted once per rule); %s", target, optIn)
	}
	if len(src.Condition) != 1 || !src.Condition[0].Op.IsLower() {
		pos := src.ConditionPos
		if len(src.Condition) > 0 {
			pos = src.Condition[0].Pos
		}
		return 0, c.Fail(pos, "%s: a sliding event_count is rendered exactly only with one gt or gte condition; %s", target, optIn)
	}
	cc := src.Condition[0]
	n := math.Ceil(cc.Value)
	if cc.Op == sigma.OpGT && n == cc.Value {
		n++
	}
	if n < 1 {
		n = 1
	}
	if n > 10000 {
		return 0, c.Fail(cc.Pos, "%s: a sliding event_count looks back N-1 events; %v is beyond what the targets' windows hold (10,000); %s", target, n, optIn)
	}
	return int(n), nil
}
