package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/driver"
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
// saved searches and ES correlation searches .conf files, API bodies
// (XSIAM correlation rules, Defender custom detections) JSON files. The
// test of -o DIR fails when a registered format has none.
var extensions = map[string]string{
	"kql/default":            ".kql",
	"kql/plain":              ".kql",
	"kql/sentinel-rule":      ".yaml",
	"kql/defender-detection": ".json",
	"spl/default":            ".spl",
	"spl/savedsearches":      ".conf",
	"spl/es-correlation":     ".conf",
	"xql/default":            ".xql",
	"xql/plain":              ".xql",
	"xql/xsiam-correlation":  ".json",
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
// before anything is written. Errors go to stderr as usual.
func writeDir(dir string, conv *backends.Converter, results []driver.Result, asJSON bool, stderr io.Writer) error {
	ext := outputExt(conv, asJSON)
	var order []string
	groups := map[string][]driver.Result{}
	owner := map[string]string{} // output name -> rule file
	for _, r := range results {
		if _, seen := groups[r.Path]; !seen {
			order = append(order, r.Path)
			name := strings.TrimSuffix(filepath.Base(r.Path), filepath.Ext(r.Path)) + ext
			if prev, dup := owner[name]; dup {
				return fmt.Errorf("-o %s: rule files %s and %s would both be written to %s; convert them separately", dir, prev, r.Path, filepath.Join(dir, name))
			}
			owner[name] = r.Path
		}
		groups[r.Path] = append(groups[r.Path], r)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, path := range order {
		var buf bytes.Buffer
		p := &printer{w: &buf, stderr: stderr, conv: conv, asJSON: asJSON}
		for _, r := range groups[path] {
			p.print(r)
		}
		if buf.Len() == 0 || (asJSON && allFailed(groups[path])) {
			continue
		}
		name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)) + ext
		if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func allFailed(rs []driver.Result) bool {
	for _, r := range rs {
		if r.Err == nil {
			return false
		}
	}
	return true
}
