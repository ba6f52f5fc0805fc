package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/sigconv/sigconv/driver"
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
	asJSON := jsonOutput(a)
	conv, err := newConverter(a)
	if err != nil {
		fmt.Fprintln(stderr, "sigconv convert:", err)
		return 2
	}
	st := driver.NewStream([]driver.Source{{Path: path, Data: data}}, nil)
	status := convertSet(a, conv, st, asJSON, stdout, "", stderr)
	if status == statusNoRules {
		fmt.Fprintf(stderr, "sigconv convert: %v (the text holds no detection or correlation rule)\n", noRulesError([]string{path}))
		return 1
	}
	return status
}
