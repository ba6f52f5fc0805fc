package kql

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/sigconv/sigconv/backends/textquery"
	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// stateValuesPrefix starts the pipeline state keys ("kql_values:Field")
// through which a pipeline declares how the values of one (mapped) field
// are written in its table, as JSON:
//
//	{"column": "ActionType", "values": {"4624": "LogonSuccess"}, "only": true,
//	 "refuse": "-", "why": "..."}
//
// A state key, set by set_state under the pipeline's rule_conditions, and
// not schema.json: the values are facts about a source taxonomy (the
// Windows Security log's numbers) meeting a table, and only the rules the
// pipeline selects must be read that way; a Defender-native rule on the
// same table keeps its own LogonType words.
const stateValuesPrefix = "kql_values:"

// valueMap is one field's declaration.
type valueMap struct {
	// Column and Values, when Values is set: the field is not a column; a
	// value v is written as Column == Values[v]. Only plain equalities with
	// a listed value are exact; anything else fails.
	Column string            `json:"column"`
	Values map[string]string `json:"values"`
	// Only: the table holds only the events whose field has one of the
	// listed values, so every query must require one of them (else it
	// would silently search a subset of what the rule means).
	Only bool `json:"only"`
	// Refuse: a regexp of values the table never holds although the
	// source does (Windows writes "-" for a missing address), which fail.
	Refuse string `json:"refuse"`
	// FileNameColumn: the field is a path, of which the table holds only
	// the file name, in this column. Only suffixes within the file name
	// (endswith "\\name.exe" or "name.exe") are exact; anything else fails.
	FileNameColumn string `json:"file_name_column"`
	// Empty: the value the source writes for "none" ("-" for a logon
	// without an address), which the table may hold as an empty value or
	// as the same text: F: "-" is (isempty(F) or F == "-"), right either
	// way.
	Empty  string `json:"empty"`
	Why    string `json:"why"`
	refuse *regexp.Regexp
}

// valueMaps reads the declarations of r's pipelines.
func valueMaps(r *ir.Rule) (map[string]*valueMap, error) {
	var out map[string]*valueMap
	for key, val := range r.State {
		field, ok := strings.CutPrefix(key, stateValuesPrefix)
		if !ok {
			continue
		}
		vm, err := cachedValueMap(val)
		if err != nil {
			return nil, sigma.Errorf(r.Source.File, r.Source.LogSource.Pos, "kql: pipeline state %s: %v (pipelines: %s)", key, err, strings.Join(r.Pipelines, ", "))
		}
		if out == nil {
			out = map[string]*valueMap{}
		}
		out[field] = vm
	}
	return out, nil
}

// parsedValueMaps caches parseValueMap by declaration text. Declarations
// come from pipelines, so there are few of them, while every rule a
// pipeline selects carries them: decoding the JSON and compiling the
// refuse pattern per rule was a tenth of the KQL conversion's
// allocations. A valueMap is never written after parsing, so rules on
// any goroutine share it.
var parsedValueMaps sync.Map // string -> parsedValueMap

type parsedValueMap struct {
	vm  *valueMap
	err error
}

func cachedValueMap(val string) (*valueMap, error) {
	if p, ok := parsedValueMaps.Load(val); ok {
		return p.(parsedValueMap).vm, p.(parsedValueMap).err
	}
	vm, err := parseValueMap(val)
	parsedValueMaps.Store(val, parsedValueMap{vm, err})
	return vm, err
}

// parseValueMap reads one field's declaration; the backend checks every
// declaration when a pipeline meets it (StateKeys), so this fails only
// for state set some other way.
func parseValueMap(val string) (*valueMap, error) {
	vm := &valueMap{}
	dec := json.NewDecoder(strings.NewReader(val))
	dec.DisallowUnknownFields()
	err := dec.Decode(vm)
	if err == nil && dec.More() {
		err = errors.New("text after the JSON object")
	}
	if err == nil && vm.Refuse != "" {
		vm.refuse, err = regexp.Compile(vm.Refuse)
	}
	if err == nil && (vm.Values != nil) != (vm.Column != "") {
		err = errors.New("column and values go together")
	}
	if err == nil && vm.Column != "" && !identifier.MatchString(vm.Column) {
		err = fmt.Errorf("column %q is not an identifier", vm.Column)
	}
	return vm, err
}

