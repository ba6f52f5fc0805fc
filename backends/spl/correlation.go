package spl

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// Correlation rules are rendered in the shape of pySigma's Splunk backend:
//
//   - one rule: its search and | where, then | eval to tag the events;
//   - several rules: | multisearch with one [search ... | where ... | eval ...]
//     per rule. multisearch "allows only streaming operations in each
//     subsearch" (search, eval, where are: multisearch command,
//     https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/multisearch),
//     so a rule's | table is left out, and a rule over a CIM data model
//     (| tstats or | datamodel, generating commands: "Command types",
//     https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/quick-reference/command-types)
//     cannot take part; such correlations fail, except a single rule,
//     whose | datamodel search needs no multisearch;
//   - | bin _time span=<timespan> (bin command,
//     https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/bin)
//     and | stats ... by _time <group-by>, then | where on the aggregate.
//
// Windows are tumbling: bin cuts time into fixed buckets, so two events
// closer than the timespan but in neighbouring buckets are not correlated.
// Every query says so in a leading ```comment```. stats drops events whose
// group-by field is missing, as pySigma's Splunk output does.
//
// The aggregates are exact ("Aggregate functions",
// https://docs.splunk.com/Documentation/Splunk/latest/SearchReference/Aggregatefunctions):
// count, dc (exact; estdc is the estimated distinct count), sum, avg, min,
// max and exactperc<X> (perc and upperperc approximate, "exactperc
// provides the exact value"). median() is not used: Splunk does not
// document it as the mean of the two middle values of an even count, so
// value_median fails rather than approximate.

var splOps = map[sigma.CorrelationOp]string{sigma.OpGT: ">", sigma.OpGTE: ">=", sigma.OpLT: "<", sigma.OpLTE: "<=", sigma.OpEQ: "==", sigma.OpNEQ: "!="}

// ConvertCorrelation implements backends.CorrelationBackend.
func (b *Backend) ConvertCorrelation(c *backends.Correlation) ([]string, error) {
	src := c.Source
	span, err := backends.SpanText(src.Timespan)
	if err != nil {
		return nil, c.Fail(src.PosOf("correlation"), "spl: %v", err)
	}
	if c.Method == backends.Sliding {
		return sliding(c, span)
	}
	agg, err := aggregate(c)
	if err != nil {
		return nil, err
	}
	stages, err := correlationSearch(c)
	if err != nil {
		return nil, err
	}
	if w := nonEmptyGroups(c); w != "" {
		stages = append(stages, w)
	}
	stages = append(stages, "bin _time span="+span)
	stages = append(stages, agg...)
	note := "```sigconv: tumbling " + span + " windows (bin _time span=" + span + "); events in neighbouring windows are not correlated```"
	return []string{note + "\n" + strings.Join(stages, "\n| ")}, nil
}

// correlationSearch renders the stages that select and tag the events of
// every referenced rule: the rule's own stages for one rule, multisearch
// for several.
func correlationSearch(c *backends.Correlation) ([]string, error) {
	if err := c.CheckGroupColumns("spl"); err != nil {
		return nil, err
	}
	var subs []string
	for i, r := range c.Rules {
		if r.Table != "" && len(c.Rules) > 1 {
			return nil, c.Fail(c.Source.Rules[i].Pos, "spl: rule %q reads the CIM data model %s through | tstats or | datamodel, generating commands that multisearch cannot run in a subsearch (it takes streaming searches only); correlate these rules with the sysmon or windows-security pipeline", c.Labels[i], r.Table)
		}
		stages, err := ruleStages(r)
		if err != nil {
			return nil, err
		}
		tags, err := tags(c, i)
		if err != nil {
			return nil, err
		}
		stages = append(stages, "eval "+strings.Join(tags, ", "))
		if len(c.Rules) == 1 {
			return stages, nil
		}
		subs = append(subs, "\n    [search "+strings.Join(stages, " | ")+"]")
	}
	return []string{"| multisearch" + strings.Join(subs, "")}, nil
}

