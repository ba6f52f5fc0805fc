package kql

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sigconv/sigconv/backends/textquery"
	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// Operator semantics follow the string operators page
// (https://learn.microsoft.com/kusto/query/datatypes-string-operators):
// =~, contains, startswith, endswith and in~ are case-insensitive; ==,
// contains_cs, startswith_cs, endswith_cs and in are their case-sensitive
// forms. None of them knows wildcards, so '*' inside a value and '?' become
// an anchored matches regex. Term operators (has, has_any, has_all) are
// never used: they match whole terms, not substrings, so no Sigma value
// means the same.

// renderer renders the leaves of one rule.
type renderer struct {
	r     *ir.Rule
	table table
	// values are the pipelines' declarations of how some fields' values
	// are written (valuemap.go), by field.
	values map[string]*valueMap
}

func (x *renderer) fail(m *ir.Match, format string, args ...any) (textquery.Fragment, error) {
	return textquery.Fragment{}, sigma.Errorf(x.r.Source.File, m.Pos, "kql: "+format, args...)
}

// column checks and writes the field of a match.
func (x *renderer) column(m *ir.Match, field string) (string, error) {
	if !x.table.has(field) {
		return "", sigma.Errorf(x.r.Source.File, m.Pos, "kql: %s has no column %q (pipelines: %s)", x.table.name, field, strings.Join(x.r.Pipelines, ", ")).WithReason(sigma.ReasonField)
	}
	name, err := fieldName(field)
	if err != nil {
		return "", sigma.Errorf(x.r.Source.File, m.Pos, "kql: %v", err)
	}
	return name, nil
}

// match renders one comparison exactly, or fails with a positioned error.
func (x *renderer) match(m *ir.Match) (textquery.Fragment, error) {
	if m.Field == "" {
		return x.keyword(m)
	}
	if vm := x.values[m.Field]; vm != nil {
		if err := x.refused(m, vm); err != nil {
			return textquery.Fragment{}, err
		}
		if vm.Values != nil {
			return x.mappedMatch(m, vm)
		}
		if vm.FileNameColumn != "" {
			return x.fileNameMatch(m, vm)
		}
		if f, ok, err := x.emptyMatch(m, vm); ok || err != nil {
			return f, err
		}
	}
	f, err := x.column(m, m.Field)
	if err != nil {
		return textquery.Fragment{}, err
	}
	typ := x.table.typeOf(m.Field)
	switch v := m.Value.(type) {
	case sigma.String:
		if c := x.table.computed[m.Field]; c != nil && c.refuse != nil && c.refuse.MatchString(v.Text()) {
			return x.fail(m, "%s cannot match %q in %s: %s", m.Field, v.Sigma(), x.table.name, c.Why)
		}
		return x.stringMatch(m, f, typ, v)
	case sigma.Number:
		return x.numberMatch(m, f, typ, v)
	case sigma.Bool:
		if c := x.table.computed[m.Field]; c != nil && typ == "string" {
			// A computed text column holds exactly "true" or "false" (or
			// ""), as Sysmon writes the field.
			return textquery.Atom(f + " == " + strconv.Quote(strconv.FormatBool(v.Value))), nil
		}
		if typ != "" && typ != "bool" {
			return x.fail(m, "boolean value on column %s of type %s", m.Field, typ)
		}
		return textquery.Atom(f + " == " + strconv.FormatBool(v.Value)), nil
	case sigma.Null:
		// isempty is true for null and for "", and strings have no null
		// (null values page, https://learn.microsoft.com/kusto/query/scalar-data-types/null-values).
		return textquery.Atom("isempty(" + f + ")"), nil
	case sigma.Exists:
		if v.Value {
			return textquery.Atom("isnotempty(" + f + ")"), nil
		}
		return textquery.Atom("isempty(" + f + ")"), nil
	case sigma.Compare:
		if typ != "" && !isNumericType(typ) {
			return x.fail(m, "numeric comparison on column %s of type %s", m.Field, typ)
		}
		return textquery.Atom(f + " " + v.Op.String() + " " + v.Value.String()), nil
	case sigma.CIDR:
		return x.cidrMatch(m, f, typ, v)
	case sigma.Regex:
		return x.regexMatch(m, f, typ, v)
	case sigma.FieldRef:
		return x.fieldRefMatch(m, f, typ, v)
	case sigma.Raw:
		return textquery.Atom(f + " == " + v.Text), nil
	case sigma.TimePart:
		return x.fail(m, "time-part modifier %s is not supported by the kql backend", v.Part)
	}
	return x.fail(m, "a %s value is not supported", sigma.KindName(m.Value))
}

