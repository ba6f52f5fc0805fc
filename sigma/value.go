package sigma

import (
	"net/netip"
	"strconv"
	"strings"
)

// Value is the typed, decoded form of one value in a detection item, with
// every modifier already applied. Backends switch on the concrete type and
// never re-parse text: a String is a sequence of parts, a Regex is a pattern
// with flags, and so on.
type Value interface {
	valueNode()
}

// PartKind tells what one part of a String is.
type PartKind uint8

const (
	Literal     PartKind = iota // literal text, escapes already decoded
	WildMulti                   // Sigma '*': any run of characters, also none
	WildSingle                  // Sigma '?': exactly one character
	Placeholder                 // %name% under the expand modifier
)

// Part is one run of a String. Text holds the literal text for Literal and
// the placeholder name (without '%') for Placeholder.
// Text is a byte string: after encoding modifiers (utf16le, utf16be,
// utf16) a literal holds raw bytes that need not be valid UTF-8, so
// backends must escape it byte by byte rather than assume UTF-8 text.
type Part struct {
	Kind PartKind
	Text string
}

// String is a Sigma string value: literal runs and wildcard tokens. It is
// case-insensitive unless Cased is set (the cased modifier).
// contains/startswith/endswith are expressed as leading/trailing WildMulti
// parts, exactly as the specification defines them.
type String struct {
	Parts []Part
	Cased bool
}

// Null matches a field that is null or absent.
type Null struct{}

// Bool is a YAML boolean value.
type Bool struct{ Value bool }

// Number is a YAML integer or float, kept with its canonical text.
type Number struct {
	Int     int64
	Float   float64
	IsFloat bool
}

// Regex is a regular expression (re modifier), taken verbatim from the
// rule, with its flags. Sigma regexes are unanchored (a match anywhere) and
// case-sensitive unless IgnoreCase.
type Regex struct {
	Pattern    string
	IgnoreCase bool // i / ignorecase
	Multiline  bool // m / multiline
	DotAll     bool // s / dotall
}

// CIDR is a network from the cidr modifier (IPv4 or IPv6).
type CIDR struct{ Prefix netip.Prefix }

// CompareOp is a numeric comparison operator.
type CompareOp uint8

const (
	LT CompareOp = iota
	LTE
	GT
	GTE
)

func (op CompareOp) String() string { return [...]string{"<", "<=", ">", ">="}[op] }

// Compare is a numeric comparison (lt, lte, gt, gte).
type Compare struct {
	Op    CompareOp
	Value Number
}

// Exists tests only the presence of a field (exists: true) or its absence
// (exists: false).
type Exists struct{ Value bool }

// FieldRef compares with another field of the same event (fieldref). With
// StartsWith and EndsWith both set it means "contains".
type FieldRef struct {
	Field      string
	StartsWith bool // the field starts with the other field's value
	EndsWith   bool // the field ends with the other field's value
	Cased      bool
}

// TimePart is a time-part modifier (minute, hour, day, week, month, year)
// applied to a date field, compared with Value using Op (equality when
// HasOp is false).
type TimePart struct {
	Part  string // "minute", "hour", "day", "week", "month", "year"
	HasOp bool
	Op    CompareOp
	Value Number
}

// Raw is a target-native token emitted verbatim, such as XQL's
// ENUM.PROCESS. It never comes from a rule: only processing pipelines may
// create it, and they accept only identifier-like text.
type Raw struct{ Text string }

func (String) valueNode()   {}
func (Null) valueNode()     {}
func (Bool) valueNode()     {}
func (Number) valueNode()   {}
func (Regex) valueNode()    {}
func (CIDR) valueNode()     {}
func (Compare) valueNode()  {}
func (Exists) valueNode()   {}
func (FieldRef) valueNode() {}
func (TimePart) valueNode() {}
func (Raw) valueNode()      {}

func (n Number) String() string {
	if n.IsFloat {
		return strconv.FormatFloat(n.Float, 'g', -1, 64)
	}
	return strconv.FormatInt(n.Int, 10)
}

// ParseString decodes a Sigma string following the specification's escape
// rules: '*' and '?' are wildcards; a backslash escapes '*', '?' and itself;
// a backslash before any other character, or at the end, is literal.
func ParseString(s string) String {
	// Fast path: most values have no wildcard or backslash at all and
	// become one literal part sharing the input's bytes.
	if strings.IndexAny(s, `\*?`) < 0 {
		if s == "" {
			return String{}
		}
		return String{Parts: []Part{{Kind: Literal, Text: s}}}
	}
	// Each wildcard adds at most itself and the literal before it.
	parts := make([]Part, 0, 2*strings.Count(s, "*")+2*strings.Count(s, "?")+1)
	var lit strings.Builder
	// start is where the pending literal run of s begins while it needs
	// no unescaping (then it is sliced out of s, not copied); -1 once the
	// run was copied into lit because of an escape.
	start := 0
	flush := func(end int) {
		switch {
		case start >= 0 && end > start:
			parts = append(parts, Part{Kind: Literal, Text: s[start:end]})
		case start < 0 && lit.Len() > 0:
			parts = append(parts, Part{Kind: Literal, Text: lit.String()})
			lit.Reset()
		}
	}
	// toBuilder switches the pending run to the builder before an escape.
	toBuilder := func(end int) {
		if start >= 0 {
			lit.WriteString(s[start:end])
			start = -1
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			if i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '?' || s[i+1] == '\\') {
				toBuilder(i)
				lit.WriteByte(s[i+1])
				i++
			} else if start < 0 {
				lit.WriteByte('\\')
			}
		case '*', '?':
			flush(i)
			start = i + 1
			kind := WildMulti
			if c == '?' {
				kind = WildSingle
			}
			parts = append(parts, Part{Kind: kind})
		default:
			if start < 0 {
				lit.WriteByte(c)
			}
		}
	}
	flush(len(s))
	return String{Parts: parts}
}

