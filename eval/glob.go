package eval

import (
	"strings"
	"unicode/utf8"

	"github.com/sigconv/sigconv/sigma"
)

// glob is a compiled Sigma string: literal runs, '*' and '?', matched
// against the whole value.
type glob struct {
	toks  []sigma.Part // Literal, WildMulti or WildSingle; literals folded unless cased
	cased bool
}

func newGlob(s sigma.String) glob {
	g := glob{cased: s.Cased}
	for _, p := range s.Normalize().Parts {
		if p.Kind == sigma.Literal && !s.Cased {
			p.Text = fold(p.Text)
		}
		g.toks = append(g.toks, p)
	}
	return g
}

// match is the classic wildcard algorithm with one backtracking point:
// on a mismatch, the last '*' takes one more byte and matching resumes
// after it. Literal tokens compare as byte strings (encoded values are
// not always UTF-8); '?' takes one character.
func (g glob) match(s string) bool {
	if !g.cased {
		s = fold(s)
	}
	ti, si := 0, 0
	starT, starS := -1, 0
	for si < len(s) || ti < len(g.toks) {
		if ti < len(g.toks) {
			t := g.toks[ti]
			switch t.Kind {
			case sigma.WildMulti:
				starT, starS = ti, si
				ti++
				continue
			case sigma.WildSingle:
				if si < len(s) {
					_, n := utf8.DecodeRuneInString(s[si:])
					si += n
					ti++
					continue
				}
			case sigma.Literal:
				if strings.HasPrefix(s[si:], t.Text) {
					si += len(t.Text)
					ti++
					continue
				}
			}
		}
		if starT < 0 || starS >= len(s) {
			return false
		}
		starS++
		ti, si = starT+1, starS
	}
	return true
}
