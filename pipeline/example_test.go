package pipeline_test

import (
	"fmt"

	"github.com/sigconv/sigconv/ir"
	"github.com/sigconv/sigconv/pipeline"
	"github.com/sigconv/sigconv/sigma"
)

// Load a pipeline in pySigma's YAML format and apply it to a rule.
func ExampleLoad() {
	p, err := pipeline.Load("my.yml", []byte(`
name: my-fields
priority: 60
transformations:
  - type: field_name_mapping
    mapping:
      CommandLine: process.command_line
`))
	if err != nil {
		panic(err)
	}
	f := sigma.ParseFile("r.yml", []byte("title: t\nlogsource: {category: process_creation}\ndetection:\n  sel: {CommandLine|contains: evil}\n  condition: sel\n"))
	r, _ := ir.Lower(f.Documents[0].(*sigma.Rule))
	out, err := pipeline.Apply(pipeline.Combine(p), r)
	if err != nil {
		panic(err)
	}
	fmt.Println(ir.Format(out.Queries[0]))
	// Output:
	// process.command_line=*evil*
}
