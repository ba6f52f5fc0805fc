package sigma

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWildcardStringPath checks itemValue's direct path for plain text
// under contains/startswith/endswith/cased (parts built at their final
// size) against applying the modifiers one by one with addWildcards and
// setCased, as the general path does, for every chain of up to three of
// them, with list modifiers mixed in.
func TestWildcardStringPath(t *testing.T) {
	names := []string{"contains", "startswith", "endswith", "cased"}
	var chains [][]string
	var grow func(chain []string)
	grow = func(chain []string) {
		if len(chain) > 0 {
			chains = append(chains, chain)
		}
		if len(chain) == 3 {
			return
		}
		for _, n := range names {
			grow(append(append([]string(nil), chain...), n))
		}
	}
	grow(nil)
	for _, chain := range chains {
		for _, text := range []string{"abc", "x y"} {
			var want Value = Plain(text)
			for _, n := range chain {
				m, _ := LookupModifier(n)
				var err error
				if m == ModCased {
					want, err = setCased(modRef{mod: m, name: n}, want)
				} else {
					want, err = addWildcards(modRef{mod: m, name: n}, want)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			key := "A|" + strings.Join(chain, "|") + "|all"
			it, _ := parseOne(t, key, "['"+text+"', '"+text+"']")
			for i, v := range it.Values {
				if diff := cmp.Diff([]Value{want}, v.Alternatives); diff != "" {
					t.Errorf("%s value %d (-want +got):\n%s", key, i, diff)
				}
				if len(v.Alternatives) != 1 || cap(v.Alternatives) != 1 {
					t.Errorf("%s value %d: alternatives len %d cap %d, want 1 and 1 (capped so that appending copies)", key, i, len(v.Alternatives), cap(v.Alternatives))
				}
			}
			if !it.All {
				t.Errorf("%s: the all modifier was not applied", key)
			}
		}
	}
}
