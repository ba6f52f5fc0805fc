package spl

import (
	"strings"

	"github.com/sigconv/sigconv/ir"
)

// Disjoint implements backends.DisjointSources: two rules whose searches
// name different indexes, or different sources, never see the same event
// (an event has one index and one source). Values are compared without
// case, as Splunk compares them in a search.
func (b *Backend) Disjoint(x, y *ir.Rule) bool {
	differ := func(key string) bool {
		u, v := x.State[key], y.State[key]
		return u != "" && v != "" && !strings.EqualFold(u, v)
	}
	if differ(StateIndex) {
		return true
	}
	source := func(r *ir.Rule) string {
		channel := r.State[StateChannel]
		if channel == "" {
			return ""
		}
		if prefix := strings.TrimSuffix(r.State[StateSourcePrefix], ":"); prefix != "" {
			return prefix + ":" + channel
		}
		return channel
	}
	u, v := source(x), source(y)
	return u != "" && v != "" && !strings.EqualFold(u, v)
}
