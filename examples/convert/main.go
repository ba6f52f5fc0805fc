// Command convert converts one rule to every built-in target (Cortex
// XQL, Microsoft KQL, Splunk SPL) through the library API: parse, pick a
// backend from the registry, convert.
//
//	go run ./examples/convert
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/sigconv/sigconv/backends"
	_ "github.com/sigconv/sigconv/backends/all" // register xql, kql, spl
	"github.com/sigconv/sigconv/rules"
	"github.com/sigconv/sigconv/sigma"
)

const ruleFile = "windows/process_creation/proc_creation_win_pipemagic_pipe_cmdline.yml"

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(w io.Writer) error {
	data, err := rules.FS.ReadFile(ruleFile)
	if err != nil {
		return err
	}
	f := sigma.ParseFile(ruleFile, data)
	if err := f.Diags.Err(); err != nil {
		return err // positioned: path:line:col: message
	}
	rule := f.Documents[0].(*sigma.Rule)
	for _, target := range []string{"xql", "kql", "spl"} {
		b, err := backends.Lookup(target)
		if err != nil {
			return err
		}
		// Default pipelines and format of the target.
		conv, err := backends.NewConverter(b, backends.Options{})
		if err != nil {
			return err
		}
		res, err := conv.Convert(rule)
		if err != nil {
			return fmt.Errorf("%s: %w", target, err)
		}
		fmt.Fprintf(w, "==== %s\n%s\n\n", target, res.Output)
	}
	return nil
}
