package sigma

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Limits that keep hostile input from exhausting memory or time. They are
// far above anything a real rule needs (the largest SigmaHQ rule has a few
// thousand nodes).
const (
	maxFileSize      = 2 << 20 // bytes
	maxDocuments     = 256
	maxExpandedNodes = 200_000 // nodes of one document after alias expansion
	maxDepth         = 200     // nesting of YAML collections
	maxFileDiags     = 50
	maxAlternatives  = 4096 // values one modifier chain may expand into
)

// nodePos returns the position of a node.
func nodePos(n *yaml.Node) Pos {
	if n == nil {
		return Pos{}
	}
	return Pos{Line: n.Line, Column: n.Column}
}

// textPos returns the position of the first character of a scalar's text:
// one column after the opening quote of a quoted scalar.
func textPos(n *yaml.Node) Pos {
	p := nodePos(n)
	if n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0 {
		p.Column++
	}
	return p
}

// deref follows alias nodes. Cycles were refused by scanDoc, so it ends.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// pair is one key/value entry of a mapping node.
type pair struct {
	Key  string
	K, V *yaml.Node
}

// pairs lists a mapping's entries. Keys that are not scalars are reported.
func (p *parser) pairs(m *yaml.Node) []pair {
	m = deref(m)
	out := make([]pair, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := deref(m.Content[i]), m.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.errorf(nodePos(k), "map keys must be plain strings")
			continue
		}
		out = append(out, pair{Key: k.Value, K: k, V: v})
	}
	return out
}

// scanDoc walks a document once before it is interpreted: it refuses
// duplicate keys (yaml.v3's Node API keeps them silently, PyYAML's Sigma
// loader refuses them), merge keys, alias cycles, too deep nesting and
// documents that grow too large when aliases are expanded (alias bombs).
// It reports false when the document must not be interpreted further.
func (p *parser) scanDoc(root *yaml.Node) bool {
	s := &scanner{p: p}
	n := s.count(root, 0)
	if s.fatal {
		return false
	}
	if n > maxExpandedNodes {
		p.errorf(nodePos(root), "document is too large after alias expansion (more than %d nodes)", maxExpandedNodes)
		return false
	}
	return true
}

// scanner keeps its memo and cycle marks for anchored nodes only: in a
// yaml.v3 tree a node is reached twice, or from inside itself, only
// through an alias, and an alias always points at an anchored node. Every
// other node has one parent and is visited once, so it needs no map entry;
// most rules have no anchor at all and the scan then allocates nothing.
type scanner struct {
	p      *parser
	memo   map[*yaml.Node]int
	active map[*yaml.Node]bool
	fatal  bool
}

// count returns the expanded node count of n, saturating above the limit.
func (s *scanner) count(n *yaml.Node, depth int) int {
	if s.fatal || n == nil {
		return 0
	}
	anchored := n.Anchor != ""
	if anchored {
		if c, ok := s.memo[n]; ok {
			return c
		}
	}
	if depth > maxDepth {
		s.p.errorf(nodePos(n), "YAML nesting is deeper than %d levels", maxDepth)
		s.fatal = true
		return 0
	}
	if anchored {
		if s.active[n] {
			s.p.errorf(nodePos(n), "YAML alias refers to a node that contains it")
			s.fatal = true
			return 0
		}
		if s.active == nil {
			s.memo, s.active = map[*yaml.Node]int{}, map[*yaml.Node]bool{}
		}
		s.active[n] = true
	}
	total := 1
	if n.Kind == yaml.AliasNode {
		total = s.count(n.Alias, depth+1)
	} else {
		if n.Kind == yaml.MappingNode {
			s.checkKeys(n)
		}
		for _, c := range n.Content {
			total += s.count(c, depth+1)
			if total > maxExpandedNodes {
				total = maxExpandedNodes + 1
				break
			}
		}
	}
	if anchored {
		delete(s.active, n)
		s.memo[n] = total
	}
	return total
}

// smallMap is the size up to which checkKeys finds duplicates by a linear
// scan instead of a map: cheaper for the few keys a rule's maps have.
const smallMap = 16

