package sigma

import (
	"math/rand"
	"regexp"
	"testing"
)

// The hand-written validators must accept exactly what these patterns do.
var (
	uuidRe      = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	tagStrictRe = regexp.MustCompile(`^[a-z0-9_-]+\.[a-z0-9._-]+$`)
	tagLooseRe  = regexp.MustCompile(`^[A-Za-z0-9_-]+\.[A-Za-z0-9._-]+$`)
)

func TestValidatorsMatchPatterns(t *testing.T) {
	cases := []string{"", ".", "a.", ".a", "a.b", "attack.t1059.001", "Attack.T1", "a..b", "a.b.",
		"cve.2021-44228", "d3fend.d3f-WindowsNtOpenFile", "a b.c", "é.a", "a.é",
		"929a690e-bef0-4204-a928-ef5e620d6fcc", "929A690E-BEF0-4204-A928-EF5E620D6FCC",
		"929a690e-bef0-4204-a928-ef5e620d6fc", "929a690ebbef0-4204-a928-ef5e620d6fcc", "g29a690e-bef0-4204-a928-ef5e620d6fcc"}
	r := rand.New(rand.NewSource(1))
	alphabet := []byte("aZ0.-_ f")
	for range 50000 {
		b := make([]byte, r.Intn(7))
		for i := range b {
			b[i] = alphabet[r.Intn(len(alphabet))]
		}
		cases = append(cases, string(b))
	}
	for _, c := range cases {
		if got, want := isUUID(c), uuidRe.MatchString(c); got != want {
			t.Errorf("isUUID(%q) = %v, want %v", c, got, want)
		}
		if got, want := isTag(c, false), tagStrictRe.MatchString(c); got != want {
			t.Errorf("isTag(%q, false) = %v, want %v", c, got, want)
		}
		if got, want := isTag(c, true), tagLooseRe.MatchString(c); got != want {
			t.Errorf("isTag(%q, true) = %v, want %v", c, got, want)
		}
	}
}
