package ir

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigconv/sigconv/sigma"
)

const corpusRoot = "../../shared/corpus/sigmahq"

// TestLowerCorpus lowers every SigmaHQ rule the sigma package accepts:
// validated rules must never fail to lower, and lowering is
// deterministic.
func TestLowerCorpus(t *testing.T) {
	if _, err := os.Stat(filepath.Join(corpusRoot, "rules")); err != nil {
		t.Skipf("SigmaHQ corpus not available: %v", err)
	}
	var rules, skipped int
	for _, dir := range []string{"rules", "rules-emerging-threats", "rules-threat-hunting", "rules-placeholder", "rules-compliance"} {
		err := filepath.WalkDir(filepath.Join(corpusRoot, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yml") {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			f := sigma.ParseFile(path, data)
			if f.Diags.HasErrors() {
				skipped++
				return nil
			}
			for _, doc := range f.Documents {
				if r, ok := doc.(*sigma.Rule); ok {
					rules++
					lowerTwice(t, r)
				}
			}
			return nil
		})
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	t.Logf("lowered %d rules (%d files skipped: sigma parse errors)", rules, skipped)
}

func lowerTwice(t *testing.T, r *sigma.Rule) {
	t.Helper()
	a, err := Lower(r)
	if err != nil {
		t.Errorf("%s: %v", r.File, err)
		return
	}
	b, _ := Lower(r)
	for i := range a.Queries {
		if fa, fb := Format(a.Queries[i]), Format(b.Queries[i]); fa != fb {
			t.Errorf("%s: Lower is not deterministic:\n%s\n%s", r.File, fa, fb)
		}
	}
}
