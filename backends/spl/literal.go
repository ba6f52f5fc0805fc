package spl

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/sigconv/sigconv/backends/textquery"
	"github.com/sigconv/sigconv/sigma"
)

// searchSafe reports whether a Sigma string can be written as one "..."
// value of the search command with exactly its meaning. The search
// command compares case-insensitively, and inside "..." '*' is its only
// wildcard; a backslash is written \\ and a quote \" (search primer,
// "Backslashes": https://help.splunk.com/splunk-enterprise/search/search-manual/9.4/search-primer/backslashes).
// It has no single-character wildcard and no escape for '*' (same page),
// so a '?' wildcard or a literal '*' cannot be said there. Refused too:
//   - a '*' between two pieces of text ("a*b"): Splunk warns that a
//     wildcard in the middle of a string "might return inconsistent
//     results", especially with punctuation (search primer, "Wildcards",
//     https://help.splunk.com/splunk-enterprise/search/search-manual/9.3/search-primer/wildcards),
//     since the search is answered from the index's segmented terms;
//   - a value that is only wildcards (F="*" or F=*): whether it matches a
//     field whose value is empty is not documented, so isnotnull() in
//     | where says "present, any value" exactly;
//   - cased strings (case-sensitive matching is left to | where, whose
//     comparisons are case-sensitive), the empty string (whether field=""
//     matches an empty value is not documented), control characters and
//     Unicode line separators (a line break must never reach a query),
//     backticks (macro expansion runs before parsing, also inside quotes)
//     and text that is not UTF-8.
func searchSafe(s sigma.String) bool {
	if s.Cased {
		return false
	}
	parts := s.Normalize().Parts
	if len(parts) == 0 {
		return false
	}
	if shape, _ := s.Shape(); shape == sigma.ShapeAny {
		return false
	}
	for i, p := range parts {
		switch p.Kind {
		case sigma.WildSingle, sigma.Placeholder:
			return false
		case sigma.WildMulti:
			if i > 0 && i < len(parts)-1 {
				return false
			}
		case sigma.Literal:
			if !utf8.ValidString(p.Text) || strings.ContainsAny(p.Text, "*`") || hasLineBreakRune(p.Text) {
				return false
			}
		}
	}
	return true
}

// hasLineBreakRune reports ASCII and C1 control characters and the
// Unicode line and paragraph separators (U+0085, U+2028, U+2029), which
// some readers of a query take as the end of a line.
func hasLineBreakRune(text string) bool {
	for _, r := range text {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == '\u2028' || r == '\u2029' {
			return true
		}
	}
	return false
}

