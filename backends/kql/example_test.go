package kql_test

import (
	"fmt"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/kql"
	"github.com/sigconv/sigconv/sigma"
)

// Convert a Sigma rule to a Defender XDR advanced hunting query with the
// default pipeline, defender-xdr.
func Example() {
	rule := `title: PipeMagic pipe
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        CommandLine|contains: '\\\\.\\pipe\\1.'
        Image|endswith: '\rundll32.exe'
    condition: selection
fields:
    - Timestamp
    - Computer
    - CommandLine
`
	f := sigma.ParseFile("pipemagic.yml", []byte(rule))
	conv, err := backends.NewConverter(kql.New(), backends.Options{})
	if err != nil {
		panic(err)
	}
	res, err := conv.Convert(f.Documents[0].(*sigma.Rule))
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Output)
	// Output:
	// DeviceProcessEvents
	// | where ProcessCommandLine contains @"\\.\pipe\1."
	//     and FolderPath endswith @"\rundll32.exe"
	// | project Timestamp, DeviceName, ProcessCommandLine
}
