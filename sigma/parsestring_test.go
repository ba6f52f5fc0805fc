package sigma

import (
	"math/rand"
	"reflect"
	"strings"
	"testing"
)

// parseStringRef is the straightforward byte-by-byte decoder ParseString
// replaced; the faster version must agree with it on every input.
func parseStringRef(s string) String {
	var parts []Part
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, Part{Kind: Literal, Text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			if i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '?' || s[i+1] == '\\') {
				lit.WriteByte(s[i+1])
				i++
			} else {
				lit.WriteByte('\\')
			}
		case '*':
			flush()
			parts = append(parts, Part{Kind: WildMulti})
		case '?':
			flush()
			parts = append(parts, Part{Kind: WildSingle})
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return String{Parts: parts}
}

func TestParseStringMatchesReference(t *testing.T) {
	cases := []string{"", "a", `\`, `\\`, `\*`, `a\`, `*`, `**`, `?a*`, `a\*b`, `a\\*b`, `\\\*`,
		`C:\Windows\*`, `\a\b`, `x*\?y\\`, `*\`, `a?\*\?*b\c`}
	r := rand.New(rand.NewSource(1))
	alphabet := []byte{'a', 'b', '\\', '*', '?'}
	for range 20000 {
		b := make([]byte, r.Intn(9))
		for i := range b {
			b[i] = alphabet[r.Intn(len(alphabet))]
		}
		cases = append(cases, string(b))
	}
	for _, c := range cases {
		if got, want := ParseString(c), parseStringRef(c); !reflect.DeepEqual(got, want) {
			t.Fatalf("ParseString(%q) = %#v, want %#v", c, got, want)
		}
	}
}
