// Package kql renders Sigma rules as Kusto Query Language (KQL) for
// Microsoft Defender XDR advanced hunting and Microsoft Sentinel.
//
// Built-in pipelines choose the data: defender-xdr (the default) the
// Device* tables of advanced hunting, sentinel-asim the ASIM parser
// functions (imProcessCreate, imNetworkSession, ...), sentinel-windows the
// SecurityEvent and Event tables for workspaces without ASIM. Each maps
// the Sigma taxonomy to columns that exist (schema.json) and fails, with
// the rule's position and the pipeline's name, for what it cannot serve.
//
// A query is the table, an optional extend of computed columns, one where
// with the pipeline's conditions and the detection, and a project of the
// rule's fields:
//
//	DeviceProcessEvents
//	| where ProcessCommandLine contains @"\\.\pipe\1."
//	| project Timestamp, DeviceName
//
// Every value is written in one KQL string literal (see quote) and every
// comparison means exactly what the rule says (see match.go); constructs
// KQL cannot express fail instead of being approximated.
package kql

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/textquery"
	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/pipeline"
	"github.com/sigconv/sigconv/sigma"
)

// stateSchema is the pipeline state key naming the schema of the tables a
// pipeline selects ("defender" or "sentinel").
const stateSchema = "kql_schema"

// Backend is the KQL target. Its built-in pipelines and schemas are
// parsed at its first use (builtin.go), so New and registration are cheap.
type Backend struct{}

// New returns the KQL backend with its built-in pipelines.
func New() *Backend { return &Backend{} }

func init() { backends.Register(New()) }

// Name implements backends.Backend.
func (*Backend) Name() string { return "kql" }

// Pipelines implements backends.PipelineProvider.
func (*Backend) Pipelines() []*pipeline.Pipeline { return data().pipelines }

// DefaultPipelines implements backends.PipelineProvider.
func (*Backend) DefaultPipelines() []string { return pipelineNames[:1] }

// Convert implements backends.Backend: one multi-line query per condition.
func (b *Backend) Convert(r *ir.Rule) ([]string, error) {
	return b.queries(r, "\n")
}

// queries renders every condition; sep separates the query's stages.
func (b *Backend) queries(r *ir.Rule, sep string) ([]string, error) {
	t, err := b.tableOf(r)
	if err != nil {
		return nil, err
	}
	maps, err := valueMaps(r)
	if err != nil {
		return nil, err
	}
	x := &renderer{r: r, table: t, values: maps}
	d := &textquery.Dialect{
		Tokens: textquery.Tokens{
			And: " and ", Or: " or ", Not: "not", Open: "(", Close: ")",
			// not() is a function in KQL, so it always takes parentheses.
			NotAlwaysGroups: true,
			// Kusto.Language refuses chains of a few hundred operands
			// (KS245, syntax depth); see the corpus test.
			MaxChain: 64,
		},
		Hooks: textquery.Hooks{Match: x.match, List: x.list},
		// Non-string columns can be null (a string column holds "" when
		// empty), and not() of a comparison with null drops the row.
		Null: &textquery.NullGuard{CanBeNull: x.canBeNull, IsNull: nullTest("isnull"), NotNull: nullTest("isnotnull")},
	}
	if sep == "\n" {
		d.TopAnd = "\n    and "
	}
	var out []string
	for i, q := range r.Queries {
		where, err := d.RenderRule(r, q)
		if err != nil {
			return nil, err
		}
		if err := checkOnly(r, maps, i, q); err != nil {
			return nil, err
		}
		out = append(out, assemble(r, t, q, where, sep))
	}
	return out, nil
}

// tableOf resolves the table the pipelines chose and what is known of it.
func (b *Backend) tableOf(r *ir.Rule) (table, error) {
	if r.Table == "" {
		return table{}, sigma.Errorf(r.Source.File, r.Source.LogSource.Pos,
			"kql: no table for logsource %s: the pipelines (%s) set none; use a built-in pipeline (%s) or set_table",
			describe(r.LogSource), strings.Join(r.Pipelines, ", "), strings.Join(pipelineNames, ", ")).WithReason(sigma.ReasonLogsource)
	}
	if !identifier.MatchString(r.Table) {
		return table{}, sigma.Errorf(r.Source.File, r.Source.LogSource.Pos, "kql: table name %q is not an identifier", r.Table)
	}
	t := table{name: r.Table}
	if s := data().schemas[r.State[stateSchema]]; s != nil {
		t.columns = s.columns[r.Table]
		t.computed = s.computed[r.Table]
	}
	return t, nil
}

