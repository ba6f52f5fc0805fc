package eval

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// compiler turns a match tree into closures once, so that matching an
// event does no parsing or regex compilation.
type compiler struct {
	file string
	opt  Options
}

// scalarPred tests one non-null scalar of the event (a string,
// json.Number, float64, int, or bool).
type scalarPred func(v any) bool

func (c *compiler) errorf(pos sigma.Pos, format string, args ...any) error {
	return sigma.Errorf(c.file, pos, format, args...)
}

func (c *compiler) expr(e ir.Expr) (pred, error) {
	switch e := e.(type) {
	case *ir.And:
		ps, err := c.list(e.Args)
		return func(ev Event) bool {
			for _, p := range ps {
				if !p(ev) {
					return false
				}
			}
			return true
		}, err
	case *ir.Or:
		ps, err := c.list(e.Args)
		return func(ev Event) bool {
			for _, p := range ps {
				if p(ev) {
					return true
				}
			}
			return false
		}, err
	case *ir.Not:
		p, err := c.expr(e.Arg)
		return func(ev Event) bool { return !p(ev) }, err
	case *ir.Match:
		return c.match(e)
	}
	return nil, c.errorf(sigma.Pos{}, "eval: unexpected node %T", e)
}

func (c *compiler) list(args []ir.Expr) ([]pred, error) {
	ps := make([]pred, len(args))
	for i, a := range args {
		p, err := c.expr(a)
		if err != nil {
			return nil, err
		}
		ps[i] = p
	}
	return ps, nil
}

// match compiles one leaf. Presence tests and field references need the
// whole event; every other value tests the field's scalars.
func (c *compiler) match(m *ir.Match) (pred, error) {
	if m.Field == "" {
		return c.keyword(m)
	}
	field := m.Field
	switch v := m.Value.(type) {
	case sigma.Null:
		return func(ev Event) bool { return !present(ev, field) }, nil
	case sigma.Exists:
		return func(ev Event) bool { return present(ev, field) == v.Value }, nil
	case sigma.FieldRef:
		return fieldRef(field, v), nil
	}
	sp, err := c.scalar(m, m.Value)
	if err != nil {
		return nil, err
	}
	return func(ev Event) bool {
		x, ok := Lookup(ev, field)
		return ok && anyScalar(x, sp)
	}, nil
}

// keyword compiles a value without field: it must occur in some scalar
// value of the event. Strings become "contains" patterns; a regex already
// searches anywhere.
func (c *compiler) keyword(m *ir.Match) (pred, error) {
	v := m.Value
	switch x := v.(type) {
	case sigma.String:
		v = contains(x)
	case sigma.Number:
		v = contains(sigma.Plain(x.String()))
	case sigma.Bool:
		v = contains(sigma.Plain(strconv.FormatBool(x.Value)))
	case sigma.Regex:
	default:
		return nil, c.errorf(m.Pos, "eval: a keyword cannot be a %s value", kindName(v))
	}
	sp, err := c.scalar(m, v)
	if err != nil {
		return nil, err
	}
	return func(ev Event) bool { return anyLeaf(map[string]any(ev), sp) }, nil
}

func contains(s sigma.String) sigma.String {
	parts := append([]sigma.Part{{Kind: sigma.WildMulti}}, s.Parts...)
	parts = append(parts, sigma.Part{Kind: sigma.WildMulti})
	return sigma.String{Parts: parts, Cased: s.Cased}.Normalize()
}

// scalar compiles a value that tests one scalar of the event.
func (c *compiler) scalar(m *ir.Match, v sigma.Value) (scalarPred, error) {
	switch v := v.(type) {
	case sigma.String:
		return c.str(m, v)
	case sigma.Number:
		return func(x any) bool { return numberEquals(x, v) }, nil
	case sigma.Bool:
		return func(x any) bool { return boolEquals(x, v.Value) }, nil
	case sigma.Regex:
		return c.regex(m, v)
	case sigma.CIDR:
		return func(x any) bool { return inPrefix(x, v.Prefix) }, nil
	case sigma.Compare:
		return func(x any) bool { return compare(x, v.Op, v.Value) }, nil
	case sigma.TimePart:
		return func(x any) bool { return timePart(x, v) }, nil
	}
	return nil, c.errorf(m.Pos, "eval: %s values cannot be evaluated on field %q", kindName(v), m.Field)
}

