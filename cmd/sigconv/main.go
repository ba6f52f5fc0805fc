// Command sigconv converts Sigma detection rules to Cortex XQL, Microsoft
// KQL and Splunk SPL. Run "sigconv help" for usage.
package main

import (
	"os"

	"github.com/sigconv/sigconv/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
