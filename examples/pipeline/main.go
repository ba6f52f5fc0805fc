// Command pipeline loads a custom processing pipeline from YAML (here a
// field mapping for a house schema) and applies it with the Splunk
// target's own pipelines, the way "sigconv convert -p my.yml" does.
//
//	go run ./examples/pipeline
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/sigconv/sigconv/backends"
	_ "github.com/sigconv/sigconv/backends/all"
	"github.com/sigconv/sigconv/pipeline"
	"github.com/sigconv/sigconv/sigma"
)

// housePipeline renames the Sigma taxonomy fields to a house schema.
const housePipeline = `name: house-schema
priority: 20
transformations:
  - id: house_fields
    type: field_name_mapping
    mapping:
      CommandLine: proc.cmdline
      Image: proc.path
`

const rule = `title: Whoami
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image|endswith: '\whoami.exe'
        CommandLine|contains: '/all'
    condition: selection
`

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(w io.Writer) error {
	p, err := pipeline.Load("house.yml", []byte(housePipeline))
	if err != nil {
		return err
	}
	b, err := backends.Lookup("spl")
	if err != nil {
		return err
	}
	// WithoutPipeline keeps only the house pipeline, so its field names
	// reach the query untouched.
	conv, err := backends.NewConverter(b, backends.Options{Extra: []*pipeline.Pipeline{p}, WithoutPipeline: true})
	if err != nil {
		return err
	}
	f := sigma.ParseFile("whoami.yml", []byte(rule))
	if err := f.Diags.Err(); err != nil {
		return err
	}
	res, err := conv.Convert(f.Documents[0].(*sigma.Rule))
	if err != nil {
		return err
	}
	fmt.Fprintln(w, res.Output)
	return nil
}
