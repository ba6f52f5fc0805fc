package backends

import (
	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// Scheduler is implemented by backends with scheduled output formats
// (analytic rules, saved searches, correlation rules): formats whose
// query runs periodically over a time range of its own.
type Scheduler interface {
	// Scheduled reports whether the format is a scheduled search.
	Scheduled(format string) bool
}

// checkScheduled refuses, in scheduled formats, correlation conditions
// that a partial window could satisfy falsely. A scheduled search covers a
// range that is not aligned to the correlation's windows, so the windows
// at its edges hold only part of their events. Conditions that more
// events never make false (gt, gte on counts and distinct counts, a
// temporal condition true for a set of rules and its supersets) can only
// miss on a partial window, and the next run, looking back one timespan
// more, sees it whole; lt, lte, eq, neq, sums (values may be negative),
// averages and percentiles could fire on the part alone.
func (c *Converter) checkScheduled(in *Correlation) error {
	s, ok := c.backend.(Scheduler)
	if !ok || !s.Scheduled(c.format) {
		return nil
	}
	src := in.Source
	refuse := func(pos sigma.Pos, what string) error {
		return in.Fail(pos, "%s: format %s runs on a schedule over a range not aligned to the correlation's windows, so the windows at its edges hold part of their events; %s could hold on such a part alone, so only gt and gte conditions on counts are accepted in this format", c.backend.Name(), c.format, what)
	}
	switch src.Type {
	case sigma.ValueSum, sigma.ValueAvg, sigma.ValuePercentile, sigma.ValueMedian:
		return refuse(src.TypePos, "a "+string(src.Type)+" condition")
	}
	for _, cc := range src.Condition {
		if !cc.Op.IsLower() {
			return refuse(cc.Pos, "condition "+string(cc.Op))
		}
	}
	if in.RuleCondition != nil && !monotoneRules(in.RuleCondition, len(src.Rules)) {
		return refuse(src.ConditionPos, "a condition over rule names that more matched rules can make false")
	}
	return nil
}

// monotoneRules reports whether a lowered rule condition, once true for
// a set of matched rules, stays true when rules are added.
func monotoneRules(e ir.Expr, n int) bool {
	if n > 16 {
		return false
	}
	holds := func(set uint) bool { return ir.RulesHold(e, func(i int) bool { return set&(1<<i) != 0 }) }
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
