package xql

import (
	"fmt"
	"regexp/syntax"

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
	return textquery.RegexFlags(re) + "(?s:.*)(?:" + body + ")(?s:.*)", nil
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
