package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/sigconv/sigconv/collection"
	"github.com/sigconv/sigconv/sigma"
)

// runCheck parses and validates rule files, printing every diagnostic as
// path:line:col: message. Exit 1 if any file has an error.
func runCheck(args []string, stdout, stderr io.Writer) int {
	spec := flagSpec{bools: map[string]string{"-q": "quiet", "--quiet": "quiet"}}
	a, err := spec.parse(args)
	if err != nil || len(a.paths) == 0 {
		if err != nil {
			fmt.Fprintln(stderr, "sigconv check:", err)
		}
		fmt.Fprintln(stderr, "usage: sigconv check [-q] PATH...")
		return 2
	}
	paths, err := ruleFiles(a.paths)
	if err != nil {
		fmt.Fprintln(stderr, "sigconv check:", err)
		return 2
	}
	errs, warns, docs := 0, 0, 0
	files := loadFiles(paths)
	cross := crossFile(files)
	for _, f := range files {
		docs += len(f.Documents)
		for _, d := range append(f.Diags, cross[f.Path]...) {
			if d.Severity == 0 {
				errs++
			} else {
				warns++
				if a.bools["quiet"] {
					continue
				}
			}
			fmt.Fprintln(stderr, d.Error())
		}
	}
	fmt.Fprintf(stderr, "checked %d files (%d documents): %d errors, %d warnings\n", len(paths), docs, errs, warns)
	if errs > 0 {
		return 1
	}
	return 0
}

// crossFile returns, per file path, the diagnostics that need every
// given file, as convert finds them: duplicate ids and names, filters
// naming rules that are not given, and correlation references that do
// not resolve.
func crossFile(files []*sigma.File) map[string]sigma.ErrorList {
	coll, diags := collection.New(files)
	diags = append(diags, coll.CheckFilters()...)
	for _, corr := range coll.Correlations {
		if _, err := coll.CorrelationRules(corr); err != nil {
			var list sigma.ErrorList
			var d *sigma.Diagnostic
			switch {
			case errors.As(err, &list):
				diags = append(diags, list...)
			case errors.As(err, &d):
				diags = append(diags, d)
			}
		}
	}
	out := map[string]sigma.ErrorList{}
	for _, d := range diags {
		out[d.File] = append(out[d.File], d)
	}
	return out
}
