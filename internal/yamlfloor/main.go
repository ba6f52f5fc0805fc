// Command yamlfloor is the floor the CLI's speed is measured against: it
// reads the same rule files as `sigconv convert` (directories searched as
// the CLI does, through driver.Expand) and decodes every YAML document
// into a yaml.Node, single-threaded, keeping nothing. No Sigma converter
// built on yaml.v3 can do less work, so the CLI's whole-process cost is
// reported as a multiple of this one's (docs/speed.md).
//
//	go build -o yamlfloor ./internal/yamlfloor
//	/usr/bin/time -v ./yamlfloor DIR... >/dev/null
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"gopkg.in/yaml.v3"

	"github.com/sigconv/sigconv/driver"
)

func main() {
	paths, err := driver.Expand(os.Args[1:], driver.ExpandOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "yamlfloor:", err)
		os.Exit(2)
	}
	docs, bad := 0, 0
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			fmt.Fprintln(os.Stderr, "yamlfloor:", err)
			os.Exit(2)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var n yaml.Node
			err := dec.Decode(&n)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				bad++ // a malformed file still costs its decode, like the CLI's
				break
			}
			docs++
		}
	}
	fmt.Printf("%d files, %d documents, %d undecodable\n", len(paths), docs, bad)
}
