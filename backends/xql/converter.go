package xql

import (
	"slices"
	"strings"

	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/pipeline"
	"github.com/sigconv/sigconv/sigma"
)

// converter renders one rule: the rule, the schema and whether the rule
// went through the xdr-data pipeline, whose columns the schema checks.
type converter struct {
	rule    *ir.Rule
	schema  *Schema
	checked bool
	// caseSensitive: the rule has a case-sensitive part, so its query
	// runs under config case_sensitive = true (see caseSensitive).
	caseSensitive bool
}

func (*Backend) converter(r *ir.Rule) *converter {
	return &converter{rule: r, schema: data().schema, checked: slices.Contains(r.Pipelines, "xdr-data"), caseSensitive: caseSensitive(r)}
}

// caseSensitive reports whether a rule has a case-sensitive part: a cased
// string or a regex without the i modifier (Sigma regexes are
// case-sensitive). No Cortex page says whether config case_sensitive =
// false also folds ~=; if it did, such a part would silently fold. Such a
// rule is written under config case_sensitive = true, where nothing folds
// unless a regex says (?i), and its case-insensitive parts are written as
// (?i) regexes: the same under either reading.
func caseSensitive(r *ir.Rule) bool {
	found := false
	check := func(m *ir.Match) bool {
		switch v := m.Value.(type) {
		case sigma.String:
			found = v.Cased
		case sigma.Regex:
			found = !v.IgnoreCase
		}
		return !found
	}
	for _, q := range append(append([]ir.Expr(nil), r.Filters...), r.Queries...) {
		if !ir.Inspect(q, check) {
			return true
		}
	}
	return false
}

// config is the query's first stage.
func (x *converter) config() string {
	if x.caseSensitive {
		return "config case_sensitive = true"
	}
	return "config case_sensitive = false"
}

// dataset is the dataset the pipelines chose with set_table (xdr-data:
// xdr_data). Without one the query has no dataset to claim: writing
// xdr_data over fields that are not its columns would silently match
// nothing, so the rule fails at its logsource, as in the KQL backend.
func (x *converter) dataset() (string, error) {
	r := x.rule
	if r.Table == "" {
		set := "no pipeline sets one"
		if len(r.Pipelines) > 0 {
			set = "the pipelines (" + strings.Join(r.Pipelines, ", ") + ") set none"
		}
		return "", sigma.Errorf(r.Source.File, r.Source.LogSource.Pos,
			"xql: no dataset for logsource %s: %s; use the xdr-data pipeline or set_table",
			describe(r.LogSource), set).WithReason(sigma.ReasonLogsource)
	}
	if !isIdentifier(r.Table) {
		return "", sigma.Errorf(r.Source.File, r.Source.LogSource.Pos, "xql: dataset name %q is not an identifier", r.Table).WithReason(sigma.ReasonLogsource)
	}
	return r.Table, nil
}