// ruleStages renders the streaming stages that select one rule's events:
// the search terms and | where of convertQuery, without its | table. The
// rule's queries (one per condition) are OR-ed into one expression, so
// that an event matching several is counted once.
func ruleStages(r *ir.Rule) ([]string, error) {
	if len(r.Queries) == 0 {
		return nil, sigma.Errorf(r.Source.File, r.Source.Pos, "spl: rule %s has no query", r.Source.Title)
	}
	q := r.Queries[0]
	if len(r.Queries) > 1 {
		q = ir.AnyOf(r.Queries)
	}
	p, err := render(r, append(append([]ir.Expr(nil), r.Filters...), q))
	if err != nil {
		return nil, err
	}
	if r.Table != "" {
		return datamodelStages(r, p)
	}
	head, err := sourceTerms(r)
	if err != nil {
		return nil, err
	}
	terms := strings.Join(append(head, p.search...), " ")
	if terms == "" {
		terms = "*"
	}
	return withWhere([]string{terms}, p), nil
}

// datamodelStages selects a single rule's events from its CIM data model
// with the datamodel command, as tstats' exact fallback does: fields keep
// their <dataset>.<field> names, which the group-by fields are mapped to.
func datamodelStages(r *ir.Rule, p split) ([]string, error) {
	if !dataModel.MatchString(r.Table) {
		return nil, sigma.Errorf(r.Source.File, r.Source.Pos, "spl: %q is not a data model name such as Endpoint.Processes", r.Table)
	}
	model, object, _ := strings.Cut(r.Table, ".")
	stages := []string{"| datamodel " + model + " " + object + " search"}
	if len(p.search) > 0 {
		stages = append(stages, "search "+strings.Join(p.search, " "))
	}
	return withWhere(stages, p), nil
}

func withWhere(stages []string, p split) []string {
	if p.where != "" {
		stages = append(stages, "where "+p.where)
	}
	return stages
}

// tags are the eval assignments of rule i: its label, its group-by
// columns, its value field and (for ordered correlations) its time. The
// label is an eval string written by evalString; fields are single-quoted
// eval field names.
func tags(c *backends.Correlation, i int) ([]string, error) {
	label := c.Labels[i]
	if !evalTextOK(label) {
		return nil, c.Fail(c.Source.Rules[i].Pos, "spl: rule reference %q cannot be written as an SPL string", label)
	}
	out := []string{"sigconv_rule=" + evalString(label)}
	for _, g := range c.GroupBy {
		f, err := evalFieldFor(c, i, g.Fields[i])
		if err != nil {
			return nil, err
		}
		out = append(out, backends.GroupColumn(g.Name)+"="+f)
	}
	if v := c.ValueField[i]; v != "" {
		f, err := evalFieldFor(c, i, v)
		if err != nil {
			return nil, err
		}
		out = append(out, "sigconv_value="+f)
	}
	if c.Source.Type == sigma.TemporalOrdered {
		out = append(out, fmt.Sprintf("sigconv_time_%d=_time", i+1))
	}
	return out, nil
}

// evalTextOK is evalString's precondition: no control characters, no
// backticks (macro expansion), valid UTF-8.
func evalTextOK(s string) bool {
	return !strings.Contains(s, "`") && !hasControl(s) && utf8.ValidString(s)
}

func evalFieldFor(c *backends.Correlation, i int, field string) (string, error) {
	if !evalFieldOK(field) {
		return "", c.Fail(c.Source.Rules[i].Pos, "spl: field name %q of rule %q cannot be written in SPL", field, c.Labels[i])
	}
	return evalField(field), nil
}

func byClause(c *backends.Correlation) string {
	cols := []string{"_time"}
	for _, g := range c.GroupBy {
		cols = append(cols, backends.GroupColumn(g.Name))
	}
	return " by " + strings.Join(cols, " ")
}

// aggregate renders the stats stage and the condition of each type.
func aggregate(c *backends.Correlation) ([]string, error) {
	src := c.Source
	if c.RuleCondition != nil {
		return ruleNameCondition(c)
	}
	switch src.Type {
	case sigma.EventCount:
		return withCondition(c, "event_count", "count as event_count")
	case sigma.ValueCount:
		return withCondition(c, "value_count", `dc(eval(if(sigconv_value!="", sigconv_value, null()))) as value_count`)
	case sigma.ValueSum:
		return withCondition(c, "value_sum", "sum(sigconv_value) as value_sum")
	case sigma.ValueAvg:
		return withCondition(c, "value_avg", "avg(sigconv_value) as value_avg")
	case sigma.ValuePercentile:
		fn, err := percentile(c)
		if err != nil {
			return nil, err
		}
		return withCondition(c, "value_percentile", fn+"(sigconv_value) as value_percentile")
	case sigma.ValueMedian:
		return nil, c.Fail(src.TypePos, "spl: value_median has no exact Splunk aggregate: median() is not documented to average the two middle values of an even count; where limits.conf sets [stats] perc_method=interpolated, value_percentile with percentile 50 is the median")
	case sigma.Temporal:
		return withCondition(c, "rule_count", "dc(sigconv_rule) as rule_count")
	case sigma.TemporalOrdered:
		return ordered(c)
	}
	return nil, c.Fail(src.TypePos, "spl: correlation type %s is not supported", src.Type)
}