// checkKeys reports duplicate and merge keys of one mapping.
func (s *scanner) checkKeys(m *yaml.Node) {
	var seen map[string]Pos
	if len(m.Content)/2 > smallMap {
		seen = make(map[string]Pos, len(m.Content)/2)
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := deref(m.Content[i])
		if k == nil || k.Kind != yaml.ScalarNode {
			continue
		}
		if k.ShortTag() == "!!merge" {
			s.p.errorf(nodePos(k), "YAML merge keys (<<) are not supported")
			continue
		}
		if seen == nil {
			if first, dup := firstKey(m.Content[:i], k.Value); dup {
				s.p.errorf(nodePos(k), "duplicate key %q (first defined at %s)", k.Value, first)
			}
			continue
		}
		if first, dup := seen[k.Value]; dup {
			s.p.errorf(nodePos(k), "duplicate key %q (first defined at %s)", k.Value, first)
			continue
		}
		seen[k.Value] = nodePos(k)
	}
}

// firstKey finds the first earlier key of a mapping's content that the
// map-based path of checkKeys would have recorded under the same name:
// scalar keys that are not merge keys.
func firstKey(content []*yaml.Node, key string) (Pos, bool) {
	for i := 0; i < len(content); i += 2 {
		k := deref(content[i])
		if k == nil || k.Kind != yaml.ScalarNode || k.Value != key || k.ShortTag() == "!!merge" {
			continue
		}
		return nodePos(k), true
	}
	return Pos{}, false
}

// scalarKind is the type a scalar is read as.
type scalarKind uint8

const (
	kString scalarKind = iota
	kNumber
	kBool
	kNull
)

// scalar is a YAML scalar read with the YAML 1.1 conventions rule authors
// write for (PyYAML, which pySigma uses), with a note where yaml.v3's YAML
// 1.2 reading would differ.
type scalar struct {
	Kind      scalarKind
	Text      string // the scalar's text, after YAML quoting rules
	Num       Number
	Bool      bool
	Timestamp bool // an unquoted YAML date, kept as text
	// Bool11 is set for plain yes/no/on/off: strings here, but booleans
	// for PyYAML. Contexts that need a boolean (exists, generate) use it.
	Bool11    bool
	Ambiguous string // why YAML 1.1 and 1.2 readers disagree, if they do
}

var (
	// PyYAML's float resolver: a float needs a '.', an exponent needs a sign.
	pyFloat = regexp.MustCompile(`^[-+]?([0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)?|\.[0-9_]+([eE][-+][0-9]+)?|\.(inf|Inf|INF)|\.(nan|NaN|NAN))$`)
	sexa    = regexp.MustCompile(`^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$`)
	bools11 = map[string]bool{"yes": true, "Yes": true, "YES": true, "on": true, "On": true, "ON": true,
		"no": false, "No": false, "NO": false, "off": false, "Off": false, "OFF": false}
)

// readScalar classifies a scalar node. The decisions, where YAML 1.1
// (PyYAML) and YAML 1.2 (yaml.v3) differ, follow what the rule author saw
// in pySigma, except for yes/no/on/off:
//   - yes/no/on/off stay strings. They are booleans for PyYAML, but in a
//     detection an author comparing a field with the text "on" is the far
//     more common intent; a warning asks to quote or write true/false.
//   - 1e3 and 0o10 are strings (PyYAML), not numbers (yaml.v3).
//   - 1:20 is a string (yaml.v3); PyYAML would read 80. Warned.
//   - 010 is octal 8 for both; warned because it rarely is what was meant.
//   - Unquoted dates are strings holding the date as written.
func readScalar(n *yaml.Node) scalar {
	s := scalar{Kind: kString, Text: n.Value}
	if n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return s
	}
	switch n.ShortTag() {
	case "!!null":
		s.Kind = kNull
	case "!!bool":
		s.Kind, s.Bool = kBool, strings.EqualFold(n.Value, "true")
	case "!!int":
		readInt(&s)
	case "!!float":
		readFloat(&s)
	case "!!timestamp":
		s.Timestamp = true
	case "!!str":
		if b, ok := bools11[n.Value]; ok {
			s.Bool11, s.Bool = true, b
			s.Ambiguous = "YAML 1.1 (PyYAML) reads plain " + n.Value + " as a boolean; it is kept as a string here: quote it, or write true/false"
		} else if mayBeSexagesimal(n.Value) && sexa.MatchString(n.Value) {
			s.Ambiguous = "YAML 1.1 (PyYAML) reads plain " + n.Value + " as a base-60 number; it is kept as a string here: quote it"
		}
	}
	return s
}

