package backends

import "strings"

// GroupNote names the correlation's group-by for a window note
// (" with the same host, user"); "" without group-by.
func (c *Correlation) GroupNote() string {
	if len(c.GroupBy) == 0 {
		return ""
	}
	names := make([]string, 0, len(c.GroupBy))
	for _, g := range c.GroupBy {
		names = append(names, g.Name)
	}
	return " with the same " + strings.Join(names, ", ")
}

// SlidingPairNote is the first-line note of the two-rule sliding form,
// the same words on every target (each wraps it in its comment syntax).
func (c *Correlation) SlidingPairNote(span string) string {
	return "sliding " + span + " window: events of both rules within " + span + " of each other" + c.GroupNote() + " (adjacent events after sorting by time)"
}
