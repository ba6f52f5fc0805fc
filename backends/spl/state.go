package spl

import "github.com/sigconv/sigconv/backends"

// StateKeys implements backends.StateReader.
func (*Backend) StateKeys() []backends.StateKey {
	return []backends.StateKey{
		{Name: StateIndex}, {Name: StateSourcePrefix}, {Name: StateChannel},
		{Name: StateUnavailable}, {Name: StateDataset},
	}
}
