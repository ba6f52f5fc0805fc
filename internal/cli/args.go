package cli

import (
	"fmt"
	"strings"
)

// flagSpec describes the flags of one subcommand: names (with aliases)
// that take a value, and boolean names. Flags may come before, between
// or after paths, as in sigma-cli; "--" ends flag parsing.
type flagSpec struct {
	values map[string]string // alias -> canonical name
	bools  map[string]string
}

type parsedArgs struct {
	values map[string][]string
	bools  map[string]bool
	paths  []string
}

func (a *parsedArgs) value(name string) string {
	v := a.values[name]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

func (s flagSpec) parse(args []string) (*parsedArgs, error) {
	out := &parsedArgs{values: map[string][]string{}, bools: map[string]bool{}}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			out.paths = append(out.paths, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(arg, "-") || arg == "-" {
			out.paths = append(out.paths, arg)
			continue
		}
		name, val, hasVal := strings.Cut(arg, "=")
		if canon, ok := s.bools[name]; ok {
			if hasVal {
				return nil, fmt.Errorf("flag %s takes no value", name)
			}
			out.bools[canon] = true
			continue
		}
		canon, ok := s.values[name]
		if !ok {
			return nil, fmt.Errorf("unknown flag %s", name)
		}
		if !hasVal {
			if i+1 >= len(args) {
				return nil, fmt.Errorf("flag %s needs a value", name)
			}
			i++
			val = args[i]
		}
		out.values[canon] = append(out.values[canon], val)
	}
	return out, nil
}
