//go:build js && wasm

// Command sigconv-wasm is sigconv for the browser playground: built with
// GOOS=js GOARCH=wasm, it installs a global `sigconv` object whose
// functions take and return JSON text:
//
//	sigconv.convert(requestJSON) -> resultJSON   (playground.Request / playground.Result)
//	sigconv.targets()            -> JSON list of targets, pipelines and formats
//	sigconv.examples()           -> JSON list of {name, text}
//
// and then calls globalThis.sigconvReady() if the page defined it. All
// conversion happens in playground.Convert, the CLI's own convert path.
package main

import (
	"encoding/json"
	"fmt"
	"syscall/js"

	"github.com/sigconv/sigconv/internal/playground"
)

func main() {
	api := js.Global().Get("Object").New()
	api.Set("convert", js.FuncOf(func(_ js.Value, args []js.Value) any {
		var req playground.Request
		if len(args) != 1 || args[0].Type() != js.TypeString {
			return failure("sigconv.convert takes one JSON string")
		}
		if err := json.Unmarshal([]byte(args[0].String()), &req); err != nil {
			return failure("bad request: " + err.Error())
		}
		return convert(req)
	}))
	api.Set("targets", js.FuncOf(func(js.Value, []js.Value) any { return marshal(playground.Targets()) }))
	api.Set("examples", js.FuncOf(func(js.Value, []js.Value) any { return marshal(playground.Examples()) }))
	js.Global().Set("sigconv", api)
	if ready := js.Global().Get("sigconvReady"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
	select {} // keep the functions alive
}

// convert never lets a panic end the Go program: the page would be left
// without a converter. A panic is a bug; it is reported as one.
func convert(req playground.Request) (out string) {
	defer func() {
		if r := recover(); r != nil {
			out = failure(fmt.Sprintf("internal error (please report): %v", r))
		}
	}()
	return marshal(playground.Convert(req))
}

func failure(msg string) string {
	return marshal(playground.Result{Status: 2, Diagnostics: []playground.Diagnostic{{Message: msg}}})
}

func marshal(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return `{"status":2,"diagnostics":[{"message":"cannot encode the result"}]}`
	}
	return string(b)
}