// valueKey is the text a value is listed under in Values: a plain
// number, or a string holding a canonical decimal (the Security log
// writes LogonType as text, and rules write both forms).
func valueKey(v sigma.Value) (string, bool) {
	switch v := v.(type) {
	case sigma.Number:
		if !v.IsFloat {
			return v.String(), true
		}
	case sigma.String:
		shape, core := v.Shape()
		if shape == sigma.ShapeEqual && core != "" {
			return core, true
		}
	}
	return "", false
}

// refused fails a value the declaration refuses; it is checked before
// any rendering of the field.
func (x *renderer) refused(m *ir.Match, vm *valueMap) error {
	if vm.refuse == nil {
		return nil
	}
	var text string
	switch v := m.Value.(type) {
	case sigma.String:
		text = v.Text()
	case sigma.Number:
		text = v.String()
	default:
		return nil
	}
	if vm.refuse.MatchString(text) {
		_, err := x.fail(m, "%s cannot match %q in %s: %s", m.Field, text, x.table.name, vm.Why)
		return err
	}
	return nil
}

// mappedMatch writes a match on a field with listed values.
func (x *renderer) mappedMatch(m *ir.Match, vm *valueMap) (textquery.Fragment, error) {
	col, err := x.column(m, vm.Column)
	if err != nil {
		return textquery.Fragment{}, err
	}
	key, ok := valueKey(m.Value)
	word, listed := vm.Values[key]
	if !ok || !listed {
		return x.fail(m, "%s %s has no exact equivalent in %s: only %s (%s)", m.Field, describeValue(m.Value), x.table.name, listedValues(vm), vm.Why)
	}
	lit, err := quote(word)
	if err != nil {
		return x.fail(m, "%v", err)
	}
	// The listed words are the table's exact values: compare them as such.
	return textquery.Atom(col + " == " + lit), nil
}

// mappedList writes an OR of listed values as one in list; it declines
// (ok false) when one value is not listed, so that match reports it.
func (x *renderer) mappedList(ms []*ir.Match, vm *valueMap) (textquery.Fragment, bool, error) {
	var lits []string
	for _, m := range ms {
		key, ok := valueKey(m.Value)
		word, listed := vm.Values[key]
		if !ok || !listed {
			return textquery.Fragment{}, false, nil
		}
		lit, err := quote(word)
		if err != nil {
			return textquery.Fragment{}, false, nil
		}
		lits = append(lits, lit)
	}
	col, err := x.column(ms[0], vm.Column)
	if err != nil {
		return textquery.Fragment{}, false, err
	}
	return textquery.Atom(col + " in (" + strings.Join(lits, ", ") + ")"), true, nil
}

func describeValue(v sigma.Value) string {
	switch v := v.(type) {
	case sigma.String:
		return "value " + quoteForMessage(v.Sigma())
	case sigma.Number:
		return "value " + v.String()
	}
	return "with a " + kindOf(v) + " value"
}

