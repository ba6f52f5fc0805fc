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
	b       *Backend
	rule    *ir.Rule
	schema  *Schema
	checked bool
}

func (b *Backend) converter(r *ir.Rule) *converter {
	return &converter{b: b, rule: r, schema: b.schema, checked: slices.Contains(r.Pipelines, "xdr-data")}
}

func (x *converter) dataset() string {
	if x.rule.Table != "" {
		return x.rule.Table
	}
	return "xdr_data"
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
	for _, p := range x.b.pipelines {
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

// outputFields are the rule's output fields; when checked, only those
// with a column in the schema (a fields stage naming a missing column
// would fail the query).
func (x *converter) outputFields() []string {
	if !x.checked {
		return x.rule.Fields
	}
	var out []string
	for _, f := range x.rule.Fields {
		if _, ok := x.schema.Column(f); ok {
			out = append(out, f)
		}
	}
	return out
}
