package sigma

import (
	"encoding/base64"
	"errors"
	"fmt"
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// encode applies the string-rewriting modifiers. Their results are byte
// strings: Part.Text of an encoded literal holds raw bytes (UTF-16 text is
// not valid UTF-8), and backends must escape them as bytes.
func (p *parser) encode(m modRef, s String) ([]Value, error) {
	switch m.mod {
	case ModBase64:
		text, err := encodable(m, s)
		if err != nil {
			return nil, err
		}
		return []Value{Plain(base64.StdEncoding.EncodeToString([]byte(text)))}, nil
	case ModBase64Offset:
		return p.base64Offset(m, s)
	case ModUTF16LE:
		return []Value{mapLiterals(s, utf16Bytes(false))}, placeholderErr(m, s)
	case ModUTF16BE:
		return []Value{mapLiterals(s, utf16Bytes(true))}, placeholderErr(m, s)
	case ModUTF16:
		return []Value{withBOM(mapLiterals(s, utf16Bytes(false)))}, placeholderErr(m, s)
	case ModWindash:
		return windash(s)
	}
	return []Value{expandPlaceholders(s)}, nil
}

// encodable returns the bytes an encoder works on: base64 of a wildcard
// cannot be expressed, so wildcards must come after the encoder.
func encodable(m modRef, s String) (string, error) {
	if s.HasWildcards() || s.HasPlaceholders() {
		return "", fmt.Errorf("modifier %s cannot encode wildcards or placeholders; put contains/startswith/endswith after it, or escape * and ? with a backslash", m.name)
	}
	return s.Text(), nil
}

func placeholderErr(m modRef, s String) error {
	if s.HasPlaceholders() {
		return fmt.Errorf("modifier %s cannot encode placeholders; put expand after it", m.name)
	}
	return nil
}

// base64Offset gives the three encodings of the value at the three
// possible alignments inside a longer base64 text (reference §4.2), using
// the byte length. The characters that depend on unknown neighbouring
// bytes are cut off. A variant left empty would match anything, so it is
// dropped with a warning.
func (p *parser) base64Offset(m modRef, s String) ([]Value, error) {
	text, err := encodable(m, s)
	if err != nil {
		return nil, err
	}
	var out []Value
	for _, v := range base64OffsetVariants([]byte(text)) {
		if v == "" {
			p.warnf(m.pos, "value is too short for base64offset; one of its variants would match anything and is dropped")
			continue
		}
		out = append(out, Plain(v))
	}
	if len(out) == 0 {
		return nil, errors.New("value is too short for base64offset")
	}
	return out, nil
}

func base64OffsetVariants(v []byte) [3]string {
	start := [3]int{0, 2, 3}
	cut := [3]int{0, 3, 2} // by (len+offset) mod 3
	var out [3]string
	for i := range 3 {
		enc := base64.StdEncoding.EncodeToString(append([]byte(strings.Repeat(" ", i)), v...))
		end := len(enc) - cut[(len(v)+i)%3]
		if end > start[i] {
			out[i] = enc[start[i]:end]
		}
	}
	return out
}

// mapLiterals rewrites the literal parts of s, keeping wildcards: a
// wildcard stands for any characters, which the target matches in the
// encoded text just as well.
func mapLiterals(s String, f func(string) string) String {
	parts := make([]Part, len(s.Parts))
	for i, pt := range s.Parts {
		if pt.Kind == Literal {
			pt.Text = f(pt.Text)
		}
		parts[i] = pt
	}
	return String{Parts: parts, Cased: s.Cased}
}

// utf16Bytes encodes text as UTF-16 (any Unicode text, with surrogate
// pairs; pySigma is limited to ASCII).
func utf16Bytes(bigEndian bool) func(string) string {
	return func(text string) string {
		units := utf16.Encode([]rune(text))
		b := make([]byte, 0, 2*len(units))
		for _, u := range units {
			if bigEndian {
				b = append(b, byte(u>>8), byte(u))
			} else {
				b = append(b, byte(u), byte(u>>8))
			}
		}
		return string(b)
	}
}

// withBOM prepends the little-endian byte-order mark FF FE, as the
// specification defines utf16 (pySigma differs, reference §13.3).
func withBOM(s String) String {
	const bom = "\xff\xfe"
	if len(s.Parts) > 0 && s.Parts[0].Kind == Literal {
		s.Parts[0].Text = bom + s.Parts[0].Text
		return s
	}
	s.Parts = append([]Part{{Kind: Literal, Text: bom}}, s.Parts...)
	return s
}

// windashChars replace a dash that starts a command-line flag, in this
// order (reference §4.3).
var windashChars = []string{"-", "/", "\u2013", "\u2014", "\u2015"}

type slot struct{ part, at int }

// windash expands every '-' or '/' that starts a word (pySigma's
// `\B[-/]\b`, with Unicode word characters as Python has them) into the
// five dash characters, as a cartesian product with the first flag
// varying slowest. Each literal part is matched on its own.
func windash(s String) ([]Value, error) {
	var slots []slot
	for i, pt := range s.Parts {
		if pt.Kind == Literal {
			for _, at := range dashSlots(pt.Text) {
				slots = append(slots, slot{i, at})
			}
		}
	}
	total := 1
	for range slots {
		total *= len(windashChars)
		if total > maxAlternatives {
			return nil, fmt.Errorf("modifier windash expands the value into more than %d alternatives", maxAlternatives)
		}
	}
	out := make([]Value, 0, total)
	for n := range total {
		out = append(out, windashVariant(s, slots, n))
	}
	return out, nil
}

// windashVariant builds variant n: slot k takes digit k of n in base 5,
// the first slot being the most significant digit.
func windashVariant(s String, slots []slot, n int) String {
	choice := make([]int, len(slots))
	for k := len(slots) - 1; k >= 0; k-- {
		choice[k] = n % len(windashChars)
		n /= len(windashChars)
	}
	parts := append([]Part(nil), s.Parts...)
	for pi := range parts {
		if parts[pi].Kind != Literal {
			continue
		}
		var b strings.Builder
		text, last := parts[pi].Text, 0
		for k, sl := range slots {
			if sl.part == pi {
				b.WriteString(text[last:sl.at])
				b.WriteString(windashChars[choice[k]])
				last = sl.at + 1
			}
		}
		b.WriteString(text[last:])
		parts[pi].Text = b.String()
	}
	return String{Parts: parts, Cased: s.Cased}
}

// dashSlots returns the byte offsets of the dashes windash expands.
func dashSlots(text string) []int {
	var out []int
	prevWord := false
	for i := 0; i < len(text); {
		r, w := utf8.DecodeRuneInString(text[i:])
		if (r == '-' || r == '/') && !prevWord && i+w < len(text) {
			next, _ := utf8.DecodeRuneInString(text[i+w:])
			if isWordRune(next) {
				out = append(out, i)
			}
		}
		prevWord = isWordRune(r)
		i += w
	}
	return out
}

// isWordRune is Python's Unicode \w: alphanumeric or underscore.
func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}

