package backends

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sigconv/sigconv/diag"
	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/pipeline"
	"github.com/sigconv/sigconv/sigma"
)

// CorrelationBackend is implemented by backends that render Sigma
// correlation rules.
type CorrelationBackend interface {
	ConvertCorrelation(c *Correlation) ([]string, error)
}

// Correlation is a correlation rule ready for a backend: its source, the
// referenced rules processed by the converter's pipelines (meta-filters
// applied), and every field it names already mapped for each rule.
type Correlation struct {
	Source *sigma.Correlation
	Rules  []*ir.Rule
	// Labels tell the rules' events apart in the aggregation: each
	// rule's name, else its id.
	Labels []string
	// GroupBy lists the group-by columns: the output name (the alias or
	// field as written) and the mapped field of each rule.
	GroupBy []GroupBy
	// ValueField is the mapped condition field of each rule for the
	// value_* types, empty otherwise.
	ValueField []string
	// Method is how the timespan cuts time: Sliding or Tumbling.
	Method CorrelationMethod
	// RuleCondition is pySigma's condition over rule names, lowered
	// (ir.LowerRuleCondition: And, Or, Not over ir.RuleMatched leaves
	// indexing Rules); nil for numeric conditions.
	RuleCondition ir.Expr
}

// GroupBy is one group-by column.
type GroupBy struct {
	Name   string
	Fields []string // per rule, in Rules order
}

// Fail builds a positioned error about the correlation document.
func (c *Correlation) Fail(pos sigma.Pos, format string, args ...any) error {
	if !pos.IsValid() {
		pos = c.Source.Pos
	}
	return sigma.Errorf(c.Source.File, pos, format, args...)
}

// ConvertCorrelation converts a correlation rule whose referenced rules
// (in the correlation's order) and the filters for each are given.
func (c *Converter) ConvertCorrelation(corr *sigma.Correlation, rules []*sigma.Rule, filtersFor func(*sigma.Rule) []*sigma.Filter) (res *Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, sigma.Errorf(corr.File, corr.Pos, "internal error converting correlation for %s: %v", c.backend.Name(), p).WithReason(sigma.ReasonInternal)
		}
	}()
	cb, ok := c.backend.(CorrelationBackend)
	if !ok {
		return nil, sigma.Errorf(corr.File, corr.TypePos, "target %s does not support correlation rules", c.backend.Name()).WithReason(sigma.ReasonCorrelation)
	}
	in := &Correlation{Source: corr, Method: c.method}
	if in.RuleCondition, err = ir.LowerRuleCondition(corr); err != nil {
		return nil, classify(err, sigma.ReasonCorrelation)
	}
	if err := checkCondition(in); err != nil {
		return nil, classify(err, sigma.ReasonCorrelation)
	}
	if err := c.checkScheduled(in); err != nil {
		return nil, classify(err, sigma.ReasonCorrelation)
	}
	var lowered []*ir.Rule
	for i, r := range rules {
		lr, processed, err := c.process(r, filtersFor)
		if err == nil {
			// A rule the target cannot render fails the correlation too;
			// say so here rather than from inside the backend's union.
			if _, err = c.backend.Convert(processed); err != nil {
				err = classify(err, sigma.ReasonConstruct)
			}
		}
		if err != nil {
			return nil, ruleFails(corr, i, r, err)
		}
		lowered = append(lowered, lr)
		in.Rules = append(in.Rules, processed)
		in.Labels = append(in.Labels, label(r))
	}
	// The sliding forms refuse these types over several rules themselves.
	if in.Method == Tumbling {
		if err := c.checkSharedEvents(in); err != nil {
			return nil, classify(err, sigma.ReasonCorrelation)
		}
	}
	if err := c.mapCorrelationFields(in, lowered); err != nil {
		return nil, classify(err, sigma.ReasonCorrelation)
	}
	// Target-independent checks run here once, not in every backend.
	if err := in.CheckGroupColumns(c.backend.Name()); err != nil {
		return nil, classify(err, sigma.ReasonCorrelation)
	}
	queries, err := cb.ConvertCorrelation(in)
	if err != nil {
		return nil, classify(err, sigma.ReasonCorrelation)
	}
	synthetic := &ir.Rule{Source: &sigma.Rule{Meta: corr.Meta}, Correlation: corr}
	out, err := c.finalize(synthetic, queries)
	if err != nil {
		return nil, err
	}
	res = &Result{Rule: synthetic, Queries: queries, Output: out}
	if in.Method == Tumbling {
		// The specification asks backends to warn when they cannot
		// express a feature exactly; the query's first line says it too.
		span, _ := SpanText(corr.Timespan)
		res.Warnings = append(res.Warnings, sigma.Warnf(corr.File, corr.TypePos, "tumbling %s windows (--correlation-method tumbling): events within %s of each other that fall into neighbouring windows are not correlated", span, span))
	}
	return res, nil
}

