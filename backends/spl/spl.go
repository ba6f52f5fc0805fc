// Package spl renders Sigma rules as Splunk SPL: raw searches over
// Windows event logs (Sysmon by default, or the Security log), searches
// on the rule's own field names (no pipeline), and | tstats searches over
// accelerated CIM data models.
//
// # Two renderings, one meaning
//
// The search command says most of Sigma exactly: "..." values with '*'
// wildcards compared case-insensitively, NOT field=* for a missing field,
// field IN (...), CIDR values, numeric comparisons. It cannot say a '?'
// wildcard, a literal '*', a cased value, a regular expression or a
// comparison of two fields (search primer, "Backslashes"). Rather than
// deferring such leaves to separate | regex commands — which cannot sit
// under an OR without changing the rule's boolean structure — every
// top-level conjunct of a query that holds such a leaf is rendered, whole,
// as one | where eval expression (match(), cidrmatch(), isnull(), ...),
// and the other conjuncts stay in the search. Both parts are AND-ed by
// the pipe, so the structure is kept exactly.
//
// # Configuration through pipeline state
//
// The built-in pipelines set these state keys (set_state), which a user
// pipeline with a higher priority can override, e.g. for classic
// WinEventLog: sources or a dedicated index:
//
//	spl.index               index=<value> before the search ("" = none)
//	spl.source_prefix       source prefix, e.g. XmlWinEventLog or WinEventLog
//	spl.channel             event log channel; source="<prefix>:<channel>"
//	spl.unavailable_fields  space-separated output fields the data has no
//	                        equivalent for; they are left out of | table
//	                        and named in a ```comment``` after it
//
// A pipeline that selects a table (set_table) names a CIM data model such
// as Endpoint.Processes, and the query becomes a | tstats search; its
// fields are named <dataset>.<field>, with the dataset taken from the
// table name unless spl.dataset names it (Web.Proxy's fields are Web.*).
package spl

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/pipeline"
	"github.com/sigconv/sigconv/sigma"
)

// Pipeline state keys read by the backend.
const (
	StateIndex        = "spl.index"
	StateSourcePrefix = "spl.source_prefix"
	StateChannel      = "spl.channel"
	StateUnavailable  = "spl.unavailable_fields"
	StateDataset      = "spl.dataset"
)

// Backend is the SPL target. Its built-in pipelines are parsed at its
// first use (builtin.go), so New and registration are cheap.
type Backend struct{}

// New returns the SPL backend with its built-in pipelines.
func New() *Backend { return &Backend{} }

func init() { backends.Register(New()) }

// Name implements backends.Backend.
func (*Backend) Name() string { return "spl" }

// Pipelines implements backends.PipelineProvider.
func (*Backend) Pipelines() []*pipeline.Pipeline { return pipelines() }

// DefaultPipelines implements backends.PipelineProvider.
func (*Backend) DefaultPipelines() []string { return pipelineNames[:1] }

// Formats implements backends.Formatter: "default" is the search itself,
// "savedsearches" a savedsearches.conf stanza per rule, "es-correlation"
// a Splunk Enterprise Security correlation search (escorrelation.go).
func (*Backend) Formats() []string { return []string{"default", "savedsearches", "es-correlation"} }

// Format implements backends.Formatter.
func (b *Backend) Format(format string, r *ir.Rule, queries []string) (string, error) {
	switch format {
	case "default":
		return strings.Join(queries, "\n\n"), nil
	case "savedsearches":
		return savedSearches(r, queries), nil
	case "es-correlation":
		return esCorrelation(r, queries)
	}
	return "", fmt.Errorf("spl has no format %q", format)
}