// expandPlaceholders turns %name% in literal parts into Placeholder parts;
// a backslash before % makes it literal (specification "Placeholders").
func expandPlaceholders(s String) String {
	var parts []Part
	for _, pt := range s.Parts {
		if pt.Kind != Literal {
			parts = append(parts, pt)
			continue
		}
		parts = append(parts, splitPlaceholders(pt.Text)...)
	}
	return String{Parts: parts, Cased: s.Cased}
}

func splitPlaceholders(text string) []Part {
	var parts []Part
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, Part{Kind: Literal, Text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\\' && i+1 < len(text) && text[i+1] == '%' {
			lit.WriteByte('%')
			i++
			continue
		}
		if c == '%' {
			if j := strings.IndexByte(text[i+1:], '%'); j > 0 {
				flush()
				parts = append(parts, Part{Kind: Placeholder, Text: text[i+1 : i+1+j]})
				i += j + 1
				continue
			}
		}
		lit.WriteByte(c)
	}
	flush()
	return parts
}

// regexValue validates a re pattern. Go's RE2 syntax is the check, but
// targets differ (Splunk uses PCRE, KQL RE2), and pySigma validates with
// Python's re: so PCRE-only constructs (look-around, back-references,
// atomic groups, possessive quantifiers) are accepted with a warning when
// the rest of the pattern is valid; any other syntax error is an error.
func (p *parser) regexValue(pattern string, pos Pos) (Value, bool) {
	if _, err := syntax.Parse(pattern, syntax.Perl); err != nil {
		clean, used := stripPCRE(pattern)
		if _, err2 := syntax.Parse(clean, syntax.Perl); len(used) == 0 || err2 != nil {
			p.errorf(pos, "invalid regular expression: %s", regexMsg(err))
			return nil, false
		}
		p.warnf(pos, "regular expression uses %s, which RE2 engines (Go, KQL, Cortex XQL) do not support", strings.Join(used, " and "))
	}
	return Regex{Pattern: pattern}, true
}

