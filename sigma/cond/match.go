package cond

import "strings"

// MatchPattern reports whether name matches pattern, where each '*' in the
// pattern matches any run of characters (also none) and every other byte
// matches itself. The whole name must match. It runs in O(len(pattern) *
// len(name)) at worst, so hostile patterns such as "*a*a*a*b" stay cheap.
func MatchPattern(pattern, name string) bool {
	p, n := 0, 0
	// Where to resume after the last '*': its pattern index + 1, and the
	// name index that '*' currently swallows up to.
	starP, starN := -1, 0
	for n < len(name) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			starP, starN = p+1, n
			p++
		case p < len(pattern) && pattern[p] == name[n]:
			p++
			n++
		case starP >= 0:
			// Let the last '*' swallow one more byte and retry.
			starN++
			p, n = starP, starN
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// Selects reports whether the quantifier covers the search identifier
// name. "them" covers every identifier not starting with '_'. A pattern
// covers the names it matches, except that a pattern not itself starting
// with '_' skips '_' names too, as pySigma does: '_' names are reserved
// for searches injected by meta filters, which a rule's own
// "1 of filter_*" must not pick up.
func (e *Of) Selects(name string) bool {
	if strings.HasPrefix(name, "_") && (e.Them || !strings.HasPrefix(e.Pattern, "_")) {
		return false
	}
	return e.Them || MatchPattern(e.Pattern, name)
}