// str compiles a Sigma string, expanding placeholders from Options.Vars.
func (c *compiler) str(m *ir.Match, s sigma.String) (scalarPred, error) {
	variants, err := c.expand(m, s)
	if err != nil {
		return nil, err
	}
	globs := make([]glob, len(variants))
	for i, v := range variants {
		globs[i] = newGlob(v)
	}
	return func(x any) bool {
		text, ok := scalarText(x)
		if !ok {
			return false
		}
		for _, g := range globs {
			if g.match(text) {
				return true
			}
		}
		return false
	}, nil
}

// expand resolves placeholders: every combination of the variables'
// values is one alternative.
func (c *compiler) expand(m *ir.Match, s sigma.String) ([]sigma.String, error) {
	variants := []sigma.String{{Cased: s.Cased}}
	for _, p := range s.Parts {
		add := [][]sigma.Part{{p}}
		if p.Kind == sigma.Placeholder {
			vals, ok := c.opt.Vars[p.Text]
			if !ok {
				return nil, c.errorf(m.Pos, "eval: placeholder %%%s%% has no value (pass it in Options.Vars)", p.Text)
			}
			add = add[:0]
			for _, val := range vals {
				add = append(add, sigma.ParseString(val).Parts)
			}
		}
		var next []sigma.String
		for _, v := range variants {
			for _, a := range add {
				parts := append(append([]sigma.Part(nil), v.Parts...), a...)
				next = append(next, sigma.String{Parts: parts, Cased: s.Cased})
			}
		}
		variants = next
	}
	return variants, nil
}

// regex compiles a re value. Flags become RE2 inline flags; the match is
// a search anywhere in the value, as Sigma defines it.
func (c *compiler) regex(m *ir.Match, r sigma.Regex) (scalarPred, error) {
	flags := ""
	if r.IgnoreCase {
		flags += "i"
	}
	if r.Multiline {
		flags += "m"
	}
	if r.DotAll {
		flags += "s"
	}
	pat := r.Pattern
	if flags != "" {
		pat = "(?" + flags + ")" + pat
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		return nil, c.errorf(m.Pos, "eval: regular expression %q: %v (Go RE2 syntax)", r.Pattern, err)
	}
	return func(x any) bool {
		text, ok := scalarText(x)
		return ok && re.MatchString(text)
	}, nil
}

// fieldRef compares the field with another field of the same event,
// as text, case-insensitively unless cased.
func fieldRef(field string, r sigma.FieldRef) pred {
	return func(ev Event) bool {
		a, ok1 := Lookup(ev, field)
		b, ok2 := Lookup(ev, r.Field)
		at, ok3 := scalarText(a)
		bt, ok4 := scalarText(b)
		if !ok1 || !ok2 || !ok3 || !ok4 {
			return false
		}
		if !r.Cased {
			at, bt = fold(at), fold(bt)
		}
		switch {
		case r.StartsWith && r.EndsWith:
			return strings.Contains(at, bt)
		case r.StartsWith:
			return strings.HasPrefix(at, bt)
		case r.EndsWith:
			return strings.HasSuffix(at, bt)
		}
		return at == bt
	}
}

func inPrefix(x any, p netip.Prefix) bool {
	text, ok := scalarText(x)
	if !ok {
		return false
	}
	addr, err := netip.ParseAddr(strings.TrimSpace(text))
	if err != nil {
		return false
	}
	return p.Contains(addr.WithZone("").Unmap()) || p.Contains(addr.WithZone(""))
}

func kindName(v sigma.Value) string {
	return strings.ToLower(strings.TrimPrefix(fmt.Sprintf("%T", v), "sigma."))
}
