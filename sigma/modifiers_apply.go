package sigma

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// modRef is one modifier as written in a key, with its position.
type modRef struct {
	mod  Modifier
	name string
	pos  Pos
}

// parseKey splits "Field|mod|mod" and resolves the modifier names.
func (p *parser) parseKey(k *yaml.Node) (string, []modRef, bool) {
	key, base := k.Value, textPos(k)
	field, rest, hasMods := strings.Cut(key, "|")
	off, ok := len(field)+1, true
	var mods []modRef
	if hasMods {
		mods = make([]modRef, 0, strings.Count(rest, "|")+1)
	}
	for hasMods {
		var name string
		name, rest, hasMods = strings.Cut(rest, "|")
		pos := Pos{Line: base.Line, Column: base.Column + utf8.RuneCountInString(key[:off])}
		off += len(name) + 1
		m, known := LookupModifier(name)
		switch {
		case name == "":
			p.errorf(pos, "empty modifier name in %q", key)
			ok = false
		case !known:
			p.errorf(pos, "unknown modifier %q%s", name, didYouMean(suggest(name, modifierList())))
			ok = false
		default:
			mods = append(mods, modRef{mod: m, name: name, pos: pos})
		}
	}
	if field != "" || !strings.Contains(key, "|") {
		ok = p.checkFieldName(field, nodePos(k)) && ok
	}
	return field, mods, ok
}