// mayBeSexagesimal is a cheap pre-check for sexa: every plain string of a
// rule passes through readScalar, and nearly none holds a ':' after a
// leading digit or sign, so the regexp runs only for the few that might.
func mayBeSexagesimal(v string) bool {
	if v == "" || !(v[0] >= '0' && v[0] <= '9' || v[0] == '-' || v[0] == '+') {
		return false
	}
	return strings.IndexByte(v, ':') >= 0
}

func readInt(s *scalar) {
	text := s.Text
	if strings.HasPrefix(strings.TrimLeft(text, "+-"), "0o") {
		s.Ambiguous = "YAML 1.1 (PyYAML) reads " + text + " as a string, YAML 1.2 as an octal number; it is kept as a string here: quote it"
		return
	}
	clean := strings.ReplaceAll(text, "_", "")
	if i, err := strconv.ParseInt(clean, 0, 64); err == nil {
		s.Kind, s.Num = kNumber, Number{Int: i}
		digits := strings.TrimLeft(clean, "+-")
		if len(digits) > 1 && digits[0] == '0' && digits[1] >= '0' && digits[1] <= '9' {
			s.Ambiguous = "the leading zero makes " + text + " the octal number " + strconv.FormatInt(i, 10) + "; quote it if it is text"
		}
		return
	}
	if f, err := strconv.ParseFloat(clean, 64); err == nil {
		s.Kind, s.Num = kNumber, Number{Float: f, IsFloat: true}
	}
}

func readFloat(s *scalar) {
	if !pyFloat.MatchString(s.Text) {
		s.Ambiguous = "YAML 1.1 (PyYAML) reads " + s.Text + " as a string, YAML 1.2 as a number; it is kept as a string here: quote it"
		return
	}
	f, ok := parseYAMLFloat(s.Text)
	if ok {
		s.Kind, s.Num = kNumber, Number{Float: f, IsFloat: true}
	}
}

func parseYAMLFloat(text string) (float64, bool) {
	t := strings.ReplaceAll(text, "_", "")
	sign := 1.0
	if strings.HasPrefix(t, "-") {
		sign, t = -1, t[1:]
	} else {
		t = strings.TrimPrefix(t, "+")
	}
	switch strings.ToLower(t) {
	case ".inf":
		return sign * math.Inf(1), true
	case ".nan":
		return math.NaN(), true
	}
	f, err := strconv.ParseFloat(t, 64)
	return sign * f, err == nil
}

// decodeAny turns a node into plain Go values for custom attributes:
// string, int64, float64, bool, nil, []any and []KeyValue (keeps order).
func (p *parser) decodeAny(n *yaml.Node) any {
	n = deref(n)
	switch n.Kind {
	case yaml.ScalarNode:
		s := readScalar(n)
		switch s.Kind {
		case kNull:
			return nil
		case kBool:
			return s.Bool
		case kNumber:
			if s.Num.IsFloat {
				return s.Num.Float
			}
			return s.Num.Int
		}
		return s.Text
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			out = append(out, p.decodeAny(c))
		}
		return out
	case yaml.MappingNode:
		kvs := p.pairs(n)
		out := make([]KeyValue, 0, len(kvs))
		for _, kv := range kvs {
			out = append(out, KeyValue{Key: kv.Key, Value: p.decodeAny(kv.V)})
		}
		return out
	}
	return nil
}

// kindName names a node's kind for messages.
func kindName(n *yaml.Node) string {
	n = deref(n)
	switch n.Kind {
	case yaml.MappingNode:
		return "a map"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch readScalar(n).Kind {
		case kNull:
			return "null"
		case kBool:
			return "a boolean"
		case kNumber:
			return "a number"
		}
		return "a string"
	}
	return "nothing"
}

// isNull reports whether a node is a null scalar (null, ~ or empty).
func isNull(n *yaml.Node) bool {
	n = deref(n)
	return n == nil || (n.Kind == yaml.ScalarNode && readScalar(n).Kind == kNull)
}
