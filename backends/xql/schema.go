package xql

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/sigconv/sigconv/sigma"
)

// schemaJSON is the xdr_data data model the backend emits against: every
// column, computed column and ENUM value with its type, whether it can be
// null and a one-line source. A column without an entry has no evidence
// and is refused: a query on a column xdr_data does not have (or holds in
// another form) would silently match nothing.
//
//go:embed schema.json
var schemaJSON []byte

// SchemaJSON returns the schema file, for tests and tools.
func SchemaJSON() []byte { return append([]byte(nil), schemaJSON...) }

// Column is one xdr_data column, or a computed one (Expr set): a value the
// rules expect that xdr_data holds in another form, added to the query
// with an alter stage under the column's name.
type Column struct {
	Type     string `json:"type"`
	Nullable bool   `json:"nullable"`
	Evidence string `json:"evidence"`
	Expr     string `json:"expr,omitempty"`
	Why      string `json:"why,omitempty"`
	// Prefixes rewrite the start of a compared value (Sysmon's hive
	// abbreviations to xdr_data's spelled-out hives).
	Prefixes map[string]string `json:"prefixes,omitempty"`
	// Refuse lists values the column cannot be compared with exactly.
	Refuse []Refusal `json:"refuse,omitempty"`
	// IPv6 names the column xdr_data may keep IPv6 addresses in instead;
	// an IPv6 value is compared with both (see converter.prepare).
	IPv6 string `json:"ipv6,omitempty"`
}

// Refusal is a regexp over a Sigma value (wildcards written '*' and '?'),
// or over a regex pattern, and why such a value is refused.
type Refusal struct {
	Match string `json:"match"`
	Why   string `json:"why"`
	re    *regexp.Regexp
}

// Schema is the parsed schema file.
type Schema struct {
	Columns  map[string]*Column `json:"columns"`
	Computed map[string]*Column `json:"computed"`
	Enums    map[string]string  `json:"enums"`
}

// LoadSchema parses the embedded schema file, afresh at every call; a
// broken file is a programming error caught by every test.
func LoadSchema() *Schema {
	s, err := parseSchema(schemaJSON)
	if err != nil {
		panic(err)
	}
	return s
}

// parseSchema parses a schema file; every column needs its evidence.
func parseSchema(file []byte) (*Schema, error) {
	var s Schema
	if err := json.Unmarshal(file, &s); err != nil {
		return nil, fmt.Errorf("xql: schema.json: %v", err)
	}
	for _, set := range []map[string]*Column{s.Columns, s.Computed} {
		for name, c := range set {
			if c.Evidence == "" {
				return nil, fmt.Errorf("xql: schema.json: %s has no evidence", name)
			}
			for i := range c.Refuse {
				re, err := regexp.Compile(c.Refuse[i].Match)
				if err != nil {
					return nil, fmt.Errorf("xql: schema.json: %s: refuse: %v", name, err)
				}
				c.Refuse[i].re = re
			}
		}
	}
	return &s, nil
}

// Column returns the column or computed column of that name.
func (s *Schema) Column(name string) (*Column, bool) {
	if c, ok := s.Columns[name]; ok {
		return c, true
	}
	c, ok := s.Computed[name]
	return c, ok
}

// CanBeNull reports whether a column can be null. Unknown columns (rules
// converted without the xdr-data pipeline) can be: any xdr_data column is
// null in events it does not apply to.
func (s *Schema) CanBeNull(name string) bool {
	if c, ok := s.Column(name); ok {
		return c.Nullable
	}
	return true
}

// refusal returns why text (a value with wildcards as '*' and '?', or a
// regex pattern) cannot be compared with the column, or "".
func (c *Column) refusal(text string) string {
	for _, r := range c.Refuse {
		if r.re.MatchString(text) {
			return r.Why
		}
	}
	return ""
}

// rewrite applies the column's prefix rewrites to a string value whose
// first part is literal text, matching the prefix case-insensitively
// unless the value is cased.
func (c *Column) rewrite(s sigma.String) sigma.String {
	out, _ := c.rewritten(s)
	return out
}

// rewritten is rewrite reporting whether a prefix was rewritten, so that
// callers keep the value they have when none was.
func (c *Column) rewritten(s sigma.String) (sigma.String, bool) {
	if len(c.Prefixes) == 0 || len(s.Parts) == 0 || s.Parts[0].Kind != sigma.Literal {
		return s, false
	}
	first := s.Parts[0].Text
	// The longest matching prefix wins (ties: the lexically smaller), so
	// the result never depends on the map's iteration order.
	best, found := "", false
	for from := range c.Prefixes {
		if len(first) >= len(from) && (first[:len(from)] == from || !s.Cased && strings.EqualFold(first[:len(from)], from)) {
			if !found || len(from) > len(best) || len(from) == len(best) && from < best {
				best, found = from, true
			}
		}
	}
	if !found {
		return s, false
	}
	parts := append([]sigma.Part(nil), s.Parts...)
	parts[0].Text = c.Prefixes[best] + first[len(best):]
	return sigma.String{Parts: parts, Cased: s.Cased}, true
}

// textSize is the length of valueText(s) and globText(s): each part's
// text, a wildcard one byte.
func textSize(s sigma.String) int {
	n := 0
	for _, p := range s.Parts {
		n += max(len(p.Text), 1)
	}
	return n
}

// valueText writes a Sigma string with its wildcards as '*' and '?', for
// the refusal patterns.
func valueText(s sigma.String) string {
	if len(s.Parts) == 1 && s.Parts[0].Kind == sigma.Literal {
		return s.Parts[0].Text // most values: no copy
	}
	var b strings.Builder
	b.Grow(textSize(s))
	for _, p := range s.Parts {
		switch p.Kind {
		case sigma.WildMulti:
			b.WriteByte('*')
		case sigma.WildSingle:
			b.WriteByte('?')
		default:
			b.WriteString(p.Text)
		}
	}
	return b.String()
}
