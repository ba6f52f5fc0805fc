//go:build !(js && wasm)

package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/sigconv/sigconv/internal/playground/web"
)

func init() {
	commandHelp["serve"] = `usage: sigconv serve [--addr ADDR] [--export DIR]

Serves the browser playground: a page that converts rules with sigconv
compiled to WebAssembly, so a rule never leaves the browser. Runs until
interrupted. The .wasm is built with the go command when it is not embedded.

      --addr ADDR    listen address (default 127.0.0.1:8080, loopback only)
      --export DIR   write the page's static files to DIR for any web server, and exit
  -h, --help         this help
`
}

var serveFlags = flagSpec{
	values: map[string]string{"--addr": "addr", "--export": "export"},
	bools:  map[string]string{},
}

// runServe serves the browser playground (internal/playground) on a
// loopback address, or with --export writes its static files to a
// directory for any web server. It runs until interrupted.
func runServe(args []string, stdout, stderr io.Writer) int {
	a, err := serveFlags.parse(args)
	if err == nil && len(a.paths) > 0 {
		err = errors.New("serve takes no PATH")
	}
	if err != nil {
		fmt.Fprintf(stderr, "sigconv serve: %v\n\n%s", err, usage)
		return 2
	}
	if dir := a.value("export"); dir != "" {
		site, err := web.Open(true)
		if err == nil {
			defer site.Close()
			err = web.Export(site, dir)
		}
		if err != nil {
			fmt.Fprintln(stderr, "sigconv serve:", err)
			return 1
		}
		fmt.Fprintf(stdout, "wrote the playground to %s\n", dir)
		return 0
	}
	addr := a.value("addr")
	if addr == "" {
		addr = web.DefaultAddr
	}
	site, err := web.Open(false)
	if err != nil {
		fmt.Fprintln(stderr, "sigconv serve:", err)
		return 1
	}
	defer site.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := web.Serve(ctx, addr, site, stdout); err != nil {
		fmt.Fprintln(stderr, "sigconv serve:", err)
		return 1
	}
	return 0
}
