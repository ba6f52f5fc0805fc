package ir

import (
	"github.com/sigconv/sigconv/sigma"
	"github.com/sigconv/sigconv/sigma/cond"
)

// RuleMatched is the leaf of a lowered correlation condition over rule
// names: the correlation's referenced rule Rule (an index into its
// Rules) matched within the window. It appears only in the tree
// LowerRuleCondition returns, never in a rule's queries.
type RuleMatched struct {
	Rule int
	Name string // the name as written in the condition
}

func (*RuleMatched) exprNode() {}

// LowerRuleCondition lowers a correlation's condition over rule names
// (pySigma's extension of temporal correlations) into And, Or, Not and
// RuleMatched nodes, so that backends render one resolved tree instead of
// walking the parser's. It returns nil when the condition is not over
// rule names.
func LowerRuleCondition(c *sigma.Correlation) (Expr, error) {
	if c.ConditionExpr == nil {
		return nil, nil
	}
	return lowerRuleCond(c, c.ConditionExpr)
}

func lowerRuleCond(c *sigma.Correlation, e cond.Expr) (Expr, error) {
	switch e := e.(type) {
	case *cond.Ident:
		for i, r := range c.Rules {
			if r.Ref == e.Name {
				return &RuleMatched{Rule: i, Name: e.Name}, nil
			}
		}
		return nil, sigma.Errorf(c.File, c.ConditionPos, "rule %q of the correlation condition is not referenced by the correlation", e.Name)
	case *cond.Paren:
		return lowerRuleCond(c, e.X)
	case *cond.Not:
		x, err := lowerRuleCond(c, e.X)
		if err != nil {
			return nil, err
		}
		return &Not{Arg: x}, nil
	case *cond.Binary:
		x, err := lowerRuleCond(c, e.X)
		if err != nil {
			return nil, err
		}
		y, err := lowerRuleCond(c, e.Y)
		if err != nil {
			return nil, err
		}
		if e.Op == cond.Or {
			return &Or{Args: []Expr{x, y}}, nil
		}
		return &And{Args: []Expr{x, y}}, nil
	}
	return nil, sigma.Errorf(c.File, c.ConditionPos, "condition %s is not supported in a correlation", cond.Format(e))
}

// RulesHold evaluates a lowered rule condition for the set of rules that
// matched (matched[i] for rule i).
func RulesHold(e Expr, matched func(rule int) bool) bool {
	switch e := e.(type) {
	case *RuleMatched:
		return matched(e.Rule)
	case *Not:
		return !RulesHold(e.Arg, matched)
	case *And:
		for _, a := range e.Args {
			if !RulesHold(a, matched) {
				return false
			}
		}
		return true
	case *Or:
		for _, a := range e.Args {
			if RulesHold(a, matched) {
				return true
			}
		}
		return false
	}
	return false
}

// Args returns the arguments of an And or Or, nil for other nodes.
func Args(e Expr) []Expr {
	switch e := e.(type) {
	case *And:
		return e.Args
	case *Or:
		return e.Args
	}
	return nil
}
