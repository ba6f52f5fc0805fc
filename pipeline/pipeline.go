// Package pipeline implements processing pipelines: ordered, conditional
// transformations that adapt a lowered rule (ir.Rule) to a target's data:
// field-name mapping, logsource → table/dataset selection and added
// conditions, placeholder values, and failures for what a target cannot
// serve. Pipelines are data (YAML, in the pySigma format plus a few
// sigconv extensions) and are applied as pure functions: Apply never
// mutates its input rule.
package pipeline

import (
	"fmt"
	"reflect"
	"sort"

	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// Pipeline is a named, prioritized list of processing items.
type Pipeline struct {
	Name     string
	Priority int // lower runs first; pySigma convention: 10 logsource, 50 backend
	Items    []*Item
	Vars     map[string][]string // placeholder values
	// AllowedBackends, when not empty, names the only targets it is for.
	AllowedBackends []string
	// Kind (sigconv) says what the pipeline chooses the query to read, e.g.
	// "data model" or "log source mapping". Two pipelines that declare a
	// kind cannot be stacked: each picks the data on its own, and their
	// mix reads neither (a tstats search with EventCode=1).
	Kind string
	File string // where it was loaded from, for messages
}

// Item is one transformation with the conditions that select the rules
// and fields it applies to.
type Item struct {
	ID             string
	Pos            sigma.Pos
	Transformation Transformation

	RuleConds   []RuleCondition
	RuleCondOr  bool // rule_cond_op: or
	RuleCondNot bool // rule_cond_not: true

	FieldConds   []FieldCondition
	FieldCondOr  bool
	FieldCondNot bool
}

// appliesTo reports whether the item's rule conditions select the rule.
func (it *Item) appliesTo(r *ir.Rule) bool {
	if len(it.RuleConds) == 0 {
		return !it.RuleCondNot
	}
	match := !it.RuleCondOr
	for _, c := range it.RuleConds {
		ok := c.Match(r)
		if it.RuleCondOr && ok {
			match = true
			break
		}
		if !it.RuleCondOr && !ok {
			match = false
			break
		}
	}
	return match != it.RuleCondNot
}

// selectsField reports whether the item's field conditions select a field.
func (it *Item) selectsField(field string) bool {
	if len(it.FieldConds) == 0 {
		return !it.FieldCondNot
	}
	match := !it.FieldCondOr
	for _, c := range it.FieldConds {
		ok := c.Match(field)
		if it.FieldCondOr && ok {
			match = true
			break
		}
		if !it.FieldCondOr && !ok {
			match = false
			break
		}
	}
	return match != it.FieldCondNot
}

// Transformation changes a rule. Implementations must not mutate their
// input, nor any tree or slice it shares: they return a new rule (a copy
// with the changed attributes replaced, trees rebuilt along the changed
// paths only), or the input itself when they change nothing.
type Transformation interface {
	Apply(s *State, it *Item, r *ir.Rule) (*ir.Rule, error)
}

// State is the per-conversion scratch space shared by the items of the
// pipelines applied to one rule. It never outlives one Apply call.
type State struct {
	Pipeline *Pipeline
	Vars     map[string][]string
	// mapped records the fields that a field-name mapping produced, so
	// that a later fail_unmapped_fields item can tell them apart.
	mapped map[string]bool
	// state is the rule State map a set_state item made in this Apply
	// call: later set_state items write into it instead of copying it
	// again (the input rule's map is never written).
	state map[string]string
}

// ownsState reports whether m is the State map this Apply call made.
// Maps have no ==; their identity is the pointer reflect reports.
func (s *State) ownsState(m map[string]string) bool {
	return s.state != nil && m != nil && reflect.ValueOf(m).UnsafePointer() == reflect.ValueOf(s.state).UnsafePointer()
}

// Combine merges pipelines into one sequence ordered by priority (stable,
// so equal priorities keep the order given). It is the only way pipelines
// are combined.
func Combine(ps ...*Pipeline) []*Pipeline {
	out := append([]*Pipeline(nil), ps...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Priority < out[j].Priority })
	return out
}

// Apply runs the pipelines (already combined) on a rule and returns the
// transformed copy.
func Apply(ps []*Pipeline, r *ir.Rule) (*ir.Rule, error) {
	out := shallow(r)
	if len(out.Pipelines) == 0 && out.Source != nil {
		out.LogSource = out.Source.LogSource
		if len(out.Fields) == 0 {
			out.Fields = append([]string(nil), out.Source.Fields...)
		}
	}
	st := &State{Vars: map[string][]string{}, mapped: map[string]bool{}}
	for _, p := range ps {
		for k, v := range p.Vars {
			st.Vars[k] = v
		}
	}
	for _, p := range ps {
		st.Pipeline = p
		for _, it := range p.Items {
			if !it.appliesTo(out) {
				continue
			}
			next, err := it.Transformation.Apply(st, it, out)
			if err != nil {
				return nil, err
			}
			out = next
		}
		out.Pipelines = append(out.Pipelines, p.Name)
	}
	return out, nil
}

// ruleError builds a diagnostic about the rule at pos.
func ruleError(r *ir.Rule, pos sigma.Pos, format string, args ...any) error {
	file := ""
	if r.Source != nil {
		file = r.Source.File
		if !pos.IsValid() {
			pos = r.Source.Pos
		}
	}
	return sigma.Errorf(file, pos, format, args...)
}

// describeLogsource prints a logsource as "category=x product=y".
func describeLogsource(ls sigma.LogSource) string {
	s := ""
	add := func(k, v string) {
		if v != "" {
			if s != "" {
				s += " "
			}
			s += k + "=" + v
		}
	}
	add("category", ls.Category)
	add("product", ls.Product)
	add("service", ls.Service)
	if s == "" {
		return "(empty)"
	}
	return s
}

func (p *Pipeline) String() string { return fmt.Sprintf("%s (priority %d)", p.Name, p.Priority) }

// MapField tells what a field of a rule becomes under the pipelines, for
// fields a correlation names (group-by, aliases, value fields). It runs the
// pipelines on a copy of the rule whose only detection item is "field
// exists", so every mapping and failure item applies exactly as it would
// to a detection on that field. A one-to-many mapping is an error: an
// aggregation needs one column.
func MapField(ps []*Pipeline, r *ir.Rule, field string, pos sigma.Pos) (string, error) {
	probe := r.Clone()
	probe.Queries = []ir.Expr{&ir.Match{Field: field, Value: sigma.Exists{Value: true}, Pos: pos}}
	probe.Fields = nil
	out, err := Apply(ps, probe)
	if err != nil {
		return "", err
	}
	m, ok := out.Queries[0].(*ir.Match)
	if !ok {
		return "", ruleError(r, pos, "field %q maps to several fields; a correlation needs exactly one", field)
	}
	return m.Field, nil
}
