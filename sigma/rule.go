package sigma

import (
	"time"

	"github.com/sigconv/sigconv/sigma/cond"
)

// Document is one YAML document of a rule file: a *Rule, a *Correlation or
// a *Filter.
type Document interface {
	// Metadata returns the fields every kind of document shares.
	Metadata() *Meta
}

// File is a parsed rule file: its documents in file order, and every
// diagnostic (errors and warnings) found while parsing and validating it.
// A document with errors is left out of Documents.
type File struct {
	Path      string
	Documents []Document
	Diags     ErrorList
}

// Meta holds the attributes shared by rules, correlations and filters.
type Meta struct {
	File string // path of the rule file, as given
	Pos  Pos    // position of the document's first key

	Title          string
	ID             string
	Name           string
	Related        []Related
	Status         string
	Description    string
	License        string
	Author         string
	References     []string
	Date           string // YYYY-MM-DD
	Modified       string // YYYY-MM-DD
	Tags           []string
	FalsePositives []string
	Level          string

	// Custom holds unknown top-level keys in document order.
	Custom []CustomAttr

	// KeyPos records the position of each top-level key, for messages.
	KeyPos map[string]Pos
}

// Metadata implements Document.
func (m *Meta) Metadata() *Meta { return m }

// PosOf returns the position of a top-level key, or the document's position.
func (m *Meta) PosOf(key string) Pos {
	if p, ok := m.KeyPos[key]; ok {
		return p
	}
	return m.Pos
}

// CustomValue returns the decoded value of a custom attribute.
func (m *Meta) CustomValue(key string) (any, bool) {
	for _, c := range m.Custom {
		if c.Key == key {
			return c.Value, true
		}
	}
	return nil, false
}

// Related is one entry of the related list.
type Related struct {
	ID   string
	Type string
}

// CustomAttr is an unknown top-level key, kept as decoded YAML
// (string, int64, float64, bool, nil, []any, or []KeyValue for maps, which
// keeps key order).
type CustomAttr struct {
	Key   string
	Value any
	Pos   Pos
}

// KeyValue is one entry of a decoded YAML map, in document order.
type KeyValue struct {
	Key   string
	Value any
}

// Rule is a Sigma detection rule.
type Rule struct {
	Meta
	Taxonomy  string
	LogSource LogSource
	Detection Detection
	Fields    []string
	Scope     []string
}

// LogSource is the rule's logsource block.
type LogSource struct {
	Pos        Pos
	Category   string
	Product    string
	Service    string
	Definition string
	Custom     []KeyValue
}

// Detection is the detection block: named searches and conditions.
type Detection struct {
	Pos        Pos
	Searches   []*Search // in document order
	Conditions []*Condition
}

// Search returns the search with the given name, or nil.
func (d *Detection) Search(name string) *Search {
	for _, s := range d.Searches {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Search is one search identifier. It matches when any of its groups
// matches (a list of maps is an OR of maps).
type Search struct {
	Name   string
	Pos    Pos
	Groups []*Group
}

// Group is a set of detection items that must all match: one YAML map, or
// a single keyword item.
type Group struct {
	Pos   Pos
	Items []*Item
}

// Item is one detection item: a field (empty for keywords), its modifiers
// and its values with the modifiers applied.
type Item struct {
	Pos       Pos    // position of the key (or of the keyword list)
	Field     string // "" for a keyword search
	Modifiers []Modifier
	Values    []ItemValue
	All       bool // values are AND-ed (the all modifier); default OR
	Negated   bool // neq: the whole item is negated
}

// ItemValue is one value as written in the rule. Modifiers such as windash
// or base64offset expand it into several alternatives, which are always
// OR-ed with each other, whatever the item's linking.
type ItemValue struct {
	Pos          Pos
	Alternatives []Value
}

// Condition is one entry of the condition (a string or a list of strings).
type Condition struct {
	Pos  Pos    // position of the condition text's first character
	Text string // the condition as written
	Expr cond.Expr
}

// Correlation is a Sigma correlation rule.
type Correlation struct {
	Meta
	Type         CorrelationType
	Rules        []RuleRef // referenced rules, by id or name
	GroupBy      []string  // group-by fields
	Timespan     time.Duration
	TimespanText string                 // as written, e.g. "5m"
	Condition    []CorrelationCondition // AND-ed; empty for temporal without condition
	Field        string                 // the condition's field, for value_* types
	Percentile   int                    // for value_percentile
	// PercentileSet says whether the condition has a percentile key
	// (the specification's value_percentile example has none).
	PercentileSet bool
	Aliases       []Alias
	Generate      bool
	TypePos       Pos

	// Fields holds every field of the condition (value_count may name
	// several); Field is the first.
	Fields []string
	// ConditionText and ConditionExpr hold pySigma's extended temporal
	// condition, a boolean expression over rule names, when the condition
	// is a string instead of a map.
	ConditionText string
	ConditionExpr cond.Expr
	ConditionPos  Pos
}

// RuleRef is a reference by id or name to another rule.
type RuleRef struct {
	Ref string
	Pos Pos
}

// CorrelationCondition is one comparison of the aggregate, e.g. gte: 10.
type CorrelationCondition struct {
	Op    CorrelationOp
	Value float64
	Pos   Pos
}

// Alias maps one group-by name to a field of each referenced rule.
type Alias struct {
	Name   string
	Pos    Pos
	Fields []KeyValueString // rule reference -> field, in document order
}

// KeyValueString is an ordered string pair.
type KeyValueString struct {
	Key   string
	Value string
	Pos   Pos
}

// Filter is a Sigma meta-filter document.
type Filter struct {
	Meta
	LogSource LogSource
	Rules     []RuleRef // empty with AnyRule set means every rule
	AnyRule   bool
	Detection Detection
}

// Rules returns the file's valid detection rules, in file order.
func (f *File) Rules() []*Rule { return documentsOf[*Rule](f) }

// Correlations returns the file's valid correlation rules, in file order.
func (f *File) Correlations() []*Correlation { return documentsOf[*Correlation](f) }

// Filters returns the file's valid meta-filters, in file order.
func (f *File) Filters() []*Filter { return documentsOf[*Filter](f) }

func documentsOf[T Document](f *File) []T {
	var out []T
	for _, d := range f.Documents {
		if t, ok := d.(T); ok {
			out = append(out, t)
		}
	}
	return out
}