// searchQuote writes a search-safe string as a quoted search value:
// Sigma '*' becomes the search wildcard, literal text is escaped.
func searchQuote(s sigma.String) string {
	parts := s.Normalize().Parts
	size := 2
	for _, p := range parts {
		size += len(p.Text) + 1
		size += strings.Count(p.Text, `\`) + strings.Count(p.Text, `"`)
	}
	var b strings.Builder
	b.Grow(size) // one allocation: the escaping is written straight in
	b.WriteByte('"')
	for _, p := range parts {
		if p.Kind == sigma.WildMulti {
			b.WriteByte('*')
			continue
		}
		writeEscapedQuoted(&b, p.Text)
	}
	b.WriteByte('"')
	return b.String()
}

// writeEscapedQuoted writes escapeQuoted(text) to b.
func writeEscapedQuoted(b *strings.Builder, text string) {
	for i := 0; i < len(text); i++ {
		switch c := text[i]; c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
}

// escapeQuoted escapes text for a "..." literal of the search command or
// an eval expression: both read \\ as one backslash and \" as a quote. In
// eval strings other backslash sequences are escapes too ("\t" is a tab,
// per "Types of expressions",
// https://help.splunk.com/en/splunk-enterprise/search/search-manual/10.0/expressions-and-predicates),
// which is why every backslash is doubled.
func escapeQuoted(text string) string { return quotedEscaper.Replace(text) }

// quotedEscaper is built once: a Replacer is safe for concurrent use and
// costly to build per value.
var quotedEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// evalString quotes text as an eval string literal. Callers only pass
// text without control characters or backticks.
func evalString(text string) string { return `"` + escapeQuoted(text) + `"` }

// wildcardRegex is the PCRE form of a Sigma string for match(): anchored
// with \A and \z (PCRE's $ also matches before a final line break),
// '*' as (?s:.*), '?' as (?s:.), case-insensitive unless cased. Literal
// text is escaped so that the pattern never holds a quote, a backtick, a
// control character or a raw backslash other than regex escapes.
func wildcardRegex(s sigma.String) (string, error) {
	body, err := partsRegex(s.Parts)
	if err != nil {
		return "", err
	}
	return caseFlag(s.Cased) + `\A` + body + `\z`, nil
}

func caseFlag(cased bool) string {
	if cased {
		return ""
	}
	return "(?i)"
}

// partsRegex writes a Sigma string's parts as PCRE: literal text escaped
// (regexLiteral), '*' as (?s:.*), '?' as (?s:.); placeholders fail.
func partsRegex(parts []sigma.Part) (string, error) {
	size := 0
	for _, p := range parts {
		size += len(p.Text) + len("(?s:.*)")
	}
	var b strings.Builder
	b.Grow(size) // enough for most values: one allocation
	for _, p := range parts {
		switch p.Kind {
		case sigma.Literal:
			if err := writeRegexLiteral(&b, p.Text); err != nil {
				return "", err
			}
		case sigma.WildMulti:
			b.WriteString("(?s:.*)")
		case sigma.WildSingle:
			b.WriteString("(?s:.)")
		case sigma.Placeholder:
			return "", placeholderError(p.Text)
		}
	}
	return b.String(), nil
}

// regexLiteral escapes text to match literally in PCRE. Characters that
// are awkward inside SPL strings are written as \x{..} escapes.
func regexLiteral(text string) (string, error) {
	var b strings.Builder
	if err := writeRegexLiteral(&b, text); err != nil {
		return "", err
	}
	return b.String(), nil
}

// writeRegexLiteral writes regexLiteral(text) to b; on an error b holds
// part of it.
func writeRegexLiteral(b *strings.Builder, text string) error {
	if !utf8.ValidString(text) {
		return fmt.Errorf("value %q is not valid UTF-8 text", text)
	}
	for _, r := range text {
		switch {
		case strings.ContainsRune(`.+*?()|[]{}^$#-/`, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\\' || r == '"' || r == '`' || r == '\'' || r < 0x20 || r == 0x7f:
			fmt.Fprintf(b, `\x{%x}`, r)
		case r >= 0x80 && r <= 0x9f, r == '\u2028', r == '\u2029':
			// \x{85} means U+0085 only when PCRE runs in UTF mode, a
			// byte otherwise; a raw separator could end a line.
			return fmt.Errorf("value contains the line-breaking character U+%04X, which SPL cannot carry exactly", r)
		case r == ' ':
			// Spelled as an escape so that no (?x) flag written elsewhere
			// could make it insignificant.
			b.WriteString(`\x{20}`)
		default:
			b.WriteRune(r)
		}
	}
	return nil
}

// sigmaRegex writes a Sigma regular expression (unanchored, flags from
// modifiers) for match(). Quotes, backticks and control characters are
// spelled as \x{..}; escapes written in the rule are kept.
func sigmaRegex(re sigma.Regex) (string, error) {
	for _, r := range re.Pattern {
		if (r >= 0x80 && r <= 0x9f) || r == '\u2028' || r == '\u2029' {
			return "", fmt.Errorf("regular expression contains the line-breaking character U+%04X, which SPL cannot carry exactly", r)
		}
	}
	body, err := textquery.QuoteSafeRegex(re.Pattern, "\"`", "spl")
	if err != nil {
		return "", err
	}
	return textquery.RegexFlags(re) + body, nil
}

type placeholderError string

func (e placeholderError) Error() string {
	return "unresolved placeholder %" + string(e) + "% (expand modifier): pass a pipeline with value_placeholders and vars"
}

// keywordRegex is the unanchored PCRE of a keyword: it occurs anywhere in
// the text, so wildcards at either end add nothing and are dropped.
func keywordRegex(s sigma.String) (string, error) {
	parts := s.Normalize().Parts
	for len(parts) > 0 && parts[0].Kind == sigma.WildMulti {
		parts = parts[1:]
	}
	for len(parts) > 0 && parts[len(parts)-1].Kind == sigma.WildMulti {
		parts = parts[:len(parts)-1]
	}
	body, err := partsRegex(parts)
	if err != nil {
		return "", err
	}
	return caseFlag(s.Cased) + body, nil
}
