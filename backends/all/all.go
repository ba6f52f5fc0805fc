// Package all registers every built-in target; import it for its side
// effect, as the CLI does.
package all

import (
	_ "github.com/sigconv/sigconv/backends/kql" // Microsoft KQL (Defender XDR, Sentinel)
	_ "github.com/sigconv/sigconv/backends/spl" // Splunk SPL
	_ "github.com/sigconv/sigconv/backends/xql" // Cortex XQL
)
