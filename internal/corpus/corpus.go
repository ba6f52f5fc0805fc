// Package corpus finds and loads the SigmaHQ rule corpus that lives
// beside the repository in development and CI (../shared/corpus/sigmahq).
// Users' clones do not have it; callers skip cleanly when Find fails.
package corpus

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Converted are the corpus folders the conversion figures are about.
var Converted = []string{"rules", "rules-emerging-threats", "rules-threat-hunting"}

// Find returns the corpus root, looking for ../shared/corpus/sigmahq
// beside the working directory and each of its parents.
func Find() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		cand := filepath.Join(dir, "..", "shared", "corpus", "sigmahq")
		if info, err := os.Stat(cand); err == nil && info.IsDir() {
			return filepath.Clean(cand), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("SigmaHQ corpus (../shared/corpus/sigmahq) not found")
		}
		dir = parent
	}
}

// File is one corpus file read into memory.
type File struct {
	Path string
	Data []byte
}

// Load reads every .yml file of the given folders under root, sorted.
func Load(root string, folders ...string) ([]File, error) {
	var out []File
	for _, folder := range folders {
		err := filepath.WalkDir(filepath.Join(root, folder), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yml") {
				return err
			}
			data, err := os.ReadFile(p)
			out = append(out, File{Path: p, Data: data})
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}
