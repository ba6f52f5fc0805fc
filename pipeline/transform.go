package pipeline

import (
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// rewrite rebuilds a match tree bottom-up. f returns the replacement for a
// match (nil drops it; the match itself keeps it). A container left empty
// by drops is dropped too, so that dropping never turns into a constant
// true or false silently. The input tree is never modified: a subtree in
// which nothing changed is returned as is and shared by the old and the
// new tree, so a transformation that touches nothing allocates nothing.
func rewrite(e ir.Expr, f func(*ir.Match) (ir.Expr, error)) (ir.Expr, error) {
	switch e := e.(type) {
	case *ir.Match:
		return f(e)
	case *ir.Not:
		arg, err := rewrite(e.Arg, f)
		if err != nil || arg == nil {
			return nil, err
		}
		if arg == e.Arg {
			return e, nil
		}
		return &ir.Not{Arg: arg}, nil
	case *ir.And:
		args, same, err := rewriteAll(e.Args, f)
		if err != nil || len(args) == 0 {
			return nil, err
		}
		if same {
			return e, nil
		}
		return &ir.And{Args: args}, nil
	case *ir.Or:
		args, same, err := rewriteAll(e.Args, f)
		if err != nil || len(args) == 0 {
			return nil, err
		}
		if same {
			return e, nil
		}
		return &ir.Or{Args: args}, nil
	}
	return e, nil
}

// rewriteAll rewrites a list of arguments. same reports that every
// argument came back unchanged; args is then the input slice itself, and
// a new slice is allocated only from the first change on.
func rewriteAll(in []ir.Expr, f func(*ir.Match) (ir.Expr, error)) (args []ir.Expr, same bool, err error) {
	var out []ir.Expr // nil while every argument so far is unchanged
	for i, a := range in {
		b, err := rewrite(a, f)
		if err != nil {
			return nil, false, err
		}
		if out == nil {
			if b == a {
				continue
			}
			out = make([]ir.Expr, i, len(in))
			copy(out, in[:i])
		}
		if b != nil {
			out = append(out, b)
		}
	}
	if out == nil {
		return in, true, nil
	}
	return out, false, nil
}

// rewriteQueries applies f to every match of every query of r. A query
// emptied by drops is an error: converting it would silently match
// everything or nothing. When f changes nothing, r itself is returned
// (transformations return their input unchanged rather than a copy; the
// input is never modified either way).
func rewriteQueries(r *ir.Rule, f func(*ir.Match) (ir.Expr, error)) (*ir.Rule, error) {
	var out *ir.Rule // cloned at the first query that changes
	for i, q := range r.Queries {
		nq, err := rewrite(q, f)
		if err != nil {
			return nil, err
		}
		if nq == nil {
			return nil, ruleError(r, r.Source.Detection.Pos, "every detection item of condition %d was dropped by the pipeline; nothing is left to convert", i+1)
		}
		if nq == q {
			continue
		}
		if out == nil {
			out = shallow(r)
			out.Queries = slices.Clone(r.Queries) // written below
		}
		out.Queries[i] = nq
	}
	if out == nil {
		return r, nil
	}
	return out, nil
}

// shallow returns a copy of r that shares r's slices and State map. The
// slices are clipped to their length, so appending to the copy's slices
// allocates instead of writing into r's arrays; a transformation replaces
// (never writes into) what it changes. This is what keeps items that
// touch one attribute (a table, a filter) from copying the whole rule.
func shallow(r *ir.Rule) *ir.Rule {
	c := *r
	c.Queries = slices.Clip(c.Queries)
	c.Filters = slices.Clip(c.Filters)
	c.Fields = slices.Clip(c.Fields)
	c.Pipelines = slices.Clip(c.Pipelines)
	return &c
}

// withFields returns r with its output fields replaced, when they changed.
func withFields(r *ir.Rule, fields []string, changed bool) *ir.Rule {
	if !changed {
		return r
	}
	out := shallow(r)
	out.Fields = fields
	return out
}

// FieldNameMapping renames fields one-to-one or one-to-many (the
// alternatives are OR-ed). It also maps the rule's output fields.
type FieldNameMapping struct {
	Mapping map[string][]string
	Order   []string // keys in document order, for deterministic output
}

// Apply implements Transformation.
func (t *FieldNameMapping) Apply(s *State, it *Item, r *ir.Rule) (*ir.Rule, error) {
	pool := matchPool{rule: r}
	out, err := rewriteQueries(r, func(m *ir.Match) (ir.Expr, error) {
		targets, ok := t.Mapping[m.Field]
		if !ok || m.Field == "" || !it.selectsField(m.Field) {
			return m, nil
		}
		if len(targets) == 1 { // the common case, without a slice of one
			s.mapped[targets[0]] = true
			return pool.match(targets[0], mapFieldRef(m.Value, t.Mapping), m.Pos), nil
		}
		alts := make([]ir.Expr, len(targets))
		for i, f := range targets {
			s.mapped[f] = true
			alts[i] = pool.match(f, mapFieldRef(m.Value, t.Mapping), m.Pos)
		}
		return &ir.Or{Args: alts}, nil
	})
	if err != nil {
		return nil, err
	}
	fields, changed := mapOutputFields(out.Fields, func(f string) []string {
		if targets, ok := t.Mapping[f]; ok && it.selectsField(f) {
			for _, g := range targets {
				s.mapped[g] = true
			}
			return targets
		}
		return nil
	})
	return withFields(out, fields, changed), nil
}

// matchPool hands out the new Match nodes of one rewrite from arrays
// sized for the rule's leaves: a field mapping renames most leaves, and a
// node each was the pipelines' largest share of allocations.
type matchPool struct {
	rule *ir.Rule
	free []ir.Match
}

func (p *matchPool) match(field string, v sigma.Value, pos sigma.Pos) *ir.Match {
	if len(p.free) == 0 {
		n := 0
		for _, q := range p.rule.Queries {
			ir.Inspect(q, func(*ir.Match) bool { n++; return true })
		}
		p.free = make([]ir.Match, max(n, 1))
	}
	m := &p.free[0]
	p.free = p.free[1:]
	*m = ir.Match{Field: field, Value: v, Pos: pos}
	return m
}

// mapFieldRef maps the referenced field of a fieldref value too; a
// one-to-many mapping of the referenced field cannot be expressed and is
// left for the backend to refuse (it still names the original field).
func mapFieldRef(v sigma.Value, mapping map[string][]string) sigma.Value {
	if fr, ok := v.(sigma.FieldRef); ok {
		if t := mapping[fr.Field]; len(t) == 1 {
			fr.Field = t[0]
			return fr
		}
	}
	return v
}

// mapOutputFields maps the output field list, keeping order and dropping
// duplicates a one-to-many mapping may create. changed is false when the
// result equals the input (nothing mapped, no duplicate), so the caller
// can keep the rule it has.
func mapOutputFields(fields []string, f func(string) []string) (out []string, changed bool) {
	if len(fields) == 0 {
		return nil, false
	}
	seen := make(map[string]bool, len(fields))
	for _, name := range fields {
		targets := f(name)
		if targets == nil {
			if seen[name] {
				changed = true
				continue
			}
			seen[name] = true
			out = append(out, name)
			continue
		}
		changed = true
		for _, t := range targets {
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	return out, changed
}

// FieldNamePrefixMapping replaces a field-name prefix.
type FieldNamePrefixMapping struct {
	Prefixes     []string // in document order; the first match wins
	Replacements []string
}

func (t *FieldNamePrefixMapping) mapName(f string) (string, bool) {
	for i, p := range t.Prefixes {
		if strings.HasPrefix(f, p) {
			return t.Replacements[i] + strings.TrimPrefix(f, p), true
		}
	}
	return f, false
}

// Apply implements Transformation.
func (t *FieldNamePrefixMapping) Apply(s *State, it *Item, r *ir.Rule) (*ir.Rule, error) {
	out, err := rewriteQueries(r, func(m *ir.Match) (ir.Expr, error) {
		if m.Field == "" || !it.selectsField(m.Field) {
			return m, nil
		}
		if f, ok := t.mapName(m.Field); ok {
			s.mapped[f] = true
			return &ir.Match{Field: f, Value: m.Value, Pos: m.Pos}, nil
		}
		return m, nil
	})
	if err != nil {
		return nil, err
	}
	fields, changed := mapOutputFields(out.Fields, func(f string) []string {
		if g, ok := t.mapName(f); ok && it.selectsField(f) {
			s.mapped[g] = true
			return []string{g}
		}
		return nil
	})
	return withFields(out, fields, changed), nil
}

// AddCondition ANDs field conditions before every query (in ir.Rule.Filters,
// in the order added). Values are Sigma strings (wildcards and escapes as in
// rules), numbers or booleans; with Raw they are target-native tokens such
// as ENUM.PROCESS, which must look like identifiers.
type AddCondition struct {
	Fields  []string
	Values  [][]sigma.Value // per field; several values are OR-ed
	Negated bool

	// filters are the conditions Apply appends, built once when the item
	// is loaded (the trees are read only, so every rule shares them); nil
	// for an AddCondition built by hand, which Apply builds per rule.
	// Change a loaded one by loading or building a new one.
	filters []ir.Expr
}

// Apply implements Transformation.
func (t *AddCondition) Apply(s *State, it *Item, r *ir.Rule) (*ir.Rule, error) {
	out := shallow(r) // Filters is appended to; shallow clipped it
	filters := t.filters
	if filters == nil {
		filters = t.build()
	}
	out.Filters = append(out.Filters, filters...)
	return out, nil
}

// build returns the conditions: one per field (its values OR-ed), or,
// negated, one "not" over their AND.
func (t *AddCondition) build() []ir.Expr {
	var args []ir.Expr
	for i, f := range t.Fields {
		var alts []ir.Expr
		for _, v := range t.Values[i] {
			alts = append(alts, &ir.Match{Field: f, Value: v})
		}
		if len(alts) == 1 {
			args = append(args, alts[0])
		} else {
			args = append(args, &ir.Or{Args: alts})
		}
	}
	if t.Negated {
		var e ir.Expr = &ir.And{Args: args}
		if len(args) == 1 {
			e = args[0]
		}
		return []ir.Expr{&ir.Not{Arg: e}}
	}
	return args
}

// ChangeLogsource replaces logsource attributes for later items.
type ChangeLogsource struct{ Category, Product, Service string }

// Apply implements Transformation.
func (t *ChangeLogsource) Apply(s *State, it *Item, r *ir.Rule) (*ir.Rule, error) {
	out := shallow(r)
	ls := out.LogSource
	if t.Category != "" {
		ls.Category = t.Category
	}
	if t.Product != "" {
		ls.Product = t.Product
	}
	if t.Service != "" {
		ls.Service = t.Service
	}
	out.LogSource = ls
	return out, nil
}

// RuleFailure stops the conversion of the rules it applies to.
type RuleFailure struct{ Message string }

// Apply implements Transformation.
func (t *RuleFailure) Apply(s *State, it *Item, r *ir.Rule) (*ir.Rule, error) {
	return nil, withReason(ruleError(r, r.Source.LogSource.Pos, "%s (logsource %s; pipeline %s)", t.Message, describeLogsource(r.LogSource), s.Pipeline.Name), sigma.ReasonLogsource)
}

// DetectionItemFailure stops the conversion of a rule that has a detection
// item on a selected field.
type DetectionItemFailure struct{ Message string }

// Apply implements Transformation.
func (t *DetectionItemFailure) Apply(s *State, it *Item, r *ir.Rule) (*ir.Rule, error) {
	return rewriteQueries(r, func(m *ir.Match) (ir.Expr, error) {
		if m.Field != "" && it.selectsField(m.Field) {
			return nil, withReason(ruleError(r, m.Pos, "%s (field %q; pipeline %s)", t.Message, m.Field, s.Pipeline.Name), sigma.ReasonField)
		}
		return m, nil
	})
}

// FailUnmappedFields (a sigconv extension) stops a rule that uses a field
// no earlier field mapping produced, unless the field is listed in Allow.
// It is how a target says "these are all the fields I know" without
// repeating its mapping.
type FailUnmappedFields struct {
	Message string
	Allow   map[string]bool
}

// Apply implements Transformation.
func (t *FailUnmappedFields) Apply(s *State, it *Item, r *ir.Rule) (*ir.Rule, error) {
	return rewriteQueries(r, func(m *ir.Match) (ir.Expr, error) {
		if m.Field == "" || s.mapped[m.Field] || t.Allow[m.Field] || !it.selectsField(m.Field) {
			return m, nil
		}
		return nil, withReason(ruleError(r, m.Pos, "%s: field %q has no mapping for logsource %s (pipeline %s)", t.Message, m.Field, describeLogsource(r.LogSource), s.Pipeline.Name), sigma.ReasonField)
	})
}

// DropDetectionItem removes the detection items on selected fields.
type DropDetectionItem struct{}

// Apply implements Transformation.
func (t *DropDetectionItem) Apply(s *State, it *Item, r *ir.Rule) (*ir.Rule, error) {
	return rewriteQueries(r, func(m *ir.Match) (ir.Expr, error) {
		if m.Field != "" && it.selectsField(m.Field) {
			return nil, nil
		}
		return m, nil
	})
}

// SetTable (a sigconv extension) selects the dataset, table or index.
type SetTable struct{ Table string }

// Apply implements Transformation.
func (t *SetTable) Apply(s *State, it *Item, r *ir.Rule) (*ir.Rule, error) {
	out := shallow(r)
	out.Table = t.Table
	return out, nil
}

// SetState stores a key/value for the backend (pySigma's set_state).
// Backends declare the keys they read (backends.StateReader), so a key
// no target reads is refused when the pipeline meets a target.
type SetState struct {
	Key, Value       string
	KeyPos, ValuePos sigma.Pos // where key and val are written, for messages
}

// Apply implements Transformation.
func (t *SetState) Apply(s *State, it *Item, r *ir.Rule) (*ir.Rule, error) {
	out := shallow(r)
	if s.ownsState(r.State) {
		// A map an earlier set_state of this Apply call made: only the
		// rules built since then share it, and none of them is kept.
		out.State[t.Key] = t.Value
		return out, nil
	}
	// The map is shared with r: write into a copy, which this call owns.
	out.State = make(map[string]string, len(r.State)+4)
	maps.Copy(out.State, r.State)
	out.State[t.Key] = t.Value
	s.state = out.State
	return out, nil
}

// ReplaceString replaces a regexp in the literal parts of string values.
// It works on the decoded parts and never re-parses a rendered string, so
// wildcards and escapes cannot change meaning.
type ReplaceString struct {
	Regexp      *regexp.Regexp
	Replacement string
}

// Apply implements Transformation.
func (t *ReplaceString) Apply(s *State, it *Item, r *ir.Rule) (*ir.Rule, error) {
	return rewriteQueries(r, func(m *ir.Match) (ir.Expr, error) {
		str, ok := m.Value.(sigma.String)
		if !ok || !it.selectsField(m.Field) {
			return m, nil
		}
		parts := make([]sigma.Part, len(str.Parts))
		for i, p := range str.Parts {
			if p.Kind == sigma.Literal {
				p.Text = t.Regexp.ReplaceAllString(p.Text, t.Replacement)
			}
			parts[i] = p
		}
		return &ir.Match{Field: m.Field, Value: sigma.String{Parts: parts, Cased: str.Cased}, Pos: m.Pos}, nil
	})
}

// ValuePlaceholders replaces %name% placeholders (expand modifier) with
// the pipeline's vars. Each variable value is read as a Sigma string, so
// wildcards in it work; several values become an OR of matches.
type ValuePlaceholders struct {
	Include, Exclude map[string]bool
}

func (t *ValuePlaceholders) selects(name string) bool {
	if len(t.Include) > 0 && !t.Include[name] {
		return false
	}
	return !t.Exclude[name]
}

// Apply implements Transformation.
func (t *ValuePlaceholders) Apply(s *State, it *Item, r *ir.Rule) (*ir.Rule, error) {
	return rewriteQueries(r, func(m *ir.Match) (ir.Expr, error) {
		str, ok := m.Value.(sigma.String)
		if !ok || !str.HasPlaceholders() || !it.selectsField(m.Field) {
			return m, nil
		}
		variants := []sigma.String{{Cased: str.Cased}}
		for _, p := range str.Parts {
			if p.Kind != sigma.Placeholder || !t.selects(p.Text) {
				variants = appendPart(variants, []sigma.Part{p})
				continue
			}
			vals, ok := s.Vars[p.Text]
			if !ok {
				return nil, ruleError(r, m.Pos, "placeholder %%%s%% has no value in the pipeline's vars (pipeline %s)", p.Text, s.Pipeline.Name)
			}
			variants = expandVariants(variants, vals)
		}
		alts := make([]ir.Expr, len(variants))
		for i, v := range variants {
			alts[i] = &ir.Match{Field: m.Field, Value: v, Pos: m.Pos}
		}
		if len(alts) == 1 {
			return alts[0], nil
		}
		return &ir.Or{Args: alts}, nil
	})
}

func appendPart(vs []sigma.String, parts []sigma.Part) []sigma.String {
	out := make([]sigma.String, len(vs))
	for i, v := range vs {
		v.Parts = append(append([]sigma.Part(nil), v.Parts...), parts...)
		out[i] = v
	}
	return out
}

func expandVariants(vs []sigma.String, vals []string) []sigma.String {
	var out []sigma.String
	for _, v := range vs {
		for _, val := range vals {
			for _, w := range appendPart([]sigma.String{v}, sigma.ParseString(val).Parts) {
				out = append(out, w.Normalize())
			}
		}
	}
	return out
}

// OutputFieldMapping (a sigconv extension) renames entries of the rule's
// output field list only, never detection fields. Targets use it where
// the column worth showing differs from the one to match on (e.g. the hunt
// shows the actor's user while detections match the new process's user),
// and for output-only names such as Timestamp.
type OutputFieldMapping struct {
	Mapping map[string][]string
}

// Apply implements Transformation.
func (t *OutputFieldMapping) Apply(s *State, it *Item, r *ir.Rule) (*ir.Rule, error) {
	fields, changed := mapOutputFields(r.Fields, func(f string) []string {
		if targets, ok := t.Mapping[f]; ok && it.selectsField(f) {
			return targets
		}
		return nil
	})
	return withFields(r, fields, changed), nil
}

func withReason(err error, r sigma.Reason) error {
	if d, ok := err.(*sigma.Diagnostic); ok {
		return d.WithReason(r)
	}
	return err
}
