package xql

import (
	"strconv"
	"strings"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/sigma"
)

// sliding renders a two-rule temporal correlation with an exact sliding
// window (backends.CheckSlidingPair says why adjacent events suffice):
// the rules' tagged events, without empty group values, numbered per
// group in time order, then each compared with the previous one:
//
//	| windowcomp row_number() by sigconv_host sort asc _time as sigconv_n
//	| windowcomp lag(sigconv_rule) by sigconv_host sort asc sigconv_n as sigconv_prev_rule
//	| windowcomp lag(_time) by sigconv_host sort asc sigconv_n as sigconv_prev_time
//	| filter ... timestamp_diff(_time, sigconv_prev_time, "MICROSECOND") <= 300000000
//
// windowcomp (https://docs-cortex.paloaltonetworks.com/r/Cortex-XDR/Cortex-XDR-3.x-Documentation/windowcomp)
// with row_number() (.../row_number: "the sequential row ordinal ... for
// each row") and lag() (.../lag: "a single value of a field on a preceding
// row ... using a combination of the by clause and sort"). The row number
// makes the order total, so both lag() stages read the same previous row
// even where events share a time. timestamp_diff
// (.../timestamp_diff) truncates to whole units, so microseconds, the
// finest part it has, keep the comparison exact. Cost: one numbering and
// two lag passes over both rules' events in the searched range.
func (b *Backend) sliding(c *backends.Correlation) ([]string, error) {
	if c.Source.Type == sigma.EventCount {
		return b.slidingCount(c)
	}
	if err := c.CheckSlidingPair("xql"); err != nil {
		return nil, err
	}
	// config case_sensitive = false would make the label comparison fold
	// case; labels that differ only in case cannot be told apart.
	if strings.EqualFold(c.Labels[0], c.Labels[1]) {
		return nil, c.Fail(c.Source.Rules[1].Pos, "xql: rules %q and %q differ only in case, which the case-insensitive query cannot tell apart", c.Labels[0], c.Labels[1])
	}
	span, err := backends.SpanText(c.Source.Timespan)
	if err != nil {
		return nil, c.Fail(c.Source.PosOf("correlation"), "xql: %v", err)
	}
	stages, by, micros, err := b.slidingFrame(c, "// sigconv: "+c.SlidingPairNote(span))
	if err != nil {
		return nil, err
	}
	stages = append(stages,
		"windowcomp row_number()"+by+" sort asc _time as sigconv_n",
		"windowcomp lag(sigconv_rule)"+by+" sort asc sigconv_n as sigconv_prev_rule",
		"windowcomp lag(_time)"+by+" sort asc sigconv_n as sigconv_prev_time",
		`filter sigconv_prev_rule != null and sigconv_prev_rule != sigconv_rule and timestamp_diff(_time, sigconv_prev_time, "MICROSECOND") <= `+micros)
	return []string{stages[0] + "\n" + strings.Join(stages[1:], "\n| ")}, nil
}

// nonEmptyGroups is the filter stage that drops events with a null or
// empty group value, which the specification does not correlate with
// each other; "" without group-by.
func nonEmptyGroups(c *backends.Correlation) string {
	var parts []string
	for _, g := range c.GroupBy {
		col := backends.GroupColumn(g.Name)
		parts = append(parts, col+" != null and to_string("+col+") != \"\"")
	}
	if len(parts) == 0 {
		return ""
	}
	return "filter " + strings.Join(parts, " and ")
}

// slidingCount renders a one-rule event_count with an exact sliding
// window (backends.SlidingCount): events numbered per group in time
// order, then first_value(_time) over the frame of the N-1 rows before
// and the row itself (windowcomp between -(N-1) and 0;
// .../first_value) is the earliest of N events; the row number says N
// rows exist.
func (b *Backend) slidingCount(c *backends.Correlation) ([]string, error) {
	n, err := c.SlidingCount("xql")
	if err != nil {
		return nil, err
	}
	span, err := backends.SpanText(c.Source.Timespan)
	if err != nil {
		return nil, c.Fail(c.Source.PosOf("correlation"), "xql: %v", err)
	}
	ns, k := strconv.Itoa(n), strconv.Itoa(n-1)
	from := "-" + k
	if n == 1 {
		from = "0"
	}
	note := "// sigconv: sliding " + span + " window: " + ns + " events within " + span + c.GroupNote() + " (each event and the " + k + " before it, after sorting by time)"
	stages, by, micros, err := b.slidingFrame(c, note)
	if err != nil {
		return nil, err
	}
	stages = append(stages,
		"windowcomp row_number()"+by+" sort asc _time as sigconv_n",
		"windowcomp first_value(_time)"+by+" sort asc sigconv_n between "+from+" and 0 as sigconv_first_time",
		"filter sigconv_n >= "+ns+` and timestamp_diff(_time, sigconv_first_time, "MICROSECOND") <= `+micros)
	return []string{stages[0] + "\n" + strings.Join(stages[1:], "\n| ")}, nil
}

// slidingFrame is what both sliding forms start with: the note, the case
// setting, the merged search of the rules, the stage dropping empty group
// values; with the windowcomp "by" clause and the timespan in
// microseconds for timestamp_diff.
func (b *Backend) slidingFrame(c *backends.Correlation, note string) (stages []string, by, micros string, err error) {
	sensitive := correlationSensitive(c)
	search, err := b.correlationSearch(c, sensitive)
	if err != nil {
		return nil, "", "", err
	}
	var cols []string
	for _, g := range c.GroupBy {
		cols = append(cols, backends.GroupColumn(g.Name))
	}
	if len(cols) > 0 {
		by = " by " + strings.Join(cols, ", ")
	}
	stages = append([]string{note, (&converter{caseSensitive: sensitive}).config()}, search...)
	if f := nonEmptyGroups(c); f != "" {
		stages = append(stages, f)
	}
	return stages, by, strconv.FormatInt(c.Source.Timespan.Microseconds(), 10), nil
}
