package cli

import (
	"testing"

	"github.com/sigconv/sigconv/backends"
)

// Every format of every target has a file extension for -o DIR (json is
// handled for all).
func TestOutputExtensionsComplete(t *testing.T) {
	for _, name := range backends.Names() {
		b, _ := backends.Lookup(name)
		for _, f := range backends.FormatsOf(b) {
			if _, ok := extensions[name+"/"+f]; !ok && f != "json" {
				t.Errorf("format %s of %s has no -o DIR extension", f, name)
			}
		}
	}
}
