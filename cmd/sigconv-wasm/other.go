//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "sigconv-wasm runs in a browser: build it with GOOS=js GOARCH=wasm (sigconv serve does)")
	os.Exit(2)
}
