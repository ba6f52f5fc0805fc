package sigma

// CorrelationType is the type of a correlation rule, spelled as in YAML.
type CorrelationType string

// The correlation types of the specification (value_median is pySigma's).
const (
	EventCount      CorrelationType = "event_count"
	ValueCount      CorrelationType = "value_count"
	Temporal        CorrelationType = "temporal"
	TemporalOrdered CorrelationType = "temporal_ordered"
	ValueSum        CorrelationType = "value_sum"
	ValueAvg        CorrelationType = "value_avg"
	ValuePercentile CorrelationType = "value_percentile"
	ValueMedian     CorrelationType = "value_median"
)

// CorrelationTypes lists every known correlation type.
var CorrelationTypes = []CorrelationType{EventCount, ValueCount, Temporal, TemporalOrdered, ValueSum, ValueAvg, ValuePercentile, ValueMedian}

// IsTemporal reports whether the type correlates rules in time
// (temporal, temporal_ordered) rather than aggregating a count or value.
func (t CorrelationType) IsTemporal() bool { return t == Temporal || t == TemporalOrdered }

// HasValueField reports whether the type aggregates a field's values
// (the value_* types), which its condition must name.
func (t CorrelationType) HasValueField() bool {
	switch t {
	case ValueCount, ValueSum, ValueAvg, ValuePercentile, ValueMedian:
		return true
	}
	return false
}

// CorrelationOp is a comparison of a correlation condition, spelled as
// in YAML.
type CorrelationOp string

// The comparisons of a correlation condition.
const (
	OpGT  CorrelationOp = "gt"
	OpGTE CorrelationOp = "gte"
	OpLT  CorrelationOp = "lt"
	OpLTE CorrelationOp = "lte"
	OpEQ  CorrelationOp = "eq"
	OpNEQ CorrelationOp = "neq"
)

// CorrelationOps lists every comparison.
var CorrelationOps = []CorrelationOp{OpGT, OpGTE, OpLT, OpLTE, OpEQ, OpNEQ}

// Holds applies the comparison: n op value.
func (op CorrelationOp) Holds(n, value float64) bool {
	switch op {
	case OpGT:
		return n > value
	case OpGTE:
		return n >= value
	case OpLT:
		return n < value
	case OpLTE:
		return n <= value
	case OpEQ:
		return n == value
	case OpNEQ:
		return n != value
	}
	return false
}

// IsLower reports whether the comparison bounds from below (gt, gte).
func (op CorrelationOp) IsLower() bool { return op == OpGT || op == OpGTE }

// IsUpper reports whether the comparison bounds from above (lt, lte).
func (op CorrelationOp) IsUpper() bool { return op == OpLT || op == OpLTE }
