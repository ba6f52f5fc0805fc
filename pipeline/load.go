package pipeline

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sigconv/sigconv/sigma"
)

// maxPipelineSize bounds a pipeline file; real ones are a few KiB.
const maxPipelineSize = 4 << 20

// rawToken is what a Raw (target-native) value may look like: an
// identifier or dotted identifier, so a pipeline can never inject syntax.
var rawToken = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)

// Load parses a pipeline YAML document. path is used in messages only.
//
// The format is pySigma's: name, priority, vars, transformations (each with
// id, type, its parameters, rule_conditions, rule_cond_op, rule_cond_not,
// field_name_conditions, field_name_cond_op, field_name_cond_not). Unknown
// keys are errors, so a typo never silently disables an item.
func Load(path string, data []byte) (p *Pipeline, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, sigma.Errorf(path, sigma.Pos{}, "internal error while loading pipeline: %v", r)
		}
	}()
	if len(data) > maxPipelineSize {
		return nil, sigma.Errorf(path, sigma.Pos{Line: 1, Column: 1}, "pipeline file is larger than %d bytes", maxPipelineSize)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, sigma.Errorf(path, sigma.Pos{Line: 1, Column: 1}, "invalid YAML: %v", err)
	}
	l := &loader{path: path}
	if len(doc.Content) == 0 {
		return nil, l.errf(&doc, "empty pipeline file")
	}
	return l.pipeline(doc.Content[0])
}

type loader struct{ path string }

func (l *loader) errf(n *yaml.Node, format string, args ...any) error {
	return sigma.Errorf(l.path, sigma.Pos{Line: n.Line, Column: n.Column}, format, args...)
}

// mapping returns the key/value pairs of a mapping node in order, refusing
// duplicate and unknown keys.
func (l *loader) mapping(n *yaml.Node, known ...string) ([][2]*yaml.Node, error) {
	if n.Kind != yaml.MappingNode {
		return nil, l.errf(n, "expected a mapping")
	}
	seen := map[string]bool{}
	var out [][2]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if seen[k.Value] {
			return nil, l.errf(k, "duplicate key %q", k.Value)
		}
		seen[k.Value] = true
		if known != nil && !contains(known, k.Value) {
			return nil, l.errf(k, "unknown key %q (known: %s)", k.Value, strings.Join(known, ", "))
		}
		out = append(out, [2]*yaml.Node{k, n.Content[i+1]})
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (l *loader) str(n *yaml.Node) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", l.errf(n, "expected a string")
	}
	return n.Value, nil
}