// percentile picks the exact function for the rule's percentile:
// exactperc<X> takes X from 1 to 99 (the older references' range), and the
// 100th percentile is the maximum under every percentile definition. A
// percentile of 0 is refused: it is also what a missing one reads as.
// Which percentile exactperc computes (nearest rank by default, or
// interpolated) is set by limits.conf [stats] perc_method.
func percentile(c *backends.Correlation) (string, error) {
	p := c.Source.Percentile
	switch {
	case p >= 1 && p <= 99:
		return "exactperc" + strconv.Itoa(p), nil
	case p == 100:
		return "max", nil
	}
	return "", c.Fail(c.Source.ConditionPos, "spl: value_percentile needs a percentile from 1 to 100")
}

// ordered checks that the first rule's earliest event precedes the second
// rule's latest one in the window: for two rules that is exactly "some
// event of the first before some event of the second". Longer sequences
// have no exact stats form.
func ordered(c *backends.Correlation) ([]string, error) {
	if len(c.Rules) != 2 {
		return nil, c.Fail(c.Source.TypePos, "spl: temporal_ordered is supported for exactly two rules (first before last); this one has %d", len(c.Rules))
	}
	stages, err := withCondition(c, "rule_count", "dc(sigconv_rule) as rule_count min(sigconv_time_1) as sigconv_first max(sigconv_time_2) as sigconv_last")
	if err != nil {
		return nil, err
	}
	stages[len(stages)-1] += " AND sigconv_first < sigconv_last"
	return stages, nil
}

// withCondition renders the stats stage and the | where on its column;
// several conditions (a range) are AND-ed, and temporal types without a
// condition require every rule.
func withCondition(c *backends.Correlation, column, agg string) ([]string, error) {
	var parts []string
	for _, cc := range c.Source.Condition {
		op, ok := splOps[cc.Op]
		if !ok {
			return nil, c.Fail(cc.Pos, "spl: unknown condition operator %q", cc.Op)
		}
		parts = append(parts, column+" "+op+" "+strconv.FormatFloat(cc.Value, 'f', -1, 64))
	}
	if len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("%s >= %d", column, len(c.Rules)))
	}
	return []string{"stats " + agg + byClause(c), "where " + strings.Join(parts, " AND ")}, nil
}

// ruleNameCondition renders pySigma's temporal condition over rule names:
// stats counts each rule's events with count(eval(...)) and | where
// evaluates the expression on those counts, so names are compared as
// exact, case-sensitive eval strings.
func ruleNameCondition(c *backends.Correlation) ([]string, error) {
	if c.Source.Type != sigma.Temporal {
		return nil, c.Fail(c.Source.ConditionPos, "spl: a condition over rule names is only supported for temporal correlations")
	}
	var aggs []string
	for i, label := range c.Labels {
		if !evalTextOK(label) {
			return nil, c.Fail(c.Source.Rules[i].Pos, "spl: rule reference %q cannot be written as an SPL string", label)
		}
		aggs = append(aggs, fmt.Sprintf("count(eval(sigconv_rule==%s)) as sigconv_matched_%d", evalString(label), i+1))
	}
	expr, err := nameExpr(c, c.RuleCondition)
	if err != nil {
		return nil, err
	}
	return []string{"stats " + strings.Join(aggs, " ") + byClause(c), "where " + expr}, nil
}

// nameExpr writes the lowered condition over rule names, each rule true
// when it matched in the window (its sigconv_matched_N count is positive).
func nameExpr(c *backends.Correlation, e ir.Expr) (string, error) {
	return backends.RuleConditionText(c, e, backends.RuleConditionTokens{
		Target: "spl", And: " AND ", Or: " OR ",
		Not: func(x string) string { return "NOT (" + x + ")" },
		Matched: func(rule int) (string, error) {
			return fmt.Sprintf("sigconv_matched_%d > 0", rule+1), nil
		},
	})
}