func modifierList() []string {
	out := make([]string, 0, len(modifierNames))
	for n := range modifierNames {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// isListMod tells the modifiers that act on the whole item, not on each
// value; their place in the chain does not matter.
func isListMod(m Modifier) bool { return m == ModAll || m == ModNeq }

// firstOnly are the modifiers that read the value as written and so must
// come before any other value modifier.
func firstOnly(m Modifier) bool {
	switch m {
	case ModRe, ModCIDR, ModExists, ModFieldRef, ModMinute, ModHour, ModDay, ModWeek, ModMonth, ModYear:
		return true
	}
	return false
}

// checkChain performs the checks that do not depend on the values.
func (p *parser) checkChain(it *Item, mods []modRef) bool {
	ok, valueIdx := true, 0
	seen := map[Modifier]bool{}
	for _, m := range mods {
		if seen[m.mod] && m.mod != ModBase64 {
			p.warnf(m.pos, "modifier %s is used twice", m.mod)
		}
		seen[m.mod] = true
		switch {
		case isListMod(m.mod):
			continue
		case firstOnly(m.mod) && valueIdx > 0:
			p.errorf(m.pos, "modifier %s must come first: it reads the value as written", m.name)
			ok = false
		case m.mod == ModExists && it.Field == "":
			p.errorf(m.pos, "modifier exists needs a field")
			ok = false
		}
		valueIdx++
	}
	return ok
}

// itemValue decodes one value and applies the modifiers left to right.
// slot is a one-element slice the caller owns (items share one array for
// their values); the value's alternatives are written into it while there
// is one, and modifiers that keep one value replace it in place.
func (p *parser) itemValue(it *Item, mods []modRef, v *yaml.Node, slot []Value, arena *partArena) (ItemValue, bool) {
	s := readScalar(v)
	rest := mods
	var first *modRef
	for i, m := range mods {
		if isListMod(m.mod) {
			p.applyListMod(it, m.mod)
			continue
		}
		if firstOnly(m.mod) {
			first, rest = &mods[i], mods[i+1:]
		}
		break
	}
	if first == nil {
		if str, ok := p.wildcardString(it, rest, s, arena); ok {
			if s.Ambiguous != "" {
				p.warnf(nodePos(v), "%s", s.Ambiguous)
			}
			slot[0] = str
			return ItemValue{Pos: nodePos(v), Alternatives: slot}, true
		}
	}
	val, ok := p.initialValue(it, first, v, s)
	if !ok {
		return ItemValue{}, false
	}
	slot[0] = val
	vals := slot
	for i, m := range rest {
		if isListMod(m.mod) {
			p.applyListMod(it, m.mod)
			continue
		}
		if !p.utf16IsText(m, rest[i+1:], vals) {
			return ItemValue{}, false
		}
		if vals, ok = p.applyMod(m, vals); !ok {
			return ItemValue{}, false
		}
	}
	return ItemValue{Pos: nodePos(v), Alternatives: vals}, true
}

// wildcardString is itemValue's path for the most common value: plain
// text without wildcards or escapes under no modifiers but contains,
// startswith, endswith, cased and the list modifiers. Its parts are built
// at their final size at once, which is what applying the modifiers one
// by one gives: each adds a '*' on its side unless one is there already.
// ok is false for any other value, which takes the general path.
func (p *parser) wildcardString(it *Item, mods []modRef, s scalar, arena *partArena) (String, bool) {
	if s.Kind != kString || s.Text == "" || strings.IndexAny(s.Text, `\*?`) >= 0 {
		return String{}, false
	}
	lead, trail, cased := false, false, false
	for _, m := range mods {
		switch m.mod {
		case ModAll, ModNeq, ModCased:
		case ModContains:
			lead, trail = true, true
		case ModStartsWith:
			trail = true
		case ModEndsWith:
			lead = true
		default:
			return String{}, false
		}
	}
	for _, m := range mods {
		switch m.mod {
		case ModAll, ModNeq:
			p.applyListMod(it, m.mod)
		case ModCased:
			cased = true
		}
	}
	n := 1
	if lead {
		n++
	}
	if trail {
		n++
	}
	parts := arena.take(n)
	if lead {
		parts = append(parts, Part{Kind: WildMulti})
	}
	parts = append(parts, Part{Kind: Literal, Text: s.Text})
	if trail {
		parts = append(parts, Part{Kind: WildMulti})
	}
	return String{Parts: parts, Cased: cased}, true
}

// partArena hands out the parts of an item's values from one array: the
// values of an item share their modifiers, so each needs as many parts,
// and one allocation per item replaces one per value.
type partArena struct {
	free []Part
	left int // at least the values still to ask, the asking one included
}

// take returns an empty slice with room for n parts, capped so that an
// append never reaches the next value's parts.
func (a *partArena) take(n int) []Part {
	if len(a.free) < n {
		a.free = make([]Part, n*max(a.left, 1))
	}
	out := a.free[:0:n]
	a.free = a.free[n:]
	a.left--
	return out
}

func (p *parser) applyListMod(it *Item, m Modifier) {
	if m == ModAll {
		it.All = true
	} else {
		it.Negated = true
	}
}

// initialValue turns the scalar into its typed value, interpreted by the
// first modifier when that one reads the raw text (re, cidr, ...).
func (p *parser) initialValue(it *Item, first *modRef, v *yaml.Node, s scalar) (Value, bool) {
	pos := nodePos(v)
	if first == nil {
		if s.Ambiguous != "" {
			p.warnf(pos, "%s", s.Ambiguous)
		}
		return plainValue(s), true
	}
	m := first.mod
	switch m {
	case ModExists:
		return p.existsValue(s, pos)
	case ModMinute, ModHour, ModDay, ModWeek, ModMonth, ModYear:
		if s.Kind != kNumber || s.Num.IsFloat {
			p.errorf(pos, "modifier %s needs an integer value, not %s", first.name, kindName(v))
			return nil, false
		}
		return TimePart{Part: m.String(), Value: s.Num}, true
	}
	if s.Kind != kString {
		p.errorf(pos, "modifier %s needs a string value, not %s%s", first.name, kindName(v), quoteHint(s))
		return nil, false
	}
	switch m {
	case ModRe:
		return p.regexValue(s.Text, textPos(v))
	case ModCIDR:
		return p.cidrValue(s.Text, pos)
	}
	return p.fieldRefValue(s.Text, pos)
}

func quoteHint(s scalar) string {
	if s.Kind == kNumber {
		return "; quote the number if it is text"
	}
	return ""
}

// plainValue is the value of a scalar without modifiers.
func plainValue(s scalar) Value {
	switch s.Kind {
	case kNumber:
		return s.Num
	case kBool:
		return Bool{Value: s.Bool}
	case kNull:
		return Null{}
	}
	return ParseString(s.Text)
}

// existsValue accepts true/false, and plain yes/no/on/off with a warning:
// here a boolean is the only sensible reading.
func (p *parser) existsValue(s scalar, pos Pos) (Value, bool) {
	switch {
	case s.Kind == kBool:
		return Exists{Value: s.Bool}, true
	case s.Bool11:
		p.warnf(pos, "exists: %s is read as %t; write true or false", s.Text, s.Bool)
		return Exists{Value: s.Bool}, true
	}
	p.errorf(pos, "modifier exists needs true or false, not %q", s.Text)
	return nil, false
}

func (p *parser) cidrValue(text string, pos Pos) (Value, bool) {
	pr, err := parseCIDR(text)
	if err != nil {
		p.errorf(pos, "%v", err)
		return nil, false
	}
	return CIDR{Prefix: pr}, true
}

// parseCIDR parses an IPv4 or IPv6 network. Like pySigma (Python's strict
// ip_network) it refuses host bits and accepts a bare address as a
// single-host network.
func parseCIDR(text string) (netip.Prefix, error) {
	t := strings.TrimSpace(text)
	if !strings.Contains(t, "/") {
		a, err := netip.ParseAddr(t)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("invalid CIDR network %q", text)
		}
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	pr, err := netip.ParsePrefix(t)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("invalid CIDR network %q", text)
	}
	if pr.Masked() != pr {
		return netip.Prefix{}, fmt.Errorf("CIDR network %q has host bits set; did you mean %s?", text, pr.Masked())
	}
	return pr, nil
}

func (p *parser) fieldRefValue(text string, pos Pos) (Value, bool) {
	s := ParseString(text)
	if !s.IsPlain() {
		p.errorf(pos, "modifier fieldref needs a field name without wildcards, not %q", text)
		return nil, false
	}
	if !p.checkFieldName(s.Text(), pos) {
		return nil, false
	}
	return FieldRef{Field: s.Text()}, true
}

// applyMod applies one value modifier to every alternative. A modifier
// that gives one value for each replaces the alternatives in place (vals
// is owned by itemValue); the encoders may give several and build a new
// list.
func (p *parser) applyMod(m modRef, vals []Value) ([]Value, bool) {
	if !expands(m.mod) {
		for i, v := range vals {
			res, err := modifyOne(m, v)
			if err != nil {
				p.errorf(m.pos, "%v", err)
				return nil, false
			}
			vals[i] = res
		}
		return vals, true
	}
	out := make([]Value, 0, len(vals))
	for _, v := range vals {
		s, err := needString(m, v)
		var res []Value
		if err == nil {
			res, err = p.encode(m, s)
		}
		if err != nil {
			p.errorf(m.pos, "%v", err)
			return nil, false
		}
		out = append(out, res...)
	}
	if len(out) > maxAlternatives {
		p.errorf(m.pos, "modifier %s expands the value into more than %d alternatives", m.name, maxAlternatives)
		return nil, false
	}
	return out, true
}

// expands tells the modifiers that may turn one value into several.
func expands(m Modifier) bool {
	switch m {
	case ModBase64, ModBase64Offset, ModUTF16LE, ModUTF16BE, ModUTF16, ModWindash, ModExpand:
		return true
	}
	return false
}

// modifyOne applies a modifier that gives one value for one value.
func modifyOne(m modRef, v Value) (Value, error) {
	switch m.mod {
	case ModContains, ModStartsWith, ModEndsWith:
		return addWildcards(m, v)
	case ModCased:
		return setCased(m, v)
	case ModReIgnoreCase, ModReMultiline, ModReDotAll:
		return setFlag(m, v)
	case ModGT, ModGTE, ModLT, ModLTE:
		return compare(m, v)
	}
	return nil, fmt.Errorf("modifier %s must come first: it reads the value as written", m.name)
}

// describe names a value's type for messages.
func describe(v Value) string {
	switch v := v.(type) {
	case String:
		return "a string"
	case Number:
		return "the number " + v.String()
	case Bool:
		return "a boolean"
	case Null:
		return "null"
	case Regex:
		return "a regular expression (re)"
	case CIDR:
		return "a CIDR network (cidr)"
	case Compare:
		return "a comparison"
	case Exists:
		return "an exists test"
	case FieldRef:
		return "a field reference (fieldref)"
	case TimePart:
		return "a time part"
	}
	return "this value"
}

func mismatch(m modRef, v Value) error {
	hint := ""
	if _, ok := v.(Number); ok {
		hint = "; quote the number if it is text"
	}
	return fmt.Errorf("modifier %s cannot be applied to %s%s", m.name, describe(v), hint)
}

func needString(m modRef, v Value) (String, error) {
	s, ok := v.(String)
	if !ok {
		return String{}, mismatch(m, v)
	}
	return s, nil
}

// addWildcards implements contains/startswith/endswith: wildcards on a
// string (unless already there), ".*" on a regex (as pySigma does, unless
// already anchored or open), flags on a field reference.
func addWildcards(m modRef, v Value) (Value, error) {
	lead := m.mod == ModContains || m.mod == ModEndsWith
	trail := m.mod == ModContains || m.mod == ModStartsWith
	switch v := v.(type) {
	case String:
		parts := v.Parts
		addLead := lead && (len(parts) == 0 || parts[0].Kind != WildMulti)
		addTrail := trail && (len(parts) == 0 || parts[len(parts)-1].Kind != WildMulti)
		if len(parts) == 0 && addLead {
			addTrail = false // the one '*' added is lead and trail at once
		}
		if !addLead && !addTrail {
			return v, nil
		}
		// One new slice of the final size; the input's parts are shared
		// with other values and must not be appended to in place.
		out := make([]Part, 0, len(parts)+2)
		if addLead {
			out = append(out, Part{Kind: WildMulti})
		}
		out = append(out, parts...)
		if addTrail {
			out = append(out, Part{Kind: WildMulti})
		}
		v.Parts = out
		return v, nil
	case Regex:
		if lead && !strings.HasPrefix(v.Pattern, ".*") && !strings.HasPrefix(v.Pattern, "^") {
			v.Pattern = ".*" + v.Pattern
		}
		if trail && !strings.HasSuffix(v.Pattern, ".*") && !strings.HasSuffix(v.Pattern, "$") {
			v.Pattern += ".*"
		}
		return v, nil
	case FieldRef:
		v.StartsWith = v.StartsWith || trail
		v.EndsWith = v.EndsWith || lead
		return v, nil
	}
	return nil, mismatch(m, v)
}

func setCased(m modRef, v Value) (Value, error) {
	switch v := v.(type) {
	case String:
		v.Cased = true
		return v, nil
	case FieldRef:
		v.Cased = true
		return v, nil
	}
	return nil, mismatch(m, v)
}

func setFlag(m modRef, v Value) (Value, error) {
	r, ok := v.(Regex)
	if !ok {
		return nil, fmt.Errorf("modifier %s is a regular-expression flag and must follow re", m.name)
	}
	switch m.mod {
	case ModReIgnoreCase:
		r.IgnoreCase = true
	case ModReMultiline:
		r.Multiline = true
	default:
		r.DotAll = true
	}
	return r, nil
}

func compare(m modRef, v Value) (Value, error) {
	op := map[Modifier]CompareOp{ModGT: GT, ModGTE: GTE, ModLT: LT, ModLTE: LTE}[m.mod]
	switch v := v.(type) {
	case Number:
		return Compare{Op: op, Value: v}, nil
	case TimePart:
		if !v.HasOp {
			v.HasOp, v.Op = true, op
			return v, nil
		}
	case String:
		return nil, fmt.Errorf("modifier %s needs a number, not a string; write the number unquoted", m.name)
	}
	return nil, mismatch(m, v)
}

// utf16IsText refuses a UTF-16 modifier (utf16le/wide, utf16be, utf16) on
// text with non-ASCII characters unless base64 or base64offset follows:
// their code units are bytes that are not UTF-8 text, which no event field
// (JSON, XML, a query literal) can hold, so the matcher could never match
// them and the converters could not write them. One model for all: the
// rule fails here, positioned. ASCII text stays text (with NUL bytes).
func (p *parser) utf16IsText(m modRef, later []modRef, vals []Value) bool {
	if m.mod != ModUTF16LE && m.mod != ModUTF16BE && m.mod != ModUTF16 {
		return true
	}
	for _, n := range later {
		if n.mod == ModBase64 || n.mod == ModBase64Offset {
			return true
		}
	}
	for _, v := range vals {
		s, ok := v.(String)
		if !ok {
			continue
		}
		for _, part := range s.Parts {
			for i := 0; i < len(part.Text); i++ {
				if part.Kind == Literal && part.Text[i] >= 0x80 {
					p.errorf(m.pos, "modifier %s on non-ASCII text %q gives bytes that are not text, which no event field can hold; follow it with base64 or base64offset", m.name, s.Text())
					return false
				}
			}
		}
	}
	return true
}
