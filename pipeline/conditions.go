package pipeline

import (
	"regexp"

	"github.com/sigconv/sigconv/ir"
)

// RuleCondition selects rules.
type RuleCondition interface {
	Match(r *ir.Rule) bool
}

// LogsourceCondition matches rules whose (current) logsource has every
// attribute it sets; empty attributes are not compared.
type LogsourceCondition struct {
	Category, Product, Service string
}

// Match implements RuleCondition.
func (c LogsourceCondition) Match(r *ir.Rule) bool {
	ls := r.LogSource
	return (c.Category == "" || c.Category == ls.Category) &&
		(c.Product == "" || c.Product == ls.Product) &&
		(c.Service == "" || c.Service == ls.Service)
}

// FieldCondition selects fields of detection items.
type FieldCondition interface {
	Match(field string) bool
}

// IncludeFields matches the listed fields (plain names or regexps).
type IncludeFields struct {
	Fields  []string
	Regexps []*regexp.Regexp
}

// Match implements FieldCondition.
func (c IncludeFields) Match(field string) bool {
	for _, f := range c.Fields {
		if f == field {
			return true
		}
	}
	for _, re := range c.Regexps {
		if re.MatchString(field) {
			return true
		}
	}
	return false
}

// ExcludeFields matches every field except the listed ones.
type ExcludeFields struct{ IncludeFields }

// Match implements FieldCondition.
func (c ExcludeFields) Match(field string) bool { return !c.IncludeFields.Match(field) }