func (l *loader) strList(n *yaml.Node) ([]string, error) {
	if n.Kind == yaml.ScalarNode {
		s, err := l.str(n)
		return []string{s}, err
	}
	if n.Kind != yaml.SequenceNode {
		return nil, l.errf(n, "expected a string or a list of strings")
	}
	var out []string
	for _, c := range n.Content {
		s, err := l.str(c)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func (l *loader) pipeline(n *yaml.Node) (*Pipeline, error) {
	kvs, err := l.mapping(n, "name", "priority", "kind", "vars", "transformations", "allowed_backends", "postprocessing", "finalizers")
	if err != nil {
		return nil, err
	}
	p := &Pipeline{File: l.path, Vars: map[string][]string{}}
	for _, kv := range kvs {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "name":
			p.Name, err = l.str(v)
		case "priority":
			p.Priority, err = strconv.Atoi(v.Value)
			if err != nil {
				err = l.errf(v, "priority must be an integer")
			}
		case "vars":
			err = l.vars(v, p)
		case "kind":
			p.Kind, err = l.str(v)
		case "allowed_backends":
			p.AllowedBackends, err = l.strList(v)
		case "transformations":
			err = l.items(v, p)
		case "postprocessing", "finalizers":
			if len(v.Content) > 0 {
				err = l.errf(k, "%s are not supported by sigconv; use an output format instead", k.Value)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if p.Name == "" {
		return nil, l.errf(n, "pipeline has no name")
	}
	return p, nil
}

func (l *loader) vars(n *yaml.Node, p *Pipeline) error {
	kvs, err := l.mapping(n)
	if err != nil {
		return err
	}
	for _, kv := range kvs {
		vals, err := l.strList(kv[1])
		if err != nil {
			return err
		}
		p.Vars[kv[0].Value] = vals
	}
	return nil
}

func (l *loader) items(n *yaml.Node, p *Pipeline) error {
	if n.Kind != yaml.SequenceNode {
		return l.errf(n, "transformations must be a list")
	}
	for _, c := range n.Content {
		it, err := l.item(c)
		if err != nil {
			return err
		}
		p.Items = append(p.Items, it)
	}
	return nil
}

// itemKeys are the keys every item may have, besides its type's own.
var itemKeys = []string{"id", "type", "rule_conditions", "rule_cond_op", "rule_cond_not", "rule_cond_expr",
	"field_name_conditions", "field_name_cond_op", "field_name_cond_not", "detection_item_conditions"}

// transformationKeys lists each type's own parameters.
var transformationKeys = map[string][]string{
	"field_name_mapping":        {"mapping"},
	"field_name_prefix_mapping": {"mapping"},
	"output_field_mapping":      {"mapping"},
	"add_condition":             {"conditions", "negated", "template", "raw"},
	"change_logsource":          {"category", "product", "service"},
	"rule_failure":              {"message"},
	"detection_item_failure":    {"message"},
	"fail_unmapped_fields":      {"message", "allow"},
	"value_placeholders":        {"include", "exclude"},
	"drop_detection_item":       {},
	"set_table":                 {"table"},
	"set_state":                 {"key", "val"},
	"replace_string":            {"regex", "replacement"},
}

// TransformationTypes lists the transformation types Load accepts, the
// ones backends registered included.
func TransformationTypes() []string {
	out := customNames()
	for k := range transformationKeys {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (l *loader) item(n *yaml.Node) (*Item, error) {
	kvs, err := l.mapping(n)
	if err != nil {
		return nil, err
	}
	params := map[string]*yaml.Node{}
	var typ *yaml.Node
	for _, kv := range kvs {
		if kv[0].Value == "type" {
			typ = kv[1]
		}
		params[kv[0].Value] = kv[1]
	}
	if typ == nil {
		return nil, l.errf(n, "transformation has no type (known: %s)", strings.Join(TransformationTypes(), ", "))
	}
	own, ok := transformationKeys[typ.Value]
	custom, isCustom := customType(typ.Value)
	if isCustom {
		own, ok = custom.Keys, true
	}
	if !ok {
		return nil, l.errf(typ, "unknown transformation type %q (known: %s)", typ.Value, strings.Join(TransformationTypes(), ", "))
	}
	for _, kv := range kvs {
		if !contains(itemKeys, kv[0].Value) && !contains(own, kv[0].Value) {
			return nil, l.errf(kv[0], "unknown key %q for transformation %s", kv[0].Value, typ.Value)
		}
	}
	it := &Item{Pos: sigma.Pos{Line: n.Line, Column: n.Column}}
	if err := l.itemConditions(params, it); err != nil {
		return nil, err
	}
	if isCustom {
		it.Transformation, err = l.buildCustom(custom, typ.Value, params, n)
		return it, err
	}
	it.Transformation, err = l.transformation(typ.Value, params, n)
	return it, err
}

func (l *loader) itemConditions(params map[string]*yaml.Node, it *Item) error {
	if v := params["id"]; v != nil {
		it.ID = v.Value
	}
	if v := params["rule_cond_expr"]; v != nil {
		return l.errf(v, "rule_cond_expr is not supported; use rule_cond_op and rule_cond_not")
	}
	if v := params["detection_item_conditions"]; v != nil {
		return l.errf(v, "detection_item_conditions are not supported; use field_name_conditions")
	}
	var err error
	if it.RuleCondOr, err = l.op(params["rule_cond_op"]); err != nil {
		return err
	}
	if it.FieldCondOr, err = l.op(params["field_name_cond_op"]); err != nil {
		return err
	}
	it.RuleCondNot = params["rule_cond_not"] != nil && params["rule_cond_not"].Value == "true"
	it.FieldCondNot = params["field_name_cond_not"] != nil && params["field_name_cond_not"].Value == "true"
	if v := params["rule_conditions"]; v != nil {
		if it.RuleConds, err = l.ruleConds(v); err != nil {
			return err
		}
	}
	if v := params["field_name_conditions"]; v != nil {
		if it.FieldConds, err = l.fieldConds(v); err != nil {
			return err
		}
	}
	return nil
}

func (l *loader) op(n *yaml.Node) (bool, error) {
	if n == nil {
		return false, nil
	}
	switch n.Value {
	case "and":
		return false, nil
	case "or":
		return true, nil
	}
	return false, l.errf(n, "operator must be and or or, not %q", n.Value)
}

func (l *loader) ruleConds(n *yaml.Node) ([]RuleCondition, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, l.errf(n, "rule_conditions must be a list")
	}
	var out []RuleCondition
	for _, c := range n.Content {
		kvs, err := l.mapping(c, "type", "category", "product", "service")
		if err != nil {
			return nil, err
		}
		var lc LogsourceCondition
		for _, kv := range kvs {
			switch kv[0].Value {
			case "type":
				if kv[1].Value != "logsource" {
					return nil, l.errf(kv[1], "unsupported rule condition type %q (supported: logsource)", kv[1].Value)
				}
			case "category":
				lc.Category = kv[1].Value
			case "product":
				lc.Product = kv[1].Value
			case "service":
				lc.Service = kv[1].Value
			}
		}
		out = append(out, lc)
	}
	return out, nil
}

func (l *loader) fieldConds(n *yaml.Node) ([]FieldCondition, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, l.errf(n, "field_name_conditions must be a list")
	}
	var out []FieldCondition
	for _, c := range n.Content {
		kvs, err := l.mapping(c, "type", "fields", "field", "pattern_type")
		if err != nil {
			return nil, err
		}
		var typ string
		var inc IncludeFields
		isRe := false
		var names []string
		for _, kv := range kvs {
			switch kv[0].Value {
			case "type":
				typ = kv[1].Value
			case "fields", "field":
				if names, err = l.strList(kv[1]); err != nil {
					return nil, err
				}
			case "pattern_type":
				isRe = kv[1].Value == "re"
			}
		}
		for _, name := range names {
			if !isRe {
				inc.Fields = append(inc.Fields, name)
				continue
			}
			re, err := regexp.Compile(name)
			if err != nil {
				return nil, l.errf(c, "invalid field pattern %q: %v", name, err)
			}
			inc.Regexps = append(inc.Regexps, re)
		}
		switch typ {
		case "include_fields":
			out = append(out, inc)
		case "exclude_fields":
			out = append(out, ExcludeFields{inc})
		default:
			return nil, l.errf(c, "unsupported field name condition type %q (supported: include_fields, exclude_fields)", typ)
		}
	}
	return out, nil
}

// transformation builds the transformation of one item.
func (l *loader) transformation(typ string, p map[string]*yaml.Node, n *yaml.Node) (Transformation, error) {
	need := func(key string) (*yaml.Node, error) {
		if p[key] == nil {
			return nil, l.errf(n, "%s needs %q", typ, key)
		}
		return p[key], nil
	}
	switch typ {
	case "field_name_mapping":
		m, err := need("mapping")
		if err != nil {
			return nil, err
		}
		return l.fieldMapping(m)
	case "output_field_mapping":
		m, err := need("mapping")
		if err != nil {
			return nil, err
		}
		fm, err := l.fieldMapping(m)
		if err != nil {
			return nil, err
		}
		return &OutputFieldMapping{Mapping: fm.(*FieldNameMapping).Mapping}, nil
	case "field_name_prefix_mapping":
		m, err := need("mapping")
		if err != nil {
			return nil, err
		}
		kvs, err := l.mapping(m)
		if err != nil {
			return nil, err
		}
		t := &FieldNamePrefixMapping{}
		for _, kv := range kvs {
			t.Prefixes = append(t.Prefixes, kv[0].Value)
			t.Replacements = append(t.Replacements, kv[1].Value)
		}
		return t, nil
	case "add_condition":
		return l.addCondition(p, n)
	case "change_logsource":
		t := &ChangeLogsource{}
		if v := p["category"]; v != nil {
			t.Category = v.Value
		}
		if v := p["product"]; v != nil {
			t.Product = v.Value
		}
		if v := p["service"]; v != nil {
			t.Service = v.Value
		}
		return t, nil
	case "rule_failure", "detection_item_failure", "fail_unmapped_fields":
		return l.failure(typ, p, n)
	case "value_placeholders":
		t := &ValuePlaceholders{Include: map[string]bool{}, Exclude: map[string]bool{}}
		for key, set := range map[string]map[string]bool{"include": t.Include, "exclude": t.Exclude} {
			if v := p[key]; v != nil {
				names, err := l.strList(v)
				if err != nil {
					return nil, err
				}
				for _, name := range names {
					set[name] = true
				}
			}
		}
		return t, nil
	case "drop_detection_item":
		return &DropDetectionItem{}, nil
	case "set_table":
		v, err := need("table")
		if err != nil {
			return nil, err
		}
		return &SetTable{Table: v.Value}, nil
	case "set_state":
		k, err := need("key")
		if err != nil {
			return nil, err
		}
		v, err := need("val")
		if err != nil {
			return nil, err
		}
		return &SetState{Key: k.Value, Value: v.Value, KeyPos: sigma.Pos{Line: k.Line, Column: k.Column}, ValuePos: sigma.Pos{Line: v.Line, Column: v.Column}}, nil
	case "replace_string":
		v, err := need("regex")
		if err != nil {
			return nil, err
		}
		re, err := regexp.Compile(v.Value)
		if err != nil {
			return nil, l.errf(v, "invalid regex: %v", err)
		}
		repl := ""
		if r := p["replacement"]; r != nil {
			repl = r.Value
		}
		return &ReplaceString{Regexp: re, Replacement: repl}, nil
	}
	return nil, l.errf(n, "unknown transformation type %q", typ)
}

func (l *loader) fieldMapping(m *yaml.Node) (Transformation, error) {
	kvs, err := l.mapping(m)
	if err != nil {
		return nil, err
	}
	t := &FieldNameMapping{Mapping: map[string][]string{}}
	for _, kv := range kvs {
		targets, err := l.strList(kv[1])
		if err != nil {
			return nil, err
		}
		if len(targets) == 0 {
			return nil, l.errf(kv[1], "field %q maps to no field", kv[0].Value)
		}
		t.Mapping[kv[0].Value] = targets
		t.Order = append(t.Order, kv[0].Value)
	}
	return t, nil
}

func (l *loader) failure(typ string, p map[string]*yaml.Node, n *yaml.Node) (Transformation, error) {
	msg := ""
	if v := p["message"]; v != nil {
		msg = v.Value
	}
	if msg == "" {
		return nil, l.errf(n, "%s needs a message", typ)
	}
	switch typ {
	case "rule_failure":
		return &RuleFailure{Message: msg}, nil
	case "detection_item_failure":
		return &DetectionItemFailure{Message: msg}, nil
	}
	t := &FailUnmappedFields{Message: msg, Allow: map[string]bool{}}
	if v := p["allow"]; v != nil {
		names, err := l.strList(v)
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			t.Allow[name] = true
		}
	}
	return t, nil
}

func (l *loader) addCondition(p map[string]*yaml.Node, n *yaml.Node) (Transformation, error) {
	c := p["conditions"]
	if c == nil {
		return nil, l.errf(n, "add_condition needs conditions")
	}
	kvs, err := l.mapping(c)
	if err != nil {
		return nil, err
	}
	raw := p["raw"] != nil && p["raw"].Value == "true"
	t := &AddCondition{Negated: p["negated"] != nil && p["negated"].Value == "true"}
	for _, kv := range kvs {
		nodes := []*yaml.Node{kv[1]}
		if kv[1].Kind == yaml.SequenceNode {
			nodes = kv[1].Content
		}
		var vals []sigma.Value
		for _, vn := range nodes {
			v, err := l.conditionValue(vn, raw)
			if err != nil {
				return nil, err
			}
			vals = append(vals, v)
		}
		if len(vals) == 0 {
			return nil, l.errf(kv[1], "condition on %q has no value", kv[0].Value)
		}
		t.Fields = append(t.Fields, kv[0].Value)
		t.Values = append(t.Values, vals)
	}
	t.filters = t.build()
	return t, nil
}

// conditionValue decodes one value of add_condition.
func (l *loader) conditionValue(n *yaml.Node, raw bool) (sigma.Value, error) {
	if n.Kind != yaml.ScalarNode {
		return nil, l.errf(n, "condition values must be scalars")
	}
	if raw {
		if !rawToken.MatchString(n.Value) {
			return nil, l.errf(n, "raw value %q must be an identifier such as ENUM.PROCESS", n.Value)
		}
		return sigma.Raw{Text: n.Value}, nil
	}
	switch n.Tag {
	case "!!int":
		i, err := strconv.ParseInt(n.Value, 0, 64)
		if err != nil {
			return nil, l.errf(n, "invalid integer %q", n.Value)
		}
		return sigma.Number{Int: i}, nil
	case "!!bool":
		return sigma.Bool{Value: n.Value == "true"}, nil
	case "!!null":
		return sigma.Null{}, nil
	}
	return sigma.ParseString(n.Value), nil
}

// MustLoad loads a built-in (embedded) pipeline. An invalid built-in
// pipeline is a programmer error, so it panics at initialization, like
// regexp.MustCompile; tests load every built-in pipeline.
func MustLoad(path string, data []byte) *Pipeline {
	p, err := Load(path, data)
	if err != nil {
		panic(fmt.Sprintf("built-in pipeline %s: %v", path, err))
	}
	return p
}
