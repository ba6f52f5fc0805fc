package xql

import "github.com/sigconv/sigconv/backends"

// StateKeys implements backends.StateReader: the XQL backend reads no
// pipeline state, so a set_state in an XQL pipeline must be for another
// target.
func (*Backend) StateKeys() []backends.StateKey { return nil }
