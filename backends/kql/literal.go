package kql

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"

	"github.com/sigconv/sigconv/backends/textquery"
	"github.com/sigconv/sigconv/sigma"
)

// quote writes text as one KQL string literal.
//
// The string data type page
// (https://learn.microsoft.com/kusto/query/scalar-data-types/string)
// defines two forms used here:
//   - verbatim @"...": the backslash stands for itself and a double quote
//     is written twice. It is the form used whenever it can hold the text,
//     because Windows paths then read as they are (@"\\.\pipe\1.").
//   - normal "...": the backslash escapes the enclosing quote, \t, \n and
//     itself. Line breaks cannot stand in any quoted literal, so text with
//     a tab or newline is written in this form.
//
// Other control characters (CR, NUL, ...) have no documented escape and
// are refused, as is text that is not valid UTF-8 (Kusto strings are
// Unicode; the bytes of an encoding modifier such as utf16le cannot be
// written exactly).
func quote(text string) (string, error) {
	return quoteAfter("", text)
}

// quoteAfter returns prefix followed by quote(text), built as one string:
// a comparison ("F contains " and its literal) is then one allocation, not
// two.
func quoteAfter(prefix, text string) (string, error) {
	if !utf8.ValidString(text) {
		return "", fmt.Errorf("value %q is not valid UTF-8 text and cannot be written as a KQL string", text)
	}
	needsEscapes := false
	for _, r := range text {
		switch {
		case r == '\t' || r == '\n':
			needsEscapes = true
		case r < 0x20 || r == 0x7f:
			return "", fmt.Errorf("value %q holds control character %U, which KQL string literals have no documented escape for", text, r)
		}
	}
	if !needsEscapes {
		return prefix + `@"` + strings.ReplaceAll(text, `"`, `""`) + `"`, nil
	}
	var b strings.Builder
	b.WriteString(prefix)
	b.WriteByte('"')
	for _, r := range text {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String(), nil
}

// identifier is what KQL accepts as a bare column or table name.
var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// keywords are KQL words that cannot be bare column names; such names are
// bracketed like any other non-identifier.
var keywords = map[string]bool{
	"and": true, "or": true, "not": true, "in": true, "has": true, "contains": true, "where": true,
	"project": true, "extend": true, "by": true, "on": true, "true": true, "false": true, "let": true,
	"null": true, "between": true, "matches": true, "regex": true, "startswith": true, "endswith": true,
	"like": true, "as": true, "with": true, "of": true, "to": true, "step": true, "kind": true,
	"summarize": true, "sort": true, "order": true, "top": true, "take": true, "limit": true,
	"datatable": true, "print": true, "range": true, "render": true, "union": true, "join": true,
}

// fieldName writes a column name: bare when it is an identifier, else
// bracketed as ['name'] (entity names page,
// https://learn.microsoft.com/kusto/query/schema-entities/entity-names),
// whose inside is a string literal with backslash escapes.
func fieldName(name string) (string, error) {
	if identifier.MatchString(name) && !keywords[name] {
		return name, nil
	}
	if name == "" || !utf8.ValidString(name) {
		return "", fmt.Errorf("field name %q cannot be written in KQL", name)
	}
	var b strings.Builder
	b.WriteString("['")
	for _, r := range name {
		switch {
		case r < 0x20 || r == 0x7f:
			return "", fmt.Errorf("field name %q holds a control character", name)
		case r == '\\' || r == '\'':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteString("']")
	return b.String(), nil
}

// wildcardRegex is the anchored RE2 pattern of a Sigma string with '*' or
// '?' in the middle: (?s) so that wildcards also match line breaks, (?i)
// unless cased, literal text escaped. It uses no groups (a KQL regex may
// have at most 16; matches regex operator page).
func wildcardRegex(s sigma.String) (string, error) {
	var b strings.Builder
	b.WriteString("(?s")
	if !s.Cased {
		b.WriteByte('i')
	}
	b.WriteString(")^")
	for _, p := range s.Parts {
		switch p.Kind {
		case sigma.Literal:
			lit, err := textquery.RegexLiteral(p.Text, textquery.RegexOptions{})
			if err != nil {
				return "", err
			}
			b.WriteString(lit)
		case sigma.WildMulti:
			b.WriteString(".*")
		case sigma.WildSingle:
			b.WriteByte('.')
		case sigma.Placeholder:
			return "", fmt.Errorf("unresolved placeholder %%%s%%", p.Text)
		}
	}
	b.WriteByte('$')
	return b.String(), nil
}

// maxRegexGroups is KQL's limit on the groups of a regular expression
// (matches regex operator page,
// https://learn.microsoft.com/kusto/query/matches-regex-operator).
const maxRegexGroups = 16

// sigmaRegex writes a Sigma regular expression for matches regex.
//
// Both are a search for a match anywhere in the value (the operator page's
// example "K.*S" matches ARKANSAS), so the pattern is kept as written, with
// Sigma's flags as RE2 inline flags. KQL regexes are RE2; a pattern RE2
// does not accept (look-arounds, back-references) or with more than 16
// groups is refused here instead of failing in the tenant. Go's regexp
// parses RE2 syntax. Control characters are written as \x{..} escapes so
// that the pattern fits a verbatim literal.
func sigmaRegex(re sigma.Regex) (string, error) {
	if !utf8.ValidString(re.Pattern) {
		return "", fmt.Errorf("regular expression is not valid UTF-8")
	}
	var b strings.Builder
	b.WriteString(textquery.RegexFlags(re))
	p := re.Pattern
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			if p[i+1] < 0x20 || p[i+1] == 0x7f {
				return "", fmt.Errorf("regular expression escapes a control character")
			}
			b.WriteByte(c)
			b.WriteByte(p[i+1])
			i++
		case c < 0x20 || c == 0x7f:
			if strings.Contains(p, `\Q`) {
				return "", fmt.Errorf(`regular expression with \Q...\E quoting and control characters is not supported`)
			}
			fmt.Fprintf(&b, `\x{%x}`, c)
		default:
			b.WriteByte(c)
		}
	}
	out := b.String()
	parsed, err := syntax.Parse(out, syntax.Perl)
	if err != nil {
		return "", fmt.Errorf("regular expression is not RE2 syntax, which KQL uses: %v", err)
	}
	if n := parsed.MaxCap(); n > maxRegexGroups {
		return "", fmt.Errorf("regular expression has %d groups; KQL allows at most %d", n, maxRegexGroups)
	}
	return out, nil
}