func quoteForMessage(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func kindOf(v sigma.Value) string {
	switch v.(type) {
	case sigma.Regex:
		return "regular expression"
	case sigma.CIDR:
		return "cidr"
	case sigma.Compare:
		return "comparison"
	case sigma.Exists:
		return "exists"
	case sigma.Null:
		return "null"
	case sigma.FieldRef:
		return "fieldref"
	}
	return "non-plain"
}

func listedValues(vm *valueMap) string {
	keys := make([]string, 0, len(vm.Values))
	for k := range vm.Values {
		keys = append(keys, k)
	}
	// Numbers in numeric order: 2, 3, 10.
	sort.Slice(keys, func(i, j int) bool {
		return len(keys[i]) < len(keys[j]) || len(keys[i]) == len(keys[j]) && keys[i] < keys[j]
	})
	return "equality with " + strings.Join(keys, ", ")
}

// checkOnly fails query i of r unless it requires, in every case it
// matches, one of the listed values of each field declared "only".
func checkOnly(r *ir.Rule, maps map[string]*valueMap, i int, q ir.Expr) error {
	e := &ir.And{Args: append(append([]ir.Expr(nil), r.Filters...), q)}
	for _, field := range sortedOnly(maps) {
		if requires(e, field, maps[field]) {
			continue
		}
		pos := r.Source.Detection.Pos
		if i < len(r.Source.Detection.Conditions) {
			pos = r.Source.Detection.Conditions[i].Pos
		}
		return sigma.Errorf(r.Source.File, pos, "kql: %s holds only the events whose %s is %s (%s); this condition does not require one of them in every case (pipelines: %s)",
			r.Table, field, strings.TrimPrefix(listedValues(maps[field]), "equality with "), maps[field].Why, strings.Join(r.Pipelines, ", "))
	}
	return nil
}

func sortedOnly(maps map[string]*valueMap) []string {
	var out []string
	for f, vm := range maps {
		if vm.Only {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

// requires reports whether every event e matches has field equal to a
// listed value. It is conservative: a negation never counts.
func requires(e ir.Expr, field string, vm *valueMap) bool {
	switch e := e.(type) {
	case *ir.Match:
		if e.Field != field {
			return false
		}
		key, ok := valueKey(e.Value)
		_, listed := vm.Values[key]
		return ok && listed
	case *ir.And:
		for _, a := range e.Args {
			if requires(a, field, vm) {
				return true
			}
		}
		return false
	case *ir.Or:
		for _, a := range e.Args {
			if !requires(a, field, vm) {
				return false
			}
		}
		return len(e.Args) > 0
	}
	return false
}

// fileNameMatch writes a match on a path field whose table holds only the
// file name (Defender's InitiatingProcessParentFileName for Sysmon's
// ParentImage outside process creation, or GrandParentImage). A path ends
// with "\name" exactly when its file name is "name", and with a suffix
// that holds no backslash exactly when its file name does; every other
// comparison needs the directory, which the table does not have.
func (x *renderer) fileNameMatch(m *ir.Match, vm *valueMap) (textquery.Fragment, error) {
	col, err := x.column(m, vm.FileNameColumn)
	if err != nil {
		return textquery.Fragment{}, err
	}
	refuse := func() (textquery.Fragment, error) {
		return x.fail(m, "%s %s cannot be matched in %s, which holds only the file name (%s): only endswith a file name (\"\\\\name.exe\" or \"name.exe\") is exact", m.Field, describeValue(m.Value), x.table.name, vm.FileNameColumn)
	}
	s, ok := m.Value.(sigma.String)
	if !ok || s.HasPlaceholders() {
		return refuse()
	}
	shape, core := s.Shape()
	if shape != sigma.ShapeEndsWith || core == "" {
		return refuse()
	}
	op := "endswith"
	if name, ok := strings.CutPrefix(core, `\`); ok {
		core, op = name, "=~"
	}
	if core == "" || strings.Contains(core, `\`) {
		return refuse()
	}
	if s.Cased {
		op = map[string]string{"=~": "==", "endswith": "endswith_cs"}[op]
	}
	lit, err := quote(core)
	if err != nil {
		return x.fail(m, "%v", err)
	}
	return textquery.Atom(col + " " + op + " " + lit), nil
}

// emptyMatch writes F: "<Empty>" as isempty(column) or column == "<Empty>"
// when the pipeline declares that value as the source's "none" (ok false
// otherwise): the table's reference does not say which of the two it
// holds, and both forms together are exact whichever it is.
func (x *renderer) emptyMatch(m *ir.Match, vm *valueMap) (textquery.Fragment, bool, error) {
	if vm.Empty == "" {
		return textquery.Fragment{}, false, nil
	}
	text, isText := "", false
	switch v := m.Value.(type) {
	case sigma.String:
		if shape, core := v.Shape(); shape == sigma.ShapeEqual {
			text, isText = core, true
		}
	case sigma.Number:
		text, isText = v.String(), true
	}
	if !isText || text != vm.Empty {
		return textquery.Fragment{}, false, nil
	}
	col, err := x.column(m, m.Field)
	if err != nil {
		return textquery.Fragment{}, true, err
	}
	lit, err := quote(text)
	if err != nil {
		return textquery.Fragment{}, true, sigma.Errorf(x.r.Source.File, m.Pos, "kql: %v", err)
	}
	return textquery.Fragment{Text: "isempty(" + col + ") or " + col + " == " + lit, Prec: textquery.PrecLow}, true, nil
}
