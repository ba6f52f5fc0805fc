package playground

import (
	"embed"
	"io/fs"
	"sort"
	"strings"

	"github.com/sigconv/sigconv/rules"
)

// Example is a preloaded editor text.
type Example struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

//go:embed examples/*.yml
var exampleFS embed.FS

// PipeMagicName is the first example: the shipped hunt.
const PipeMagicName = "PipeMagic hunt (2 rules + correlation)"

// Examples returns the PipeMagic hunt (the files of rules/ as one
// multi-document text, in the lexical path order `convert rules/` uses, so
// its output is the CLI's) and the handwritten examples of examples/.
func Examples() []Example {
	out := []Example{{Name: PipeMagicName, Text: PipeMagicText()}}
	names, _ := fs.Glob(exampleFS, "examples/*.yml")
	sort.Strings(names)
	for _, n := range names {
		data, _ := exampleFS.ReadFile(n)
		text := string(data)
		// The first line is "# Example: NAME" (the picker's label).
		first, _, _ := strings.Cut(text, "\n")
		out = append(out, Example{Name: strings.TrimPrefix(first, "# Example: "), Text: text})
	}
	return out
}

// PipeMagicText joins the shipped rule files with "---".
func PipeMagicText() string {
	var paths []string
	fs.WalkDir(rules.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) {
			paths = append(paths, p)
		}
		return nil
	})
	sort.Strings(paths)
	var b strings.Builder
	for i, p := range paths {
		data, _ := rules.FS.ReadFile(p)
		if i > 0 {
			b.WriteString("---\n")
		}
		b.WriteString(strings.TrimRight(string(data), "\n") + "\n")
	}
	return b.String()
}
