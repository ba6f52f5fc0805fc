package ir_test

import (
	"strings"
	"testing"

	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

func TestInspectOrderAndStop(t *testing.T) {
	m := func(f string) *ir.Match { return &ir.Match{Field: f, Value: sigma.Plain("v")} }
	e := &ir.And{Args: []ir.Expr{m("a"), &ir.Not{Arg: &ir.Or{Args: []ir.Expr{m("b"), m("c")}}}, m("d")}}
	var seen []string
	ir.Inspect(e, func(x *ir.Match) bool { seen = append(seen, x.Field); return true })
	if got := strings.Join(seen, ","); got != "a,b,c,d" {
		t.Errorf("order = %s", got)
	}
	seen = nil
	ir.Inspect(e, func(x *ir.Match) bool { seen = append(seen, x.Field); return x.Field != "b" })
	if got := strings.Join(seen, ","); got != "a,b" {
		t.Errorf("stop = %s", got)
	}
}
