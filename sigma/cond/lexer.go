package cond

import "unicode/utf8"

// tokKind classifies a token of a condition.
type tokKind uint8

const (
	tEOF    tokKind = iota
	tWord           // identifier, keyword, number or pattern (may hold '*')
	tLParen         // (
	tRParen         // )
	tPipe           // | : the legacy aggregation separator
	tOther          // any other character; the parser reports it
)

// token is one lexeme with its byte offset in the condition.
type token struct {
	kind tokKind
	text string
	off  int
}

// tokenize splits a condition into tokens, ending with a tEOF token at
// len(s). It never fails: characters the grammar does not know become
// tOther tokens, so the parser reports errors in text order, and the
// first error in the text is the one the user sees.
func tokenize(s string) []token {
	// A token and the space after it take four bytes or more in the
	// conditions rules write, so this is one allocation for nearly all.
	toks := make([]token, 0, 4+len(s)/4)
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case isSpace(c):
			i++
			continue
		case isWordByte(c):
			j := i + 1
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			toks = append(toks, token{tWord, s[i:j], i})
			i = j
			continue
		}
		k, n := punct(s[i:])
		toks = append(toks, token{k, s[i : i+n], i})
		i += n
	}
	return append(toks, token{tEOF, "", len(s)})
}

// punct classifies a non-word, non-space character and returns its length
// in bytes (a whole UTF-8 sequence, so messages quote the real character).
func punct(s string) (tokKind, int) {
	switch s[0] {
	case '(':
		return tLParen, 1
	case ')':
		return tRParen, 1
	case '|':
		return tPipe, 1
	}
	_, n := utf8.DecodeRuneInString(s)
	return tOther, n
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// isWordByte reports whether c may appear in an identifier or pattern.
// SigmaHQ identifiers use letters, digits, '_' and '-' (selection-1); a
// few detection keys contain '.', and '*' is the pattern wildcard.
// Keeping '*' inside words lets "sel*_x" lex as one pattern, and keeping
// letters together means "notepad" is never split into "not" + "epad".
func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '_' || c == '-' || c == '.' || c == '*'
}
