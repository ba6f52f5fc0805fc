package backends

import (
	"strings"

	"github.com/sigconv/sigconv/ir"
)

// RuleConditionTokens spell a correlation's lowered rule-name condition
// (Correlation.RuleCondition) in a target: how a rule that matched in the
// window reads, and the boolean operators.
type RuleConditionTokens struct {
	Target string // names the target in messages, e.g. "kql"
	And    string // e.g. " and "
	Or     string // e.g. " or "
	Not    func(x string) string
	// Matched writes "rule i matched in the window".
	Matched func(rule int) (string, error)
}

// RuleConditionText writes a lowered rule-name condition with the
// target's tokens. Every operator is parenthesized, so the target's
// precedence never matters.
func RuleConditionText(c *Correlation, e ir.Expr, tok RuleConditionTokens) (string, error) {
	switch e := e.(type) {
	case *ir.RuleMatched:
		return tok.Matched(e.Rule)
	case *ir.Not:
		x, err := RuleConditionText(c, e.Arg, tok)
		return tok.Not(x), err
	case *ir.And, *ir.Or:
		op := tok.And
		if _, or := e.(*ir.Or); or {
			op = tok.Or
		}
		var parts []string
		for _, a := range ir.Args(e) {
			x, err := RuleConditionText(c, a, tok)
			if err != nil {
				return "", err
			}
			parts = append(parts, x)
		}
		return "(" + strings.Join(parts, op) + ")", nil
	}
	return "", c.Fail(c.Source.ConditionPos, "%s: condition %s is not supported for a correlation", tok.Target, ir.Format(e))
}
