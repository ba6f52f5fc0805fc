// Package xql renders Sigma rules as Cortex Query Language (XQL) for
// Cortex XDR and XSIAM, on dataset xdr_data with config case_sensitive =
// false, as Palo Alto's published hunts do.
//
// Literal semantics follow the XSIAM "filter" stage page
// (https://docs-cortex.paloaltonetworks.com/r/Cortex-XSIAM/Cortex-XSIAM-Documentation/filter):
// inside "..." a backslash is an ordinary character and '*' is a wildcard.
// Operators follow the "Supported operators" page
// (https://docs-cortex.paloaltonetworks.com/r/Cortex-XSIAM/Cortex-XSIAM-Documentation/Supported-operators):
// =, !=, <, <=, >, >=, contains, in (string lists accept '*' wildcards),
// ~= (regular expression), incidr (IPv4), incidr6 (IPv6), and, or, not.
package xql

import (
	"fmt"
	"strings"
	"sync"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/textquery"
	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/pipeline"
	"github.com/sigconv/sigconv/sigma"
)

// Backend is the XQL target. Its built-in pipeline and schema are parsed
// at its first use (builtin.go), so New and registration are cheap.
type Backend struct{}

// New returns the XQL backend with its built-in pipeline.
func New() *Backend { return &Backend{} }

func init() { backends.Register(New()) }

// Name implements backends.Backend.
func (*Backend) Name() string { return "xql" }

// Pipelines implements backends.PipelineProvider.
func (*Backend) Pipelines() []*pipeline.Pipeline { return data().pipelines }

// DefaultPipelines implements backends.PipelineProvider.
func (*Backend) DefaultPipelines() []string { return []string{"xdr-data"} }

// Formats implements backends.Formatter: "default" is the documented hunt
// layout with a comment header, "plain" one query per line,
// "xsiam-correlation" a Cortex XSIAM correlation rule (xsiam.go).
func (*Backend) Formats() []string { return []string{"default", "plain", "xsiam-correlation"} }

// isFieldName reports what XQL accepts unquoted: identifiers, and dotted
// XDM names such as xdm.source.ipv4 (the pattern
// ^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$). It is written out
// because it runs for every match and a regexp was a tenth of the
// conversion time.
func isFieldName(s string) bool {
	start := true // at the first character of a dot-separated segment
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c == '_':
		case c >= '0' && c <= '9' && !start:
		case c == '.' && !start:
			start = true
			continue
		default:
			return false
		}
		start = false
	}
	return !start
}

// Convert implements backends.Backend: one multi-line query per condition.
func (b *Backend) Convert(r *ir.Rule) ([]string, error) {
	return b.queries(r, true)
}

func (b *Backend) queries(r *ir.Rule, multiline bool) ([]string, error) {
	x := b.converter(r)
	dataset, err := x.dataset()
	if err != nil {
		return nil, err
	}
	d := x.dialect(multiline)
	var out []string
	for _, q := range r.Queries {
		q = x.prepare(q)
		filter, err := d.RenderRule(r, q)
		if err != nil {
			return nil, err
		}
		out = append(out, x.assemble(dataset, q, filter, multiline))
	}
	return out, nil
}

// assemble builds the stages around the filter expression.
// The query is written once into a builder of its final size: the filter
// is most of it, and building each stage and then joining them copied it
// twice more.
func (x *converter) assemble(dataset string, q ir.Expr, filter string, multiline bool) string {
	alters := x.alters(q)
	fields, dropped := x.outputFields()
	sep := " | "
	if multiline {
		sep = "\n| "
	}
	config := x.config()
	size := len(config) + len("dataset = ") + len(dataset) + len("filter ") + len(filter) + len("sort desc _time") + 3*len(sep)
	for _, a := range alters {
		size += len(a) + len(sep)
	}
	for _, f := range fields {
		size += len(f) + len(", ")
	}
	if len(fields) > 0 {
		size += len("fields ") + len(sep)
	}
	if dropped != "" {
		size += 1 + len(dropped)
	}
	var b strings.Builder
	b.Grow(size)
	b.WriteString(config)
	b.WriteString(sep)
	b.WriteString("dataset = ")
	b.WriteString(dataset)
	for _, a := range alters {
		b.WriteString(sep)
		b.WriteString(a)
	}
	b.WriteString(sep)
	b.WriteString("filter ")
	b.WriteString(filter)
	if len(fields) > 0 {
		b.WriteString(sep)
		b.WriteString("fields ")
		for i, f := range fields {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(f)
		}
	}
	b.WriteString(sep)
	b.WriteString("sort desc _time")
	if dropped != "" {
		// A // comment runs to the end of its line; the XQL reference
		// shows comments on lines of their own, so it gets one, last.
		b.WriteByte('\n')
		b.WriteString(dropped)
	}
	return b.String()
}

