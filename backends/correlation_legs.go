package backends

import (
	"strings"

	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// DisjointSources is implemented by backends that can tell, from more
// than the table, that two processed rules never see the same event
// (SPL: different index or source terms).
type DisjointSources interface {
	Disjoint(a, b *ir.Rule) bool
}

// countsEvents lists the types whose tumbling queries count or weigh
// each row of the union of the rules' legs.
func countsEvents(t sigma.CorrelationType) bool {
	switch t {
	case sigma.EventCount, sigma.ValueSum, sigma.ValueAvg, sigma.ValuePercentile, sigma.ValueMedian:
		return true
	}
	return false
}

// checkSharedEvents refuses a correlation whose union of legs could hold
// one event twice: the specification counts events, but an event that
// two rules reading the same table match is one row in each rule's leg,
// so event_count counts it twice and the value_* types weigh its value
// twice. Legs on different tables (or, as the backend says, different
// sources) cannot share an event. value_count (distinct values) and
// temporal (distinct rules) are not changed by a repeated row.
func (c *Converter) checkSharedEvents(in *Correlation) error {
	if !countsEvents(in.Source.Type) {
		return nil
	}
	ds, _ := c.backend.(DisjointSources)
	for j := 1; j < len(in.Rules); j++ {
		for i := 0; i < j; i++ {
			a, b := in.Rules[i], in.Rules[j]
			if disjointTables(a, b) || ds != nil && ds.Disjoint(a, b) {
				continue
			}
			pos := in.Source.Pos
			if j < len(in.Source.Rules) && in.Source.Rules[j].Pos.IsValid() {
				pos = in.Source.Rules[j].Pos
			}
			where := "may read the same events"
			if a.Table != "" {
				where = "both read table " + a.Table
			}
			return in.Fail(pos, "%s: rules %s and %s %s, so an event both match would be counted twice (the specification counts events); correlate rules on different tables, or write one rule matching either", in.Source.Type, in.Labels[i], in.Labels[j], where)
		}
	}
	return nil
}

// disjointTables says two rules read different named tables; names
// equal but for case are taken as one table (XQL datasets).
func disjointTables(a, b *ir.Rule) bool {
	return a.Table != "" && b.Table != "" && !strings.EqualFold(a.Table, b.Table)
}