// Plain returns a String holding text literally, without wildcards.
func Plain(text string) String {
	if text == "" {
		return String{}
	}
	return String{Parts: []Part{{Kind: Literal, Text: text}}}
}

// HasWildcards reports whether the string has any wildcard part.
func (s String) HasWildcards() bool {
	for _, p := range s.Parts {
		if p.Kind == WildMulti || p.Kind == WildSingle {
			return true
		}
	}
	return false
}

// HasPlaceholders reports whether the string has any unresolved placeholder.
func (s String) HasPlaceholders() bool {
	for _, p := range s.Parts {
		if p.Kind == Placeholder {
			return true
		}
	}
	return false
}

// IsPlain reports whether the string is only literal text.
func (s String) IsPlain() bool {
	for _, p := range s.Parts {
		if p.Kind != Literal {
			return false
		}
	}
	return true
}

// Text concatenates the literal parts. It is meaningful for plain strings.
func (s String) Text() string {
	// One literal part (a plain value, or one under contains, startswith
	// or endswith) is the text itself: no copy.
	only, n := -1, 0
	for i, p := range s.Parts {
		if p.Kind == Literal {
			only, n = i, n+1
		}
	}
	if n == 1 {
		return s.Parts[only].Text
	}
	var b strings.Builder
	for _, p := range s.Parts {
		if p.Kind == Literal {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

// Shape describes where a string's wildcards are, so that backends can pick
// their contains/startswith/endswith/equality operators exactly.
type Shape uint8

const (
	ShapeEqual      Shape = iota // plain literal: equality
	ShapeContains                // * literal *
	ShapeStartsWith              // literal *
	ShapeEndsWith                // * literal
	ShapeAny                     // only '*' wildcards: matches any value, also ""
	ShapePattern                 // anything else: wildcards inside, or '?'
)

// Shape classifies the string and returns its literal core for the first
// four shapes. A lone '*' (or '**') is ShapeAny.
func (s String) Shape() (Shape, string) {
	parts := s.Normalize().Parts
	if len(parts) == 0 {
		return ShapeEqual, ""
	}
	lead, trail := 0, len(parts)
	for lead < len(parts) && parts[lead].Kind == WildMulti {
		lead++
	}
	if lead == len(parts) {
		return ShapeAny, ""
	}
	for trail > lead && parts[trail-1].Kind == WildMulti {
		trail--
	}
	core := parts[lead:trail]
	if len(core) != 1 || core[0].Kind != Literal {
		return ShapePattern, ""
	}
	text := core[0].Text
	switch {
	case lead == 0 && trail == len(parts):
		return ShapeEqual, text
	case lead > 0 && trail < len(parts):
		return ShapeContains, text
	case lead == 0:
		return ShapeStartsWith, text
	default:
		return ShapeEndsWith, text
	}
}

// Sigma renders the string back in Sigma's own escaped notation; useful in
// messages and test output.
func (s String) Sigma() string {
	var b strings.Builder
	for _, p := range s.Parts {
		switch p.Kind {
		case Literal:
			for i := 0; i < len(p.Text); i++ {
				c := p.Text[i]
				if c == '*' || c == '?' || c == '\\' {
					b.WriteByte('\\')
				}
				b.WriteByte(c)
			}
		case WildMulti:
			b.WriteByte('*')
		case WildSingle:
			b.WriteByte('?')
		case Placeholder:
			b.WriteString("%" + p.Text + "%")
		}
	}
	return b.String()
}

// Normalize merges adjacent literal parts and runs of '*', which never
// changes what the string matches; builders that concatenate parts call it
// so that Shape sees one literal core.
func (s String) Normalize() String {
	if s.normal() {
		return s // most strings are; parts are shared read-only, as everywhere
	}
	var parts []Part
	for _, p := range s.Parts {
		n := len(parts)
		switch {
		case p.Kind == Literal && p.Text == "":
			continue
		case n > 0 && p.Kind == Literal && parts[n-1].Kind == Literal:
			parts[n-1].Text += p.Text
		case n > 0 && p.Kind == WildMulti && parts[n-1].Kind == WildMulti:
		default:
			parts = append(parts, p)
		}
	}
	return String{Parts: parts, Cased: s.Cased}
}

// normal reports whether Normalize would return the same parts: no empty
// literal and no two adjacent literals or '*'s. An empty string is not
// reported normal, so Normalize keeps returning nil parts for it.
func (s String) normal() bool {
	for i, p := range s.Parts {
		if p.Kind == Literal && p.Text == "" {
			return false
		}
		if i > 0 && p.Kind == s.Parts[i-1].Kind && (p.Kind == Literal || p.Kind == WildMulti) {
			return false
		}
	}
	return len(s.Parts) > 0
}

// KindName names a value's kind as a rule author knows it ("regex",
// "cidr", "fieldref", …), for messages; Go type names never reach users.
func KindName(v Value) string {
	switch v := v.(type) {
	case String:
		return "string"
	case Null:
		return "null"
	case Bool:
		return "boolean"
	case Number:
		return "number"
	case Regex:
		return "regex (re)"
	case CIDR:
		return "cidr"
	case Compare:
		return "comparison (" + v.Op.String() + ")"
	case Exists:
		return "exists"
	case FieldRef:
		return "fieldref"
	case TimePart:
		return "time part (" + v.Part + ")"
	case Raw:
		return "raw"
	}
	return "unknown"
}
