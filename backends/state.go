package backends

import (
	"sort"
	"strings"

	"github.com/sigconv/sigconv/pipeline"
	"github.com/sigconv/sigconv/sigma"
)

// StateKey is one pipeline state key (set by set_state) a backend reads.
type StateKey struct {
	// Name is the key, or with Prefix the start of a family of keys
	// ("kql_values:" + field).
	Name   string
	Prefix bool
	// Check, when set, validates a value when the pipeline meets the
	// target, so a bad value fails before any rule is converted.
	Check func(value string) error
}

// StateReader is implemented by backends configured through pipeline
// state. StateKeys lists every key the backend reads (none is a valid
// answer). A pipeline that sets a key no registered target reads — a
// typo such as spl.indx — is refused with the key's file, line and column
// when the converter is built; a key another target reads is allowed,
// since one pipeline file may serve several targets.
type StateReader interface {
	StateKeys() []StateKey
}

func (k StateKey) matches(key string) bool {
	if k.Prefix {
		return strings.HasPrefix(key, k.Name) && len(key) > len(k.Name)
	}
	return key == k.Name
}

// checkState validates the set_state items of the pipelines against the
// keys b reads. Backends that declare nothing are not checked.
func checkState(b Backend, ps []*pipeline.Pipeline) error {
	sr, ok := b.(StateReader)
	if !ok {
		return nil
	}
	own := sr.StateKeys()
	for _, p := range ps {
		for _, it := range p.Items {
			set, ok := it.Transformation.(*pipeline.SetState)
			if !ok {
				continue
			}
			pos := set.KeyPos
			if !pos.IsValid() {
				pos = it.Pos
			}
			if k, found := findKey(own, set.Key); found {
				if k.Check == nil {
					continue
				}
				if err := k.Check(set.Value); err != nil {
					vpos := set.ValuePos
					if !vpos.IsValid() {
						vpos = pos
					}
					return sigma.Errorf(p.File, vpos, "pipeline %s: set_state %s: %v", p.Name, set.Key, err)
				}
				continue
			}
			if readByOther(b.Name(), set.Key) {
				continue
			}
			return sigma.Errorf(p.File, pos, "pipeline %s: set_state key %q is read by no target (%s reads %s)", p.Name, set.Key, b.Name(), keyNames(own))
		}
	}
	return nil
}

func findKey(keys []StateKey, key string) (StateKey, bool) {
	for _, k := range keys {
		if k.matches(key) {
			return k, true
		}
	}
	return StateKey{}, false
}

func readByOther(self, key string) bool {
	for _, name := range Names() {
		if name == self {
			continue
		}
		b, _ := Lookup(name)
		if sr, ok := b.(StateReader); ok {
			if _, found := findKey(sr.StateKeys(), key); found {
				return true
			}
		}
	}
	return false
}

func keyNames(keys []StateKey) string {
	if len(keys) == 0 {
		return "none"
	}
	var out []string
	for _, k := range keys {
		n := k.Name
		if k.Prefix {
			n += "…"
		}
		out = append(out, n)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}