// process lowers a rule, applies its meta-filters, then the pipelines,
// and folds the pipelines' added conditions into each query; it returns
// the lowered rule too, for mapping fields later.
func (c *Converter) process(r *sigma.Rule, filtersFor func(*sigma.Rule) []*sigma.Filter) (*ir.Rule, *ir.Rule, error) {
	lowered, err := ir.Lower(r)
	if err != nil {
		return nil, nil, err
	}
	if filtersFor != nil {
		if lowered, err = ir.ApplyFilters(lowered, filtersFor(r)); err != nil {
			return nil, nil, err
		}
	}
	processed, err := pipeline.Apply(c.pipelines, lowered)
	if err != nil {
		return nil, nil, err
	}
	// One tree per query: the pipelines' added conditions are part of
	// it, so no backend can leave them out.
	return lowered, processed.Combined(), nil
}

func label(r *sigma.Rule) string {
	if r.Name != "" {
		return r.Name
	}
	return r.ID
}

// mapCorrelationFields resolves aliases and maps group-by and value
// fields through the pipelines for each rule.
func (c *Converter) mapCorrelationFields(in *Correlation, lowered []*ir.Rule) error {
	corr := in.Source
	for _, g := range corr.GroupBy {
		gb := GroupBy{Name: g}
		for _, r := range lowered {
			field, pos, err := aliasField(corr, g, r.Source)
			if err != nil {
				return err
			}
			mapped, err := c.mapField(corr, r, field, pos)
			if err != nil {
				return err
			}
			gb.Fields = append(gb.Fields, mapped)
		}
		in.GroupBy = append(in.GroupBy, gb)
	}
	in.ValueField = make([]string, len(lowered))
	if len(corr.Fields) > 1 {
		return in.Fail(corr.ConditionPos, "a condition over several fields is not supported; correlate one field")
	}
	if corr.Field == "" {
		return nil
	}
	for i, r := range lowered {
		// The condition's field may be an alias, like a group-by name.
		field, pos, err := aliasField(corr, corr.Field, r.Source)
		if err != nil {
			return err
		}
		if corr.Field == field {
			pos = corr.ConditionPos
		}
		mapped, err := c.mapField(corr, r, field, pos)
		if err != nil {
			return err
		}
		in.ValueField[i] = mapped
	}
	return nil
}

// aliasField returns the field a group-by name stands for in one rule:
// the alias's field for that rule, or the name itself.
func aliasField(corr *sigma.Correlation, name string, r *sigma.Rule) (string, sigma.Pos, error) {
	field, a, ok := corr.GroupField(name, r)
	switch {
	case !ok:
		return "", sigma.Pos{}, sigma.Errorf(corr.File, a.Pos, "alias %q has no field for rule %q; an alias must name a field for every rule", name, label(r))
	case a != nil:
		for _, kv := range a.Fields {
			if kv.Key == r.Name || kv.Key == r.ID {
				return field, kv.Pos, nil
			}
		}
	}
	return field, corr.PosOf("correlation"), nil
}

