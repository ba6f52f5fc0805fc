package kql

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
)

// schemaJSON lists, per schema ("defender", "sentinel"), the tables and
// ASIM parser functions the built-in pipelines select, with the type of
// every column. The backend uses it to refuse columns a table does not
// have, to drop output fields without a column, and to pick operators
// that fit the column's type; the tests hand the same file to Microsoft's
// parser, so what the backend believes and what is checked never differ.
//
//go:embed schema.json
var schemaJSON []byte

// SchemaJSON returns the schema file (format of shared/tools/kql-check:
// {"defender": {"tables": {T: {"columns": {C: type}}}}, "sentinel": {...,
// "functions": {F: {"parameters", "columns"}}}}), for validators.
func SchemaJSON() []byte { return append([]byte(nil), schemaJSON...) }

// schema is one named schema: columns (name → type) per table or function,
// and computed columns per table.
type schema struct {
	columns  map[string]map[string]string
	computed map[string]map[string]*computed
}

// computed is a column the tables lack but can derive exactly, in the
// form Sigma rules expect (e.g. Sysmon's TargetObject, the registry key
// and value name in one path). The backend adds it with extend when a
// query uses it.
type computed struct {
	Expr string `json:"expr"`
	// Refuse, when set, matches values the column can never hold although
	// Sigma's field could (Defender records no IMPHASH in Hashes): a rule
	// comparing with such a value fails instead of silently never matching.
	Refuse string `json:"refuse"`
	Why    string `json:"why"`
	// Type is the KQL type of the expression; "" means string.
	Type   string `json:"type"`
	refuse *regexp.Regexp
}

type schemaFile struct {
	Tables    map[string]struct{ Columns map[string]string } `json:"tables"`
	Functions map[string]struct{ Columns map[string]string } `json:"functions"`
	Computed  map[string]map[string]*computed                `json:"computed"`
}

// parseSchemas parses the schema file.
func parseSchemas(file []byte) (map[string]*schema, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(file, &raw); err != nil {
		return nil, fmt.Errorf("kql: schema.json: %v", err)
	}
	out := map[string]*schema{}
	for name, msg := range raw {
		if name == "_about" {
			continue
		}
		var f schemaFile
		if err := json.Unmarshal(msg, &f); err != nil {
			return nil, fmt.Errorf("kql: schema.json %s: %v", name, err)
		}
		s := &schema{columns: map[string]map[string]string{}, computed: f.Computed}
		for t, def := range f.Tables {
			s.columns[t] = def.Columns
		}
		for t, def := range f.Functions {
			s.columns[t] = def.Columns
		}
		for t, cols := range f.Computed {
			if s.columns[t] == nil {
				return nil, fmt.Errorf("kql: schema.json %s: computed columns of %s, which is neither a table nor a function", name, t)
			}
			for c, def := range cols {
				s.columns[t][c] = "string"
				if def.Type != "" {
					s.columns[t][c] = def.Type
				}
				if def.Refuse != "" {
					re, err := regexp.Compile(def.Refuse)
					if err != nil {
						return nil, fmt.Errorf("kql: schema.json %s: %s.%s: refuse: %v", name, t, c, err)
					}
					def.refuse = re
				}
			}
		}
		out[name] = s
	}
	return out, nil
}

// table is what the backend knows about the table of one rule; a table
// outside the schema (a user pipeline's own) has no column list, and then
// every field is taken as written.
type table struct {
	name     string
	columns  map[string]string // nil when unknown
	computed map[string]*computed
}

func (t table) known() bool { return t.columns != nil }

// has reports whether the table has the column (always true when unknown).
func (t table) has(col string) bool {
	if !t.known() {
		return true
	}
	_, ok := t.columns[col]
	return ok
}

// typeOf returns the column's KQL type, or "" when unknown.
func (t table) typeOf(col string) string {
	if !t.known() {
		return ""
	}
	return t.columns[col]
}

func isNumericType(typ string) bool {
	return typ == "int" || typ == "long" || typ == "real" || typ == "decimal"
}
