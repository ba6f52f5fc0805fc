// Package sigmago adapts between sigma-go's rule type
// (github.com/bradleyjkemp/sigma-go, the matcher many Go shops already
// run) and this project's model, so content can move between the two and
// the two matchers can be compared on the rules both can express. It is
// its own package so that sigma-go stays out of the sigconv binary.
package sigmago

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	sgo "github.com/bradleyjkemp/sigma-go"
	"gopkg.in/yaml.v3"

	"github.com/sigconv/sigconv/sigma"
	"github.com/sigconv/sigconv/sigma/cond"
)

// ErrNotExpressible wraps the reasons To refuses a rule: sigma-go
// v0.6.6 has no wildcards, escapes, keywords, null, exists, fieldref,
// cased, neq, placeholders or time parts, and one modifier chain per
// field matcher.
var ErrNotExpressible = errors.New("not expressible in sigma-go")

// From converts a sigma-go rule into this project's model. The
// rule's fields are rebuilt as a YAML document and parsed by sigma.ParseFile,
// so every value gets this project's meaning (wildcards, escapes and all
// modifiers), which is the meaning the rule's author wrote in Sigma.
// Positions in the result refer to that rebuilt document, not to the
// original file; name is used as the file name in diagnostics.
// Legacy aggregations ("| count() > 5") have no place in the model and
// are refused.
func From(name string, r sgo.Rule) (*sigma.Rule, error) {
	doc, err := sigmaGoDocument(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	data, err := yaml.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	f := sigma.ParseFile(name, data)
	if err := f.Diags.Err(); err != nil {
		return nil, err
	}
	if len(f.Documents) != 1 {
		return nil, fmt.Errorf("%s: rebuilt document holds %d documents", name, len(f.Documents))
	}
	rule, ok := f.Documents[0].(*sigma.Rule)
	if !ok {
		return nil, fmt.Errorf("%s: rebuilt document is not a detection rule", name)
	}
	return rule, nil
}

// node builds YAML nodes in key order; values come from yaml.v3 so
// strings that look like numbers stay strings.
type mapping struct{ n *yaml.Node }

func newMapping() mapping { return mapping{&yaml.Node{Kind: yaml.MappingNode}} }

func (m mapping) add(key string, v any) error {
	if v == nil {
		return nil
	}
	val, ok := v.(*yaml.Node)
	if !ok {
		val = &yaml.Node{}
		if err := val.Encode(v); err != nil {
			return err
		}
	}
	m.n.Content = append(m.n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, val)
	return nil
}

func (m mapping) addString(key, v string) error {
	if v == "" {
		return nil
	}
	return m.add(key, v)
}

func sigmaGoDocument(r sgo.Rule) (*yaml.Node, error) {
	doc := newMapping()
	var errs []error
	errs = append(errs, doc.addString("title", r.Title), doc.addString("id", r.ID))
	if len(r.Related) > 0 {
		var rel []map[string]string
		for _, x := range r.Related {
			rel = append(rel, map[string]string{"id": x.ID, "type": x.Type})
		}
		errs = append(errs, doc.add("related", rel))
	}
	errs = append(errs, doc.addString("status", r.Status), doc.addString("description", r.Description),
		doc.addString("author", r.Author))
	if len(r.References) > 0 {
		errs = append(errs, doc.add("references", r.References))
	}
	if len(r.Tags) > 0 {
		errs = append(errs, doc.add("tags", r.Tags))
	}
	errs = append(errs, doc.add("logsource", logsourceNode(r.Logsource)))
	det, err := detectionNode(r.Detection)
	errs = append(errs, err, doc.add("detection", det), doc.addString("level", r.Level))
	for _, k := range sortedKeys(r.AdditionalFields) {
		errs = append(errs, doc.add(k, r.AdditionalFields[k]))
	}
	return doc.n, errors.Join(errs...)
}

func logsourceNode(l sgo.Logsource) *yaml.Node {
	m := newMapping()
	m.addString("category", l.Category)
	m.addString("product", l.Product)
	m.addString("service", l.Service)
	m.addString("definition", l.Definition)
	for _, k := range sortedKeys(l.AdditionalFields) {
		m.add(k, l.AdditionalFields[k])
	}
	return m.n
}

func detectionNode(d sgo.Detection) (*yaml.Node, error) {
	m := newMapping()
	names := make([]string, 0, len(d.Searches))
	for n := range d.Searches {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s, err := searchNode(d.Searches[n])
		if err != nil {
			return nil, fmt.Errorf("search %s: %w", n, err)
		}
		m.add(n, s)
	}
	var conds []string
	for _, c := range d.Conditions {
		if c.Aggregation != nil {
			return nil, errors.New("legacy aggregation conditions are not supported (use a correlation rule)")
		}
		text, err := c.MarshalYAML()
		if err != nil {
			return nil, err
		}
		conds = append(conds, fmt.Sprint(text))
	}
	if len(conds) == 1 {
		m.add("condition", conds[0])
	} else {
		m.add("condition", conds)
	}
	return m.n, nil
}

func searchNode(s sgo.Search) (*yaml.Node, error) {
	if s.Keywords != nil {
		n := &yaml.Node{}
		return n, n.Encode(s.Keywords)
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode}
	for _, em := range s.EventMatchers {
		m := newMapping()
		for _, fm := range em {
			key := strings.Join(append([]string{fm.Field}, fm.Modifiers...), "|")
			var v any = fm.Values
			if len(fm.Values) == 1 {
				v = fm.Values[0]
			}
			val := &yaml.Node{}
			if err := val.Encode(v); err != nil {
				return nil, err
			}
			m.n.Content = append(m.n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, val)
		}
		seq.Content = append(seq.Content, m.n)
	}
	if len(seq.Content) == 1 {
		return seq.Content[0], nil
	}
	return seq, nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// To converts a rule of this project's model into a sigma-go rule
// that means the same thing under sigma-go's evaluator, or fails with an
// error wrapping ErrNotExpressible naming the first construct sigma-go
// cannot express. Values are written the way sigma-go reads them:
// literal text (sigma-go does no escape processing) with the
// contains/startswith/endswith modifier for the wildcard shape; "1 of"
// and "all of" are expanded to explicit identifiers, because sigma-go's
// "them" would include names starting with '_'.
func To(r *sigma.Rule) (sgo.Rule, error) {
	out := sgo.Rule{
		Title: r.Title, ID: r.ID, Status: r.Status, Description: r.Description,
		Author: r.Author, Level: r.Level, References: r.References, Tags: r.Tags,
		Logsource: sgo.Logsource{
			Category: r.LogSource.Category, Product: r.LogSource.Product,
			Service: r.LogSource.Service, Definition: r.LogSource.Definition,
		},
	}
	for _, rel := range r.Related {
		out.Related = append(out.Related, sgo.RelatedRule{ID: rel.ID, Type: rel.Type})
	}
	out.Detection.Searches = map[string]sgo.Search{}
	for _, s := range r.Detection.Searches {
		gs, err := toSigmaGoSearch(s)
		if err != nil {
			return sgo.Rule{}, fmt.Errorf("%s: search %s: %w", r.File, s.Name, err)
		}
		out.Detection.Searches[s.Name] = gs
	}
	for _, c := range r.Detection.Conditions {
		text := conditionText(r, c.Expr)
		gc, err := sgo.ParseCondition(text)
		if err != nil {
			return sgo.Rule{}, fmt.Errorf("%s: condition %q: %w: sigma-go cannot parse %q: %v", r.File, c.Text, ErrNotExpressible, text, err)
		}
		out.Detection.Conditions = append(out.Detection.Conditions, gc)
	}
	return out, nil
}

func notExpressible(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotExpressible, fmt.Sprintf(format, args...))
}

func toSigmaGoSearch(s *sigma.Search) (sgo.Search, error) {
	var out sgo.Search
	for _, g := range s.Groups {
		var em sgo.EventMatcher
		for _, it := range g.Items {
			fm, err := toSigmaGoItem(it)
			if err != nil {
				return out, err
			}
			em = append(em, fm)
		}
		out.EventMatchers = append(out.EventMatchers, em)
	}
	return out, nil
}

func toSigmaGoItem(it *sigma.Item) (sgo.FieldMatcher, error) {
	fm := sgo.FieldMatcher{Field: it.Field}
	switch {
	case it.Field == "":
		return fm, notExpressible("keyword search")
	case it.Negated:
		return fm, notExpressible("neq on %s", it.Field)
	}
	var mods []string
	for i, v := range it.Values {
		if it.All && len(v.Alternatives) > 1 {
			return fm, notExpressible("expanded values (windash, base64offset) under all on %s", it.Field)
		}
		for j, a := range v.Alternatives {
			m, raw, err := sigmaGoValue(a)
			if err != nil {
				return fm, fmt.Errorf("%s: %w", it.Field, err)
			}
			if i+j > 0 && strings.Join(m, "|") != strings.Join(mods, "|") {
				return fm, notExpressible("values of %s need different modifiers (%s, %s)", it.Field, strings.Join(mods, "|"), strings.Join(m, "|"))
			}
			mods = m
			fm.Values = append(fm.Values, raw)
		}
	}
	if it.All {
		mods = append(mods, "all")
	}
	fm.Modifiers = mods
	return fm, nil
}

// sigmaGoValue returns the modifiers and raw value that make sigma-go
// test what v means.
func sigmaGoValue(v sigma.Value) ([]string, any, error) {
	switch v := v.(type) {
	case sigma.String:
		return sigmaGoString(v)
	case sigma.Number:
		if v.IsFloat {
			return nil, v.Float, nil
		}
		return nil, int(v.Int), nil
	case sigma.Bool:
		return nil, v.Value, nil
	case sigma.Regex:
		flags := ""
		for f, on := range map[string]bool{"i": v.IgnoreCase, "m": v.Multiline, "s": v.DotAll} {
			if on {
				flags += f
			}
		}
		if flags != "" {
			return []string{"re"}, "(?" + sortFlags(flags) + ")" + v.Pattern, nil
		}
		return []string{"re"}, v.Pattern, nil
	case sigma.CIDR:
		return []string{"cidr"}, v.Prefix.String(), nil
	case sigma.Compare:
		op := [...]string{sigma.LT: "lt", sigma.LTE: "lte", sigma.GT: "gt", sigma.GTE: "gte"}[v.Op]
		_, n, _ := sigmaGoValue(v.Value)
		return []string{op}, n, nil
	}
	return nil, nil, notExpressible("%s value", kindName(v))
}

func sortFlags(f string) string {
	b := []byte(f)
	sort.Slice(b, func(i, j int) bool { return b[i] < b[j] })
	return string(b)
}

func sigmaGoString(s sigma.String) ([]string, any, error) {
	if s.Cased {
		return nil, nil, notExpressible("cased (sigma-go has only a global case option)")
	}
	if s.HasPlaceholders() {
		return nil, nil, notExpressible("placeholder")
	}
	shape, text := s.Shape()
	var mods []string
	switch shape {
	case sigma.ShapeContains:
		mods = []string{"contains"}
	case sigma.ShapeStartsWith:
		mods = []string{"startswith"}
	case sigma.ShapeEndsWith:
		mods = []string{"endswith"}
	case sigma.ShapeEqual:
		if strings.EqualFold(text, "null") {
			return nil, nil, notExpressible("the string 'null' (sigma-go reads it as a missing field)")
		}
	default:
		return nil, nil, notExpressible("wildcard pattern %q", s.Sigma())
	}
	if len(text) > 1 && strings.HasPrefix(text, "%") && strings.HasSuffix(text, "%") {
		return nil, nil, notExpressible("a value starting and ending with %% (sigma-go expands it as a placeholder): %q", text)
	}
	return mods, text, nil
}

// conditionText renders a condition for sigma-go's parser with every
// operator parenthesized and "of" selectors spelled out.
func conditionText(r *sigma.Rule, e cond.Expr) string {
	switch e := e.(type) {
	case *cond.Ident:
		return e.Name
	case *cond.Paren:
		return conditionText(r, e.X)
	case *cond.Not:
		return "not " + conditionText(r, e.X)
	case *cond.Binary:
		return "(" + conditionText(r, e.X) + " " + e.Op.String() + " " + conditionText(r, e.Y) + ")"
	case *cond.Of:
		var names []string
		for _, s := range r.Detection.Searches {
			if e.Selects(s.Name) {
				names = append(names, s.Name)
			}
		}
		op := " or "
		if e.All {
			op = " and "
		}
		return "(" + strings.Join(names, op) + ")"
	}
	return ""
}

// kindName names a value's type for messages: "regex", "number", ….
func kindName(v sigma.Value) string {
	return strings.ToLower(strings.TrimPrefix(fmt.Sprintf("%T", v), "sigma."))
}
