//go:build js && wasm

package cli

import (
	"fmt"
	"io"
)

// runServe is not part of the WebAssembly build (the playground itself):
// leaving the server out keeps net/http out of the .wasm the page loads.
func runServe(_ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "sigconv serve: not available in the browser build")
	return 2
}
