package eval

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sigconv/sigconv/sigma"
)

// Lookup returns the value of a field: the key as is, or else, for a
// dotted name, a path into nested objects. Every split point is tried, so
// {"a.b": {"c": 1}} is reached by "a.b.c" too.
func Lookup(ev map[string]any, field string) (any, bool) {
	if v, ok := ev[field]; ok {
		return v, true
	}
	for i := 0; i < len(field); i++ {
		if field[i] != '.' {
			continue
		}
		inner, ok := ev[field[:i]].(map[string]any)
		if !ok {
			if e, isEvent := ev[field[:i]].(Event); isEvent {
				inner, ok = e, true
			}
		}
		if ok {
			if v, found := Lookup(inner, field[i+1:]); found {
				return v, true
			}
		}
	}
	return nil, false
}

// present reports whether the field exists with a non-null value.
func present(ev Event, field string) bool {
	v, ok := Lookup(ev, field)
	return ok && v != nil
}

// anyScalar applies p to a value, or to each element of an array.
// Objects and nulls never match a value.
func anyScalar(x any, p scalarPred) bool {
	switch x := x.(type) {
	case nil, map[string]any:
		return false
	case []any:
		for _, e := range x {
			if anyScalar(e, p) {
				return true
			}
		}
		return false
	}
	return p(x)
}

// anyLeaf applies p to every scalar anywhere in a value, for keywords.
func anyLeaf(x any, p scalarPred) bool {
	switch x := x.(type) {
	case nil:
		return false
	case map[string]any:
		for _, v := range x {
			if anyLeaf(v, p) {
				return true
			}
		}
		return false
	case Event:
		return anyLeaf(map[string]any(x), p)
	case []any:
		for _, v := range x {
			if anyLeaf(v, p) {
				return true
			}
		}
		return false
	}
	return p(x)
}

// scalarText is the text of a scalar as a string comparison sees it:
// numbers in their JSON form, booleans as true/false.
func scalarText(x any) (string, bool) {
	switch x := x.(type) {
	case string:
		return x, true
	case json.Number:
		return string(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case int32:
		return strconv.FormatInt(int64(x), 10), true
	case uint64:
		return strconv.FormatUint(x, 10), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// fold lower-cases text for case-insensitive comparison. Encoded values
// (utf16 and friends) are byte strings that need not be UTF-8: for those
// only ASCII letters are folded, so no byte is ever replaced.
func fold(s string) string {
	if utf8.ValidString(s) {
		return strings.ToLower(s)
	}
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// number reads a scalar as a number: JSON numbers, and strings holding
// one (Windows event JSON writes most numbers as strings).
func number(x any) (i int64, f float64, isInt, ok bool) {
	text, ok := scalarText(x)
	if !ok {
		return 0, 0, false, false
	}
	if _, isBool := x.(bool); isBool {
		return 0, 0, false, false
	}
	text = strings.TrimSpace(text)
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return n, float64(n), true, true
	}
	if n, err := strconv.ParseFloat(text, 64); err == nil && !math.IsNaN(n) {
		return 0, n, false, true
	}
	return 0, 0, false, false
}

func numberEquals(x any, n sigma.Number) bool {
	i, f, isInt, ok := number(x)
	if !ok {
		return false
	}
	if isInt && !n.IsFloat {
		return i == n.Int
	}
	return f == numFloat(n)
}

func numFloat(n sigma.Number) float64 {
	if n.IsFloat {
		return n.Float
	}
	return float64(n.Int)
}

func boolEquals(x any, want bool) bool {
	switch x := x.(type) {
	case bool:
		return x == want
	case string:
		return strings.EqualFold(strings.TrimSpace(x), strconv.FormatBool(want))
	}
	return false
}

func compare(x any, op sigma.CompareOp, n sigma.Number) bool {
	i, f, isInt, ok := number(x)
	if !ok {
		return false
	}
	if isInt && !n.IsFloat {
		return cmpOrdered(i, n.Int, op)
	}
	return cmpOrdered(f, numFloat(n), op)
}

func cmpOrdered[T int64 | float64](a, b T, op sigma.CompareOp) bool {
	switch op {
	case sigma.LT:
		return a < b
	case sigma.LTE:
		return a <= b
	case sigma.GT:
		return a > b
	case sigma.GTE:
		return a >= b
	}
	return false
}

// timeLayouts are the timestamp forms time-part modifiers read; the ones
// without a zone are UTC (Sysmon's UtcTime).
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

func parseTime(x any) (time.Time, bool) {
	text, ok := x.(string)
	if !ok {
		return time.Time{}, false
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, strings.TrimSpace(text)); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func timePart(x any, tp sigma.TimePart) bool {
	t, ok := parseTime(x)
	if !ok {
		return false
	}
	var part int
	switch tp.Part {
	case "minute":
		part = t.Minute()
	case "hour":
		part = t.Hour()
	case "day":
		part = t.Day()
	case "week":
		_, part = t.ISOWeek()
	case "month":
		part = int(t.Month())
	case "year":
		part = t.Year()
	default:
		return false
	}
	if !tp.HasOp {
		return numberEquals(int64(part), tp.Value)
	}
	return compare(int64(part), tp.Op, tp.Value)
}
