package sigma

// GroupField returns the field a group-by name stands for in rule r: the
// field its alias gives r (named by r's name or id), or the name itself
// when no alias has that name. ok is false when the alias has no field
// for r; alias is then the alias, for positioning an error.
func (c *Correlation) GroupField(name string, r *Rule) (field string, alias *Alias, ok bool) {
	for i := range c.Aliases {
		a := &c.Aliases[i]
		if a.Name != name {
			continue
		}
		for _, kv := range a.Fields {
			if kv.Key == r.Name || kv.Key == r.ID {
				return kv.Value, a, true
			}
		}
		return "", a, false
	}
	return name, nil, true
}