// keyword renders a value without a field as a search of every column
// ("* contains", where operator page,
// https://learn.microsoft.com/kusto/query/where-operator): Sigma keywords
// match the text anywhere in the event. Only plain text can be searched
// that way exactly.
func (x *renderer) keyword(m *ir.Match) (textquery.Fragment, error) {
	s, ok := m.Value.(sigma.String)
	if !ok {
		return x.fail(m, "keyword search for a %s value cannot be expressed in KQL", sigma.KindName(m.Value))
	}
	shape, core := s.Shape()
	if s.Cased || (shape != sigma.ShapeEqual && shape != sigma.ShapeContains) || core == "" {
		return x.fail(m, "keyword %q has wildcards or case: only plain keywords can be searched across all columns", s.Sigma())
	}
	lit, err := quote(core)
	if err != nil {
		return x.fail(m, "%v", err)
	}
	return textquery.Atom("* contains " + lit), nil
}

func (x *renderer) stringMatch(m *ir.Match, f, typ string, s sigma.String) (textquery.Fragment, error) {
	if s.HasPlaceholders() {
		return x.fail(m, "unresolved placeholder in %q (expand modifier): pass a pipeline with value_placeholders and vars", s.Sigma())
	}
	if isNumericType(typ) {
		return x.numericString(m, f, typ, s)
	}
	if typ != "" && typ != "string" {
		return x.fail(m, "string value %q on column %s of type %s", s.Sigma(), m.Field, typ)
	}
	text, err := stringOp(f, s)
	if err != nil {
		return x.fail(m, "%v", err)
	}
	return textquery.Atom(text), nil
}

// stringOp picks the operator for a string value on a string column.
func stringOp(f string, s sigma.String) (string, error) {
	shape, core := s.Shape()
	ops := [...]string{sigma.ShapeEqual: "=~", sigma.ShapeContains: "contains", sigma.ShapeStartsWith: "startswith", sigma.ShapeEndsWith: "endswith"}
	csOps := [...]string{sigma.ShapeEqual: "==", sigma.ShapeContains: "contains_cs", sigma.ShapeStartsWith: "startswith_cs", sigma.ShapeEndsWith: "endswith_cs"}
	switch shape {
	case sigma.ShapeAny:
		// '*' needs a value; strings have no null, so that is a non-empty one.
		return "isnotempty(" + f + ")", nil
	case sigma.ShapePattern:
		re, err := wildcardRegex(s)
		if err != nil {
			return "", err
		}
		lit, err := quote(re)
		if err != nil {
			return "", err
		}
		return f + " matches regex " + lit, nil
	}
	op := ops[shape]
	if s.Cased {
		op = csOps[shape]
	}
	return quoteAfter(f+" "+op+" ", core)
}

// numericString compares a numeric column with a string value, which is
// exact only for a plain decimal number (Sigma compares the text; a
// number column holds it canonically).
func (x *renderer) numericString(m *ir.Match, f, typ string, s sigma.String) (textquery.Fragment, error) {
	n, ok := canonicalInt(s)
	if !ok {
		return x.fail(m, "column %s has type %s: the string value %q cannot be compared with it exactly", m.Field, typ, s.Sigma())
	}
	return textquery.Atom(f + " == " + n), nil
}

