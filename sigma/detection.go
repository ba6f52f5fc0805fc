package sigma

import (
	"gopkg.in/yaml.v3"
)

// parseDetection reads a detection map: search identifiers plus condition.
func (p *parser) parseDetection(n *yaml.Node, key *yaml.Node, what string) Detection {
	if n.Kind != yaml.MappingNode {
		p.errorf(nodePos(n), "%s must be a map of search identifiers and a condition, not %s", what, kindName(n))
		return Detection{Pos: nodePos(n)}
	}
	return p.detectionFrom(nodePos(n), p.pairs(n), what)
}

// detectionFrom builds a detection from map entries; filters pass their
// filter map without its rules key.
func (p *parser) detectionFrom(pos Pos, kvs []pair, what string) Detection {
	det := Detection{Pos: pos}
	var condKV *pair
	seen := map[string]bool{}
	searchKeys := 0
	for i := range kvs {
		kv := kvs[i]
		if seen[kv.Key] {
			continue // duplicate, reported by scanDoc
		}
		seen[kv.Key] = true
		switch kv.Key {
		case "condition":
			condKV = &kvs[i]
		case "timeframe":
			// Sigma 1 aggregation window; Sigma 2 uses correlation rules.
			// Reading it as a search would add a keyword "5m" to "1 of them".
			p.warnf(nodePos(kv.K), "timeframe in %s is a Sigma 1 feature and is ignored; use a correlation rule", what)
		default:
			searchKeys++
			if s := p.parseSearch(kv); s != nil {
				det.Searches = append(det.Searches, s)
			}
		}
	}
	if searchKeys == 0 {
		p.errorf(pos, "%s has no search identifiers", what)
	}
	if condKV == nil {
		p.errorf(pos, "%s has no condition", what)
		return det
	}
	det.Conditions = p.parseConditions(deref(condKV.V))
	p.checkConditions(&det)
	return det
}

// parseSearch reads one search identifier. Shapes (specification
// "Detection", reference §2.1): a map is an AND of items; a list of maps is
// an OR of maps; a list of scalars is a keyword search (OR); a mixed list
// is an OR of its elements. A bare scalar is refused with a hint.
func (p *parser) parseSearch(kv pair) *Search {
	s := &Search{Name: kv.Key, Pos: nodePos(kv.K)}
	v := deref(kv.V)
	switch v.Kind {
	case yaml.MappingNode:
		if g := p.parseGroup(kv.Key, v); g != nil {
			s.Groups = append(s.Groups, g)
		}
	case yaml.SequenceNode:
		p.parseSearchList(s, v)
	case yaml.ScalarNode:
		if isNull(v) {
			p.errorf(nodePos(v), "search %q is empty; a null value must be bound to a field", kv.Key)
			return nil
		}
		// The specification allows a search to be a map or a list only;
		// pySigma reads a bare scalar as one keyword, other tools refuse
		// it, so a rule written that way is not portable.
		p.errorf(nodePos(v), "search %q is a bare value; the Sigma specification allows a list of keywords or a map of fields: write it as a list, e.g. %s: [%s]", kv.Key, kv.Key, v.Value)
		s.Groups = append(s.Groups, p.keywordGroup([]*yaml.Node{v}, nodePos(v)))
	}
	if len(s.Groups) == 0 {
		return nil
	}
	return s
}

func (p *parser) parseSearchList(s *Search, v *yaml.Node) {
	if len(v.Content) == 0 {
		p.errorf(nodePos(v), "search %q is an empty list", s.Name)
		return
	}
	var keywords []*yaml.Node
	for _, c := range v.Content {
		c = deref(c)
		switch c.Kind {
		case yaml.MappingNode:
			if g := p.parseGroup(s.Name, c); g != nil {
				s.Groups = append(s.Groups, g)
			}
		case yaml.SequenceNode:
			p.errorf(nodePos(c), "search %q holds a nested list; use a list of values or a list of maps", s.Name)
		default:
			if isNull(c) {
				p.errorf(nodePos(c), "null keyword in search %q; a null value must be bound to a field", s.Name)
				continue
			}
			keywords = append(keywords, c)
		}
	}
	if len(keywords) > 0 {
		s.Groups = append(s.Groups, p.keywordGroup(keywords, nodePos(v)))
	}
}

