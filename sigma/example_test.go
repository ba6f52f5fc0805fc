package sigma_test

import (
	"fmt"

	"github.com/sigconv/sigconv/sigma"
)

func ExampleParseFile() {
	src := []byte(`title: Whoami execution
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image|endswith: '\whoami.exe'
        CommandLine|windash|contains: ' -all'
    condition: selection and not filter
`)
	f := sigma.ParseFile("whoami.yml", src)
	for _, d := range f.Diags {
		fmt.Println(d)
	}

	fixed := append(src[:len(src)-len("and not filter\n")], '\n')
	f = sigma.ParseFile("whoami.yml", fixed)
	r := f.Documents[0].(*sigma.Rule)
	for _, it := range r.Detection.Searches[0].Groups[0].Items {
		fmt.Println(it.Field, it.Modifiers, len(it.Values[0].Alternatives), "alternatives")
	}
	// Output:
	// whoami.yml:9:34: unknown search identifier "filter" in condition
	// Image [endswith] 1 alternatives
	// CommandLine [windash contains] 5 alternatives
}
