// Package cli is the sigconv command line as a function, so tests run it
// in-process: Main(args, stdin, stdout, stderr) returns the exit status.
//
// Exit status: 0 success; 1 some rule failed (invalid, or not convertible
// without -s); 2 usage error.
package cli

import (
	"fmt"
	"io"

	_ "github.com/sigconv/sigconv/backends/all" // register the built-in targets
)

const usage = `sigconv converts Sigma rules to Cortex XQL, Microsoft KQL and Splunk SPL.

Usage:
  sigconv check PATH...
  sigconv convert -t TARGET [-p PIPELINE]... [-f FORMAT] [-o FILE] [-s|--skip-unsupported]
                  [--without-pipeline] [--json] [--filter FILE]... PATH...
  sigconv list targets|pipelines|formats
  sigconv test [-update] [-v] DIR...
  sigconv serve [--addr 127.0.0.1:8080] [--export DIR]
  sigconv help

PATH is a rule file or a directory, searched recursively for .yml and .yaml files.
-p takes a built-in pipeline name of the target (sigconv list pipelines) or a
pipeline YAML file; it can be repeated. --filter adds Sigma meta-filter files
(filters found among the PATHs apply too).
test runs a rule directory's golden tests (DIR/testdata/golden) and event tests
(*.jsonl beside the rules or under DIR/testdata/events); -update rewrites goldens.
serve runs the browser playground (conversion in WebAssembly, nothing leaves the
page); --export DIR writes its static files instead.
`

// Main runs the command line and returns the exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "check":
		return runCheck(args[1:], stdout, stderr)
	case "convert":
		return runConvert(args[1:], stdout, stderr)
	case "list":
		return runList(args[1:], stdout, stderr)
	case "test":
		return runTest(args[1:], stdout, stderr)
	case "serve":
		return runServe(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "sigconv: unknown command %q\n\n%s", args[0], usage)
	return 2
}
