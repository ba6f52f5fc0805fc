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
	var b strings.Builder
	if !s.Cased {
		b.WriteString("(?i)")
	}
	b.WriteByte('^')
	for _, p := range s.Parts {
		switch p.Kind {
		case sigma.Literal:
			lit, err := RegexLiteral(p.Text, opt)
			if err != nil {
				return "", err
			}
			b.WriteString(lit)
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
	if !utf8.ValidString(text) {
		return "", fmt.Errorf("value %q is not valid UTF-8 text", text)
	}
	var b strings.Builder
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
			fmt.Fprintf(&b, `\x{%x}`, r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x{%x}`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), nil
}

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
