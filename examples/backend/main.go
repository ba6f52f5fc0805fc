// Command backend registers a fourth target, a small Lucene-style query
// syntax, to show that the Backend interface (a name and Convert over the
// lowered match tree) is all a new target needs: the registry, pipelines,
// output formats and the CLI machinery come for free. Each query the
// backend receives is the whole condition: the pipelines' added
// conditions (add_condition) are already AND-ed into it by the core.
//
//	go run ./examples/backend
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// lucene renders strings, numbers and booleans; anything else fails the
// rule with a positioned error rather than being approximated.
type lucene struct{}

func (lucene) Name() string { return "lucene" }

func (l lucene) Convert(r *ir.Rule) ([]string, error) {
	var out []string
	for _, q := range r.Queries {
		s, err := l.expr(r, q)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func (l lucene) expr(r *ir.Rule, e ir.Expr) (string, error) {
	switch e := e.(type) {
	case *ir.And:
		return l.join(r, e.Args, " AND ")
	case *ir.Or:
		return l.join(r, e.Args, " OR ")
	case *ir.Not:
		s, err := l.expr(r, e.Arg)
		return "NOT " + s, err
	case *ir.Match:
		return l.match(r, e)
	}
	return "", fmt.Errorf("unexpected node %T", e)
}

func (l lucene) join(r *ir.Rule, args []ir.Expr, op string) (string, error) {
	parts := make([]string, len(args))
	for i, a := range args {
		s, err := l.expr(r, a)
		if err != nil {
			return "", err
		}
		parts[i] = s
	}
	return "(" + strings.Join(parts, op) + ")", nil
}

func (lucene) match(r *ir.Rule, m *ir.Match) (string, error) {
	if m.Field == "" {
		return "", sigma.Errorf(r.Source.File, m.Pos, "lucene: keywords are not supported by this example")
	}
	switch v := m.Value.(type) {
	case sigma.String:
		return m.Field + ":" + term(v), nil
	case sigma.Number:
		return m.Field + ":" + v.String(), nil
	case sigma.Bool:
		return fmt.Sprintf("%s:%v", m.Field, v.Value), nil
	}
	return "", sigma.Errorf(r.Source.File, m.Pos, "lucene: %T values are not supported by this example", m.Value)
}

// term escapes Lucene's special characters in literal runs and keeps
// Sigma's wildcards as Lucene's own * and ?.
func term(s sigma.String) string {
	var b strings.Builder
	for _, p := range s.Parts {
		switch p.Kind {
		case sigma.WildMulti:
			b.WriteByte('*')
		case sigma.WildSingle:
			b.WriteByte('?')
		default:
			for _, c := range p.Text {
				if strings.ContainsRune(`+-=&|><!(){}[]^"~*?:\/ `, c) {
					b.WriteByte('\\')
				}
				b.WriteRune(c)
			}
		}
	}
	return b.String()
}

const rule = `title: Suspicious certutil download
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image|endswith: '\certutil.exe'
        CommandLine|contains|all:
            - 'urlcache'
            - 'http'
    filter:
        User: 'SYSTEM'
    condition: selection and not filter
`

func init() { backends.Register(lucene{}) }

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(w io.Writer) error {
	b, err := backends.Lookup("lucene")
	if err != nil {
		return err
	}
	conv, err := backends.NewConverter(b, backends.Options{})
	if err != nil {
		return err
	}
	f := sigma.ParseFile("certutil.yml", []byte(rule))
	if err := f.Diags.Err(); err != nil {
		return err
	}
	res, err := conv.Convert(f.Rules()[0])
	if err != nil {
		return err
	}
	fmt.Fprintln(w, res.Output)
	return nil
}
