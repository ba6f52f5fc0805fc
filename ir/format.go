package ir

import (
	"fmt"
	"strings"

	"github.com/sigconv/sigconv/sigma"
)

// Format prints a match tree in a compact, deterministic debug notation
// that tests of other packages use as an oracle:
//
//	and(or(CommandLine=*\\.\pipe\1.*, Image=*\cmd.exe), not(User=SYSTEM))
//
// A Match prints as Field=value, or keyword(value) for an empty field.
// Strings use Sigma's escaped notation (String.Sigma); other value types
// are tagged so they never read as strings: num(4688), bool(true), null,
// re(/x/i), cidr(10.0.0.0/8), Field>=5, exists(true), fieldref(*Other*),
// Field|hour=num(3), raw(ENUM.PROCESS), and cased(...) for cased strings.
func Format(e Expr) string {
	var b strings.Builder
	format(&b, e)
	return b.String()
}

func format(b *strings.Builder, e Expr) {
	switch e := e.(type) {
	case *And:
		formatList(b, "and", e.Args)
	case *Or:
		formatList(b, "or", e.Args)
	case *Not:
		b.WriteString("not(")
		format(b, e.Arg)
		b.WriteByte(')')
	case *Match:
		formatMatch(b, e)
	case *RuleMatched:
		fmt.Fprintf(b, "rule %s", e.Name)
	case nil:
		b.WriteString("<nil>")
	default:
		fmt.Fprintf(b, "<%T>", e)
	}
}

func formatList(b *strings.Builder, op string, args []Expr) {
	b.WriteString(op)
	b.WriteByte('(')
	for i, a := range args {
		if i > 0 {
			b.WriteString(", ")
		}
		format(b, a)
	}
	b.WriteByte(')')
}

func formatMatch(b *strings.Builder, m *Match) {
	if m.Field == "" {
		b.WriteString("keyword(")
		b.WriteString(FormatValue(m.Value))
		b.WriteByte(')')
		return
	}
	b.WriteString(m.Field)
	switch v := m.Value.(type) {
	case sigma.Compare:
		// Comparisons read best as operators: Field>=5.
		b.WriteString(v.Op.String())
		b.WriteString(v.Value.String())
	case sigma.TimePart:
		b.WriteString("|" + v.Part)
		if v.HasOp {
			b.WriteString(v.Op.String())
		} else {
			b.WriteByte('=')
		}
		b.WriteString(v.Value.String())
	default:
		b.WriteByte('=')
		b.WriteString(FormatValue(m.Value))
	}
}

// FormatValue prints one value in Format's notation.
func FormatValue(v sigma.Value) string {
	switch v := v.(type) {
	case sigma.String:
		return formatString(v)
	case sigma.Null:
		return "null"
	case sigma.Bool:
		return fmt.Sprintf("bool(%t)", v.Value)
	case sigma.Number:
		return "num(" + v.String() + ")"
	case sigma.Regex:
		return "re(/" + v.Pattern + "/" + regexFlags(v) + ")"
	case sigma.CIDR:
		return "cidr(" + v.Prefix.String() + ")"
	case sigma.Compare:
		return "cmp(" + v.Op.String() + v.Value.String() + ")"
	case sigma.Exists:
		return fmt.Sprintf("exists(%t)", v.Value)
	case sigma.FieldRef:
		return formatFieldRef(v)
	case sigma.TimePart:
		op := "="
		if v.HasOp {
			op = v.Op.String()
		}
		return v.Part + "(" + op + v.Value.String() + ")"
	case sigma.Raw:
		return "raw(" + v.Text + ")"
	case nil:
		return "<nil>"
	}
	return fmt.Sprintf("<%T %v>", v, v)
}

// formatString prints the Sigma notation. The empty string prints as two
// single quotes, so that "Field=" never appears.
func formatString(s sigma.String) string {
	text := s.Sigma()
	if text == "" {
		text = "''"
	}
	if s.Cased {
		return "cased(" + text + ")"
	}
	return text
}

func regexFlags(r sigma.Regex) string {
	var f string
	if r.IgnoreCase {
		f += "i"
	}
	if r.Multiline {
		f += "m"
	}
	if r.DotAll {
		f += "s"
	}
	return f
}

// formatFieldRef marks startswith/endswith with '*' on the side where the
// other field's value may be followed or preceded by anything.
func formatFieldRef(f sigma.FieldRef) string {
	s := f.Field
	if f.EndsWith {
		s = "*" + s
	}
	if f.StartsWith {
		s += "*"
	}
	if f.Cased {
		s = "cased(" + s + ")"
	}
	return "fieldref(" + s + ")"
}
