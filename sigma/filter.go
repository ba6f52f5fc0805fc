package sigma

import (
	"strings"

	"github.com/sigconv/sigconv/sigma/cond"
	"gopkg.in/yaml.v3"
)

// parseFilter reads a meta filter (Sigma filters specification,
// reference §7): a log source, the rules it applies to, and searches with
// one condition that is AND-ed with each rule's conditions.
func (p *parser) parseFilter(d *docFields) Document {
	f := &Filter{}
	p.parseMeta(d, &f.Meta, map[string]bool{"logsource": true, "filter": true})
	if n, ok := d.get("logsource"); ok {
		f.LogSource = p.parseLogSource(n)
	} else {
		p.errorf(d.pos, "missing logsource")
	}
	n, _ := d.get("filter")
	if n.Kind != yaml.MappingNode {
		p.errorf(nodePos(n), "filter must be a map with rules, searches and a condition, not %s", kindName(n))
		return f
	}
	fm := p.fields(n)
	p.filterRules(f, fm)
	var rest []pair
	for _, kv := range fm.order {
		if kv.Key != "rules" {
			rest = append(rest, kv)
		}
	}
	if c, ok := fm.get("condition"); ok && c.Kind == yaml.SequenceNode {
		p.errorf(nodePos(c), "a filter condition must be a single string")
	}
	f.Detection = p.detectionFrom(nodePos(n), rest, "filter")
	p.checkFilterCondition(f)
	return f
}

// filterRules reads rules: a list of ids or names, a single one, or "any"
// (pySigma; formalised in draft 2.2). An empty list also means any rule in
// pySigma, which is too easy to write by accident, so it is warned.
func (p *parser) filterRules(f *Filter, fm *docFields) {
	n, ok := fm.get("rules")
	if !ok {
		p.errorf(fm.pos, "filter has no rules; write rules: any to apply it to every rule")
		return
	}
	if n.Kind == yaml.ScalarNode && strings.EqualFold(n.Value, "any") {
		f.AnyRule = true
		return
	}
	if n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		p.warnf(nodePos(n), "an empty rules list applies the filter to every rule; write rules: any")
		f.AnyRule = true
		return
	}
	f.Rules = p.ruleRefs(fm, "filter", false)
}

// checkFilterCondition warns about a filter condition with no "not": the
// filter is AND-ed with the rule, so such a filter restricts the rule to
// the selection instead of excluding it (the specification's own example
// has this mistake, reference §7).
func (p *parser) checkFilterCondition(f *Filter) {
	for _, c := range f.Detection.Conditions {
		if !hasNot(c.Expr) {
			p.warnf(c.Pos, "filter condition has no 'not': it keeps only matching events; an exclusion is written 'not selection'")
		}
	}
}

func hasNot(e cond.Expr) bool {
	switch e := e.(type) {
	case *cond.Not:
		return true
	case *cond.Paren:
		return hasNot(e.X)
	case *cond.Binary:
		return hasNot(e.X) || hasNot(e.Y)
	}
	return false
}
