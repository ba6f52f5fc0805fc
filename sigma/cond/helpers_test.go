package cond

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// corpusRoot is the SigmaHQ checkout shared by the team, relative to this
// package directory.
const corpusRoot = "../../../shared/corpus/sigmahq"

// corpusDirs are the SigmaHQ folders holding current (Sigma v2) rules;
// deprecated/ and unsupported/ keep legacy aggregation syntax on purpose.
var corpusDirs = []string{"rules", "rules-emerging-threats", "rules-threat-hunting", "rules-placeholder", "rules-compliance"}

// corpusCondition is one condition string found in a rule file.
type corpusCondition struct {
	File string
	Text string
}

func corpusPresent() bool {
	_, err := os.Stat(filepath.Join(corpusRoot, "rules"))
	return err == nil
}

// loadCorpus returns every detection.condition string of the corpus, in
// walk order, skipping the test when the corpus is not checked out.
func loadCorpus(t testing.TB) []corpusCondition {
	t.Helper()
	if !corpusPresent() {
		t.Skipf("SigmaHQ corpus not available at %s", corpusRoot)
	}
	var out []corpusCondition
	for _, dir := range corpusDirs {
		err := filepath.WalkDir(filepath.Join(corpusRoot, dir), func(path string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) {
				return fs.SkipDir
			}
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yml") {
				return err
			}
			conds, err := fileConditions(path)
			for _, c := range conds {
				out = append(out, corpusCondition{File: path, Text: c})
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// fileConditions decodes the condition strings of every document of a
// rule file. A condition is a string or a list of strings.
func fileConditions(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	var out []string
	for {
		var doc struct {
			Detection struct {
				Condition yaml.Node `yaml:"condition"`
			} `yaml:"detection"`
		}
		if err := dec.Decode(&doc); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return out, err
		}
		n := &doc.Detection.Condition
		switch n.Kind {
		case yaml.ScalarNode:
			out = append(out, n.Value)
		case yaml.SequenceNode:
			for _, c := range n.Content {
				out = append(out, c.Value)
			}
		}
	}
}

// shape prints a tree with explicit structure and no offsets or Paren
// nodes, so two trees compare equal when their shapes do.
func shape(e Expr) string {
	var b strings.Builder
	writeShape(&b, e)
	return b.String()
}

func writeShape(b *strings.Builder, e Expr) {
	switch e := Unparen(e).(type) {
	case *Ident:
		b.WriteString(e.Name)
	case *Of:
		b.WriteString(e.quantifier() + " of " + e.Pattern)
	case *Not:
		b.WriteString("not(")
		writeShape(b, e.X)
		b.WriteByte(')')
	case *Binary:
		b.WriteString(e.Op.String() + "(")
		writeShape(b, e.X)
		b.WriteString(", ")
		writeShape(b, e.Y)
		b.WriteByte(')')
	}
}

// checkOffsets verifies that every node's offset points at its token in
// the source, so positions reported to users are exact.
func checkOffsets(t testing.TB, src string, e Expr) {
	t.Helper()
	at := func(off int, want string) {
		if off < 0 || off > len(src) || !strings.HasPrefix(src[off:], want) {
			t.Errorf("%q: offset %d does not point at %q", src, off, want)
		}
	}
	var walk func(Expr)
	walk = func(e Expr) {
		switch e := e.(type) {
		case *Ident:
			at(e.Off, e.Name)
		case *Of:
			at(e.Off, e.quantifier())
			at(e.PatOff, e.Pattern)
		case *Not:
			at(e.Off, "not")
			walk(e.X)
		case *Binary:
			at(e.Off, e.Op.String())
			walk(e.X)
			walk(e.Y)
		case *Paren:
			at(e.Off, "(")
			walk(e.X)
		}
	}
	walk(e)
}
