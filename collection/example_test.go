package collection_test

import (
	"fmt"

	"github.com/sigconv/sigconv/collection"
	"github.com/sigconv/sigconv/sigma"
)

// A meta-filter applies to the rules it names whose logsource it covers.
func ExampleCollection_FiltersFor() {
	f := sigma.ParseFile("hunt.yml", []byte(`title: pipes
name: pipes
logsource: {category: process_creation, product: windows}
detection:
    sel: {CommandLine|contains: '\\.\pipe\'}
    condition: sel
---
title: allowlist
logsource: {category: process_creation}
filter:
    rules: [pipes]
    known: {Image: 'C:\Tools\ok.exe'}
    condition: not known
`))
	c, _ := collection.New([]*sigma.File{f})
	for _, flt := range c.FiltersFor(c.Rules[0]) {
		fmt.Println(flt.Title)
	}
	// Output:
	// allowlist
}
