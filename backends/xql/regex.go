package xql

import (
	"fmt"
	"regexp/syntax"
	"strings"

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
	body, err := textquery.QuoteSafeRegex(re.Pattern, `"`, "xql")
	if err != nil {
		return "", err
	}
	body = textquery.SpellLineSeparators(body)
	flags, body, err := leadingFlags(body)
	if err != nil {
		return "", err
	}
	if f := textquery.RegexFlags(re); f != "" {
		flags = f[2:len(f)-1] + flags
	}
	if flags != "" {
		flags = "(?" + flags + ")"
	}
	return flags + "(?s:.*)(?:" + body + ")(?s:.*)", nil
}

// leadingFlags takes a flag group such as (?i) off the start of a pattern,
// so that it is written where the Cortex pages show flags: at the very
// start of the pattern (inside the (?:...) wrapper RE2 would read it too,
// but no Cortex page shows that). A flag group anywhere else is refused
// for the same reason; scoped groups such as (?i:...) stay as written.
func leadingFlags(pattern string) (flags, rest string, err error) {
	inClass := false
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; {
		case c == '\\':
			i++
		case c == '[' && !inClass:
			inClass = true
			if strings.HasPrefix(pattern[i+1:], "]") || strings.HasPrefix(pattern[i+1:], "^]") {
				i += strings.IndexByte(pattern[i:], ']')
			}
		case c == ']' && inClass:
			inClass = false
		case c == '(' && !inClass && strings.HasPrefix(pattern[i:], "(?"):
			j := i + 2
			for j < len(pattern) && strings.IndexByte("imsU-", pattern[j]) >= 0 {
				j++
			}
			if j == i+2 || j >= len(pattern) || pattern[j] != ')' {
				continue
			}
			if i == 0 {
				if strings.Contains(pattern[2:j], "-") {
					return "", "", fmt.Errorf("regular expression turns flags off with %s; write the flags it sets only", pattern[:j+1])
				}
				flags, pattern = pattern[2:j], pattern[j+1:]
				i = -1
				continue
			}
			return "", "", fmt.Errorf("regular expression sets flags with %s after its start; Cortex documents flags only at the start of a pattern (use a scoped group such as (?i:...))", pattern[i:j+1])
		}
	}
	return flags, pattern, nil
}

// re2Only refuses what RE2, the engine Cortex documents for its regex
// functions, cannot run: look-ahead, look-behind, back-references,
// possessive quantifiers, atomic groups. Go's regexp/syntax parses the
// RE2 syntax, so a pattern it rejects would fail (or mean something else)
// on the tenant.
func re2Only(pattern string) error {
	if _, err := syntax.Parse(pattern, syntax.Perl); err != nil {
		return fmt.Errorf("regular expression is not RE2 syntax, which Cortex XQL's ~= uses (look-around, back-references, possessive quantifiers and atomic groups cannot be expressed): %v", err)
	}
	return nil
}
