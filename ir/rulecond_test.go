package ir_test

import (
	"testing"

	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// A condition over rule names lowers to And/Or/Not over RuleMatched leaves
// that index the correlation's rules, and evaluates as written.
func TestLowerRuleCondition(t *testing.T) {
	f := sigma.ParseFile("c.yml", []byte("title: c\ncorrelation:\n    type: temporal\n    rules: [a, b, c]\n    group-by: [h]\n    timespan: 5m\n    condition: a and not (b or c)\n"))
	corr := f.Documents[0].(*sigma.Correlation)
	e, err := ir.LowerRuleCondition(corr)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ir.Format(e), "and(rule a, not(or(rule b, rule c)))"; got != want {
		t.Errorf("Format = %s, want %s", got, want)
	}
	for _, tc := range []struct {
		set  [3]bool
		want bool
	}{{[3]bool{true, false, false}, true}, {[3]bool{true, true, false}, false}, {[3]bool{false, false, false}, false}, {[3]bool{true, false, true}, false}} {
		if got := ir.RulesHold(e, func(i int) bool { return tc.set[i] }); got != tc.want {
			t.Errorf("%v: %v, want %v", tc.set, got, tc.want)
		}
	}
	numeric := sigma.ParseFile("n.yml", []byte("title: n\ncorrelation:\n    type: temporal\n    rules: [a, b]\n    group-by: [h]\n    timespan: 5m\n    condition: {gte: 2}\n")).Documents[0].(*sigma.Correlation)
	if e, err := ir.LowerRuleCondition(numeric); e != nil || err != nil {
		t.Errorf("numeric condition lowered to %v, %v", e, err)
	}
}
