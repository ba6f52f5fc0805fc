package backends_test

import (
	"fmt"

	"github.com/sigconv/sigconv/backends"
	_ "github.com/sigconv/sigconv/backends/all"
	"github.com/sigconv/sigconv/sigma"
)

const rule = `title: Pipe in command line
logsource:
    category: process_creation
    product: windows
detection:
    sel:
        CommandLine|contains: '\\\\.\\pipe\\magic3301'
    condition: sel
`

// Look up a target by name, as database/sql looks up drivers, and convert
// one rule with its default pipeline.
func ExampleNewConverter() {
	b, err := backends.Lookup("xql")
	if err != nil {
		panic(err)
	}
	conv, err := backends.NewConverter(b, backends.Options{Format: "plain"})
	if err != nil {
		panic(err)
	}
	f := sigma.ParseFile("pipe.yml", []byte(rule))
	res, err := conv.Convert(f.Documents[0].(*sigma.Rule))
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Output)
	// Output:
	// config case_sensitive = false | dataset = xdr_data | filter event_type = ENUM.PROCESS and event_sub_type = ENUM.PROCESS_START and agent_os_type = ENUM.AGENT_OS_WINDOWS and action_process_image_command_line contains "\\.\pipe\magic3301" | sort desc _time
}

// Unknown target names list the known ones.
func ExampleLookup() {
	_, err := backends.Lookup("eql")
	fmt.Println(err)
	// Output:
	// unknown target "eql" (known: kql, spl, xql)
}
