package backendtest

import (
	"regexp"
	"strings"

	"github.com/sigconv/sigconv/sigma"
)

// Shapes wrap a literal the way contains, startswith and endswith do,
// plus a wildcard between two copies, a trailing '?' and cased forms: the
// shapes every
// target's hostile-value test renders each value in.
var Shapes = map[string]func(string) sigma.String{
	"equal": func(v string) sigma.String { return sigma.Plain(v) },
	"contains": func(v string) sigma.String {
		return sigma.String{Parts: []sigma.Part{{Kind: sigma.WildMulti}, {Kind: sigma.Literal, Text: v}, {Kind: sigma.WildMulti}}}
	},
	"startswith": func(v string) sigma.String {
		return sigma.String{Parts: []sigma.Part{{Kind: sigma.Literal, Text: v}, {Kind: sigma.WildMulti}}}
	},
	"endswith": func(v string) sigma.String {
		return sigma.String{Parts: []sigma.Part{{Kind: sigma.WildMulti}, {Kind: sigma.Literal, Text: v}}}
	},
	"inner": func(v string) sigma.String {
		return sigma.String{Parts: []sigma.Part{{Kind: sigma.Literal, Text: v}, {Kind: sigma.WildMulti}, {Kind: sigma.Literal, Text: v}}}
	},
	"single": func(v string) sigma.String {
		return sigma.String{Parts: []sigma.Part{{Kind: sigma.Literal, Text: v}, {Kind: sigma.WildSingle}}}
	},
	"cased": func(v string) sigma.String {
		return sigma.String{Parts: []sigma.Part{{Kind: sigma.Literal, Text: v}}, Cased: true}
	},
	"cased contains": func(v string) sigma.String {
		return sigma.String{Parts: []sigma.Part{{Kind: sigma.WildMulti}, {Kind: sigma.Literal, Text: v}, {Kind: sigma.WildMulti}}, Cased: true}
	},
}

// Probes are the strings a rendered comparison is evaluated on: the value
// itself, with text around it, twice, in other cases, cut in half.
func Probes(v string) []string {
	return []string{v, v + v, "x" + v, v + "x", "x" + v + "x", strings.ToUpper(v), strings.ToLower(v), "", "x",
		v + "\n", "\n" + v, v[:len(v)/2], v + "xx" + v, v + "a"}
}

// SigmaMatcher is the reference meaning of a Sigma string: whole-value
// match, case-insensitive unless cased, '*' any run and '?' one character
// (line breaks included).
func SigmaMatcher(s sigma.String) func(string) bool {
	var b strings.Builder
	if !s.Cased {
		b.WriteString(`(?i)`)
	}
	b.WriteString(`(?s)\A`)
	for _, p := range s.Parts {
		switch p.Kind {
		case sigma.Literal:
			b.WriteString(regexp.QuoteMeta(p.Text))
		case sigma.WildMulti:
			b.WriteString(".*")
		case sigma.WildSingle:
			b.WriteString(".")
		}
	}
	b.WriteString(`\z`)
	return regexp.MustCompile(b.String()).MatchString
}
