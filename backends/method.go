package backends

import (
	"fmt"

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
		return c.Fail(src.TypePos, "%s: a sliding window is rendered exactly only for temporal correlations of two rules; for this %s correlation %s", target, src.Type, optIn)
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