func regexMsg(err error) string {
	var se *syntax.Error
	if errors.As(err, &se) {
		return fmt.Sprintf("%s: `%s`", se.Code, se.Expr)
	}
	return err.Error()
}

// pcreOpeners are group openers PCRE knows and RE2 does not.
var pcreOpeners = []struct{ text, what string }{
	{"(?<=", "look-behind"}, {"(?<!", "look-behind"}, {"(?=", "look-ahead"},
	{"(?!", "look-ahead"}, {"(?>", "atomic groups"},
}

// stripPCRE replaces PCRE-only constructs by RE2 equivalents of the same
// shape, so the rest of the pattern can be checked, and names what it saw.
func stripPCRE(pat string) (string, []string) {
	var b strings.Builder
	seen := map[string]bool{}
	var used []string
	note := func(w string) {
		if !seen[w] {
			seen[w] = true
			used = append(used, w)
		}
	}
outer:
	for i := 0; i < len(pat); i++ {
		if strings.HasPrefix(pat[i:], "(?#") {
			// A PCRE comment runs to the next ')'; nothing of it matches.
			if end := strings.IndexByte(pat[i:], ')'); end > 0 {
				i += end
				note("comments (?#...)")
				continue
			}
		}
		if flags, n := inlineFlags(pat[i:]); strings.ContainsRune(flags, 'x') {
			// PCRE's extended mode; RE2 knows the other flags.
			rest := strings.TrimSuffix(strings.ReplaceAll(flags, "x", ""), "-")
			switch {
			case pat[i+n-1] == ':':
				b.WriteString("(?" + rest + ":")
			case rest != "":
				b.WriteString("(?" + rest + ")")
			}
			i += n - 1
			note("extended mode (?x)")
			continue
		}
		for _, o := range pcreOpeners {
			if strings.HasPrefix(pat[i:], o.text) {
				b.WriteString("(?:")
				i += len(o.text) - 1
				note(o.what)
				continue outer
			}
		}
		c := pat[i]
		switch {
		case c == '\\' && i+1 < len(pat):
			n := pat[i+1]
			if (n >= '1' && n <= '9') || n == 'k' || n == 'g' {
				note("back-references")
				b.WriteString("x")
			} else if strings.IndexByte("ZGhHRKvV", n) >= 0 {
				note(`\` + string(n))
				b.WriteString("x")
			} else {
				b.WriteString(pat[i : i+2])
			}
			i++
		case c == '+' && i > 0 && strings.IndexByte("*+?}", pat[i-1]) >= 0 && (i < 2 || pat[i-2] != '\\'):
			note("possessive quantifiers")
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), used
}

// inlineFlags reads an inline flag group "(?flags)" or "(?flags:" at the
// start of s and returns the flags (letters and '-') and the group
// opener's length, or "" when s does not start with one.
func inlineFlags(s string) (string, int) {
	if !strings.HasPrefix(s, "(?") {
		return "", 0
	}
	for j := 2; j < len(s); j++ {
		c := s[j]
		switch {
		case c == ')' || c == ':':
			if j == 2 {
				return "", 0
			}
			return s[2:j], j + 1
		case c == '-' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
		default:
			return "", 0
		}
	}
	return "", 0
}
