package xql

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/sigconv/sigconv/backends/textquery"
	"github.com/sigconv/sigconv/sigma"
)

// regexValue writes a Sigma regular expression for ~= inside "...".
//
// Sigma regexes match anywhere in the value. Whether XQL's ~= searches or
// matches the whole value is not documented, so the pattern is wrapped in
// (?s:.*) on both sides, which means "matches anywhere" under either
// reading. Because "..." processes no escapes, characters that could end
// or confuse the literal are spelled as regex escapes: '"' as \x{22}, an
// escaped backslash as \x{5c} (so the literal never ends in a backslash),
// control characters as \x{..}. Escapes written in the rule are kept.
func regexValue(re sigma.Regex) (string, error) {
	if !utf8.ValidString(re.Pattern) {
		return "", fmt.Errorf("regular expression is not valid UTF-8")
	}
	if strings.Contains(re.Pattern, `\Q`) {
		// Inside \Q...\E the escapes below would turn into literal text.
		return "", fmt.Errorf(`\Q...\E quoting in a regular expression is not supported by the xql backend`)
	}
	var b strings.Builder
	b.WriteString(textquery.RegexFlags(re))
	b.WriteString("(?s:.*)(?:")
	p := re.Pattern
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			i++
			switch p[i] {
			case '"':
				b.WriteString(`\x{22}`)
			case '\\':
				b.WriteString(`\x{5c}`)
			default:
				b.WriteByte('\\')
				b.WriteByte(p[i])
			}
		case c == '\\':
			return "", fmt.Errorf("regular expression ends with a lone backslash")
		case c == '"':
			b.WriteString(`\x{22}`)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, `\x{%x}`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteString(")(?s:.*)")
	return b.String(), nil
}