// canonicalInt returns the decimal text of a plain string that is a
// canonical decimal integer (no sign, no leading zero) or a hexadecimal
// one written 0x...
func canonicalInt(s sigma.String) (string, bool) {
	shape, core := s.Shape()
	if shape != sigma.ShapeEqual || core == "" {
		return "", false
	}
	if hex, ok := strings.CutPrefix(strings.ToLower(core), "0x"); ok {
		// Sysmon writes ids such as LogonId in hexadecimal; a number
		// column holds the same value.
		n, err := strconv.ParseInt(hex, 16, 64)
		if err != nil || hex == "" || hex[0] == '+' || hex[0] == '-' {
			return "", false
		}
		return strconv.FormatInt(n, 10), true
	}
	n, err := strconv.ParseInt(core, 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != core || n < 0 {
		return "", false
	}
	return core, true
}

func (x *renderer) numberMatch(m *ir.Match, f, typ string, v sigma.Number) (textquery.Fragment, error) {
	switch {
	case typ == "" || isNumericType(typ):
		return textquery.Atom(f + " == " + v.String()), nil
	case typ == "string":
		// Sigma matches a number against the field's text.
		lit, err := quote(v.String())
		if err != nil {
			return x.fail(m, "%v", err)
		}
		return textquery.Atom(f + " == " + lit), nil
	}
	return x.fail(m, "number on column %s of type %s", m.Field, typ)
}

// cidrMatch uses ipv4_is_in_range for IPv4 networks and ipv6_is_in_range
// for IPv6 ones: ipv4_is_in_range returns null for IPv6 text, so one
// function cannot serve both
// (https://learn.microsoft.com/kusto/query/ipv4-is-in-range-function,
// https://learn.microsoft.com/kusto/query/ipv6-is-in-range-function).
func (x *renderer) cidrMatch(m *ir.Match, f, typ string, v sigma.CIDR) (textquery.Fragment, error) {
	if typ != "" && typ != "string" {
		return x.fail(m, "cidr on column %s of type %s", m.Field, typ)
	}
	fn := "ipv4_is_in_range"
	if !v.Prefix.Addr().Is4() {
		fn = "ipv6_is_in_range"
	}
	return textquery.Atom(fmt.Sprintf("%s(%s, %q)", fn, f, v.Prefix.String())), nil
}

func (x *renderer) regexMatch(m *ir.Match, f, typ string, v sigma.Regex) (textquery.Fragment, error) {
	if typ != "" && typ != "string" {
		return x.fail(m, "regular expression on column %s of type %s", m.Field, typ)
	}
	re, err := sigmaRegex(v)
	if err != nil {
		return x.fail(m, "%v", err)
	}
	lit, err := quote(re)
	if err != nil {
		return x.fail(m, "%v", err)
	}
	return textquery.Atom(f + " matches regex " + lit), nil
}

// fieldRefMatch compares two columns; the string operators accept a
// column on the right as well as a literal.
func (x *renderer) fieldRefMatch(m *ir.Match, f, typ string, v sigma.FieldRef) (textquery.Fragment, error) {
	g, err := x.column(m, v.Field)
	if err != nil {
		return textquery.Fragment{}, err
	}
	other := x.table.typeOf(v.Field)
	if typ != other {
		return x.fail(m, "fieldref compares columns of different types (%s %s, %s %s)", m.Field, typ, v.Field, other)
	}
	if typ != "" && typ != "string" {
		if v.StartsWith || v.EndsWith {
			return x.fail(m, "fieldref with contains/startswith/endswith on column %s of type %s", m.Field, typ)
		}
		return textquery.Atom(f + " == " + g), nil
	}
	op := "=~"
	switch {
	case v.StartsWith && v.EndsWith:
		op = "contains"
	case v.StartsWith:
		op = "startswith"
	case v.EndsWith:
		op = "endswith"
	}
	if v.Cased {
		op = map[string]string{"=~": "==", "contains": "contains_cs", "startswith": "startswith_cs", "endswith": "endswith_cs"}[op]
	}
	return textquery.Atom(f + " " + op + " " + g), nil
}

// list renders an OR of equalities on one column as one in~ / in list.
// Only plain values qualify, so the list means exactly the same.
func (x *renderer) list(ms []*ir.Match) (textquery.Fragment, bool, error) {
	if vm := x.values[ms[0].Field]; vm != nil {
		if vm.Values != nil {
			return x.mappedList(ms, vm)
		}
		if vm.FileNameColumn != "" {
			return textquery.Fragment{}, false, nil // one match per value
		}
		for _, m := range ms {
			if _, isEmpty, _ := x.emptyMatch(m, vm); isEmpty {
				return textquery.Fragment{}, false, nil
			}
		}
		for _, m := range ms {
			if x.refused(m, vm) != nil {
				return textquery.Fragment{}, false, nil // match reports it, positioned
			}
		}
	}
	typ := x.table.typeOf(ms[0].Field)
	var vals []string
	cased := false
	for i, m := range ms {
		v, c, ok, err := x.listValue(m, typ)
		if err != nil || !ok {
			return textquery.Fragment{}, false, err
		}
		if i > 0 && c != cased {
			return textquery.Fragment{}, false, nil
		}
		cased = c
		vals = append(vals, v)
	}
	f, err := x.column(ms[0], ms[0].Field)
	if err != nil {
		return textquery.Fragment{}, false, err
	}
	op := " in~ ("
	if cased || isNumericType(typ) {
		op = " in ("
	}
	return textquery.Atom(f + op + strings.Join(vals, ", ") + ")"), true, nil
}

// listValue returns one list element: a quoted plain string or a number,
// and whether the comparison is case-sensitive.
func (x *renderer) listValue(m *ir.Match, typ string) (string, bool, bool, error) {
	switch v := m.Value.(type) {
	case sigma.String:
		if isNumericType(typ) {
			n, ok := canonicalInt(v)
			return n, true, ok, nil
		}
		shape, core := v.Shape()
		if shape != sigma.ShapeEqual || (typ != "" && typ != "string") {
			return "", false, false, nil
		}
		lit, err := quote(core)
		if err != nil {
			return "", false, false, nil // Match reports it with its position
		}
		return lit, v.Cased, true, nil
	case sigma.Number:
		if typ == "string" {
			lit, _ := quote(v.String())
			return lit, true, true, nil
		}
		return v.String(), true, typ == "" || isNumericType(typ), nil
	}
	return "", false, false, nil
}
