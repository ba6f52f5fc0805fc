package cli

import (
	"fmt"
	"io"
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
	for _, f := range loadFiles(paths) {
		docs += len(f.Documents)
		for _, d := range f.Diags {
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
