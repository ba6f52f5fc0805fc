package pipeline

import (
	"errors"
	"fmt"
	"sort"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/sigconv/sigconv/sigma"
)

// TransformationType is a transformation a backend adds to the pipeline
// language, for configuration that is its own (KQL's value maps): its
// parameters and how to build it. Build runs when a pipeline file is
// loaded, so a bad parameter fails there with the file's line and column.
type TransformationType struct {
	// Keys are the parameters besides the keys every item has.
	Keys []string
	// Build makes the transformation from the item's parameters; errors
	// made with NodeError carry the node's position.
	Build func(params map[string]*yaml.Node) (Transformation, error)
}

var (
	customMu    sync.RWMutex
	customTypes = map[string]TransformationType{}
)

// RegisterTransformation adds a transformation type. It panics when the
// name is taken (by a built-in or another registration): a programming
// error at init time. Register before loading pipelines that use it.
func RegisterTransformation(name string, t TransformationType) {
	customMu.Lock()
	defer customMu.Unlock()
	if _, builtin := transformationKeys[name]; builtin {
		panic("pipeline: RegisterTransformation of built-in type " + name)
	}
	if _, dup := customTypes[name]; dup {
		panic("pipeline: RegisterTransformation called twice for " + name)
	}
	customTypes[name] = t
}

func customType(name string) (TransformationType, bool) {
	customMu.RLock()
	defer customMu.RUnlock()
	t, ok := customTypes[name]
	return t, ok
}

func customNames() []string {
	customMu.RLock()
	defer customMu.RUnlock()
	var out []string
	for n := range customTypes {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// nodeError is an error about one node of the item; the loader adds the
// file name.
type nodeError struct {
	pos sigma.Pos
	msg string
}

func (e *nodeError) Error() string { return e.pos.String() + ": " + e.msg }

// NodeError builds an error positioned at n, for TransformationType.Build.
func NodeError(n *yaml.Node, format string, args ...any) error {
	return &nodeError{pos: sigma.Pos{Line: n.Line, Column: n.Column}, msg: fmt.Sprintf(format, args...)}
}

// buildCustom runs a registered type's Build, positioning its errors in
// the pipeline file (at the item when Build did not say where).
func (l *loader) buildCustom(t TransformationType, typ string, params map[string]*yaml.Node, item *yaml.Node) (Transformation, error) {
	tr, err := t.Build(params)
	if err == nil {
		return tr, nil
	}
	var ne *nodeError
	if errors.As(err, &ne) {
		return nil, sigma.Errorf(l.path, ne.pos, "%s: %s", typ, ne.msg)
	}
	return nil, l.errf(item, "%s: %v", typ, err)
}
