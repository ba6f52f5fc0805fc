package kql

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// Correlation rules are rendered as one query:
//
//	// sigconv: tumbling 5m windows (bin(Timestamp, 5m)); ...
//	union
//	    (DeviceProcessEvents | where ... | extend sigconv_rule = @"a", sigconv_host = DeviceName),
//	    (DeviceNetworkEvents | where ... | extend sigconv_rule = @"b", sigconv_host = DeviceName)
//	| summarize ... by bin(Timestamp, 5m), sigconv_host
//	| where ...
//
// Each rule's events are selected by the backend's own rendering of the
// rule (table, computed columns, where; no project) and tagged with extend
// (its label, a common column per group-by name and the value field);
// union (https://learn.microsoft.com/kusto/query/union-operator) brings
// rules on different tables together, and a single rule needs none.
// summarize ... by bin(time, timespan)
// (https://learn.microsoft.com/kusto/query/summarize-operator,
// https://learn.microsoft.com/kusto/query/bin-function) aggregates each
// group per window. Windows are tumbling: bin rounds every event down to
// a fixed bucket, so two events closer than the timespan but in
// neighbouring buckets are not correlated; every query says so in its
// first line.
//
// Every aggregate is exact; estimates are refused rather than used:
//   - event_count: count().
//   - value_count: array_length(make_set_if(x, isnotempty(x))), as Sigma
//     counts values and an empty or missing one is none (make_set_if page,
//     https://learn.microsoft.com/kusto/query/make-set-if-aggregation-function);
//     temporal: array_length(make_set(x)). dcount() is an
//     estimate (https://learn.microsoft.com/kusto/query/dcount-aggregation-function)
//     and count_distinct() is a preview function whose page
//     (https://learn.microsoft.com/kusto/query/count-distinct-aggregation-function)
//     does not list Defender XDR among the services it applies to. make_set keeps at most 1048576 values (make_set page,
//     https://learn.microsoft.com/kusto/query/make-set-aggregation-function),
//     so a count is exact below that and a capped count still compares
//     exactly with any threshold below it; larger thresholds are refused.
//   - value_sum, value_avg: sum(), avg().
//   - value_percentile: percentile() "calculates an estimate"
//     (https://learn.microsoft.com/kusto/query/percentiles-aggregation-function),
//     so only the 100th percentile, the maximum under every definition,
//     is rendered (max()); value_median fails.
//   - temporal_ordered (two rules): minif/maxif of the time column
//     (https://learn.microsoft.com/kusto/query/minif-aggregation-function)
//     check that the first rule's earliest event precedes the second
//     rule's latest one, which is exactly "some event of the first before
//     some event of the second".
//   - pySigma's condition over rule names: set_has_element on the set of
//     rules matched in the window
//     (https://learn.microsoft.com/kusto/query/set-has-element-function).

var kqlOps = map[sigma.CorrelationOp]string{sigma.OpGT: ">", sigma.OpGTE: ">=", sigma.OpLT: "<", sigma.OpLTE: "<=", sigma.OpEQ: "==", sigma.OpNEQ: "!="}

// maxSetSize is make_set's default and largest size.
const maxSetSize = 1048576

// stateTimeColumn is the pipeline state key naming the event time column
// of the tables a pipeline selects; without it the schema's is used.
const stateTimeColumn = "kql_time_column"

// timeColumns are the event time columns of each schema: Defender XDR
// advanced hunting tables have Timestamp, Log Analytics tables and the ASIM
// parsers TimeGenerated (table references linked from the pipelines).
// TestTimeColumnsInSchema checks every table of schema.json has it.
var timeColumns = map[string]string{"defender": "Timestamp", "sentinel": "TimeGenerated"}

// leg is one referenced rule with its table.
type leg struct {
	r *ir.Rule
	t table
}

