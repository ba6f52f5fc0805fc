package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sigconv/sigconv/backends"
)

// outputDir returns the directory of "-o DIR": an existing directory, or
// a path ending in a separator (created). "" means -o names a file.
func outputDir(o string) string {
	if o == "" {
		return ""
	}
	if info, err := os.Stat(o); err == nil && info.IsDir() {
		return o
	}
	if strings.HasSuffix(o, "/") || strings.HasSuffix(o, string(filepath.Separator)) {
		return o
	}
	return ""
}

// extensions name the files of "-o DIR" by target and format, as the
// content is deployed: Sentinel analytics rules are YAML files, Splunk
// saved searches a .conf file.
var extensions = map[string]string{
	"kql/default":       ".kql",
	"kql/plain":         ".kql",
	"kql/sentinel-rule": ".yaml",
	"spl/default":       ".spl",
	"spl/savedsearches": ".conf",
	"xql/default":       ".xql",
	"xql/plain":         ".xql",
}

// outputExt is the file extension for the converter's output.
func outputExt(conv *backends.Converter, asJSON bool) string {
	format := conv.Format()
	if asJSON || format == "json" {
		return ".json"
	}
	if format == "" {
		format = backends.FormatsOf(conv.Backend())[0]
	}
	if ext, ok := extensions[conv.Backend().Name()+"/"+format]; ok {
		return ext
	}
	return ".txt"
}

// writeDir writes the output of each rule file to DIR/<rule file name
// without extension><extension by format>, with every converted document
// of the file in it as the standard output would show them; a file none
// of whose documents converted gets no output file. Two rule files with
// the same name would overwrite each other's output, so that is an error
// before anything is written. It returns how many documents failed.
func writeDir(dir string, conv *backends.Converter, outcomes []outcome, asJSON bool, stderr io.Writer) (int, error) {
	ext := outputExt(conv, asJSON)
	var order []string
	groups := map[string][]outcome{}
	owner := map[string]string{} // output name -> rule file
	for _, o := range outcomes {
		if _, seen := groups[o.path]; !seen {
			order = append(order, o.path)
			name := strings.TrimSuffix(filepath.Base(o.path), filepath.Ext(o.path)) + ext
			if prev, dup := owner[name]; dup {
				return 0, fmt.Errorf("-o %s: rule files %s and %s would both be written to %s; convert them separately", dir, prev, o.path, filepath.Join(dir, name))
			}
			owner[name] = o.path
		}
		groups[o.path] = append(groups[o.path], o)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	failed := 0
	for _, p := range order {
		var buf bytes.Buffer
		failed += report(&buf, stderr, conv, groups[p], asJSON)
		if buf.Len() == 0 || (asJSON && allFailed(groups[p])) {
			continue
		}
		name := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p)) + ext
		if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
			return failed, err
		}
	}
	return failed, nil
}

func allFailed(os []outcome) bool {
	for _, o := range os {
		if o.err == nil {
			return false
		}
	}
	return true
}