// keywordGroup is a group of one keyword item with the given values.
func (p *parser) keywordGroup(vals []*yaml.Node, pos Pos) *Group {
	it := &Item{Pos: pos, Values: make([]ItemValue, 0, len(vals))}
	slots := make([]Value, len(vals))
	arena := partArena{left: len(vals)}
	for i, v := range vals {
		if iv, ok := p.itemValue(it, nil, v, slots[i:i+1:i+1], &arena); ok {
			it.Values = append(it.Values, iv)
		}
	}
	return &Group{Pos: pos, Items: []*Item{it}}
}

func (p *parser) parseGroup(search string, m *yaml.Node) *Group {
	g := &Group{Pos: nodePos(m)}
	kvs := p.pairs(m)
	if len(kvs) == 0 {
		p.errorf(nodePos(m), "search %q holds an empty map", search)
		return nil
	}
	g.Items = make([]*Item, 0, len(kvs))
	for _, kv := range kvs {
		if it := p.parseItem(kv); it != nil {
			g.Items = append(g.Items, it)
		}
	}
	return g
}

// parseItem reads one "Field|mod|mod: value(s)" entry.
func (p *parser) parseItem(kv pair) *Item {
	field, mods, ok := p.parseKey(kv.K)
	if !ok {
		return nil
	}
	it := &Item{Pos: nodePos(kv.K), Field: field}
	if len(mods) > 0 {
		it.Modifiers = make([]Modifier, 0, len(mods))
	}
	for _, m := range mods {
		it.Modifiers = append(it.Modifiers, m.mod)
	}
	if !p.checkChain(it, mods) {
		return nil
	}
	var one [1]*yaml.Node // holds a lone scalar value without a heap slice
	vals := p.itemValueNodes(kv, &one)
	// Sized once: the parsed rules stay in memory until the whole set is
	// converted, so growth slack here is held for the whole run.
	it.Values = make([]ItemValue, 0, len(vals))
	// One array holds every value's first alternative; each value's slice
	// is capped at its own element, so nothing appends into a neighbour.
	slots := make([]Value, len(vals))
	arena := partArena{left: len(vals)}
	for i, v := range vals {
		if iv, ok := p.itemValue(it, mods, v, slots[i:i+1:i+1], &arena); ok {
			it.Values = append(it.Values, iv)
		}
	}
	if it.All && len(vals) == 1 {
		p.warnf(it.Pos, "the all modifier with a single value has no effect")
	}
	return it
}

// itemValueNodes returns the value nodes of an item: the scalar itself (in
// one, the caller's array), or the elements of a list. Nested collections
// are errors; a null among other values is accepted (as pySigma does) with
// a warning, because the specification forbids mixing it with values of
// other types.
func (p *parser) itemValueNodes(kv pair, one *[1]*yaml.Node) []*yaml.Node {
	v := deref(kv.V)
	switch v.Kind {
	case yaml.MappingNode:
		p.errorf(nodePos(v), "value of %q is a map; a field takes a value or a list of values", kv.Key)
		return nil
	case yaml.ScalarNode:
		one[0] = v
		return one[:]
	}
	if len(v.Content) == 0 {
		p.errorf(nodePos(v), "value of %q is an empty list; write null to match a missing field", kv.Key)
		return nil
	}
	if plainScalars(v.Content) {
		return v.Content // read only; the common list needs no copy
	}
	out := make([]*yaml.Node, 0, len(v.Content))
	for _, c := range v.Content {
		c = deref(c)
		if c.Kind != yaml.ScalarNode {
			p.errorf(nodePos(c), "value list of %q holds %s; only scalars are allowed", kv.Key, kindName(c))
			continue
		}
		if isNull(c) && len(v.Content) > 1 {
			p.warnf(nodePos(c), "null inside a value list; the specification asks for a separate search for null")
		}
		out = append(out, c)
	}
	return out
}

// plainScalars reports whether every node is a scalar that is neither an
// alias nor null: itemValueNodes would return the list as it is.
func plainScalars(nodes []*yaml.Node) bool {
	for _, c := range nodes {
		if c.Kind != yaml.ScalarNode || isNull(c) {
			return false
		}
	}
	return true
}
