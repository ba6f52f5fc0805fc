package sigma

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// corpusRoot is the SigmaHQ checkout, relative to this package.
const corpusRoot = "../../shared/corpus/sigmahq"

// corpusFiles lists the .yml files under the given corpus folders, or
// skips the test when the corpus is absent.
func corpusFiles(tb testing.TB, dirs ...string) []string {
	tb.Helper()
	if _, err := os.Stat(corpusRoot); err != nil {
		tb.Skip("SigmaHQ corpus not present at " + corpusRoot)
	}
	var files []string
	for _, d := range dirs {
		root := filepath.Join(corpusRoot, d)
		if _, err := os.Stat(root); err != nil {
			continue
		}
		err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() && (strings.HasSuffix(path, ".yml") || strings.HasSuffix(path, ".yaml")) {
				files = append(files, path)
			}
			return err
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	return files
}

var supportedDirs = []string{"rules", "rules-emerging-threats", "rules-threat-hunting", "rules-placeholder", "rules-compliance"}

func TestCorpusParses(t *testing.T) {
	files := corpusFiles(t, supportedDirs...)
	docs, warns := 0, 0
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f := ParseFile(path, data)
		for _, d := range f.Diags.Errors() {
			t.Errorf("%v", d)
		}
		if len(f.Documents) == 0 {
			t.Errorf("%s: no documents", path)
		}
		docs += len(f.Documents)
		warns += len(f.Diags.Warnings())
	}
	t.Logf("%d files, %d documents, %d warnings", len(files), docs, warns)
}

// TestCorpusLegacy parses deprecated and unsupported rules: each either
// parses or yields positioned errors, and never panics.
func TestCorpusLegacy(t *testing.T) {
	files := corpusFiles(t, "deprecated", "unsupported")
	failed := 0
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f := ParseFile(path, data)
		for _, d := range f.Diags {
			if !d.Pos.IsValid() {
				t.Errorf("diagnostic without position: %v", d)
			}
			if strings.Contains(d.Message, "internal error") {
				t.Errorf("%v", d)
			}
		}
		if f.Diags.HasErrors() {
			failed++
		} else if len(f.Documents) == 0 {
			t.Errorf("%s: no documents and no errors", path)
		}
	}
	t.Logf("%d files, %d with errors", len(files), failed)
}

func BenchmarkParseCorpus(b *testing.B) {
	files := corpusFiles(b, append(supportedDirs, "deprecated", "unsupported")...)
	datas := make([][]byte, len(files))
	for i, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		datas[i] = data
	}
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for b.Loop() {
		for i, data := range datas {
			ParseFile(files[i], data)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	rules := float64(b.N * len(files))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/rules, "ns/rule")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/rules, "allocs/rule")
}
