// Package xqltok splits XQL text into tokens following the literal rules
// of the Cortex XQL reference: "..." strings take their text as typed
// (a backslash escapes nothing; the literal ends at the next '"'),
// """...""" strings run to the next """, and // comments run to the end of
// the line. Tests use it to compare queries token for token and to read
// literals back exactly as XQL would.
package xqltok

import (
	"fmt"
	"strings"
)

// Kind is a token's kind.
type Kind int

const (
	Word    Kind = iota // identifiers, numbers, ENUM.X, keywords
	String              // a "..." literal; Text is its content
	Triple              // a """...""" literal; Text is its raw content
	Comment             // a // comment; Text has its words joined by one space
	Punct               // operators and punctuation
)

// Token is one token.
type Token struct {
	Kind Kind
	Text string
}

func (t Token) String() string {
	switch t.Kind {
	case String:
		return `"` + t.Text + `"`
	case Triple:
		return `"""` + t.Text + `"""`
	case Comment:
		return "// " + t.Text
	}
	return t.Text
}

// Split tokenizes q.
func Split(q string) ([]Token, error) {
	var out []Token
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.HasPrefix(q[i:], "//"):
			end := strings.IndexByte(q[i:], '\n')
			if end < 0 {
				end = len(q) - i
			}
			out = append(out, Token{Comment, strings.Join(strings.Fields(q[i+2:i+end]), " ")})
			i += end
		case strings.HasPrefix(q[i:], `"""`):
			end := strings.Index(q[i+3:], `"""`)
			if end < 0 {
				return nil, fmt.Errorf("unterminated \"\"\" string at offset %d", i)
			}
			out = append(out, Token{Triple, q[i+3 : i+3+end]})
			i += 6 + end
		case c == '"':
			end := strings.IndexByte(q[i+1:], '"')
			if end < 0 {
				return nil, fmt.Errorf("unterminated string at offset %d", i)
			}
			out = append(out, Token{String, q[i+1 : i+1+end]})
			i += 2 + end
		case isWord(c):
			j := i
			for j < len(q) && isWord(q[j]) {
				j++
			}
			out = append(out, Token{Word, q[i:j]})
			i = j
		default:
			n := 1
			if i+1 < len(q) && strings.Contains("!<>~", string(c)) && q[i+1] == '=' {
				n = 2
			}
			out = append(out, Token{Punct, q[i : i+n]})
			i += n
		}
	}
	return out, nil
}

func isWord(c byte) bool {
	return c == '_' || c == '.' || c == '&' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