// ConvertCorrelation implements backends.CorrelationBackend.
func (b *Backend) ConvertCorrelation(c *backends.Correlation) ([]string, error) {
	src := c.Source
	span, err := backends.SpanText(src.Timespan)
	if err != nil {
		return nil, c.Fail(src.PosOf("correlation"), "kql: %v", err)
	}
	legs, timeCol, err := b.correlationLegs(c)
	if err != nil {
		return nil, err
	}
	if c.Method == backends.Sliding {
		return b.sliding(c, legs, timeCol, span)
	}
	agg, err := aggregate(c, timeCol)
	if err != nil {
		return nil, err
	}
	search, err := b.correlationSearch(c, legs)
	if err != nil {
		return nil, err
	}
	by := " by bin(" + timeCol + ", " + span + ")"
	for _, g := range c.GroupBy {
		by += ", " + backends.GroupColumn(g.Name)
	}
	agg[0] += by
	if w := nonEmptyGroups(c); w != "" {
		agg = append([]string{w}, agg...)
	}
	note := "// sigconv: tumbling " + span + " windows (bin(" + timeCol + ", " + span + ")); events in neighbouring windows are not correlated"
	return []string{note + "\n" + search + "\n| " + strings.Join(agg, "\n| ")}, nil
}

// correlationLegs resolves each rule's table and the time column they
// share.
func (b *Backend) correlationLegs(c *backends.Correlation) ([]leg, string, error) {
	if err := c.CheckGroupColumns("kql"); err != nil {
		return nil, "", err
	}
	var legs []leg
	timeCol := ""
	for i, r := range c.Rules {
		t, err := b.tableOf(r)
		if err != nil {
			return nil, "", err
		}
		col, err := timeColumn(c, i, t)
		if err != nil {
			return nil, "", err
		}
		if timeCol != "" && col != timeCol {
			return nil, "", c.Fail(c.Source.Rules[i].Pos, "kql: rule %q has time column %s, rule %q has %s; a correlation needs one time column for all its rules", c.Labels[i], col, c.Labels[0], timeCol)
		}
		timeCol = col
		legs = append(legs, leg{r, t})
	}
	return legs, timeCol, nil
}

// timeColumn is the event time column of rule i: the pipeline's state
// kql_time_column, else its schema's.
func timeColumn(c *backends.Correlation, i int, t table) (string, error) {
	r := c.Rules[i]
	col := r.State[stateTimeColumn]
	if col == "" {
		col = timeColumns[r.State[stateSchema]]
	}
	if col == "" {
		return "", c.Fail(c.Source.Rules[i].Pos, "kql: no time column for table %s of rule %q: set the pipeline state %s (set_state) to its event time column", t.name, c.Labels[i], stateTimeColumn)
	}
	if !identifier.MatchString(col) || keywords[col] {
		return "", c.Fail(c.Source.Rules[i].Pos, "kql: time column %q is not a column name", col)
	}
	if typ := t.typeOf(col); t.known() && typ != "datetime" {
		return "", c.Fail(c.Source.Rules[i].Pos, "kql: %s has no datetime column %s to correlate rule %q in time", t.name, col, c.Labels[i])
	}
	return col, nil
}

// correlationSearch renders the tagged events of every rule: the single
// rule's stages, or a union with one parenthesized leg per rule.
func (b *Backend) correlationSearch(c *backends.Correlation, legs []leg) (string, error) {
	tags, err := tagColumns(c, legs)
	if err != nil {
		return "", err
	}
	var subs []string
	for i, l := range legs {
		q, err := b.legQuery(l, tags[i])
		if err != nil {
			return "", err
		}
		subs = append(subs, q)
	}
	if len(subs) == 1 {
		return subs[0], nil
	}
	return "union\n    (" + strings.Join(subs, "),\n    (") + ")", nil
}

// assign is one extend assignment of a leg; field is the mapped field it
// reads, if any, whose computed column the leg may have to add.
type assign struct {
	text, field string
}

