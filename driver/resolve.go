package driver

import (
	"errors"

	"github.com/sigconv/sigconv/collection"
	"github.com/sigconv/sigconv/sigma"
)

// Set is a resolved set of rule files: what "sigconv check" validates and
// what Convert converts.
type Set struct {
	// Files are the rule files in input order; their rules and
	// correlations are converted, their meta-filters apply.
	Files []*sigma.File
	// FilterFiles hold meta-filters given on request (--filter); only
	// their filters are used.
	FilterFiles []*sigma.File
	// Collection resolves names across all files.
	Collection *collection.Collection
	// Resolution holds the diagnostics of resolving the files against
	// each other (duplicate ids, references to missing rules, filters
	// that can never apply, a detection rule given as a filter), in
	// input order of their files.
	Resolution sigma.ErrorList

	byFile map[string]sigma.ErrorList // Resolution by file path
}

// Resolve builds the collection of files and filterFiles and checks
// their references. It never fails: problems are diagnostics.
func Resolve(files, filterFiles []*sigma.File) *Set {
	s := &Set{Files: files, FilterFiles: filterFiles}
	all, diags := filtersOnly(files, filterFiles)
	coll, resolved := collection.New(all)
	s.Collection = coll
	diags = append(diags, resolved...)
	diags = append(diags, coll.CheckFilters()...)
	var paths []string
	for _, f := range append(append([]*sigma.File(nil), files...), filterFiles...) {
		paths = append(paths, f.Path)
	}
	s.Resolution = byPath(paths, diags)
	s.byFile = map[string]sigma.ErrorList{}
	for _, d := range s.Resolution {
		s.byFile[d.File] = append(s.byFile[d.File], d)
	}
	return s
}

// filtersOnly returns files followed by the filter files reduced to their
// meta-filters, and an error for each other document of a filter file.
func filtersOnly(files, filterFiles []*sigma.File) ([]*sigma.File, sigma.ErrorList) {
	all := append([]*sigma.File(nil), files...)
	var diags sigma.ErrorList
	for _, f := range filterFiles {
		only := &sigma.File{Path: f.Path, Diags: f.Diags}
		for _, doc := range f.Documents {
			if _, ok := doc.(*sigma.Filter); ok {
				only.Documents = append(only.Documents, doc)
				continue
			}
			m := doc.Metadata()
			diags = append(diags, sigma.Errorf(f.Path, m.Pos, "%s %q is not a meta-filter: a file given as a filter may hold only filters; give it as a rule PATH instead", kind(doc), m.Title))
		}
		all = append(all, only)
	}
	return all, diags
}

// byPath orders diagnostics by their file's input position (paths), then
// by position within the file.
func byPath(paths []string, diags sigma.ErrorList) sigma.ErrorList {
	grouped := map[string]sigma.ErrorList{}
	for _, d := range diags {
		grouped[d.File] = append(grouped[d.File], d)
	}
	var out sigma.ErrorList
	for _, p := range paths {
		mine := grouped[p]
		delete(grouped, p) // a path given twice is listed once
		mine.Sort()
		out = append(out, mine...)
	}
	return out
}

func kind(doc sigma.Document) string {
	switch doc.(type) {
	case *sigma.Rule:
		return "detection rule"
	case *sigma.Correlation:
		return "correlation rule"
	}
	return "document"
}

// Diags returns every diagnostic of the set — each file's own (parse and
// validation), then what resolving found in it — file by file in input
// order, filter files last.
func (s *Set) Diags() sigma.ErrorList {
	var out sigma.ErrorList
	for _, f := range append(append([]*sigma.File(nil), s.Files...), s.FilterFiles...) {
		out = append(out, s.fileDiags(f)...)
	}
	return out
}

func (s *Set) fileDiags(f *sigma.File) sigma.ErrorList {
	out := append(sigma.ErrorList(nil), f.Diags...)
	if s.byFile != nil {
		return append(out, s.byFile[f.Path]...)
	}
	for _, d := range s.Resolution {
		if d.File == f.Path {
			out = append(out, d)
		}
	}
	return out
}

// CheckDiags is what "sigconv check" reports: Diags, plus what converting
// would find when resolving each correlation's rules (a reference to a
// rule that is not given, a chain of correlations), at the correlation's
// reference, in the same file order.
func (s *Set) CheckDiags() sigma.ErrorList {
	refs := map[string]sigma.ErrorList{}
	for _, corr := range s.Collection.Correlations {
		_, err := s.Collection.CorrelationRules(corr)
		var list sigma.ErrorList
		var d *sigma.Diagnostic
		switch {
		case err == nil:
		case errors.As(err, &list):
			for _, d := range list {
				refs[d.File] = append(refs[d.File], d)
			}
		case errors.As(err, &d):
			refs[d.File] = append(refs[d.File], d)
		}
	}
	var out sigma.ErrorList
	for _, f := range append(append([]*sigma.File(nil), s.Files...), s.FilterFiles...) {
		out = append(out, s.fileDiags(f)...)
		out = append(out, refs[f.Path]...)
		delete(refs, f.Path)
	}
	return out
}
