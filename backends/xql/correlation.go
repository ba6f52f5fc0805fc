package xql

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/sigma"
)

// Correlation rules are rendered with the stages of the XQL reference:
// union (https://docs-cortex.paloaltonetworks.com/r/Cortex-XSIAM/Cortex-XSIAM-Documentation/union)
// to bring the rules' events together, alter to tag them, bin _time span
// (https://docs-cortex.paloaltonetworks.com/r/Cortex-XSIAM/Cortex-XSIAM-Documentation/bin)
// for the time window and comp with count, values, sum, avg, min, max
// (https://docs-cortex.paloaltonetworks.com/r/Cortex-XDR/Cortex-XDR-3.x-Documentation/comp)
// for the aggregate. Windows are tumbling: bin cuts time into fixed
// buckets of the timespan, so two events closer than the timespan but in
// neighbouring buckets are not correlated. Every query says so in its
// first line.

var label = regexp.MustCompile(`^[A-Za-z0-9_.\-]+$`)

var xqlOps = map[sigma.CorrelationOp]string{sigma.OpGT: ">", sigma.OpGTE: ">=", sigma.OpLT: "<", sigma.OpLTE: "<=", sigma.OpEQ: "=", sigma.OpNEQ: "!="}

// ConvertCorrelation implements backends.CorrelationBackend.
func (b *Backend) ConvertCorrelation(c *backends.Correlation) ([]string, error) {
	src := c.Source
	if err := c.CheckGroupColumns("xql"); err != nil {
		return nil, err
	}
	if c.Method == backends.Sliding {
		return b.sliding(c)
	}
	if c.RuleCondition != nil {
		return nil, c.Fail(src.ConditionPos, "xql: a temporal condition over rule names is not supported in tumbling windows; use a numeric condition")
	}
	agg, err := aggregate(c)
	if err != nil {
		return nil, err
	}
	span, err := backends.SpanText(src.Timespan)
	if err != nil {
		return nil, c.Fail(src.PosOf("correlation"), "xql: %v", err)
	}
	sensitive := correlationSensitive(c)
	search, err := b.correlationSearch(c, sensitive)
	if err != nil {
		return nil, err
	}
	config := (&converter{caseSensitive: sensitive}).config()
	stages := []string{
		"// sigconv: tumbling " + span + " windows (bin _time span = " + span + "); events in neighbouring windows are not correlated",
		config,
	}
	stages = append(stages, search...)
	if f := nonEmptyGroups(c); f != "" {
		stages = append(stages, f)
	}
	stages = append(stages, "bin _time span = "+span)
	stages = append(stages, agg...)
	return []string{stages[0] + "\n" + strings.Join(stages[1:], "\n| ")}, nil
}

// correlationSensitive reports whether any rule of a correlation has a
// case-sensitive part; then all run under config case_sensitive = true.
func correlationSensitive(c *backends.Correlation) bool {
	for _, r := range c.Rules {
		if caseSensitive(r) {
			return true
		}
	}
	return false
}

// correlationSearch renders the stages that select and tag the events of
// every referenced rule: the first rule's dataset and filter, the others
// through union. All run under one case setting (case_sensitive = true
// when any rule has a case-sensitive part); a union sub-query states it
// again, since no Cortex page says whether it inherits the outer one.
func (b *Backend) correlationSearch(c *backends.Correlation, sensitive bool) ([]string, error) {
	var stages []string
	for i, r := range c.Rules {
		if !label.MatchString(c.Labels[i]) {
			return nil, c.Fail(c.Source.Rules[i].Pos, "xql: rule reference %q cannot be used as a label", c.Labels[i])
		}
		x := b.converter(r)
		x.caseSensitive = sensitive
		dataset, err := x.dataset()
		if err != nil {
			return nil, err
		}
		d := x.dialect(false)
		var parts []string
		for _, q := range r.Queries {
			f, err := d.RenderRule(r, x.prepare(q))
			if err != nil {
				return nil, err
			}
			parts = append(parts, f)
		}
		filter := parts[0]
		if len(parts) > 1 {
			filter = "(" + strings.Join(parts, ") or (") + ")"
		}
		sub := []string{"dataset = " + dataset}
		sub = append(sub, x.alters(r.Queries...)...)
		sub = append(sub, "filter "+filter, "alter "+strings.Join(tags(c, i), ", "))
		if i == 0 {
			stages = append(stages, sub...)
		} else {
			stages = append(stages, "union ("+x.config()+" | "+strings.Join(sub, " | ")+")")
		}
	}
	return stages, nil
}

