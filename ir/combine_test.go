package ir

import (
	"testing"

	"github.com/sigconv/sigconv/sigma"
)

func m(field, value string) *Match { return &Match{Field: field, Value: sigma.ParseString(value)} }

func TestCombinedFoldsFiltersFirst(t *testing.T) {
	f1, f2 := m("os", "windows"), m("tenant", "acme")
	r := &Rule{Queries: []Expr{m("a", "1"), &And{Args: []Expr{m("b", "2"), m("c", "3")}}}, Filters: []Expr{f1, f2}}
	c := r.Combined()
	if len(c.Filters) != 0 {
		t.Errorf("filters left after Combined: %d", len(c.Filters))
	}
	for i, want := range []string{
		`and(os=windows, tenant=acme, a=1)`,
		`and(os=windows, tenant=acme, b=2, c=3)`,
	} {
		if got := Format(c.Queries[i]); got != want {
			t.Errorf("query %d = %s, want %s", i, got, want)
		}
	}
	if len(r.Filters) != 2 || Format(r.Queries[0]) != `a=1` {
		t.Error("Combined modified its input")
	}
	if plain := (&Rule{Queries: []Expr{m("a", "1")}}); plain.Combined() != plain {
		t.Error("a rule without filters should come back as is")
	}
}

func TestAnyOfFactorsSharedConditions(t *testing.T) {
	f := m("os", "windows")
	r := (&Rule{Queries: []Expr{m("a", "1"), &And{Args: []Expr{m("b", "2"), m("c", "3")}}}, Filters: []Expr{f}}).Combined()
	if got, want := Format(AnyOf(r.Queries)), `and(os=windows, or(a=1, and(b=2, c=3)))`; got != want {
		t.Errorf("AnyOf = %s, want %s", got, want)
	}
	// Equal-looking but distinct nodes are not factored: only the
	// pipeline's shared conditions are.
	q := []Expr{&And{Args: []Expr{m("x", "1"), m("a", "1")}}, &And{Args: []Expr{m("x", "1"), m("b", "1")}}}
	if got, want := Format(AnyOf(q)), `or(and(x=1, a=1), and(x=1, b=1))`; got != want {
		t.Errorf("AnyOf = %s, want %s", got, want)
	}
	// Each query keeps at least one conjunct of its own.
	same := []Expr{&And{Args: []Expr{f, m("a", "1")}}, &And{Args: []Expr{f}}}
	if got, want := Format(AnyOf(same)), `or(and(os=windows, a=1), and(os=windows))`; got != want {
		t.Errorf("AnyOf = %s, want %s (no factoring)", got, want)
	}
	if got := Format(AnyOf([]Expr{m("a", "1")})); got != `a=1` {
		t.Errorf("AnyOf of one query = %s", got)
	}
}