// Convert implements backends.Backend: one query per condition.
func (b *Backend) Convert(r *ir.Rule) ([]string, error) {
	var out []string
	for _, q := range r.Queries {
		s, err := convertQuery(r, q)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// split holds the rendered parts of one query.
type split struct {
	search []string // search terms, implicitly AND-ed
	where  string   // eval expression, "" when none
}

// convertQuery renders the pipeline filters and one query.
func convertQuery(r *ir.Rule, q ir.Expr) (string, error) {
	conj := append(append([]ir.Expr(nil), r.Filters...), q)
	parts, err := render(r, conj)
	if err != nil {
		return "", err
	}
	if r.Table != "" {
		return tstats(r, parts)
	}
	return assemble(r, parts)
}

// render sorts the top-level conjuncts into search terms and the | where
// expression (see the package comment).
func render(r *ir.Rule, conj []ir.Expr) (split, error) {
	var p split
	sd := searchDialect(r)
	var rest []ir.Expr
	for _, c := range conjuncts(conj) {
		text, err := sd.Render(c)
		if errors.Is(err, errNeedsWhere) {
			rest = append(rest, c)
			continue
		}
		if err != nil {
			return p, err
		}
		p.search = append(p.search, text)
	}
	if len(rest) == 0 {
		return p, nil
	}
	var e ir.Expr = &ir.And{Args: rest}
	if len(rest) == 1 {
		e = rest[0]
	}
	negated := map[*ir.Match]bool{}
	negatedLeaves(e, false, negated)
	text, err := whereDialect(r, negated).Render(e)
	p.where = text
	return p, err
}

// conjuncts simplifies each expression and splices top-level ANDs.
func conjuncts(es []ir.Expr) []ir.Expr {
	var out []ir.Expr
	for _, e := range es {
		e = simplify(e)
		if a, ok := e.(*ir.And); ok {
			out = append(out, conjuncts(a.Args)...)
			continue
		}
		out = append(out, e)
	}
	return out
}

// assemble builds a raw-event search: the index and source from the
// pipeline state, the search terms, | where, and | table.
func assemble(r *ir.Rule, p split) (string, error) {
	head, err := sourceTerms(r)
	if err != nil {
		return "", err
	}
	terms := append(head, p.search...)
	first := strings.Join(terms, " ")
	if first == "" {
		// A search cannot start with | where: every event is searched,
		// which is what the conditions alone would do.
		first = "*"
	}
	stages := []string{first}
	if p.where != "" {
		stages = append(stages, "where "+p.where)
	}
	fields, missing := outputFields(r, nil)
	if len(fields) > 0 {
		stages = append(stages, "table "+strings.Join(fields, ", "))
	}
	out := strings.Join(stages, "\n| ")
	return out + missingComment(missing), nil
}

// stateValue is what a state value may contain to be written inside a
// quoted search value: no quotes to escape ambiguity, no control
// characters, no backticks (macros).
var stateValue = regexp.MustCompile("^[^\"`\\\\\\x00-\\x1f\\x7f]*$")

// indexName is what index= takes unquoted.
var indexName = regexp.MustCompile(`^[A-Za-z0-9_*][A-Za-z0-9_*-]*$`)

// sourceTerms are index= and source= from the pipeline state.
func sourceTerms(r *ir.Rule) ([]string, error) {
	var out []string
	if idx := r.State[StateIndex]; idx != "" {
		if !indexName.MatchString(idx) {
			return nil, stateError(r, StateIndex, idx)
		}
		out = append(out, "index="+idx)
	}
	channel, prefix := r.State[StateChannel], r.State[StateSourcePrefix]
	if channel == "" {
		return out, nil
	}
	source := channel
	// The prefix is written with or without its colon ("WinEventLog" and
	// "WinEventLog:" both give source="WinEventLog:<channel>"): Splunk
	// sources are "<prefix>:<channel>", never with two colons.
	if prefix = strings.TrimSuffix(prefix, ":"); prefix != "" {
		source = prefix + ":" + channel
	}
	if !stateValue.MatchString(source) {
		return nil, stateError(r, StateSourcePrefix+"/"+StateChannel, source)
	}
	return append(out, `source="`+source+`"`), nil
}

func stateError(r *ir.Rule, key, val string) error {
	return sigma.Errorf(r.Source.File, r.Source.Pos, "spl: pipeline state %s has a value that cannot be written in a search: %q", key, val)
}

// outputFields returns the rule's output fields that can be shown, and
// those left out: the ones the pipeline declares unavailable, those keep
// returns false for, and names no SPL command could take.
func outputFields(r *ir.Rule, keep func(string) bool) (shown, missing []string) {
	unavailable := map[string]bool{}
	for _, f := range strings.Fields(r.State[StateUnavailable]) {
		unavailable[f] = true
	}
	for _, f := range r.Fields {
		switch {
		case unavailable[f], keep != nil && !keep(f), !evalFieldOK(f):
			missing = append(missing, f)
		case searchField.MatchString(f):
			shown = append(shown, f)
		default:
			shown = append(shown, `"`+f+`"`)
		}
	}
	return shown, missing
}

// missingComment names the output fields left out, as an SPL inline
// comment (text between triple backticks, replaced by a space when the
// search runs: "Add comments to searches",
// https://help.splunk.com/splunk-enterprise/search/search-manual/9.3/using-the-search-app/add-comments-to-searches).
func missingComment(missing []string) string {
	if len(missing) == 0 {
		return ""
	}
	var names []string
	for _, m := range missing {
		names = append(names, commentEscaper.Replace(m))
	}
	return " ```fields of the rule with no equivalent in this data, not shown: " + strings.Join(names, ", ") + "```"
}

// simplify removes double negations and negated existence tests, so that
// no NOT NOT field=* is ever written (a known defect of another
// converter); the meaning is unchanged.
// A subtree without a "not" comes back as it is (the trees are read only),
// so most rules build no new nodes.
func simplify(e ir.Expr) ir.Expr {
	switch e := e.(type) {
	case *ir.Not:
		arg := simplify(e.Arg)
		if x, ok := cancelNot(arg); ok {
			return x
		}
		if arg == e.Arg {
			return e
		}
		return &ir.Not{Arg: arg}
	case *ir.And:
		if args, changed := simplifyAll(e.Args); changed {
			return &ir.And{Args: args}
		}
	case *ir.Or:
		if args, changed := simplifyAll(e.Args); changed {
			return &ir.Or{Args: args}
		}
	}
	return e
}

// simplifyAll simplifies each argument; while none changes it returns es
// itself and changed false.
func simplifyAll(es []ir.Expr) (out []ir.Expr, changed bool) {
	for i, a := range es {
		s := simplify(a)
		if s == a && out == nil {
			continue
		}
		if out == nil {
			out = make([]ir.Expr, len(es))
			copy(out, es[:i])
		}
		out[i] = s
	}
	if out == nil {
		return es, false
	}
	return out, true
}

// cancelNot returns the negation of e without a "not" (ok true) where
// there is one: the argument of a double negation, or the opposite
// existence test.
func cancelNot(e ir.Expr) (ir.Expr, bool) {
	switch e := e.(type) {
	case *ir.Not:
		return e.Arg, true
	case *ir.Match:
		if e.Field == "" {
			break
		}
		switch v := e.Value.(type) {
		case sigma.Null:
			return &ir.Match{Field: e.Field, Value: sigma.Exists{Value: true}, Pos: e.Pos}, true
		case sigma.Exists:
			return &ir.Match{Field: e.Field, Value: sigma.Exists{Value: !v.Value}, Pos: e.Pos}, true
		}
	}
	return nil, false
}

// commentEscaper keeps a name from ending a ``` comment or the line (built
// once).
var commentEscaper = strings.NewReplacer("`", "'", "\n", " ", "\r", " ")

// Scheduled implements backends.Scheduler: saved searches and ES
// correlation searches run on a cron schedule.
func (b *Backend) Scheduled(format string) bool {
	return format == "savedsearches" || format == "es-correlation"
}