// Format implements backends.Formatter.
func (b *Backend) Format(format string, r *ir.Rule, queries []string) (string, error) {
	switch format {
	case "xsiam-correlation":
		return b.xsiamCorrelation(r, queries)
	case "plain":
		if len(r.Queries) == 0 {
			// A correlation: its stages on one line, after its comment.
			return oneLineStages(queries), nil
		}
		qs, err := b.queries(r, false)
		return strings.Join(qs, "\n"), err
	case "default":
		return joinAfter(header(r)+"\n", queries, "\n\n"), nil
	}
	return "", fmt.Errorf("xql has no format %q", format)
}

// header is the comment block of Palo Alto's published hunts. Comments end
// at the line break, so metadata is folded onto one line.
func header(r *ir.Rule) string {
	src := r.Source
	var b strings.Builder
	b.Grow(len(src.Title) + len(src.Description) + 64)
	line := func(label, text string) {
		b.WriteString(label)
		b.WriteString(commentSafe(oneLine(text)))
		b.WriteByte('\n')
	}
	line("// Title: ", src.Title)
	if src.Description != "" {
		line("// Description: ", src.Description)
	}
	if ttp := ttpComment(src); ttp != "" {
		line("// MITRE ATT&CK TTP ID: ", ttp)
	}
	return b.String()
}

// commentSafe folds "/*" in header text to "/ *": whether a block-comment
// opener inside a // line comment starts a block comment is not
// documented, and if it did the query after it would be commented out.
func commentSafe(s string) string {
	return strings.ReplaceAll(s, "/*", "/ *")
}

// oneLine folds white space runs into single spaces and trims the ends.
// Text that is ASCII and already folded, as most titles are, is returned
// as is without the split and join.
func oneLine(s string) string {
	folded := true
	for i := 0; i < len(s) && folded; i++ {
		switch c := s[i]; {
		case c >= 0x80, c == '\t', c == '\n', c == '\v', c == '\f', c == '\r':
			folded = false // non-ASCII may hold Unicode white space
		case c == ' ':
			folded = i > 0 && i < len(s)-1 && s[i+1] != ' '
		}
	}
	if folded {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// ttpComment is the rule's custom attribute mitre_ttp_comment when set
// (hunts annotate techniques with prose), else its ATT&CK technique tags.
func ttpComment(r *sigma.Rule) string {
	if v, ok := r.CustomValue("mitre_ttp_comment"); ok {
		if s, ok := v.(string); ok {
			return s
		}
	}
	var ids []string
	for _, t := range r.Tags {
		if id, ok := strings.CutPrefix(t, "attack.t"); ok && id != "" && id[0] >= '0' && id[0] <= '9' {
			ids = append(ids, "T"+strings.ToUpper(id))
		}
	}
	return strings.Join(ids, " / ")
}

// dialect is XQL's syntax for the shared walker. No vendor page states
// whether "and" binds tighter than "or", so every mixed group is
// parenthesized; and a comparison with null may not be false, so every
// "not" over a column that can be null carries a null guard.
func (x *converter) dialect(multiline bool) *textquery.Dialect {
	d := &textquery.Dialect{
		Tokens: textquery.Tokens{
			And: " and ", Or: " or ", Not: "not ", Open: "(", Close: ")",
			NotAlwaysGroups: true,
			GroupMixed:      true,
		},
		Hooks: textquery.Hooks{
			Match: x.match,
			List:  x.rawList,
		},
		Null: nullGuard(x.schema),
	}
	if multiline {
		d.TopAnd = "\n    and "
	}
	return d
}

// joinAfter is prefix + strings.Join(parts, sep) built as one string.
func joinAfter(prefix string, parts []string, sep string) string {
	size := len(prefix)
	for i, p := range parts {
		if i > 0 {
			size += len(sep)
		}
		size += len(p)
	}
	var b strings.Builder
	b.Grow(size)
	b.WriteString(prefix)
	for i, p := range parts {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(p)
	}
	return b.String()
}

// nullGuard is the guard for a schema's nullable columns, built once per
// schema rather than per rule (there is one, the embedded one).
func nullGuard(s *Schema) *textquery.NullGuard {
	if g, ok := nullGuards.Load(s); ok {
		return g.(*textquery.NullGuard)
	}
	g := &textquery.NullGuard{
		CanBeNull: s.CanBeNull,
		IsNull:    func(f string) string { return f + " = null" },
		NotNull:   func(f string) string { return f + " != null" },
	}
	nullGuards.Store(s, g)
	return g
}

var nullGuards sync.Map // *Schema -> *textquery.NullGuard

// oneLineStages puts each query's stages on one line, keeping its leading
// // comment lines (which cannot share the line) before it. Literals never
// hold a raw line break, so joining lines cannot change a value.
func oneLineStages(queries []string) string {
	var out []string
	for _, q := range queries {
		var comments, stages []string
		for _, line := range strings.Split(q, "\n") {
			if strings.HasPrefix(line, "//") {
				comments = append(comments, line)
			} else {
				stages = append(stages, strings.TrimSpace(line))
			}
		}
		out = append(out, comments...)
		out = append(out, strings.Join(stages, " "))
	}
	return strings.Join(out, "\n")
}