// describe names a logsource for messages: "category=process_creation
// product=windows".
func describe(ls sigma.LogSource) string {
	var parts []string
	for _, kv := range [][2]string{{"category", ls.Category}, {"product", ls.Product}, {"service", ls.Service}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	if len(parts) == 0 {
		return "(empty)"
	}
	return strings.Join(parts, " ")
}

// isIdentifier reports whether a dataset name can be written unquoted:
// a letter or underscore, then letters, digits and underscores (the form
// of every dataset name in the XQL reference, such as xdr_data).
func isIdentifier(s string) bool {
	return isFieldName(s) && !strings.Contains(s, ".")
}

// column returns the schema entry of a match's column; nil when the rule
// is not checked against the schema. A column without an entry has no
// evidence and is refused, naming the Sigma field mapped to it.
func (x *converter) column(m *ir.Match) (*Column, error) {
	if !x.checked {
		return nil, nil
	}
	if c, ok := x.schema.Column(m.Field); ok {
		return c, nil
	}
	return nil, sigma.Errorf(x.rule.Source.File, m.Pos, "xql: %s: xdr_data column %q has no evidence in the schema (backends/xql/schema.json)", x.fieldLabel(m.Field), m.Field).WithReason(sigma.ReasonField)
}

// refusal is why the value cannot be compared with the column exactly,
// or "".
func (x *converter) refusal(c *Column, v sigma.Value) string {
	if len(c.Refuse) == 0 {
		return "" // most columns: no value text to build
	}
	switch v := v.(type) {
	case sigma.String:
		return c.refusal(valueText(c.rewrite(v)))
	case sigma.Regex:
		return c.refusal(v.Pattern)
	}
	return ""
}

// fieldLabel names the Sigma fields the pipelines map to a column, for
// messages: "field OriginalFileName (xdr_data sigconv_original_file_name)".
func (x *converter) fieldLabel(col string) string {
	var names []string
	for _, p := range data().pipelines {
		for _, it := range p.Items {
			fm, ok := it.Transformation.(*pipeline.FieldNameMapping)
			if !ok {
				continue
			}
			for _, k := range fm.Order {
				if slices.Contains(fm.Mapping[k], col) && !slices.Contains(names, k) {
					names = append(names, k)
				}
			}
		}
	}
	if len(names) == 0 {
		return "field " + col
	}
	return "Sigma field " + strings.Join(names, " or ") + " (xdr_data " + col + ")"
}

// prepare rewrites a condition before rendering: a comparison with an
// IPv6 value (an IPv6 network, or text with a ':') on a column that has an
// IPv6 sibling becomes "either column": whether the agent keeps such an
// address in the IPv4-named column, the _v6 one or both is not
// documented, and the or of both is right in every case. The walker then
// guards each leaf on its own column.
func (x *converter) prepare(e ir.Expr) ir.Expr {
	if !x.checked {
		return e
	}
	switch e := e.(type) {
	case *ir.Match:
		c, ok := x.schema.Columns[e.Field]
		if !ok || c.IPv6 == "" || !isIPv6Value(e.Value) {
			return e
		}
		return &ir.Or{Args: []ir.Expr{e, &ir.Match{Field: c.IPv6, Value: e.Value, Pos: e.Pos}}}
	case *ir.Not:
		return &ir.Not{Arg: x.prepare(e.Arg)}
	case *ir.And:
		return &ir.And{Args: x.prepareAll(e.Args)}
	case *ir.Or:
		return &ir.Or{Args: x.prepareAll(e.Args)}
	}
	return e
}

func (x *converter) prepareAll(args []ir.Expr) []ir.Expr {
	out := make([]ir.Expr, len(args))
	for i, a := range args {
		out[i] = x.prepare(a)
	}
	return out
}

func isIPv6Value(v sigma.Value) bool {
	switch v := v.(type) {
	case sigma.CIDR:
		return v.Prefix.Addr().Is6() && !v.Prefix.Addr().Is4In6()
	case sigma.String:
		return strings.Contains(valueText(v), ":")
	}
	return false
}

// alters are the alter stages defining the computed columns the queries
// use, in order of first use.
func (x *converter) alters(qs ...ir.Expr) []string {
	var names []string
	add := func(m *ir.Match) bool {
		if c, ok := x.schema.Computed[m.Field]; ok && x.checked && c != nil && !slices.Contains(names, m.Field) {
			names = append(names, m.Field)
		}
		return true
	}
	for _, e := range append(append([]ir.Expr(nil), x.rule.Filters...), qs...) {
		ir.Inspect(e, add)
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "alter " + n + " = " + x.schema.Computed[n].Expr
	}
	return out
}

// outputFields are the rule's output fields the fields stage can name,
// and a comment line naming the others ("" when none is left out). When
// checked, only fields with a column in the schema are named (a fields
// stage naming a missing column would fail the query); otherwise only
// names XQL can write unquoted (anything else could end the stage). The
// comment says what was left out instead of dropping it silently.
func (x *converter) outputFields() (fields []string, comment string) {
	var dropped []string
	for _, f := range x.rule.Fields {
		ok := isFieldName(f)
		if x.checked {
			_, ok = x.schema.Column(f)
		}
		if ok {
			fields = append(fields, f)
		} else {
			dropped = append(dropped, commentSafe(oneLine(f)))
		}
	}
	if len(dropped) == 0 {
		return fields, ""
	}
	why := "fields without a column in xdr_data: "
	if !x.checked {
		why = "fields that are not XQL field names: "
	}
	return fields, "// sigconv: " + why + strings.Join(dropped, ", ")
}