// tags are the alter assignments of rule i: its label, its group-by
// columns, its value field and (for ordered correlations) its time.
func tags(c *backends.Correlation, i int) []string {
	out := []string{`sigconv_rule = "` + c.Labels[i] + `"`}
	for _, g := range c.GroupBy {
		out = append(out, backends.GroupColumn(g.Name)+" = "+g.Fields[i])
	}
	if v := c.ValueField[i]; v != "" {
		out = append(out, "sigconv_value = "+v)
	}
	if c.Source.Type == sigma.TemporalOrdered {
		out = append(out, fmt.Sprintf("sigconv_time_%d = _time", i+1))
	}
	return out
}

func byClause(c *backends.Correlation) string {
	cols := []string{"_time"}
	for _, g := range c.GroupBy {
		cols = append(cols, backends.GroupColumn(g.Name))
	}
	return " by " + strings.Join(cols, ", ")
}

// aggregate renders the comp stage and the condition filter of each
// correlation type. Percentile and median have only approximate XQL
// aggregates, so they fail rather than approximate.
func aggregate(c *backends.Correlation) ([]string, error) {
	src := c.Source
	by := byClause(c)
	switch src.Type {
	case sigma.EventCount:
		return withCondition(c, "event_count", []string{"comp count() as event_count" + by})
	case sigma.ValueCount:
		// Sigma counts distinct values; a missing or empty value is none.
		// Whether values() keeps null is not documented, so missing
		// values become "" first and arrayfilter drops every "".
		return withCondition(c, "value_count", []string{`alter sigconv_value = if(sigconv_value != null, to_string(sigconv_value), "")`, "comp values(sigconv_value) as sigconv_values" + by, `alter value_count = array_length(arrayfilter(sigconv_values, "@element" != ""))`})
	case sigma.ValueSum:
		return withCondition(c, "value_sum", []string{"comp sum(sigconv_value) as value_sum" + by})
	case sigma.ValueAvg:
		return withCondition(c, "value_avg", []string{"comp avg(sigconv_value) as value_avg" + by})
	case sigma.Temporal:
		return withCondition(c, "rule_count", []string{"comp values(sigconv_rule) as sigconv_rules" + by, "alter rule_count = array_length(sigconv_rules)"})
	case sigma.TemporalOrdered:
		if len(c.Rules) != 2 {
			return nil, c.Fail(src.TypePos, "xql: temporal_ordered is supported for exactly two rules (first before last); this one has %d", len(c.Rules))
		}
		stages, err := withCondition(c, "rule_count", []string{
			"comp values(sigconv_rule) as sigconv_rules, min(sigconv_time_1) as sigconv_first, max(sigconv_time_2) as sigconv_last" + by,
			"alter rule_count = array_length(sigconv_rules)"})
		if err != nil {
			return nil, err
		}
		stages[len(stages)-1] += " and sigconv_first < sigconv_last"
		return stages, nil
	}
	return nil, c.Fail(src.TypePos, "xql: correlation type %s has no exact XQL aggregate", src.Type)
}

// withCondition appends the filter on the aggregate; temporal types
// without a condition require every rule.
func withCondition(c *backends.Correlation, column string, stages []string) ([]string, error) {
	conds := c.Source.Condition
	var parts []string
	for _, cc := range conds {
		op, ok := xqlOps[cc.Op]
		if !ok {
			return nil, c.Fail(cc.Pos, "xql: unknown condition operator %q", cc.Op)
		}
		parts = append(parts, column+" "+op+" "+strconv.FormatFloat(cc.Value, 'f', -1, 64))
	}
	if len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("%s >= %d", column, len(c.Rules)))
	}
	return append(stages, "filter "+strings.Join(parts, " and ")), nil
}
