package sigma

import (
	"errors"
	"math"
	"regexp"
	"strconv"
	"time"

	"github.com/sigconv/sigconv/sigma/cond"
	"gopkg.in/yaml.v3"
)

var correlationTypes = func() []string {
	var out []string
	for _, t := range CorrelationTypes {
		out = append(out, string(t))
	}
	return out
}()

var correlationKeys = []string{"type", "rules", "group-by", "timespan", "condition", "aliases", "generate"}

// parseCorrelation reads a correlation rule (Sigma correlation
// specification 2.1, reference §6).
func (p *parser) parseCorrelation(d *docFields) Document {
	c := &Correlation{}
	p.parseMeta(d, &c.Meta, map[string]bool{"correlation": true, "generate": true})
	n, _ := d.get("correlation")
	if n.Kind != yaml.MappingNode {
		p.errorf(nodePos(n), "correlation must be a map, not %s", kindName(n))
		return c
	}
	f := p.fields(n)
	for _, kv := range f.order {
		if !contains(correlationKeys, kv.Key) {
			p.errorf(nodePos(kv.K), "unknown correlation key %q%s", kv.Key, didYouMean(suggest(kv.Key, correlationKeys)))
		}
	}
	p.correlationType(c, f)
	c.Rules = p.ruleRefs(f, "correlation rules", c.Type.IsTemporal())
	c.GroupBy = p.stringListKey(f, "group-by")
	if !f.has("group-by") {
		p.warnf(f.pos, "correlation has no group-by; the specification requires it")
	}
	p.timespan(c, f)
	p.correlationCondition(c, f)
	p.aliases(c, f)
	p.generate(c, d, f)
	return c
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (p *parser) correlationType(c *Correlation, f *docFields) {
	n, ok := f.get("type")
	if !ok {
		p.errorf(f.pos, "correlation has no type")
		return
	}
	c.TypePos = nodePos(n)
	t, _ := p.str(n, "correlation type")
	switch {
	case CorrelationType(t) == ValueMedian:
		p.warnf(c.TypePos, "correlation type value_median is a pySigma extension, not in the specification")
	case !contains(correlationTypes, t):
		p.errorf(c.TypePos, "unknown correlation type %q%s", t, didYouMean(suggest(t, correlationTypes)))
		return
	}
	c.Type = CorrelationType(t)
}

// ruleRefs reads a rules list (a single string is accepted, as pySigma
// does). optional is set where the rules may come from a condition.
func (p *parser) ruleRefs(f *docFields, what string, optional bool) []RuleRef {
	n, ok := f.get("rules")
	if !ok {
		if !optional {
			p.errorf(f.pos, "%s: missing rules", what)
		}
		return nil
	}
	nodes := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		nodes = n.Content
		if len(nodes) == 0 {
			p.errorf(nodePos(n), "%s: rules is an empty list", what)
		}
	}
	var out []RuleRef
	seen := map[string]bool{}
	for _, r := range nodes {
		s, ok := p.str(r, "rules entry")
		if !ok {
			continue
		}
		if seen[s] {
			p.errorf(nodePos(r), "%s: rule %q is listed twice", what, s)
		}
		seen[s] = true
		out = append(out, RuleRef{Ref: s, Pos: textPos(deref(r))})
	}
	return out
}

var timespanRe = regexp.MustCompile(`^(\d+)([smhdwMy])$`)

var timespanUnits = map[string]time.Duration{
	"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour,
	"w": 7 * 24 * time.Hour, "M": 2629746 * time.Second, "y": 31556952 * time.Second,
}

func (p *parser) timespan(c *Correlation, f *docFields) {
	n, ok := f.get("timespan")
	if !ok {
		p.errorf(f.pos, "correlation has no timespan")
		return
	}
	s, ok := p.str(n, "timespan")
	if !ok {
		return
	}
	c.TimespanText = s
	d, err := parseTimespan(s)
	if err != nil {
		p.errorf(nodePos(n), "%v", err)
		return
	}
	if u := s[len(s)-1:]; u == "w" || u == "M" || u == "y" {
		p.warnf(nodePos(n), "timespan unit %s is a pySigma extension; the specification allows s, m, h and d", u)
	}
	c.Timespan = d
}

