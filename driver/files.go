package driver

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Stdin is the path that stands for standard input, as in most tools.
const Stdin = "-"

// StdinName is the name standard input gets in diagnostics and results.
const StdinName = "<stdin>"

// ExpandOptions choose which files a directory contributes.
type ExpandOptions struct {
	// Exclude holds glob patterns (path.Match syntax); a file or
	// directory is skipped when a pattern matches its name or its path
	// as written from the argument on (slash-separated).
	Exclude []string
	// SkipDirs names directories to skip wherever they are (sigmatest
	// skips "testdata", where goldens and events live).
	SkipDirs []string
}

// Expand turns paths into rule files: a file as given, a directory
// searched recursively for .yml and .yaml files in lexical order, "-" for
// standard input. Directories whose name starts with a dot (.git,
// .github) are skipped unless given themselves. A file reached twice —
// given twice, or given and inside a given directory — is listed once, at
// its first place, so it is never its own id conflict.
func Expand(paths []string, opt ExpandOptions) ([]string, error) {
	for _, pat := range opt.Exclude {
		if _, err := filepath.Match(pat, ""); err != nil {
			return nil, fmt.Errorf("--exclude %q: %v", pat, err)
		}
	}
	var out []string
	seen := map[string]bool{}
	// filepath.Abs asks the system for the working directory on every
	// call (two stats each); it is asked once here, which gives the same
	// absolute paths.
	cwd, cwdErr := os.Getwd()
	add := func(p string) {
		key := p
		switch {
		case p == Stdin:
		case filepath.IsAbs(p):
			key = filepath.Clean(p)
		case cwdErr == nil:
			key = filepath.Join(cwd, p)
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, p)
		}
	}
	for _, p := range paths {
		if p == Stdin {
			add(p)
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			add(p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if path == p {
				return nil
			}
			rel := filepath.ToSlash(strings.TrimPrefix(path, p+string(filepath.Separator)))
			if excluded(opt.Exclude, d.Name(), rel) {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				if strings.HasPrefix(d.Name(), ".") || contains(opt.SkipDirs, d.Name()) {
					return fs.SkipDir
				}
				return nil
			}
			if IsYAML(path) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(found)
		for _, f := range found {
			add(f)
		}
	}
	return out, nil
}

func excluded(patterns []string, name, rel string) bool {
	for _, pat := range patterns {
		pat = filepath.ToSlash(pat)
		if ok, _ := filepath.Match(pat, name); ok {
			return true
		}
		if ok, _ := filepath.Match(pat, rel); ok {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// IsYAML reports whether a path names a YAML file by its extension.
func IsYAML(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".yml" || ext == ".yaml"
}

// readSource reads one path; "-" reads stdin (once: a second "-" is
// removed by Expand).
func readSource(path string, stdin io.Reader) (Source, error) {
	if path == Stdin {
		if stdin == nil {
			return Source{Path: StdinName}, fmt.Errorf("no standard input")
		}
		data, err := io.ReadAll(stdin)
		return Source{Path: StdinName, Data: data}, err
	}
	data, err := os.ReadFile(path)
	return Source{Path: path, Data: data}, err
}
