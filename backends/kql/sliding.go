package kql

import (
	"strconv"
	"strings"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/sigma"
)

// sliding renders a two-rule temporal correlation with an exact sliding
// window (backends.CheckSlidingPair says why adjacent events suffice):
//
//	union (...), (...)                      tagged events of both rules
//	| where isnotempty(sigconv_host)        no group of empty values
//	| sort by sigconv_host asc, Timestamp asc
//	| extend sigconv_prev_rule = prev(sigconv_rule), ...
//	| where sigconv_prev_host == sigconv_host and sigconv_prev_rule != sigconv_rule
//	    and Timestamp - sigconv_prev_time <= 5m
//
// sort serializes its output (https://learn.microsoft.com/kusto/query/sort-operator,
// "Window functions", https://learn.microsoft.com/kusto/query/window-functions),
// which prev() needs (https://learn.microsoft.com/kusto/query/prev-function);
// prev() of the first row is empty, which no comparison accepts. One
// extend reads all prev() values from the same previous row. Each
// matching row is the later event of a pair, with the earlier one's rule
// and time beside it. Cost: one sort of both rules' events in the
// searched range; the output is the matching pairs only.
func (b *Backend) sliding(c *backends.Correlation, legs []leg, timeCol, span string) ([]string, error) {
	if c.Source.Type == sigma.EventCount {
		return b.slidingCount(c, legs, timeCol, span)
	}
	if err := c.CheckSlidingPair("kql"); err != nil {
		return nil, err
	}
	search, err := b.correlationSearch(c, legs)
	if err != nil {
		return nil, err
	}
	var stages, sortBy, prevs, conds []string
	if w := nonEmptyGroups(c); w != "" {
		stages = append(stages, w)
	}
	for _, g := range c.GroupBy {
		col := backends.GroupColumn(g.Name)
		sortBy = append(sortBy, col+" asc")
		prevs = append(prevs, "sigconv_prev_"+strings.TrimPrefix(col, "sigconv_")+" = prev("+col+")")
		conds = append(conds, "sigconv_prev_"+strings.TrimPrefix(col, "sigconv_")+" == "+col)
	}
	sortBy = append(sortBy, timeCol+" asc")
	stages = append(stages, "sort by "+strings.Join(sortBy, ", "))
	prevs = append([]string{"sigconv_prev_rule = prev(sigconv_rule)", "sigconv_prev_time = prev(" + timeCol + ")"}, prevs...)
	stages = append(stages, "extend "+strings.Join(prevs, ", "))
	conds = append(conds, "sigconv_prev_rule != sigconv_rule", "isnotnull(sigconv_prev_time)", timeCol+" - sigconv_prev_time <= "+span)
	stages = append(stages, "where "+strings.Join(conds, " and "))
	note := "// sigconv: " + c.SlidingPairNote(span)
	return []string{note + "\n" + search + "\n| " + strings.Join(stages, "\n| ")}, nil
}

// nonEmptyGroups is the where stage that drops events with an empty group
// value ("" or null: isnotempty), which the specification does not
// correlate with each other; "" without group-by.
func nonEmptyGroups(c *backends.Correlation) string {
	var parts []string
	for _, g := range c.GroupBy {
		parts = append(parts, "isnotempty("+backends.GroupColumn(g.Name)+")")
	}
	if len(parts) == 0 {
		return ""
	}
	return "where " + strings.Join(parts, " and ")
}

// slidingCount renders a one-rule event_count with an exact sliding
// window (backends.SlidingCount): sorted per group by time, an event
// whose N-1-th predecessor (prev(column, offset), prev-function page) is
// in the same group and at most one timespan earlier ends a window of N
// events.
func (b *Backend) slidingCount(c *backends.Correlation, legs []leg, timeCol, span string) ([]string, error) {
	n, err := c.SlidingCount("kql")
	if err != nil {
		return nil, err
	}
	search, err := b.correlationSearch(c, legs)
	if err != nil {
		return nil, err
	}
	k := strconv.Itoa(n - 1)
	var stages, sortBy, prevs, conds []string
	if w := nonEmptyGroups(c); w != "" {
		stages = append(stages, w)
	}
	for _, g := range c.GroupBy {
		col := backends.GroupColumn(g.Name)
		sortBy = append(sortBy, col+" asc")
		prev := "sigconv_first_" + strings.TrimPrefix(col, "sigconv_")
		prevs = append(prevs, prev+" = prev("+col+", "+k+")")
		conds = append(conds, prev+" == "+col)
	}
	note := "// sigconv: sliding " + span + " window: " + strconv.Itoa(n) + " events within " + span + c.GroupNote() + " (each event and the one " + k + " before it, after sorting by time)"
	if n == 1 {
		// Every event is a window of one.
		return []string{note + "\n" + search + prefixed(stages)}, nil
	}
	sortBy = append(sortBy, timeCol+" asc")
	stages = append(stages, "sort by "+strings.Join(sortBy, ", "))
	prevs = append([]string{"sigconv_first_time = prev(" + timeCol + ", " + k + ")"}, prevs...)
	stages = append(stages, "extend "+strings.Join(prevs, ", "))
	conds = append(conds, "isnotnull(sigconv_first_time)", timeCol+" - sigconv_first_time <= "+span)
	stages = append(stages, "where "+strings.Join(conds, " and "))
	return []string{note + "\n" + search + prefixed(stages)}, nil
}

func prefixed(stages []string) string {
	if len(stages) == 0 {
		return ""
	}
	return "\n| " + strings.Join(stages, "\n| ")
}
