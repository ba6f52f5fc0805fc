// Package web serves the playground: the static page embedded from
// static/, plus sigconv.wasm and wasm_exec.js. Those two are embedded
// as well when `go generate ./internal/playground/web` put them in static/
// before the build (a self-contained binary); otherwise they are built from
// the module source with the go command when the site is first needed,
// so no binary is committed.
package web

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

//go:generate go run github.com/sigconv/sigconv/cmd/sigconv serve --export static

//go:embed static
var static embed.FS

// WasmFiles are the files that come from the Go build, not from static/.
var WasmFiles = []string{"sigconv.wasm", "wasm_exec.js"}

// WasmPackage is the command compiled to sigconv.wasm.
const WasmPackage = "github.com/sigconv/sigconv/cmd/sigconv-wasm"

// Site is the playground's files, rooted at the page.
type Site struct {
	fs.FS
	cleanup func()
}

// Close removes the temporary build, if any.
func (s *Site) Close() {
	if s.cleanup != nil {
		s.cleanup()
	}
}

// Open returns the site: the embedded files, with the WebAssembly built
// into a temporary directory when it is not embedded or fresh is set
// (fresh: always build from the source, as an export must).
func Open(fresh bool) (*Site, error) {
	page, _ := fs.Sub(static, "static")
	if !fresh && embedded(page) {
		return &Site{FS: page}, nil
	}
	dir, err := os.MkdirTemp("", "sigconv-playground-")
	if err != nil {
		return nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	if err := BuildWasm(dir); err != nil {
		cleanup()
		return nil, err
	}
	return &Site{FS: overlay{page, os.DirFS(dir)}, cleanup: cleanup}, nil
}

func embedded(page fs.FS) bool {
	for _, f := range WasmFiles {
		if _, err := fs.Stat(page, f); err != nil {
			return false
		}
	}
	return true
}

// BuildWasm compiles the playground's WebAssembly into dir/sigconv.wasm
// (GOOS=js GOARCH=wasm, -trimpath, so the bytes depend only on the source
// and the Go version) and copies wasm_exec.js, the matching loader, from
// the Go installation. It needs the go command and this module's source.
func BuildWasm(dir string) error {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return errors.New("the WebAssembly is not embedded in this binary and the go command is not available to build it (run `go generate ./internal/playground/web` before `go build`)")
	}
	mod, err := exec.Command(goBin, "list", "-m", "-f", "{{.Dir}}", "github.com/sigconv/sigconv").Output()
	if err != nil || strings.TrimSpace(string(mod)) == "" {
		return errors.New("the WebAssembly is not embedded in this binary and the sigconv source is not here to build it: run sigconv serve inside the source tree, or `go generate ./internal/playground/web` before `go build`")
	}
	build := exec.Command(goBin, "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(dir, "sigconv.wasm"), WasmPackage)
	build.Dir = strings.TrimSpace(string(mod))
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building %s for js/wasm: %v\n%s", WasmPackage, err, out)
	}
	root, err := exec.Command(goBin, "env", "GOROOT").Output()
	if err != nil {
		return fmt.Errorf("go env GOROOT: %v", err)
	}
	goroot := strings.TrimSpace(string(root))
	for _, sub := range []string{"lib/wasm", "misc/wasm"} { // lib/wasm since Go 1.24
		data, err := os.ReadFile(filepath.Join(goroot, sub, "wasm_exec.js"))
		if err == nil {
			return os.WriteFile(filepath.Join(dir, "wasm_exec.js"), data, 0o644)
		}
	}
	return fmt.Errorf("wasm_exec.js not found under %s/lib/wasm or misc/wasm", goroot)
}

// Export writes the whole site into dir, ready for any static web server.
func Export(site fs.FS, dir string) error {
	written := map[string]bool{}
	err := fs.WalkDir(site, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, filepath.FromSlash(p)), 0o755)
		}
		written[p] = true
		return copyFile(site, p, dir)
	})
	if err != nil {
		return err
	}
	// An overlay lists the directory of its first layer only.
	for _, f := range WasmFiles {
		if !written[f] {
			if err := copyFile(site, f, dir); err != nil {
				return err
			}
		}
	}
	return nil
}

func copyFile(site fs.FS, name, dir string) error {
	data, err := fs.ReadFile(site, name)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), data, 0o644)
}

// overlay serves names from the first file system that has them.
type overlay []fs.FS

func (o overlay) Open(name string) (fs.File, error) {
	var first error
	for _, f := range o {
		file, err := f.Open(name)
		if err == nil {
			return file, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, first
}
