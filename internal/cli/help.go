package cli

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
)

// Version is the release, set at build time with
// -ldflags "-X github.com/sigconv/sigconv/internal/cli.Version=v1.2.3";
// without it, the module version go install recorded (or "devel").
var Version = ""

func version() string {
	v := Version
	if v == "" {
		v = "devel"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
	}
	return fmt.Sprintf("sigconv %s (%s)", v, runtime.Version())
}

// commandHelp is each command's help: usage, what it does, then its flags
// one line each. "sigconv CMD --help" prints it.
var commandHelp = map[string]string{
	"check": `usage: sigconv check [flags] PATH...

Parses and validates Sigma rules, filters and correlations (references and
duplicate ids resolved across all PATHs, as convert does); prints every
error and warning as path:line:col: message. Exit 1 on an error.
PATH - reads one YAML stream from standard input.

      --exclude GLOB   skip files and directories whose name or path matches; repeatable
      --filter FILE    a Sigma meta-filter file (or directory) to check with the rules; repeatable
  -q, --quiet          print errors only, no warnings
  -h, --help           this help
`,
	"convert": `usage: sigconv convert -t TARGET [flags] PATH...

Converts the rules under each PATH (a file, or a directory searched for
*.yml and *.yaml; directories starting with "." are skipped; - reads one
YAML stream from standard input) to the target's query language, in input order.

  -t, --target TARGET        xql, kql or spl (aliases: sigconv list targets)
  -p, --pipeline NAME|FILE   a built-in pipeline of the target, or a pipeline YAML file; repeatable
  -f, --format FORMAT        output format of the target (sigconv list formats)
  -o, --output FILE|DIR      write to FILE, or one file per rule file into DIR (existing, or ending in /)
  -s, --skip-unsupported     exit 0 when rules fail to convert (errors are still printed)
      --without-pipeline     use the rules' own field names, no pipeline
      --json                 one JSON object per rule and line (the documented contract)
      --filter FILE          a Sigma meta-filter file (or directory) to apply; repeatable
      --exclude GLOB         skip files and directories whose name or path matches; repeatable
      --correlation-method sliding|tumbling
                             correlation windows: sliding (default; exactly "within the
                             timespan") or tumbling (fixed buckets of the timespan)
  -h, --help                 this help
`,
	"test": `usage: sigconv test [flags] DIR...

Runs the golden tests (testdata/golden/<target dir>/<rule path>.golden) and
event tests (<rule>.jsonl beside the rule or under testdata/events) of every
rule suite under DIR: DIR itself and every directory below it that has a
testdata/golden or testdata/events folder. Golden folders are named
<target>[_<pipeline>...][_<format>], e.g. xql, kql_sentinel-asim, spl_savedsearches.

  -update           write missing and changed golden files, remove orphan ones; where
                    a suite has no golden folder, create DIR/testdata/golden
  --targets LIST    conversions to pin, e.g. xql,kql:sentinel-asim,spl:savedsearches
                    (default: the golden folders found; with -update and none found,
                    every target with its default pipeline and format)
  --junit FILE      also write a JUnit XML report to FILE
  -v, --verbose     print passing tests too
  -h, --help        this help
`,
	"list": `usage: sigconv list targets|pipelines|formats

Lists the targets (with their aliases), each target's built-in pipelines
(default marked) or output formats, one per line with a description.

  -h, --help   this help
`,
	"version": `usage: sigconv version (or sigconv --version)

Prints the version of sigconv and of Go it was built with.
`,
	"help": `usage: sigconv help [COMMAND]

Prints the overview, or the help of one command (as sigconv COMMAND --help).
`,
}

// wantsHelp reports whether the arguments ask for help (-h or --help
// before any "--").
func wantsHelp(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == "-h" || a == "--help" || a == "-help" {
			return true
		}
	}
	return false
}

func writeHelp(w io.Writer, cmd string) {
	if h, ok := commandHelp[cmd]; ok {
		fmt.Fprint(w, h)
		return
	}
	fmt.Fprint(w, usage)
}

func runHelp(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if _, ok := commandHelp[args[0]]; !ok {
		var cmds []string
		for c := range commandHelp {
			cmds = append(cmds, c)
		}
		slices.Sort(cmds)
		fmt.Fprintf(stderr, "sigconv help: unknown command %q (%s)\n", args[0], strings.Join(cmds, ", "))
		return 2
	}
	writeHelp(stdout, args[0])
	return 0
}
