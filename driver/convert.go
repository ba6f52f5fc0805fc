package driver

import (
	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/collection"
	"github.com/sigconv/sigconv/diag"
	"github.com/sigconv/sigconv/sigma"
)

// ConverterOptions choose a converter's pipelines and format (see
// backends.Options).
type ConverterOptions = backends.Options

// NewConverter looks a target up in the backends registry and prepares a
// converter with opt (empty options: the target's default pipelines and
// format). Import backends/all, or a backend package, to register targets.
func NewConverter(target string, opt ConverterOptions) (*backends.Converter, error) {
	b, err := backends.Lookup(target)
	if err != nil {
		return nil, err
	}
	return backends.NewConverter(b, opt)
}

// Options choose what Convert converts.
type Options struct {
	// EveryRule converts the rules a correlation uses even when no
	// correlation asks for their own queries (generate: false). Golden
	// tests pin every rule this way; the CLI leaves it off.
	EveryRule bool
	// Done, when set, is called as each result is ready (a document
	// converted, or a file's errors), from any goroutine (progress).
	Done func()
	// FileDone, when set, is called by Stream.Each after each file's
	// results are emitted (progress by file, whose number is known
	// before conversion).
	FileDone func()
}

// Result is the outcome of one document, or of one file that has errors.
type Result struct {
	// Path is the file the document comes from.
	Path string
	// Doc is the converted *sigma.Rule or *sigma.Correlation; nil when
	// the result stands for the errors of a file (Err is then a
	// sigma.ErrorList of its parse, validation and resolution errors).
	Doc sigma.Document
	// Conversion is the converted document; nil when Err is set.
	Conversion *backends.Result
	// Err says why the document (or file) failed: positioned
	// diagnostics, found with errors.As.
	Err error
}

// Meta returns the document's metadata; empty for a file's errors.
func (r Result) Meta() *sigma.Meta {
	if r.Doc == nil {
		return &sigma.Meta{File: r.Path}
	}
	return r.Doc.Metadata()
}

// Output is the converted text in the converter's format; "" on error.
func (r Result) Output() string {
	if r.Conversion == nil {
		return ""
	}
	return r.Conversion.Output
}

// Queries are the converted queries; nil on error.
func (r Result) Queries() []string {
	if r.Conversion == nil {
		return nil
	}
	return r.Conversion.Queries
}

// Reason classifies a failure: ReasonInvalid for a file's errors, the
// conversion's reason otherwise ("" when it succeeded or is unclassified).
func (r Result) Reason() sigma.Reason {
	if r.Err == nil {
		return ""
	}
	if r.Doc == nil {
		return sigma.ReasonInvalid
	}
	return diag.ReasonOf(r.Err)
}

// lookAhead is how many files per worker may wait, converted, for the
// files before them to be emitted. A few per worker absorb the
// variation of conversion times; more only holds memory.
const lookAhead = 16

// job is one result to produce: a file's errors or one document.
type job struct {
	path string
	doc  sigma.Document
	errs sigma.ErrorList
}

// jobs lists the results in input order: per file, its errors first (if
// any), then its rules and correlations; filter files' errors last.
func (s *Set) jobs(opt Options) []job {
	var out []job
	for _, f := range s.Files {
		if errs := s.fileDiags(f).Errors(); len(errs) > 0 {
			out = append(out, job{path: f.Path, errs: errs})
		}
		for _, doc := range f.Documents {
			if wanted(s.Collection, doc, opt) {
				out = append(out, job{path: f.Path, doc: doc})
			}
		}
	}
	for _, f := range s.FilterFiles {
		if errs := s.fileDiags(f).Errors(); len(errs) > 0 {
			out = append(out, job{path: f.Path, errs: errs})
		}
	}
	return out
}

// Convert converts every rule and correlation of the set and returns the
// results in input order (see Each).
func (s *Set) Convert(conv *backends.Converter, opt Options) []Result {
	var out []Result
	s.Each(conv, opt, func(r Result) { out = append(out, r) })
	return out
}

// Count returns how many results Convert and Each produce.
func (s *Set) Count(opt Options) int { return len(s.jobs(opt)) }

// Each converts in parallel and calls emit with each result in input
// order as soon as it and all before it are done, so a caller streams
// output while later documents are still converting. Meta-filters apply
// to the rules they name; rules a correlation uses are converted only
// when a correlation says generate: true (or Options.EveryRule); each
// file with errors yields one Result holding them. It runs Stream's
// engine over the parsed files, so both give the same results.
func (s *Set) Each(conv *backends.Converter, opt Options, emit func(Result)) {
	st := &Stream{
		sources:     make([]Source, len(s.Files)),
		early:       append([]*sigma.File(nil), s.Files...),
		filterFiles: s.FilterFiles,
		coll:        s.Collection,
		resolution:  s.byFile,
		// Resolve found the reused ids and names with the rest.
		namesResolved: true,
	}
	if st.resolution == nil { // a Set not made by Resolve
		st.resolution = map[string]sigma.ErrorList{}
		for _, d := range s.Resolution {
			st.resolution[d.File] = append(st.resolution[d.File], d)
		}
	}
	st.Each(conv, opt, emit)
}

// wanted reports whether a document has a result: every correlation, and
// every rule unless only correlations use it (generate: false) and
// Options.EveryRule is off.
func wanted(coll *collection.Collection, doc sigma.Document, opt Options) bool {
	switch d := doc.(type) {
	case *sigma.Rule:
		return opt.EveryRule || coll.Generated(d)
	case *sigma.Correlation:
		return true
	}
	return false
}

// convertDoc converts a rule with the meta-filters that apply to it, or a
// correlation with the rules it references.
func convertDoc(conv *backends.Converter, coll *collection.Collection, path string, doc sigma.Document) Result {
	r := Result{Path: path, Doc: doc}
	switch d := doc.(type) {
	case *sigma.Rule:
		r.Conversion, r.Err = conv.ConvertFiltered(d, coll.FiltersFor(d))
	case *sigma.Correlation:
		rules, err := coll.CorrelationRules(d)
		if err != nil {
			r.Err = err
			break
		}
		r.Conversion, r.Err = conv.ConvertCorrelation(d, rules, coll.FiltersFor)
	}
	return r
}
