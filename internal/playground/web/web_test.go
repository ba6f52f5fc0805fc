package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/sigconv/sigconv/internal/cli"
	"github.com/sigconv/sigconv/internal/playground/web"
)

var (
	siteOnce sync.Once
	site     *web.Site
	siteErr  error
)

// testSite builds the site once per test binary (the WebAssembly build is
// the slow part).
func testSite(t *testing.T) *web.Site {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the WebAssembly")
	}
	siteOnce.Do(func() { site, siteErr = web.Open(true) })
	if siteErr != nil {
		t.Fatal(siteErr)
	}
	return site
}

func TestHandler(t *testing.T) {
	srv := httptest.NewServer(web.Handler(testSite(t)))
	defer srv.Close()
	for path, ctype := range map[string]string{
		"/":             "text/html; charset=utf-8",
		"/app.js":       "text/javascript; charset=utf-8",
		"/style.css":    "text/css; charset=utf-8",
		"/sw.js":        "text/javascript; charset=utf-8",
		"/wasm_exec.js": "text/javascript; charset=utf-8",
		"/sigconv.wasm": "application/wasm", // needed by WebAssembly.instantiateStreaming
	} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || len(body) == 0 {
			t.Errorf("%s: %d, %d bytes", path, res.StatusCode, len(body))
		}
		if got := res.Header.Get("Content-Type"); got != ctype {
			t.Errorf("%s: Content-Type %q, want %q", path, got, ctype)
		}
		if got := res.Header.Get("Content-Security-Policy"); got != web.CSP {
			t.Errorf("%s: CSP %q", path, got)
		}
		if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", path, got)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader("x"))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", res.StatusCode)
	}
}

// The page carries the same policy as the server's header (less
// frame-ancestors, which a meta tag cannot set), so a copy published on
// another web server keeps it.
func TestPageCSP(t *testing.T) {
	page, err := os.ReadFile("static/index.html")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`http-equiv="Content-Security-Policy" content="([^"]+)"`).FindSubmatch(page)
	want := strings.TrimSuffix(web.CSP, "; frame-ancestors 'none'")
	if m == nil || string(m[1]) != want {
		t.Fatalf("index.html CSP %q, want %q", m, want)
	}
}

// `sigconv serve --export DIR` writes every file the page needs.
func TestExport(t *testing.T) {
	testSite(t)
	dir := t.TempDir()
	var out, errs bytes.Buffer
	if code := cli.Main([]string{"serve", "--export", dir}, strings.NewReader(""), &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	for _, f := range []string{"index.html", "app.js", "style.css", "sw.js", "wasm_exec.js", "sigconv.wasm"} {
		info, err := os.Stat(filepath.Join(dir, f))
		if err != nil || info.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	// The build is reproducible: the export's wasm is the test site's, byte for byte.
	a, _ := os.ReadFile(filepath.Join(dir, "sigconv.wasm"))
	b, err := io.ReadAll(must(site.Open("sigconv.wasm")))
	if err != nil || !bytes.Equal(a, b) {
		t.Errorf("two builds of sigconv.wasm differ (%d and %d bytes)", len(a), len(b))
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestServeUsage(t *testing.T) {
	for _, args := range [][]string{{"serve", "rules"}, {"serve", "--bogus"}, {"serve", "--addr"}} {
		var out, errs bytes.Buffer
		if code := cli.Main(args, strings.NewReader(""), &out, &errs); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, errs.String())
		}
	}
}

// A port already in use is an error, not a hang; the default address is
// loopback.
func TestServeAddress(t *testing.T) {
	if web.DefaultAddr != "127.0.0.1:8080" {
		t.Errorf("default address %s", web.DefaultAddr)
	}
	busy := httptest.NewServer(http.NotFoundHandler())
	defer busy.Close()
	var out bytes.Buffer
	if err := web.Serve(context.Background(), strings.TrimPrefix(busy.URL, "http://"), testSite(t), &out); err == nil {
		t.Fatal("serving on a port in use did not fail")
	}
}
