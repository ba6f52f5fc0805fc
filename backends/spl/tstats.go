package spl

import (
	"regexp"
	"strings"

	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/sigma"
)

// dataModel is a CIM data model and dataset, e.g. Endpoint.Processes or
// Network_Traffic.All_Traffic.
var dataModel = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$`)

// tstats renders a query over an accelerated CIM data model. The where
// clause of tstats takes search terms on data model fields only, so a
// query that needs | where (a regex, '?', a literal '*', cased, fieldref)
// or a keyword (there is no _raw) is rendered with the datamodel command
// instead: filtering after tstats would see values that fillnull_value
// has already replaced, so it could not tell a missing field exactly.
//
// summariesonly=false also reads events not yet summarized, so the result
// does not depend on acceleration progress; fillnull_value keeps rows whose
// by-fields are missing (without it tstats drops them silently).
func tstats(r *ir.Rule, p split) (string, error) {
	if !dataModel.MatchString(r.Table) {
		return "", sigma.Errorf(r.Source.File, r.Source.Pos, "spl: %q is not a data model name such as Endpoint.Processes", r.Table)
	}
	dataset := r.Table[strings.IndexByte(r.Table, '.')+1:]
	if d := r.State[StateDataset]; d != "" {
		dataset = d
	}
	if !searchField.MatchString(dataset) {
		return "", sigma.Errorf(r.Source.File, r.Source.Pos, "spl: %q is not a data model dataset name", dataset)
	}
	prefix := dataset + "."
	keyword := firstLeaf(r, func(m *ir.Match) bool { return m.Field == "" })
	if p.where != "" || keyword != nil {
		return datamodelSearch(r, p, dataset), nil
	}
	by, missing := outputFields(r, func(f string) bool { return strings.HasPrefix(f, prefix) })
	if len(r.Fields) == 0 {
		by = detectionFields(r, prefix)
	}
	if len(by) == 0 {
		by = []string{prefix + "dest"}
	}
	var b strings.Builder
	b.WriteString(`| tstats summariesonly=false allow_old_summaries=true fillnull_value="unknown" count min(_time) AS firstTime max(_time) AS lastTime from datamodel=`)
	b.WriteString(r.Table)
	if len(p.search) > 0 {
		b.WriteString(" where " + strings.Join(p.search, " "))
	}
	b.WriteString(" by " + strings.Join(by, " "))
	b.WriteString("\n| rename \"" + prefix + "*\" AS \"*\"")
	b.WriteString("\n| convert ctime(firstTime) ctime(lastTime)")
	return b.String() + missingComment(missing), nil
}

// detectionFields lists the data model fields the rule matches on, in
// order of first use.
func detectionFields(r *ir.Rule, prefix string) []string {
	var out []string
	seen := map[string]bool{}
	for _, q := range r.Queries {
		ir.Inspect(q, func(m *ir.Match) bool {
			if strings.HasPrefix(m.Field, prefix) && searchField.MatchString(m.Field) && !seen[m.Field] {
				seen[m.Field] = true
				out = append(out, m.Field)
			}
			return true
		})
	}
	return out
}

// datamodelSearch is the exact fallback for a query the tstats where
// clause cannot take: the datamodel command returns the dataset's events
// with their <dataset>.<field> names, so the search terms and the | where
// expression apply unchanged, on real (not filled-in) values.
func datamodelSearch(r *ir.Rule, p split, dataset string) string {
	prefix := dataset + "."
	model, object, _ := strings.Cut(r.Table, ".")
	stages := []string{"| datamodel " + model + " " + object + " search"}
	if len(p.search) > 0 {
		stages = append(stages, "search "+strings.Join(p.search, " "))
	}
	if p.where != "" {
		stages = append(stages, "where "+p.where)
	}
	fields, missing := outputFields(r, func(f string) bool { return strings.HasPrefix(f, prefix) })
	if len(fields) > 0 {
		stages = append(stages, "table _time, "+strings.Join(fields, ", "))
	}
	stages = append(stages, "rename \""+prefix+"*\" AS \"*\"")
	return strings.Join(stages, "\n| ") + missingComment(missing)
}

// firstLeaf returns the first match of the rule's queries that pred
// accepts, in document order.
func firstLeaf(r *ir.Rule, pred func(*ir.Match) bool) *ir.Match {
	var found *ir.Match
	for _, q := range r.Queries {
		ir.Inspect(q, func(m *ir.Match) bool {
			if pred(m) {
				found = m
			}
			return found == nil
		})
		if found != nil {
			break
		}
	}
	return found
}
