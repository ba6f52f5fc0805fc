// Command convert converts a small rule set — two detection rules, a
// temporal correlation of them and a tuning meta-filter — to every
// built-in target (Cortex XQL, Microsoft KQL, Splunk SPL) through the
// library's front door, package driver: parse, resolve, convert.
//
//	go run ./examples/convert
package main

import (
	"fmt"
	"io"
	"os"

	_ "github.com/sigconv/sigconv/backends/all" // register xql, kql, spl
	"github.com/sigconv/sigconv/driver"
)

// rules is one rule file holding a rule set: the correlation asks for the
// rules' own queries too (generate: true).
const rules = `title: Certutil download
name: certutil_download
logsource: {category: process_creation, product: windows}
detection:
    selection:
        Image|endswith: '\certutil.exe'
        CommandLine|contains: 'urlcache'
    condition: selection
---
title: Outbound 8080
name: outbound_8080
logsource: {category: network_connection, product: windows}
detection:
    selection:
        DestinationPort: 8080
    condition: selection
---
title: Certutil download then outbound 8080
correlation:
    type: temporal
    rules: [certutil_download, outbound_8080]
    group-by: [Computer]
    timespan: 10m
    generate: true
`

// tuning is applied on request, like sigconv convert --filter.
const tuning = `title: Not from the build server
logsource: {category: process_creation, product: windows}
filter:
    rules: [certutil_download]
    build:
        Computer: 'BUILD01'
    condition: not build
`

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(w io.Writer) error {
	set := driver.Resolve(
		driver.Parse(driver.Source{Path: "rules.yml", Data: []byte(rules)}),
		driver.Parse(driver.Source{Path: "tuning.yml", Data: []byte(tuning)}))
	if err := set.Diags().Err(); err != nil {
		return err // positioned: path:line:col: message
	}
	for _, target := range []string{"xql", "kql", "spl"} {
		// Default pipelines and format of the target.
		conv, err := driver.NewConverter(target, driver.ConverterOptions{})
		if err != nil {
			return err
		}
		for _, r := range set.Convert(conv, driver.Options{}) {
			if r.Err != nil {
				return fmt.Errorf("%s: %w", target, r.Err)
			}
			fmt.Fprintf(w, "==== %s: %s\n%s\n\n", target, r.Meta().Title, r.Output())
		}
	}
	return nil
}