// parseTimespan parses "<number><unit>" with units s, m, h, d (and the
// pySigma units w, M, y).
func parseTimespan(s string) (time.Duration, error) {
	m := timespanRe.FindStringSubmatch(s)
	if m == nil {
		return 0, errors.New("invalid timespan " + strconv.Quote(s) + "; write a number and a unit: s, m, h or d (e.g. 5m)")
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	unit := timespanUnits[m[2]]
	if err != nil || n > int64(math.MaxInt64/unit) {
		return 0, errors.New("timespan " + strconv.Quote(s) + " is too long")
	}
	return time.Duration(n) * unit, nil
}

var correlationOps = func() []string {
	var out []string
	for _, op := range CorrelationOps {
		out = append(out, string(op))
	}
	return out
}()

func (p *parser) correlationCondition(c *Correlation, f *docFields) {
	n, ok := f.get("condition")
	temporal := c.Type.IsTemporal()
	switch {
	case !ok:
		if !temporal && c.Type != "" {
			p.errorf(f.pos, "correlation of type %s needs a condition", c.Type)
		}
	case n.Kind == yaml.ScalarNode && temporal:
		p.temporalCondition(c, n)
	case n.Kind != yaml.MappingNode:
		p.errorf(nodePos(n), "correlation condition must be a map such as {gte: 10}, not %s", kindName(n))
	default:
		c.ConditionPos = nodePos(n)
		p.conditionMap(c, p.fields(n))
	}
	if c.Type.HasValueField() && c.Field == "" && ok {
		p.errorf(nodePos(n), "correlation of type %s needs a field in its condition", c.Type)
	}
}

func (p *parser) conditionMap(c *Correlation, f *docFields) {
	for _, kv := range f.order {
		switch {
		case contains(correlationOps, kv.Key):
			p.conditionOp(c, kv)
		case kv.Key == "field" && deref(kv.V).Kind == yaml.ScalarNode:
			// The specification's examples and schema write one field as
			// a string.
			if f, ok := p.str(kv.V, "condition field"); ok {
				c.Fields = []string{f}
			}
			if len(c.Fields) > 0 {
				c.Field = c.Fields[0]
			}
		case kv.Key == "field":
			c.Fields = p.stringList(kv.V, "condition field")
			if len(c.Fields) > 0 {
				c.Field = c.Fields[0]
			}
		case kv.Key == "percentile":
			p.percentile(c, kv.V)
		default:
			p.errorf(nodePos(kv.K), "unknown correlation condition key %q%s", kv.Key, didYouMean(suggest(kv.Key, correlationOps)))
		}
	}
	p.checkRange(c, f.pos)
}

func (p *parser) conditionOp(c *Correlation, kv pair) {
	v := deref(kv.V)
	s := readScalar(v)
	if v.Kind != yaml.ScalarNode || s.Kind != kNumber {
		p.errorf(nodePos(v), "correlation condition %s needs a number, not %s", kv.Key, kindName(v))
		return
	}
	val := float64(s.Num.Int)
	if s.Num.IsFloat {
		val = s.Num.Float
	}
	c.Condition = append(c.Condition, CorrelationCondition{Op: CorrelationOp(kv.Key), Value: val, Pos: nodePos(kv.K)})
}

// checkRange accepts one comparison, or two forming a range (the
// specification allows it; pySigma does not, hence the warning).
func (p *parser) checkRange(c *Correlation, pos Pos) {
	switch len(c.Condition) {
	case 0:
		p.errorf(pos, "correlation condition has no comparison (gt, gte, lt, lte, eq or neq)")
	case 1:
	case 2:
		a, b := c.Condition[0].Op, c.Condition[1].Op
		if !(a.IsLower() && b.IsUpper() || a.IsUpper() && b.IsLower()) {
			p.errorf(c.Condition[1].Pos, "two correlation comparisons must form a range (one of gt/gte and one of lt/lte)")
			return
		}
		p.warnf(c.Condition[1].Pos, "a range condition is allowed by the specification but refused by pySigma")
	default:
		p.errorf(c.Condition[2].Pos, "correlation condition has more than two comparisons")
	}
}

func (p *parser) percentile(c *Correlation, n *yaml.Node) {
	s := readScalar(deref(n))
	if s.Kind != kNumber || s.Num.IsFloat || s.Num.Int < 0 || s.Num.Int > 100 {
		p.errorf(nodePos(n), "percentile must be an integer from 0 to 100")
		return
	}
	c.Percentile = int(s.Num.Int)
	c.PercentileSet = true
}

// temporalCondition reads pySigma's extended temporal condition, a
// boolean expression over the referenced rule names.
func (p *parser) temporalCondition(c *Correlation, n *yaml.Node) {
	loc := p.condLocation(n)
	c.ConditionText, c.ConditionPos = n.Value, loc.base
	expr, err := cond.Parse(n.Value)
	if err != nil {
		var ce *cond.Error
		if errors.As(err, &ce) {
			p.errorf(loc.at(ce.Off), "correlation condition: %s", ce.Msg)
		} else {
			p.errorf(loc.base, "correlation condition: %v", err)
		}
		return
	}
	c.ConditionExpr = expr
	p.warnf(loc.base, "a string condition for temporal correlations is a pySigma extension, not in the specification")
	p.checkTemporalNames(c, expr, loc)
}

// checkTemporalNames makes the rule list and the names in the condition
// agree; without rules, the names are the rules.
func (p *parser) checkTemporalNames(c *Correlation, e cond.Expr, loc condLoc) {
	listed := len(c.Rules) > 0
	walkIdents(e, func(id *cond.Ident) {
		for _, r := range c.Rules {
			if r.Ref == id.Name {
				return
			}
		}
		if listed {
			p.errorf(loc.at(id.Off), "rule %q in the condition is not listed in rules", id.Name)
			return
		}
		c.Rules = append(c.Rules, RuleRef{Ref: id.Name, Pos: loc.at(id.Off)})
	}, func(of *cond.Of) {
		p.errorf(loc.at(of.Off), "\"1 of\"/\"all of\" is not allowed in a correlation condition")
	})
}

func walkIdents(e cond.Expr, id func(*cond.Ident), of func(*cond.Of)) {
	switch e := e.(type) {
	case *cond.Ident:
		id(e)
	case *cond.Of:
		of(e)
	case *cond.Not:
		walkIdents(e.X, id, of)
	case *cond.Paren:
		walkIdents(e.X, id, of)
	case *cond.Binary:
		walkIdents(e.X, id, of)
		walkIdents(e.Y, id, of)
	}
}

func (p *parser) aliases(c *Correlation, f *docFields) {
	n, ok := f.get("aliases")
	if !ok || isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(nodePos(n), "aliases must be a map of alias name to {rule: field}, not %s", kindName(n))
		return
	}
	for _, kv := range p.pairs(n) {
		a := Alias{Name: kv.Key, Pos: nodePos(kv.K)}
		v := deref(kv.V)
		if v.Kind != yaml.MappingNode {
			p.errorf(nodePos(v), "alias %q must map rule names to fields, not %s", kv.Key, kindName(v))
			continue
		}
		for _, rf := range p.pairs(v) {
			field, _ := p.str(rf.V, "alias field")
			a.Fields = append(a.Fields, KeyValueString{Key: rf.Key, Value: field, Pos: nodePos(rf.K)})
			if !c.references(rf.Key) {
				p.errorf(nodePos(rf.K), "alias %q names rule %q, which the correlation does not reference", kv.Key, rf.Key)
			}
		}
		c.Aliases = append(c.Aliases, a)
	}
}

func (c *Correlation) references(name string) bool {
	for _, r := range c.Rules {
		if r.Ref == name {
			return true
		}
	}
	return false
}

// generate reads generate at the root (the JSON schema's place) or under
// correlation (pySigma's place).
func (p *parser) generate(c *Correlation, root, f *docFields) {
	var vals []bool
	for _, d := range []*docFields{root, f} {
		n, ok := d.get("generate")
		if !ok {
			continue
		}
		s := readScalar(n)
		if n.Kind != yaml.ScalarNode || (s.Kind != kBool && !s.Bool11) {
			p.errorf(nodePos(n), "generate must be true or false, not %s", kindName(n))
			continue
		}
		if s.Bool11 {
			p.warnf(nodePos(n), "generate: %s is read as %t; write true or false", s.Text, s.Bool)
		}
		vals = append(vals, s.Bool)
	}
	if len(vals) == 2 && vals[0] != vals[1] {
		p.errorf(nodePos(root.key("generate")), "generate is set twice with different values")
	}
	c.Generate = len(vals) > 0 && vals[len(vals)-1]
}
