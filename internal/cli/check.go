package cli

import (
	"fmt"
	"io"
)

// runCheck parses, validates and resolves rule files (the first half of
// convert: duplicate ids, references, filters), printing every
// diagnostic as path:line:col: message. Exit 1 if any file has an error.
func runCheck(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	spec := flagSpec{
		values: map[string]string{"--exclude": "exclude", "--filter": "filter"},
		bools:  map[string]string{"-q": "quiet", "--quiet": "quiet"},
	}
	a, err := spec.parse(args)
	if err != nil || len(a.paths) == 0 {
		if err != nil {
			fmt.Fprintln(stderr, "sigconv check:", err)
		}
		fmt.Fprintln(stderr, "usage: sigconv check [-q] [--exclude GLOB]... [--filter FILE]... PATH...")
		return 2
	}
	set, err := loadSet(a.paths, a.values["filter"], a.values["exclude"], stdin)
	if err != nil {
		fmt.Fprintln(stderr, "sigconv check:", err)
		return loadExit(err)
	}
	errs, warns, docs := 0, 0, 0
	for _, f := range append(set.Files, set.FilterFiles...) {
		docs += len(f.Documents)
	}
	for _, d := range set.CheckDiags() {
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
	fmt.Fprintf(stderr, "checked %d files (%d documents): %d errors, %d warnings\n", len(set.Files)+len(set.FilterFiles), docs, errs, warns)
	if errs > 0 {
		return 1
	}
	return 0
}
