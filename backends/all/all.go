// Package all registers every built-in target; import it for its side
// effect, as the CLI does.
package all

import (
	"github.com/sigconv/sigconv/backends"
	_ "github.com/sigconv/sigconv/backends/kql" // Microsoft KQL (Defender XDR, Sentinel)
	_ "github.com/sigconv/sigconv/backends/spl" // Splunk SPL
	_ "github.com/sigconv/sigconv/backends/xql" // Cortex XQL
)

// The target names sigma-cli users type (its backends' plugin names:
// pySigma-backend-splunk "splunk", pySigma-backend-kusto "kusto" with its
// Defender XDR pipeline "microsoft_xdr", pySigma-backend-cortexxdr
// "cortexxdr") select the built-in target with its default pipeline.
func init() {
	backends.RegisterAlias("splunk", "spl")
	backends.RegisterAlias("kusto", "kql")
	backends.RegisterAlias("microsoft_xdr", "kql")
	backends.RegisterAlias("cortexxdr", "xql")
}
