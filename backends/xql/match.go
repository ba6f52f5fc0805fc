package xql

import (
	"strings"

	"github.com/sigconv/sigconv/backends/textquery"
	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// match renders one comparison. Each case keeps the rule's exact meaning
// or fails with a positioned error; nothing is approximated.
func (x *converter) match(m *ir.Match) (textquery.Fragment, error) {
	r := x.rule
	fail := func(format string, args ...any) (textquery.Fragment, error) {
		return textquery.Fragment{}, sigma.Errorf(r.Source.File, m.Pos, "xql: "+format, args...)
	}
	if m.Field == "" {
		return fail("keyword search (a value without a field) cannot be expressed on an XQL dataset: xdr_data has no full-text field")
	}
	if !isFieldName(m.Field) {
		return fail("field name %q cannot be written in XQL", m.Field)
	}
	f := m.Field
	col, err := x.column(m)
	if err != nil {
		return textquery.Fragment{}, err
	}
	if col != nil {
		if why := x.refusal(col, m.Value); why != "" {
			return textquery.Fragment{}, sigma.Errorf(r.Source.File, m.Pos, "xql: %s: %s (value %s)", x.fieldLabel(f), why, ir.FormatValue(m.Value)).WithReason(sigma.ReasonField)
		}
		if s, ok := m.Value.(sigma.String); ok {
			if s, changed := col.rewritten(s); changed {
				m = &ir.Match{Field: f, Value: s, Pos: m.Pos}
			}
		}
	}
	if re, ok := m.Value.(sigma.Regex); ok {
		if err := re2Only(re.Pattern); err != nil {
			return fail("%v", err)
		}
	}
	switch v := m.Value.(type) {
	case sigma.String:
		s, err := stringMatch(f, v, x.caseSensitive)
		if err != nil {
			return fail("%v", err)
		}
		return textquery.Atom(s), nil
	case sigma.Number:
		return textquery.Atom(f + " = " + v.String()), nil
	case sigma.Bool:
		return textquery.Atom(f + " = " + boolText(v.Value)), nil
	case sigma.Null:
		return textquery.Atom(f + " = null"), nil
	case sigma.Exists:
		if v.Value {
			return textquery.Atom(f + " != null"), nil
		}
		return textquery.Atom(f + " = null"), nil
	case sigma.Compare:
		return textquery.Atom(f + " " + v.Op.String() + " " + v.Value.String()), nil
	case sigma.CIDR:
		op := "incidr"
		if v.Prefix.Addr().Is6() && !v.Prefix.Addr().Is4In6() {
			op = "incidr6"
		}
		return textquery.Atom(f + " " + op + " \"" + v.Prefix.String() + "\""), nil
	case sigma.Regex:
		re, err := regexValue(v)
		if err != nil {
			return fail("%v", err)
		}
		return textquery.Atom(f + " ~= \"" + re + "\""), nil
	case sigma.FieldRef:
		if v.StartsWith || v.EndsWith || v.Cased {
			return fail("fieldref with contains/startswith/endswith/cased has no XQL operator; only equality of two fields can be expressed")
		}
		if !isFieldName(v.Field) {
			return fail("field name %q cannot be written in XQL", v.Field)
		}
		if x.caseSensitive {
			return fail("fieldref in a rule with case-sensitive parts: such a rule runs under config case_sensitive = true, where F = G would compare case-sensitively")
		}
		return textquery.Atom(f + " = " + v.Field), nil
	case sigma.Raw:
		if x.checked && strings.HasPrefix(v.Text, "ENUM.") && x.schema.Enums[v.Text] == "" {
			return textquery.Fragment{}, sigma.Errorf(r.Source.File, m.Pos, "xql: %s has no evidence in the xdr_data schema (backends/xql/schema.json)", v.Text).WithReason(sigma.ReasonField)
		}
		return textquery.Atom(f + " = " + v.Text), nil
	case sigma.TimePart:
		return fail("time-part modifier %s is not supported by the xql backend", v.Part)
	}
	return fail("value type %T is not supported", m.Value)
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// stringMatch picks the exact operator for a Sigma string. "..." literals
// carry text as typed (no escapes), so a value is written in them only
// when it has none of: '"' (would end the literal), a trailing backslash
// (an unconfirmed corner of the literal rules), control characters (a
// line break must never reach the query), '*' (a wildcard in "...") and
// '?' (kept out of caution). Other values, '?' wildcards and cased values
// become an anchored regular expression (~=), which says exactly the same.
// Under config case_sensitive = true (sensitive) the literal forms would
// compare case-sensitively, so every value takes the regex form, whose
// (?i) flag says its case.
func stringMatch(f string, s sigma.String, sensitive bool) (string, error) {
	if s.HasPlaceholders() {
		return "", placeholderError(s)
	}
	shape, core := s.Shape()
	if shape == sigma.ShapeAny && !s.Cased {
		// '*' matches every value, the empty string included, but not a
		// missing field.
		return f + " != null", nil
	}
	if !s.Cased && !sensitive && literalSafe(s) {
		switch shape {
		case sigma.ShapeEqual:
			return f + " = \"" + core + "\"", nil
		case sigma.ShapeContains:
			return f + " contains \"" + core + "\"", nil
		case sigma.ShapeStartsWith, sigma.ShapePattern, sigma.ShapeEndsWith:
			if onlyMultiWildcards(s) {
				// "in" string lists accept '*' wildcards (Supported
				// operators page), matching the whole value.
				return f + " in (\"" + globText(s) + "\")", nil
			}
		}
	}
	re, err := textquery.WildcardRegex(s, textquery.RegexOptions{QuoteSafe: true})
	if err != nil {
		return "", err
	}
	return f + " ~= \"" + re + "\"", nil
}

func placeholderError(s sigma.String) error {
	for _, p := range s.Parts {
		if p.Kind == sigma.Placeholder {
			return &placeholderErr{name: p.Text}
		}
	}
	return nil
}

type placeholderErr struct{ name string }

func (e *placeholderErr) Error() string {
	return "unresolved placeholder %" + e.name + "% (expand modifier): pass a pipeline with value_placeholders and vars"
}

// literalSafe reports whether every literal part can be written verbatim
// inside "...".
func literalSafe(s sigma.String) bool {
	for _, p := range s.Parts {
		if p.Kind != sigma.Literal {
			continue
		}
		for j := 0; j < len(p.Text); j++ {
			c := p.Text[j]
			if c == '"' || c == '*' || c == '?' || c < 0x20 || c == 0x7f {
				return false
			}
		}
		// How XQL lexes a raw Unicode line separator inside "..." is not
		// documented; the regex form writes it as an escape.
		if strings.ContainsAny(p.Text, "\u0085\u2028\u2029") {
			return false
		}
		// A backslash right before the closing quote or before a '*'
		// wildcard is a corner the documentation does not settle ("\*"
		// may read as an escaped asterisk), so such values take the regex
		// form.
		if strings.HasSuffix(p.Text, `\`) {
			return false
		}
	}
	return true
}

func onlyMultiWildcards(s sigma.String) bool {
	for _, p := range s.Parts {
		if p.Kind == sigma.WildSingle {
			return false
		}
	}
	return true
}

// globText writes a string whose wildcards are all '*' in XQL glob form.
func globText(s sigma.String) string {
	var b strings.Builder
	b.Grow(textSize(s))
	for _, p := range s.Parts {
		if p.Kind == sigma.WildMulti {
			b.WriteByte('*')
		} else {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

// rawList folds an OR of target-native tokens on one field (pipeline
// conditions such as event_sub_type) into an "in" list.
func (x *converter) rawList(ms []*ir.Match) (textquery.Fragment, bool, error) {
	var vals []string
	for _, m := range ms {
		raw, ok := m.Value.(sigma.Raw)
		if !ok {
			return textquery.Fragment{}, false, nil
		}
		if _, err := x.match(m); err != nil {
			return textquery.Fragment{}, false, err
		}
		vals = append(vals, raw.Text)
	}
	return textquery.Atom(ms[0].Field + " in (" + strings.Join(vals, ", ") + ")"), true, nil
}
