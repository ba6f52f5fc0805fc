package kql

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sigconv/sigconv/backends"
)

// StateKeys implements backends.StateReader: the schema of the tables a
// pipeline selects, their time column, and the value maps, each checked
// when a pipeline meets the backend.
func (b *Backend) StateKeys() []backends.StateKey {
	return []backends.StateKey{
		{Name: stateSchema, Check: func(v string) error {
			if _, ok := timeColumns[v]; !ok {
				return fmt.Errorf("unknown schema %q (known: %s)", v, strings.Join(schemaNames(), ", "))
			}
			return nil
		}},
		{Name: stateTimeColumn, Check: func(v string) error {
			if !identifier.MatchString(v) {
				return fmt.Errorf("time column %q is not an identifier", v)
			}
			return nil
		}},
		{Name: stateValuesPrefix, Prefix: true, Check: func(v string) error {
			_, err := parseValueMap(v)
			return err
		}},
	}
}

func schemaNames() []string {
	var out []string
	for n := range timeColumns {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
