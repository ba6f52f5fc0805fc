package xql

import (
	"math/rand"
	"regexp"
	"strings"
	"testing"
)

// isFieldName and oneLine replace a regexp and a split-and-join; they must
// agree with them on every input.
func TestFastPathsMatchReference(t *testing.T) {
	fieldRe := regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)
	cases := []string{"", ".", "a", "a.", ".a", "a.b", "a..b", "_1.x_2", "1a", "a.1", "xdm.source.ipv4",
		"a b", " a", "a ", "a  b", "a\tb", "a\u00a0b", "é", "a\u2003b", "a\nb"}
	r := rand.New(rand.NewSource(1))
	alphabet := []string{"a", "Z", "_", "0", ".", " ", "\t", "\u00a0", "-", "é"}
	for range 50000 {
		var b strings.Builder
		for range r.Intn(7) {
			b.WriteString(alphabet[r.Intn(len(alphabet))])
		}
		cases = append(cases, b.String())
	}
	for _, c := range cases {
		if got, want := isFieldName(c), fieldRe.MatchString(c); got != want {
			t.Errorf("isFieldName(%q) = %v, want %v", c, got, want)
		}
		if got, want := oneLine(c), strings.Join(strings.Fields(c), " "); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", c, got, want)
		}
	}
}
