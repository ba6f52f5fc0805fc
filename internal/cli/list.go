package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/sigconv/sigconv/backends"
)

func runList(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: sigconv list targets|pipelines|formats")
		return 2
	}
	for _, name := range backends.Names() {
		b, _ := backends.Lookup(name)
		switch args[0] {
		case "targets":
			fmt.Fprintln(stdout, name)
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
				fmt.Fprintf(stdout, "%s\t%s%s\n", name, p.Name, mark)
			}
		case "formats":
			fmt.Fprintf(stdout, "%s\t%s\n", name, strings.Join(backends.FormatsOf(b), ", "))
		default:
			fmt.Fprintf(stderr, "sigconv list: unknown list %q (targets, pipelines, formats)\n", args[0])
			return 2
		}
	}
	return 0
}