func describe(ls sigma.LogSource) string {
	var parts []string
	for _, kv := range [][2]string{{"category", ls.Category}, {"product", ls.Product}, {"service", ls.Service}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	return strings.Join(parts, " ")
}

// assemble builds the stages around the where expression of query q.
func assemble(r *ir.Rule, t table, q ir.Expr, where, sep string) string {
	used := map[string]bool{}
	for _, f := range append([]ir.Expr{q}, r.Filters...) {
		fieldsOf(f, used)
	}
	stages := []string{t.name}
	if ext := extendStage(t, used, r.Fields); ext != "" {
		stages = append(stages, ext)
	}
	stages = append(stages, "where "+where)
	project, dropped := projection(t, r.Fields)
	if project != "" {
		stages = append(stages, project)
	}
	text := strings.Join(stages, sep+"| ")
	if len(dropped) > 0 {
		// A comment runs to the end of the line, so it comes last; the
		// parser check proves KQL accepts it there.
		lead := "\n"
		if sep != "\n" {
			lead = " "
		}
		text += lead + "// sigconv: fields without a column in " + t.name + ": " + strings.Join(dropped, ", ")
	}
	return text
}

// extendStage computes the table's computed columns (such as a
// Sysmon-style TargetObject) that the query compares or projects.
func extendStage(t table, used map[string]bool, fields []string) string {
	var names []string
	for name := range t.computed {
		if used[name] || contains(fields, name) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	sort.Strings(names)
	var defs []string
	for _, n := range names {
		defs = append(defs, n+" = "+t.computed[n].Expr)
	}
	return "extend " + strings.Join(defs, ", ")
}

// fieldsOf collects the fields a tree compares, referenced fields included.
func fieldsOf(e ir.Expr, into map[string]bool) {
	switch e := e.(type) {
	case *ir.Match:
		into[e.Field] = true
		if ref, ok := e.Value.(sigma.FieldRef); ok {
			into[ref.Field] = true
		}
	case *ir.Not:
		fieldsOf(e.Arg, into)
	case *ir.And:
		for _, a := range e.Args {
			fieldsOf(a, into)
		}
	case *ir.Or:
		for _, a := range e.Args {
			fieldsOf(a, into)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// absentPrefix marks an output field that a pipeline declares to have no
// column in its table (output_field_mapping "Product: -Product"). Such a
// field is dropped and listed like any other field without a column; the
// mark keeps later detection mappings from giving the name a meaning it
// does not have in the rule's fields list (Product there is the hunt's
// reporting product, not the PE product name of process_creation).
const absentPrefix = "-"

// projection is the project stage of the rule's fields. Fields that are
// not columns of a known table are left out (a project of them would not
// compile) and returned, so that the query can say so.
func projection(t table, fields []string) (string, []string) {
	var cols, dropped []string
	for _, f := range fields {
		if absent, ok := strings.CutPrefix(f, absentPrefix); ok {
			dropped = append(dropped, absent)
			continue
		}
		name, err := fieldName(f)
		if err != nil || !t.has(f) {
			dropped = append(dropped, strings.Join(strings.Fields(f), " "))
			continue
		}
		cols = append(cols, name)
	}
	if len(cols) == 0 {
		return "", dropped
	}
	return "project " + strings.Join(cols, ", "), dropped
}

// Formats implements backends.Formatter: "default" is the multi-line
// query, "plain" one query per line, "sentinel-rule" a Microsoft Sentinel
// scheduled analytic rule in the YAML of the Azure-Sentinel repository,
// "defender-detection" a Defender XDR custom detection (defender.go).
func (*Backend) Formats() []string {
	return []string{"default", "plain", "sentinel-rule", "defender-detection"}
}

// Format implements backends.Formatter.
func (b *Backend) Format(format string, r *ir.Rule, queries []string) (string, error) {
	if format == "defender-detection" {
		return b.defenderDetection(r, queries)
	}
	if r.Correlation != nil {
		return b.formatCorrelation(format, r, queries)
	}
	switch format {
	case "default":
		return strings.Join(queries, "\n\n"), nil
	case "plain":
		qs, err := b.queries(r, " ")
		return strings.Join(qs, "\n"), err
	case "sentinel-rule":
		t, err := b.tableOf(r)
		if err != nil {
			return "", err
		}
		return sentinelRule(r, t, queries)
	}
	return "", fmt.Errorf("kql has no format %q", format)
}

// Scheduled implements backends.Scheduler: Sentinel analytic rules and
// Defender custom detections run periodically.
func (b *Backend) Scheduled(format string) bool {
	return format == "sentinel-rule" || format == "defender-detection"
}

// canBeNull reports whether a column of the table can be null: every
// non-string KQL type can; strings are empty, never null. Fields written
// through a value map, and tables without a column list, are not guarded.
func (x *renderer) canBeNull(field string) bool {
	if x.values[field] != nil {
		return false
	}
	typ := x.table.typeOf(field)
	return typ != "" && typ != "string"
}

// nullTest renders isnull(F) / isnotnull(F); the field was already
// checked by the leaf it guards.
func nullTest(fn string) func(string) string {
	return func(field string) string {
		name, err := fieldName(field)
		if err != nil {
			name = field
		}
		return fn + "(" + name + ")"
	}
}
