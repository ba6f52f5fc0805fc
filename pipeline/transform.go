package pipeline

import (
	"regexp"
	"strings"

	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// rewrite rebuilds a match tree bottom-up. f returns the replacement for a
// match (nil drops it). A container left empty by drops is dropped too, so
// that dropping never turns into a constant true or false silently. The
// input tree is never modified.
func rewrite(e ir.Expr, f func(*ir.Match) (ir.Expr, error)) (ir.Expr, error) {
	switch e := e.(type) {
	case *ir.Match:
		return f(e)
	case *ir.Not:
		arg, err := rewrite(e.Arg, f)
		if err != nil || arg == nil {
			return nil, err
		}
		return &ir.Not{Arg: arg}, nil
	case *ir.And:
		args, err := rewriteAll(e.Args, f)
		if err != nil || len(args) == 0 {
			return nil, err
		}
		return &ir.And{Args: args}, nil
	case *ir.Or:
		args, err := rewriteAll(e.Args, f)
		if err != nil || len(args) == 0 {
			return nil, err
		}
		return &ir.Or{Args: args}, nil
	}
	return e, nil
}

func rewriteAll(in []ir.Expr, f func(*ir.Match) (ir.Expr, error)) ([]ir.Expr, error) {
	out := make([]ir.Expr, 0, len(in))
	for _, a := range in {
		b, err := rewrite(a, f)
		if err != nil {
			return nil, err
		}
		if b != nil {
			out = append(out, b)
		}
	}
	return out, nil
}

// rewriteQueries applies f to every match of every query of a copy of r.
// A query emptied by drops is an error: converting it would silently
// match everything or nothing.
func rewriteQueries(r *ir.Rule, f func(*ir.Match) (ir.Expr, error)) (*ir.Rule, error) {
	out := r.Clone()
	for i, q := range out.Queries {
		nq, err := rewrite(q, f)
		if err != nil {
			return nil, err
		}
		if nq == nil {
			return nil, ruleError(r, r.Source.Detection.Pos, "every detection item of condition %d was dropped by the pipeline; nothing is left to convert", i+1)
		}
		out.Queries[i] = nq
	}
	return out, nil
}

// FieldNameMapping renames fields one-to-one or one-to-many (the
// alternatives are OR-ed). It also maps the rule's output fields.
type FieldNameMapping struct {
	Mapping map[string][]string
	Order   []string // keys in document order, for deterministic output
}

// Apply implements Transformation.
func (t *FieldNameMapping) Apply(s *State, it *Item, r *ir.Rule) (*ir.Rule, error) {
	out, err := rewriteQueries(r, func(m *ir.Match) (ir.Expr, error) {
		targets, ok := t.Mapping[m.Field]
		if !ok || m.Field == "" || !it.selectsField(m.Field) {
			return m, nil
		}
		alts := make([]ir.Expr, len(targets))
		for i, f := range targets {
			s.mapped[f] = true
			alts[i] = &ir.Match{Field: f, Value: mapFieldRef(m.Value, t.Mapping), Pos: m.Pos}
		}
		if len(alts) == 1 {
			return alts[0], nil
		}
		return &ir.Or{Args: alts}, nil
	})
	if err != nil {
		return nil, err
	}
	out.Fields = mapOutputFields(out.Fields, func(f string) []string {
		if targets, ok := t.Mapping[f]; ok && it.selectsField(f) {
			for _, g := range targets {
				s.mapped[g] = true
			}
			return targets
		}
		return nil
	})
	return out, nil
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
// duplicates a one-to-many mapping may create.
func mapOutputFields(fields []string, f func(string) []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, name := range fields {
		targets := f(name)
		if targets == nil {
			targets = []string{name}
		}
		for _, t := range targets {
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	return out
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
	out.Fields = mapOutputFields(out.Fields, func(f string) []string {
		if g, ok := t.mapName(f); ok && it.selectsField(f) {
			s.mapped[g] = true
			return []string{g}
		}
		return nil
	})
	return out, nil
}

// AddCondition ANDs field conditions before every query (in ir.Rule.Filters,
// in the order added). Values are Sigma strings (wildcards and escapes as in
// rules), numbers or booleans; with Raw they are target-native tokens such
// as ENUM.PROCESS, which must look like identifiers.
type AddCondition struct {
	Fields  []string
	Values  [][]sigma.Value // per field; several values are OR-ed
	Negated bool
}

// Apply implements Transformation.
func (t *AddCondition) Apply(s *State, it *Item, r *ir.Rule) (*ir.Rule, error) {
	out := r.Clone()
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
		out.Filters = append(out.Filters, &ir.Not{Arg: e})
		return out, nil
	}
	out.Filters = append(out.Filters, args...)
	return out, nil
}

// ChangeLogsource replaces logsource attributes for later items.
type ChangeLogsource struct{ Category, Product, Service string }

// Apply implements Transformation.
func (t *ChangeLogsource) Apply(s *State, it *Item, r *ir.Rule) (*ir.Rule, error) {
	out := r.Clone()
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
	out := r.Clone()
	out.Table = t.Table
	return out, nil
}

// SetState stores a key/value for the backend (pySigma's set_state).
type SetState struct{ Key, Value string }

// Apply implements Transformation.
func (t *SetState) Apply(s *State, it *Item, r *ir.Rule) (*ir.Rule, error) {
	out := r.Clone()
	out.State[t.Key] = t.Value
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
	out := r.Clone()
	out.Fields = mapOutputFields(out.Fields, func(f string) []string {
		if targets, ok := t.Mapping[f]; ok && it.selectsField(f) {
			return targets
		}
		return nil
	})
	return out, nil
}

func withReason(err error, r sigma.Reason) error {
	if d, ok := err.(*sigma.Diagnostic); ok {
		return d.WithReason(r)
	}
	return err
}
