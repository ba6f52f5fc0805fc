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
  sigconv check [-q] [--exclude GLOB]... [--filter FILE]... PATH...
  sigconv convert -t TARGET [-p PIPELINE]... [-f FORMAT] [-o FILE|DIR] [-s|--skip-unsupported]
                  [--without-pipeline] [--json] [--filter FILE]... [--exclude GLOB]...
                  [--correlation-method sliding|tumbling] PATH...
  sigconv list targets|pipelines|formats
  sigconv test [-update] [--targets LIST] [--junit FILE] [-v] DIR...
  sigconv serve [--addr 127.0.0.1:8080] [--export DIR]
  sigconv version
  sigconv help [COMMAND]

PATH is a rule file or a directory, searched recursively for .yml and .yaml files.
"sigconv COMMAND --help" lists a command's flags, one per line.
`

// Main runs the command line and returns the exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	if _, known := commandHelp[cmd]; known && wantsHelp(rest) {
		writeHelp(stdout, cmd)
		return 0
	}
	switch cmd {
	case "check":
		return runCheck(rest, stdin, stdout, stderr)
	case "convert":
		return runConvert(rest, stdin, stdout, stderr)
	case "list":
		return runList(rest, stdout, stderr)
	case "test":
		return runTest(rest, stdout, stderr)
	case "serve":
		return runServe(rest, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, version())
		return 0
	case "help", "-h", "--help":
		return runHelp(rest, stdout, stderr)
	}
	fmt.Fprintf(stderr, "sigconv: unknown command %q\n\n%s", cmd, usage)
	return 2
}
