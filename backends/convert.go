package backends

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/pipeline"
	"github.com/sigconv/sigconv/sigma"
)

// Options choose how a Converter works.
type Options struct {
	// Pipelines names built-in pipelines of the target; when empty the
	// target's default pipelines are used (unless WithoutPipeline).
	Pipelines []string
	// Extra are user pipelines (e.g. loaded from -p files), applied
	// together with the built-in ones, ordered by priority.
	Extra []*pipeline.Pipeline
	// WithoutPipeline drops the target's built-in pipelines.
	WithoutPipeline bool
	// Format is the output format; empty means the target's default.
	Format string
	// CorrelationMethod is how correlation windows are cut: "sliding"
	// (the default when empty: "all events within the timespan of each
	// other", exactly) or "tumbling" (fixed buckets of the timespan).
	CorrelationMethod string
}

// Converter converts rules for one target with fixed pipelines and
// format. It is immutable and safe for concurrent use.
type Converter struct {
	backend   Backend
	pipelines []*pipeline.Pipeline
	format    string
	method    CorrelationMethod
}

// NewConverter prepares a converter for backend b.
func NewConverter(b Backend, opt Options) (*Converter, error) {
	method, err := ParseCorrelationMethod(opt.CorrelationMethod)
	if err != nil {
		return nil, err
	}
	c := &Converter{backend: b, method: method}
	builtin := PipelinesOf(b)
	names := opt.Pipelines
	if len(names) == 0 && !opt.WithoutPipeline {
		if pp, ok := b.(PipelineProvider); ok {
			names = pp.DefaultPipelines()
		}
	}
	if opt.WithoutPipeline && len(opt.Pipelines) > 0 {
		return nil, fmt.Errorf("--without-pipeline and a built-in pipeline (%s) exclude each other", strings.Join(opt.Pipelines, ", "))
	}
	var chosen []*pipeline.Pipeline
	for _, n := range names {
		p := findPipeline(builtin, n)
		if p == nil {
			return nil, fmt.Errorf("target %s has no pipeline %q (known: %s)", b.Name(), n, strings.Join(pipelineNames(builtin), ", "))
		}
		chosen = append(chosen, p)
	}
	for _, p := range opt.Extra {
		if len(p.AllowedBackends) > 0 && !containsString(p.AllowedBackends, b.Name()) {
			return nil, fmt.Errorf("pipeline %s (%s) is only for %s, not %s", p.Name, p.File, strings.Join(p.AllowedBackends, ", "), b.Name())
		}
		chosen = append(chosen, p)
	}
	if err := checkKinds(chosen); err != nil {
		return nil, err
	}
	c.pipelines = pipeline.Combine(chosen...)
	if err := checkState(b, c.pipelines); err != nil {
		return nil, err
	}
	formats := FormatsOf(b)
	c.format = opt.Format
	if c.format == "" {
		c.format = formats[0]
	}
	if !containsString(formats, c.format) {
		return nil, fmt.Errorf("target %s has no format %q (known: %s)", b.Name(), c.format, strings.Join(formats, ", "))
	}
	return c, nil
}

func findPipeline(ps []*pipeline.Pipeline, name string) *pipeline.Pipeline {
	for _, p := range ps {
		if p.Name == name {
			return p
		}
	}
	return nil
}

func pipelineNames(ps []*pipeline.Pipeline) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Backend returns the converter's backend.
func (c *Converter) Backend() Backend { return c.backend }

// Format returns the output format in use.
func (c *Converter) Format() string { return c.format }

// PipelineNames returns the names of the pipelines applied, in order.
func (c *Converter) PipelineNames() []string { return pipelineNames(c.pipelines) }

// Result is the conversion of one rule.
type Result struct {
	Rule    *ir.Rule // the processed rule
	Queries []string // one per condition, as the backend rendered them
	Output  string   // the queries packaged in the chosen format
	// Warnings are what the output cannot say exactly although it is
	// right for what it says (a tumbling correlation window); the CLI
	// prints them on stderr.
	Warnings sigma.ErrorList
}

// Convert lowers, processes and renders one rule. It never panics: an
// unexpected panic in a backend becomes an error naming the rule.
func (c *Converter) Convert(r *sigma.Rule) (*Result, error) {
	return c.ConvertFiltered(r, nil)
}

// ConvertFiltered converts a rule with meta-filters applied (see
// ir.ApplyFilters); the filters' fields go through the pipelines too.
func (c *Converter) ConvertFiltered(r *sigma.Rule, filters []*sigma.Filter) (res *Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, sigma.Errorf(r.File, r.Pos, "internal error converting rule for %s: %v", c.backend.Name(), p).WithReason(sigma.ReasonInternal)
		}
	}()
	_, processed, err := c.process(r, func(*sigma.Rule) []*sigma.Filter { return filters })
	if err != nil {
		return nil, err
	}
	queries, err := c.backend.Convert(processed)
	if err != nil {
		return nil, classify(err, sigma.ReasonConstruct)
	}
	out, err := c.finalize(processed, queries)
	if err != nil {
		return nil, err
	}
	return &Result{Rule: processed, Queries: queries, Output: out}, nil
}

func (c *Converter) finalize(r *ir.Rule, queries []string) (string, error) {
	if c.format == "json" {
		return RuleJSON(r, queries)
	}
	if f, ok := c.backend.(Formatter); ok {
		return f.Format(c.format, r, queries)
	}
	return strings.Join(queries, "\n"), nil
}

// RuleJSON is the generic json format: the queries with rule metadata.
func RuleJSON(r *ir.Rule, queries []string) (string, error) {
	src := r.Source
	doc := struct {
		ID      string   `json:"id"`
		Title   string   `json:"title"`
		Level   string   `json:"level"`
		Tags    []string `json:"tags"`
		File    string   `json:"file"`
		Queries []string `json:"queries"`
	}{src.ID, src.Title, src.Level, nonNil(src.Tags), src.File, nonNil(queries)}
	return MarshalJSON(doc)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// MarshalJSON encodes v without HTML escaping, so queries read as written
// ("a >= 2", not "a \u003e= 2").
func MarshalJSON(v any) (string, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// classify marks a backend's diagnostic with a failure reason, so that
// summaries can count failures by reason without reading messages.
func classify(err error, r sigma.Reason) error {
	var d *sigma.Diagnostic
	if errors.As(err, &d) {
		return d.WithReason(r)
	}
	return err
}

// checkKinds refuses a stack of two pipelines that each choose what the
// query reads (pipeline.Pipeline.Kind), e.g. sigma-cli's habit -p cim -p
// sysmon: the mix would search a data model for Sysmon's EventCode and
// silently find nothing.
func checkKinds(ps []*pipeline.Pipeline) error {
	var first *pipeline.Pipeline
	for _, p := range ps {
		if p.Kind == "" {
			continue
		}
		if first != nil {
			return fmt.Errorf("pipelines %s (%s) and %s (%s) cannot be stacked: each chooses the data the query reads; name one of them", first.Name, first.Kind, p.Name, p.Kind)
		}
		first = p
	}
	return nil
}
