// Package backends defines what a conversion target is (Backend, with
// optional capabilities found by type assertion), a registry of targets by
// name in the manner of database/sql drivers, and Converter, which runs
// the whole flow for one rule: lower → pipelines → backend → output format.
package backends

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/pipeline"
)

// Backend renders processed rules as query text. Implementations are
// immutable and safe for concurrent use.
type Backend interface {
	// Name is the registry name, e.g. "xql".
	Name() string
	// Convert renders one query per condition of the rule. Errors are
	// *sigma.Diagnostic values naming the rule file and position.
	Convert(r *ir.Rule) ([]string, error)
}

// PipelineProvider is implemented by backends with built-in pipelines.
type PipelineProvider interface {
	// Pipelines returns every built-in pipeline.
	Pipelines() []*pipeline.Pipeline
	// DefaultPipelines names the pipelines used when the user picks no
	// built-in one.
	DefaultPipelines() []string
}

// Formatter is implemented by backends with output formats of their own.
// The generic "json" format is always available in addition.
type Formatter interface {
	// Formats lists the format names; the first one is the default.
	Formats() []string
	// Format packages the queries of one rule.
	Format(format string, r *ir.Rule, queries []string) (string, error)
}

var (
	mu       sync.RWMutex
	registry = map[string]Backend{}
	aliases  = map[string]string{} // alias -> registered name
)

// RegisterAlias makes alias a second name of the target registered (or
// to be registered) as name, such as the names sigma-cli users type
// ("splunk" for spl). It panics if the alias is taken: a programming
// error at init time.
func RegisterAlias(alias, name string) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[alias]; dup {
		panic("backends: alias " + alias + " is a target name")
	}
	if _, dup := aliases[alias]; dup {
		panic("backends: RegisterAlias called twice for " + alias)
	}
	aliases[alias] = name
}

// AliasesOf returns the aliases of a target name, sorted.
func AliasesOf(name string) []string {
	mu.RLock()
	defer mu.RUnlock()
	var out []string
	for a, n := range aliases {
		if n == name {
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
}

// Register makes a backend available by name. It panics if b is nil or
// the name is taken: both are programming errors at init time.
func Register(b Backend) {
	mu.Lock()
	defer mu.Unlock()
	if b == nil {
		panic("backends: Register of a nil backend")
	}
	if _, dup := registry[b.Name()]; dup {
		panic("backends: Register called twice for " + b.Name())
	}
	registry[b.Name()] = b
}

// Lookup returns the backend registered under name or one of its aliases.
func Lookup(name string) (Backend, error) {
	mu.RLock()
	b, ok := registry[name]
	if !ok && aliases[name] != "" {
		b, ok = registry[aliases[name]]
	}
	mu.RUnlock()
	if !ok {
		known := Names()
		if len(known) == 0 {
			return nil, fmt.Errorf("unknown target %q (no targets registered; forgotten import of backends/all?)", name)
		}
		return nil, fmt.Errorf("unknown target %q (known: %s)", name, strings.Join(known, ", "))
	}
	return b, nil
}

// Names returns the registered backend names, sorted.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	var out []string
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// FormatsOf lists the formats a backend offers, default first.
func FormatsOf(b Backend) []string {
	var out []string
	if f, ok := b.(Formatter); ok {
		out = append(out, f.Formats()...)
	} else {
		out = append(out, "default")
	}
	return append(out, "json")
}

// PipelinesOf lists a backend's built-in pipelines.
func PipelinesOf(b Backend) []*pipeline.Pipeline {
	if p, ok := b.(PipelineProvider); ok {
		return p.Pipelines()
	}
	return nil
}
