package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/sigconv/sigconv/driver"
	"github.com/sigconv/sigconv/sigma"
)

// ConvertText runs `sigconv convert ARGS path` on YAML text held in memory
// instead of a file: the same flags, converter, filter and correlation
// handling, output and closing line as the command, for the browser
// playground, which has no file system. args are the convert flags without
// any PATH; path only names the text in messages. It returns the exit
// status the command would.
func ConvertText(args []string, path string, data []byte, stdout, stderr io.Writer) int {
	a, err := convertFlags.parse(args)
	if err == nil && a.value("target") == "" {
		err = errors.New("missing -t TARGET")
	}
	if err == nil && (len(a.paths) > 0 || a.value("output") != "" || len(a.values["filter"]) > 0) {
		err = errors.New("paths, -o and --filter are not available on in-memory text")
	}
	if err != nil {
		fmt.Fprintln(stderr, "sigconv convert:", err)
		return 2
	}
	conv, err := newConverter(a)
	if err != nil {
		fmt.Fprintln(stderr, "sigconv convert:", err)
		return 2
	}
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	// The same driver path as runConvert, on one parsed text.
	set := driver.Resolve([]*sigma.File{sigma.ParseFile(path, data)}, nil)
	for _, d := range set.Resolution.Warnings() {
		fmt.Fprintln(stderr, d.Error())
	}
	var tally tally
	p := &printer{w: w, stderr: stderr, conv: conv, asJSON: a.bools["json"]}
	set.Each(conv, driver.Options{}, func(r driver.Result) {
		tally.add(r)
		p.print(r)
	})
	if tally.total > 1 || tally.failed() > 0 {
		fmt.Fprintln(stderr, tally.summary())
	}
	if tally.reasons[string(sigma.ReasonInvalid)] > 0 || (tally.failed() > 0 && !a.bools["skip"]) {
		return 1
	}
	return 0
}
