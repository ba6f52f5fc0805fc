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

// dirWriter collects "-o DIR" output while results stream: per rule
// file, the text its file gets and what goes to stderr, never the results
// themselves (they hold parsed rules). write then writes them all.
type dirWriter struct {
	dir    string
	conv   *backends.Converter
	asJSON bool
	order  []string
	files  map[string]*dirFile
}

type dirFile struct {
	out, stderr bytes.Buffer
	converted   bool // some document of the file converted
}

func newDirWriter(dir string, conv *backends.Converter, asJSON bool) *dirWriter {
	return &dirWriter{dir: dir, conv: conv, asJSON: asJSON, files: map[string]*dirFile{}}
}

// add formats one result into its rule file's buffers.
func (d *dirWriter) add(r driver.Result) {
	f := d.files[r.Path]
	if f == nil {
		f = &dirFile{}
		d.files[r.Path] = f
		d.order = append(d.order, r.Path)
	}
	f.converted = f.converted || r.Err == nil
	p := &printer{w: &f.out, stderr: &f.stderr, conv: d.conv, asJSON: d.asJSON, written: f.out.Len() > 0}
	p.print(r)
}

// write writes the output of each rule file to DIR/<rule file name
// without extension><extension by format>, with every converted document
// of the file in it as the standard output would show them; a file none
// of whose documents converted gets no output file. Two rule files with
// the same name would overwrite each other's output, so that is an error
// before anything is written. Errors go to stderr as usual.
func (d *dirWriter) write(stderr io.Writer) error {
	ext := outputExt(d.conv, d.asJSON)
	owner := map[string]string{} // output name -> rule file
	for _, path := range d.order {
		name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)) + ext
		if prev, dup := owner[name]; dup {
			return fmt.Errorf("-o %s: rule files %s and %s would both be written to %s; convert them separately", d.dir, prev, path, filepath.Join(d.dir, name))
		}
		owner[name] = path
	}
	if err := os.MkdirAll(d.dir, 0o755); err != nil {
		return err
	}
	for _, path := range d.order {
		f := d.files[path]
		stderr.Write(f.stderr.Bytes())
		if f.out.Len() == 0 || (d.asJSON && !f.converted) {
			continue
		}
		name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)) + ext
		if err := os.WriteFile(filepath.Join(d.dir, name), f.out.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}
