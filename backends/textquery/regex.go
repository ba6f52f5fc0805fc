package textquery

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/sigconv/sigconv/sigma"
)

// RegexOptions control how a Sigma string becomes a regular expression.
type RegexOptions struct {
	// QuoteSafe spells '\', '"', '\'' and '`' as \x{..} escapes, so the
	// regex never needs escaping inside a raw string literal and never
	// ends with a backslash (XQL's "..." strings process no escapes).
	QuoteSafe bool
}

// WildcardRegex turns a Sigma string into an RE2/PCRE regular expression
// that matches exactly the values the string matches: anchored at both
// ends, '*' as (?s:.*) and '?' as (?s:.) so that wildcards also match
// line breaks, literal text escaped, and case-insensitive unless the
// string is cased. It fails on placeholders and invalid UTF-8.
func WildcardRegex(s sigma.String, opt RegexOptions) (string, error) {
	size := len("(?i)^$")
	for _, p := range s.Parts {
		size += len(p.Text) + len("(?s:.*)")
	}
	var b strings.Builder
	b.Grow(size) // most values need no more: one allocation
	if !s.Cased {
		b.WriteString("(?i)")
	}
	b.WriteByte('^')
	for _, p := range s.Parts {
		switch p.Kind {
		case sigma.Literal:
			if err := writeRegexLiteral(&b, p.Text, opt); err != nil {
				return "", err
			}
		case sigma.WildMulti:
			b.WriteString("(?s:.*)")
		case sigma.WildSingle:
			b.WriteString("(?s:.)")
		case sigma.Placeholder:
			return "", fmt.Errorf("unresolved placeholder %%%s%%", p.Text)
		}
	}
	b.WriteByte('$')
	return b.String(), nil
}

// RegexLiteral escapes text so that a regex matches it literally.
// Control characters are written as \x{..} escapes so that no raw line
// break or NUL ever reaches a query.
func RegexLiteral(text string, opt RegexOptions) (string, error) {
	var b strings.Builder
	if err := writeRegexLiteral(&b, text, opt); err != nil {
		return "", err
	}
	return b.String(), nil
}

// writeRegexLiteral writes RegexLiteral(text, opt) to b.
func writeRegexLiteral(b *strings.Builder, text string, opt RegexOptions) error {
	if !utf8.ValidString(text) {
		return fmt.Errorf("value %q is not valid UTF-8 text", text)
	}
	for _, r := range text {
		switch {
		case strings.ContainsRune(`.+*?()|[]{}^$`, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\\':
			if opt.QuoteSafe {
				b.WriteString(`\x{5c}`)
			} else {
				b.WriteString(`\\`)
			}
		case opt.QuoteSafe && (r == '"' || r == '\'' || r == '`'):
			fmt.Fprintf(b, `\x{%x}`, r)
		case r < 0x20 || r == 0x7f || isLineSeparator(r):
			fmt.Fprintf(b, `\x{%x}`, r)
		default:
			b.WriteRune(r)
		}
	}
	return nil
}

// isLineSeparator reports the Unicode line separators (NEL, LS, PS):
// targets do not document how they lex inside a literal, so they are
// always written as escapes.
func isLineSeparator(r rune) bool { return r == 0x85 || r == 0x2028 || r == 0x2029 }

// SpellLineSeparators writes the Unicode line separators of a regex as
// \x{..} escapes, which mean the same character in RE2 and PCRE.
func SpellLineSeparators(pattern string) string {
	return lineSeparators.Replace(pattern)
}

var lineSeparators = strings.NewReplacer("\u0085", `\x{85}`, "\u2028", `\x{2028}`, "\u2029", `\x{2029}`)

// RegexFlags returns the inline flag group for a Sigma regex, e.g. "(?im)",
// or "" when it has none.
func RegexFlags(re sigma.Regex) string {
	f := ""
	if re.IgnoreCase {
		f += "i"
	}
	if re.Multiline {
		f += "m"
	}
	if re.DotAll {
		f += "s"
	}
	if f == "" {
		return ""
	}
	return "(?" + f + ")"
}

// QuoteSafeRegex rewrites a rule's regular expression so that it holds
// none of the characters in unsafe and no raw control character: each,
// bare or escaped with a backslash, is spelled \x{..}, which means the
// same character in RE2 and PCRE. An escaped backslash is spelled \x{5c}
// too, so the pattern never ends with a backslash. Other escapes are kept
// as written. \Q...\E quoting is refused: inside it the spellings would
// be literal text. target names the backend in messages.
func QuoteSafeRegex(pattern, unsafe, target string) (string, error) {
	if !utf8.ValidString(pattern) {
		return "", fmt.Errorf("regular expression is not valid UTF-8")
	}
	if strings.Contains(pattern, `\Q`) {
		return "", fmt.Errorf(`\Q...\E quoting in a regular expression is not supported by the %s backend`, target)
	}
	spell := func(c byte) bool { return c < 0x20 || c == 0x7f || strings.IndexByte(unsafe, c) >= 0 }
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '\\' && i+1 < len(pattern):
			i++
			if e := pattern[i]; e == '\\' || spell(e) {
				fmt.Fprintf(&b, `\x{%x}`, e)
			} else {
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		case c == '\\':
			return "", fmt.Errorf("regular expression ends with a lone backslash")
		case spell(c):
			fmt.Fprintf(&b, `\x{%x}`, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}