func (c *Converter) mapField(corr *sigma.Correlation, r *ir.Rule, field string, pos sigma.Pos) (string, error) {
	if !pos.IsValid() {
		pos = corr.PosOf("correlation")
	}
	mapped, err := pipeline.MapField(c.pipelines, r, field, pos)
	if err != nil {
		msg := err.Error()
		var d *sigma.Diagnostic
		if errors.As(err, &d) {
			msg = d.Message
		}
		return "", sigma.Errorf(corr.File, pos, "field %q of rule %s cannot be used by the correlation: %s", field, label(r.Source), msg)
	}
	return mapped, nil
}

// SpanText writes a timespan in the largest whole unit of s, m, h and d,
// the units the XQL, KQL and SPL bin functions all take.
func SpanText(d time.Duration) (string, error) {
	if d <= 0 {
		return "", errors.New("timespan must be positive")
	}
	for _, u := range []struct {
		unit string
		d    time.Duration
	}{{"d", 24 * time.Hour}, {"h", time.Hour}, {"m", time.Minute}, {"s", time.Second}} {
		if d%u.d == 0 {
			return strconv.FormatInt(int64(d/u.d), 10) + u.unit, nil
		}
	}
	return "", fmt.Errorf("timespan %s is not a whole number of seconds", d)
}

// GroupColumn is the column a group-by name becomes on every target: the
// prefix keeps it from clashing with the data's own fields, and only
// letters, digits and '_' remain, so every target takes it unquoted.
func GroupColumn(name string) string {
	return "sigconv_" + strings.Map(func(r rune) rune {
		if r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, name)
}

// CheckGroupColumns refuses group-by names that would share a column.
func (c *Correlation) CheckGroupColumns(target string) error {
	seen := map[string]string{}
	for _, g := range c.GroupBy {
		col := GroupColumn(g.Name)
		if prev, ok := seen[col]; ok {
			return c.Fail(c.Source.PosOf("correlation"), "%s: group-by names %q and %q would both become column %s", target, prev, g.Name, col)
		}
		seen[col] = g.Name
	}
	return nil
}

// checkCondition refuses, for every target, conditions no query can
// judge: a value_percentile without a percentile, and count conditions
// only a group without events could satisfy (such a group has no row in
// any target's output, so the query would never fire).
func checkCondition(c *Correlation) error {
	src := c.Source
	if src.Type == sigma.ValuePercentile && !src.PercentileSet {
		return c.Fail(src.ConditionPos, "value_percentile needs a percentile key in its condition (e.g. percentile: 95); without it the percentile meant is unknown")
	}
	var most float64
	switch src.Type {
	case sigma.Temporal, sigma.TemporalOrdered:
		most = float64(len(src.Rules))
	case sigma.EventCount, sigma.ValueCount:
		most = 2
		for _, cc := range src.Condition {
			if cc.Value+2 > most {
				most = cc.Value + 2
			}
		}
	default:
		return nil
	}
	if len(src.Condition) == 0 {
		return nil
	}
	for n := 1.0; n <= most; n++ {
		holds := true
		for _, cc := range src.Condition {
			holds = holds && cc.Op.Holds(n, cc.Value)
		}
		if holds {
			return nil
		}
	}
	return c.Fail(src.Condition[0].Pos, "the condition holds only for a group without events, which produces no result row on any target, so the correlation would never fire")
}

// ruleFails reports a referenced rule's failure once, at the
// correlation's reference to it, naming the rule; the rule's own
// conversion reports the failure at the rule.
func ruleFails(corr *sigma.Correlation, i int, r *sigma.Rule, err error) error {
	pos := corr.Pos
	if i < len(corr.Rules) && corr.Rules[i].Pos.IsValid() {
		pos = corr.Rules[i].Pos
	}
	reason := diag.ReasonOf(err)
	if reason == "" {
		reason = sigma.ReasonCorrelation
	}
	name := label(&sigma.Rule{Meta: corr.Meta})
	if name == "" {
		name = strconv.Quote(corr.Title)
	}
	return sigma.Errorf(corr.File, pos, "correlation %s: rule %s fails: %v", name, label(r), err).WithReason(reason)
}
