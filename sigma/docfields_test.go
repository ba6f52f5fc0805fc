package sigma

import (
	"fmt"
	"strings"
	"testing"
)

// TestDocFieldsLookup reads the known keys of a small document, found by
// scanning its entries, and of one with more keys than smallMap, found
// through the index, with a known key last; unknown keys keep their
// document order as custom attributes.
func TestDocFieldsLookup(t *testing.T) {
	for _, extra := range []int{2, smallMap + 4} {
		var b strings.Builder
		b.WriteString("title: t\nlogsource: {product: windows}\ndetection: {sel: {a: b}, condition: sel}\n")
		for i := range extra {
			fmt.Fprintf(&b, "custom%d: v%d\n", i, i)
		}
		b.WriteString("level: high\n")
		f := ParseFile("d.yml", []byte(b.String()))
		if f.Diags.HasErrors() || len(f.Documents) != 1 {
			t.Fatalf("%d keys: %v", extra, f.Diags)
		}
		r := f.Documents[0].(*Rule)
		if r.Title != "t" || r.Level != "high" || r.LogSource.Product != "windows" {
			t.Errorf("%d keys: title %q, level %q, product %q", extra, r.Title, r.Level, r.LogSource.Product)
		}
		if len(r.Custom) != extra || r.Custom[extra-1].Key != fmt.Sprintf("custom%d", extra-1) {
			t.Errorf("%d keys: custom attributes %+v", extra, r.Custom)
		}
	}
}