// legQuery renders one rule's events: the backend's query of the rule
// with its conditions OR-ed (an event matching several is counted once)
// and without project, then the computed columns the tags read that the
// query did not add, then the tags. The tags are a separate extend: an
// extend cannot use a column it defines itself.
func (b *Backend) legQuery(l leg, tags []assign) (string, error) {
	cp := *l.r
	if len(cp.Queries) > 1 {
		cp.Queries = []ir.Expr{ir.AnyOf(cp.Queries)}
	}
	cp.Fields = nil
	qs, err := b.queries(&cp, " ")
	if err != nil {
		return "", err
	}
	used := map[string]bool{}
	for _, e := range append([]ir.Expr{cp.Queries[0]}, cp.Filters...) {
		fieldsOf(e, used)
	}
	var extra, texts []string
	for _, a := range tags {
		if a.field != "" && !used[a.field] {
			extra = append(extra, a.field)
		}
		texts = append(texts, a.text)
	}
	q := qs[0]
	if ext := extendStage(l.t, nil, extra); ext != "" {
		q += " | " + ext
	}
	return q + " | extend " + strings.Join(texts, ", "), nil
}

// tagColumns returns each leg's tags: its label, its group-by columns and
// its value.
func tagColumns(c *backends.Correlation, legs []leg) ([][]assign, error) {
	out := make([][]assign, len(legs))
	for i := range legs {
		lit, err := quote(c.Labels[i])
		if err != nil {
			return nil, c.Fail(c.Source.Rules[i].Pos, "kql: rule reference %q cannot be a label: %v", c.Labels[i], err)
		}
		out[i] = append(out[i], assign{text: "sigconv_rule = " + lit})
	}
	add := func(column string, fields []string, numeric bool) error {
		exprs, err := columnExprs(c, legs, column, fields, numeric)
		for i, e := range exprs {
			out[i] = append(out[i], assign{column + " = " + e, fields[i]})
		}
		return err
	}
	for _, g := range c.GroupBy {
		if err := add(backends.GroupColumn(g.Name), g.Fields, false); err != nil {
			return nil, err
		}
	}
	if c.ValueField[0] != "" {
		if err := add("sigconv_value", c.ValueField, c.Source.Type != sigma.ValueCount); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// columnExprs writes the expression of one tag column in each leg. A
// union keeps a column whose type differs between its legs apart, one
// column per type with the type in its name (union operator page), and
// Kusto.Language then reports the plain name unknown; so unless every leg's column has the same
// known type the values are converted to one type: tostring() for
// grouping and distinct counts, todouble() for sums and averages, which
// need a numeric column.
func columnExprs(c *backends.Correlation, legs []leg, column string, fields []string, numeric bool) ([]string, error) {
	names := make([]string, len(legs))
	types := make([]string, len(legs))
	for i, l := range legs {
		f := fields[i]
		name, err := fieldName(f)
		if err != nil || !l.t.has(f) {
			return nil, c.Fail(c.Source.Rules[i].Pos, "kql: %s has no column %q for %s of rule %q", l.t.name, f, column, c.Labels[i])
		}
		typ := l.t.typeOf(f)
		if numeric && typ != "" && !isNumericType(typ) {
			return nil, c.Fail(c.Source.ConditionPos, "kql: %s needs a numeric column; %s of %s (rule %q) is %s", c.Source.Type, f, l.t.name, c.Labels[i], typ)
		}
		names[i], types[i] = name, typ
	}
	if len(legs) == 1 || sameKnown(types) {
		return names, nil
	}
	conv := "tostring("
	if numeric {
		conv = "todouble("
	}
	for i := range names {
		names[i] = conv + names[i] + ")"
	}
	return names, nil
}

func sameKnown(types []string) bool {
	for _, t := range types {
		if t == "" || t != types[0] {
			return false
		}
	}
	return true
}

// aggregate renders the summarize stage (without its by clause, which
// ConvertCorrelation appends to the first element) and the stages after
// it.
func aggregate(c *backends.Correlation, timeCol string) ([]string, error) {
	src := c.Source
	if c.RuleCondition != nil {
		return ruleNameCondition(c)
	}
	switch src.Type {
	case sigma.EventCount:
		return withCondition(c, "event_count", "summarize event_count = count()")
	case sigma.ValueCount:
		if err := checkSetThreshold(c); err != nil {
			return nil, err
		}
		return withCondition(c, "value_count", "summarize value_count = array_length(make_set_if(sigconv_value, isnotempty(sigconv_value)))")
	case sigma.ValueSum:
		return withCondition(c, "value_sum", "summarize value_sum = sum(sigconv_value)")
	case sigma.ValueAvg:
		return withCondition(c, "value_avg", "summarize value_avg = avg(sigconv_value)")
	case sigma.ValuePercentile:
		if src.Percentile != 100 {
			return nil, c.Fail(src.ConditionPos, "kql: percentile() is an estimate (t-digest), so value_percentile is only rendered for percentile 100 (the maximum); this one asks for %d", src.Percentile)
		}
		return withCondition(c, "value_percentile", "summarize value_percentile = max(sigconv_value)")
	case sigma.ValueMedian:
		return nil, c.Fail(src.TypePos, "kql: value_median has no exact KQL aggregate: percentile(x, 50) is an estimate")
	case sigma.Temporal:
		return temporal(c, "", "")
	case sigma.TemporalOrdered:
		return ordered(c, timeCol)
	}
	return nil, c.Fail(src.TypePos, "kql: correlation type %s is not supported", src.Type)
}

// checkSetThreshold refuses value_count thresholds that a count capped at
// make_set's size could not compare exactly.
func checkSetThreshold(c *backends.Correlation) error {
	for _, cc := range c.Source.Condition {
		if cc.Value >= maxSetSize {
			return c.Fail(cc.Pos, "kql: value_count counts at most %d distinct values exactly (make_set's limit); the threshold %s is not below it", maxSetSize, strconv.FormatFloat(cc.Value, 'f', -1, 64))
		}
	}
	return nil
}

// temporal counts the distinct rules matched in each window; extraAgg and
// extraCond add to the summarize and the condition.
func temporal(c *backends.Correlation, extraAgg, extraCond string) ([]string, error) {
	stages, err := withCondition(c, "rule_count", "summarize sigconv_rules = make_set(sigconv_rule)"+extraAgg)
	if err != nil {
		return nil, err
	}
	stages[len(stages)-1] += extraCond
	// The count comes from the set, so the set is kept for the analyst.
	return append([]string{stages[0], "extend rule_count = array_length(sigconv_rules)"}, stages[1:]...), nil
}

// ordered is temporal_ordered for two rules: the first rule's earliest
// event must precede the second rule's latest. Longer sequences have no
// exact summarize form.
func ordered(c *backends.Correlation, timeCol string) ([]string, error) {
	if len(c.Rules) != 2 {
		return nil, c.Fail(c.Source.TypePos, "kql: temporal_ordered is supported for exactly two rules (first before last); this one has %d", len(c.Rules))
	}
	var lits [2]string
	for i := range lits {
		var err error
		if lits[i], err = quote(c.Labels[i]); err != nil {
			return nil, c.Fail(c.Source.Rules[i].Pos, "kql: rule reference %q cannot be a label: %v", c.Labels[i], err)
		}
	}
	agg := fmt.Sprintf(", sigconv_first = minif(%s, sigconv_rule == %s), sigconv_last = maxif(%s, sigconv_rule == %s)", timeCol, lits[0], timeCol, lits[1])
	return temporal(c, agg, " and sigconv_first < sigconv_last")
}

// withCondition returns the summarize stage and the where on its column;
// several conditions (a range) are AND-ed, and temporal types without a
// condition require every rule.
func withCondition(c *backends.Correlation, column, summarize string) ([]string, error) {
	var parts []string
	for _, cc := range c.Source.Condition {
		op, ok := kqlOps[cc.Op]
		if !ok {
			return nil, c.Fail(cc.Pos, "kql: unknown condition operator %q", cc.Op)
		}
		parts = append(parts, column+" "+op+" "+strconv.FormatFloat(cc.Value, 'f', -1, 64))
	}
	if len(parts) == 0 {
		if !c.Source.Type.IsTemporal() {
			return nil, c.Fail(c.Source.PosOf("correlation"), "kql: correlation type %s needs a condition", c.Source.Type)
		}
		parts = append(parts, fmt.Sprintf("%s >= %d", column, len(c.Rules)))
	}
	return []string{summarize, "where " + strings.Join(parts, " and ")}, nil
}

// ruleNameCondition renders pySigma's temporal condition over rule names
// on the set of rules matched in the window; names compare exactly (==
// semantics of set_has_element).
func ruleNameCondition(c *backends.Correlation) ([]string, error) {
	if c.Source.Type != sigma.Temporal {
		return nil, c.Fail(c.Source.ConditionPos, "kql: a condition over rule names is only supported for temporal correlations")
	}
	expr, err := nameExpr(c, c.RuleCondition)
	if err != nil {
		return nil, err
	}
	return []string{"summarize sigconv_rules = make_set(sigconv_rule)", "where " + expr}, nil
}

// nameExpr writes the lowered condition over rule names, each rule true
// when it matched in the window (its label is in sigconv_rules).
func nameExpr(c *backends.Correlation, e ir.Expr) (string, error) {
	return backends.RuleConditionText(c, e, backends.RuleConditionTokens{
		Target: "kql", And: " and ", Or: " or ",
		Not: func(x string) string { return "not(" + x + ")" },
		Matched: func(rule int) (string, error) {
			lit, err := quote(c.Labels[rule])
			if err != nil {
				return "", c.Fail(c.Source.Rules[rule].Pos, "kql: rule reference %q cannot be a label: %v", c.Labels[rule], err)
			}
			return "set_has_element(sigconv_rules, " + lit + ")", nil
		},
	})
}

// formatCorrelation formats a correlation's query (r holds only its
// metadata and the correlation). plain puts the query on one line after
// its comment line: its line breaks are all between stages and union legs,
// since string literals never hold one (quote).
func (b *Backend) formatCorrelation(format string, r *ir.Rule, queries []string) (string, error) {
	switch format {
	case "default":
		return strings.Join(queries, "\n\n"), nil
	case "plain":
		var out []string
		for _, q := range queries {
			note, rest, _ := strings.Cut(q, "\n")
			out = append(out, note+"\n"+oneLine.Replace(rest))
		}
		return strings.Join(out, "\n"), nil
	case "sentinel-rule":
		return sentinelRule(r, table{}, queries)
	}
	return "", fmt.Errorf("kql has no format %q", format)
}

var oneLine = strings.NewReplacer("\n    ", " ", "\n", " ")

// maxQueryPeriod is the longest lookback of a Sentinel scheduled rule
// (Microsoft Learn, "Create a scheduled analytics rule": up to 14 days).
const maxQueryPeriod = 14 * 24 * time.Hour

// queryPeriod is how far back the hourly analytic rule looks: the hour
// since the last run, plus, for a correlation, one timespan, so that a
// window that started before the last run is seen whole.
func queryPeriod(r *ir.Rule) (string, error) {
	d := time.Hour
	if r.Correlation != nil {
		d += r.Correlation.Timespan
	}
	if d > maxQueryPeriod {
		return "", fmt.Errorf("%s: the sentinel-rule format looks back at most 14 days; timespan %s does not fit", r.Source.File, r.Correlation.TimespanText)
	}
	return backends.SpanText((d + time.Minute - 1) / time.Minute * time.Minute)
}
