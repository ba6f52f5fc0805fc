// Command repotest is a detection-content repository in miniature: rules
// under rules/, golden files and sample events under rules/testdata/, and
// repo_test.go running them with sigmatest ("go test ./examples/repotest").
// Run as a program it does the same checks without the testing package,
// as "sigconv test examples/repotest/rules" does.
//
//	go run ./examples/repotest
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/sigconv/sigconv/sigmatest"
)

func main() {
	dir := "."
	if _, err := os.Stat("repo_test.go"); err != nil {
		dir = "examples/repotest" // run from the module root
	}
	failed, err := run(os.Stdout, dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if failed > 0 {
		os.Exit(1)
	}
}

func run(w io.Writer, dir string) (failed int, err error) {
	tests, err := sigmatest.CheckRepo(filepath.Join(dir, "rules"), sigmatest.RepoOptions{})
	if err != nil {
		return 0, err
	}
	passed := 0
	for _, tc := range tests {
		if tc.Passed() {
			passed++
		} else {
			failed++
			fmt.Fprintln(w, tc.Message())
		}
	}
	fmt.Fprintf(w, "%d passed, %d failed\n", passed, failed)
	return failed, nil
}
