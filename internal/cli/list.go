package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/sigconv/sigconv/backends"
)

// runList prints one line per target, pipeline or format: names, then a
// tab and the description (targets add their aliases, pipelines mark the
// target's default, formats list the default first).
func runList(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: sigconv list targets|pipelines|formats")
		return 2
	}
	switch args[0] {
	case "targets", "pipelines", "formats":
	default:
		fmt.Fprintf(stderr, "sigconv list: unknown list %q (targets, pipelines, formats)\n", args[0])
		return 2
	}
	for _, name := range backends.Names() {
		b, _ := backends.Lookup(name)
		switch args[0] {
		case "targets":
			line := name + "\t" + describe(name)
			if al := backends.AliasesOf(name); len(al) > 0 {
				line += " (aliases: " + strings.Join(al, ", ") + ")"
			}
			fmt.Fprintln(stdout, line)
		case "pipelines":
			defaults := map[string]bool{}
			if pp, ok := b.(backends.PipelineProvider); ok {
				for _, d := range pp.DefaultPipelines() {
					defaults[d] = true
				}
			}
			for _, p := range backends.PipelinesOf(b) {
				mark := ""
				if defaults[p.Name] {
					mark = " (default)"
				}
				fmt.Fprintf(stdout, "%s\t%s%s\t%s\n", name, p.Name, mark, describe(name+"/"+p.Name))
			}
		case "formats":
			for i, f := range backends.FormatsOf(b) {
				mark := ""
				if i == 0 {
					mark = " (default)"
				}
				fmt.Fprintf(stdout, "%s\t%s%s\t%s\n", name, f, mark, describe(name+"/format:"+f))
			}
		}
	}
	return 0
}

func describe(key string) string {
	if d, ok := descriptions[key]; ok {
		return d
	}
	return "(no description)"
}
