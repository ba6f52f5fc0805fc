package web

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// DefaultAddr is loopback only: the page needs no network, so nothing
// listens beyond this machine unless asked.
const DefaultAddr = "127.0.0.1:8080"

// Handler serves the site's files with headers that keep the page to
// itself (the same policy is in index.html for other web servers).
func Handler(site *Site) http.Handler {
	files := http.FileServerFS(site)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache") // revalidate, so a rebuilt wasm is picked up
		files.ServeHTTP(w, r)
	})
}

// CSP allows the page's own files only: no request leaves for another
// origin, and WebAssembly may compile.
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Serve listens on addr and serves the site until ctx ends. It prints the
// page's address to out once listening.
func Serve(ctx context.Context, addr string, site *Site, out io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	if !loopback(addr) {
		fmt.Fprintf(out, "warning: %s is reachable from other machines\n", addr)
	}
	fmt.Fprintf(out, "sigconv playground: http://%s/\n", ln.Addr())
	srv := &http.Server{Handler: Handler(site), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// loopback reports whether addr listens on this machine only.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
