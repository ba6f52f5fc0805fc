package eval_test

import (
	"fmt"

	"github.com/sigconv/sigconv/eval"
	"github.com/sigconv/sigconv/sigma"
)

func ExampleMatcher_Match() {
	f := sigma.ParseFile("pipe.yml", []byte(`title: pipe
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        CommandLine|contains: '\\\\.\\pipe\\magic3301'
    condition: selection
`))
	m, err := eval.New(f.Documents[0].(*sigma.Rule), eval.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Match(eval.Event{"CommandLine": `x.exe \\.\PIPE\Magic3301`}))
	fmt.Println(m.Match(eval.Event{"CommandLine": `x.exe \.\pipe\magic3301`}))
	// Output:
	// true
	// false
}

func ExampleFlattenWindowsEvent() {
	ev, _ := eval.FlattenWindowsEvent(map[string]any{"Event": map[string]any{
		"System":    map[string]any{"EventID": 1, "Provider": map[string]any{"#attributes": map[string]any{"Name": "Microsoft-Windows-Sysmon"}}},
		"EventData": map[string]any{"Image": `C:\Windows\System32\cmd.exe`},
	}})
	fmt.Println(ev["EventID"], ev["Provider_Name"], ev["Image"])
	// Output: 1 Microsoft-Windows-Sysmon C:\Windows\System32\cmd.exe
}
