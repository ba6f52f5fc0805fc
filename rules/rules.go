// Package rules holds the Sigma content shipped with sigconv (the
// PipeMagic hunt) as an embedded file system, so programs and tests can
// convert it without knowing where the repository is checked out.
package rules

import "embed"

// FS holds every rule file under this directory.
//
//go:embed windows
var FS embed.FS
