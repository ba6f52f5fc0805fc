package spl_test

import (
	"fmt"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/spl"
	"github.com/sigconv/sigconv/sigma"
)

// A '?' wildcard has no search-command form, so the conjunct holding it
// becomes a | where expression while the rest stays in the search.
func Example() {
	rule := `title: Example
logsource:
    category: process_creation
    product: windows
detection:
    sel:
        Image|endswith: '\rundll32.exe'
    args:
        CommandLine: '*,#?*'
    condition: sel and args
`
	f := sigma.ParseFile("example.yml", []byte(rule))
	conv, err := backends.NewConverter(spl.New(), backends.Options{})
	if err != nil {
		panic(err)
	}
	res, err := conv.Convert(f.Documents[0].(*sigma.Rule))
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Output)
	// Output:
	// source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational" EventCode=1 Image="*\\rundll32.exe"
	// | where match('CommandLine', "(?i)\\A(?s:.*),\\#(?s:.)(?s:.*)\\z")
}
