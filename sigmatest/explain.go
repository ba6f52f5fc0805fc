package sigmatest

import (
	"fmt"
	"strings"

	"github.com/sigconv/sigconv/eval"
	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// explain says, for an event case that failed, which search identifiers
// of the rule are true and which false for the event, so a rule author
// sees which part of the condition decided, e.g.
//
//	search identifiers true: selection; false: filter_main
//
// It adds when the condition holds but a filter rejects the event.
func explain(r *sigma.Rule, m *eval.Matcher, ev eval.Event, opt eval.Options) string {
	var yes, no, bad []string
	for _, s := range r.Detection.Searches {
		ok, err := eval.Eval(ir.Search(s), ev, r.File, opt)
		switch {
		case err != nil:
			bad = append(bad, fmt.Sprintf("%s (%v)", s.Name, err))
		case ok:
			yes = append(yes, s.Name)
		default:
			no = append(no, s.Name)
		}
	}
	list := func(names []string) string {
		if len(names) == 0 {
			return "none"
		}
		return strings.Join(names, ", ")
	}
	out := fmt.Sprintf("search identifiers true: %s; false: %s", list(yes), list(no))
	if len(bad) > 0 {
		out += "; not evaluable: " + strings.Join(bad, ", ")
	}
	condition := false
	for _, c := range m.Conditions(ev) {
		condition = condition || c
	}
	if condition && !m.Match(ev) {
		out += "; the condition holds but a filter rejects the event"
	}
	return out
}
