package kql_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/kql"
	"github.com/sigconv/sigconv/internal/kqlcheck"
	"github.com/sigconv/sigconv/sigma"
)

const corpusRoot = "../../../shared/corpus/sigmahq"

// corpusDirs are the SigmaHQ folders the issue counts (3,754 rules).
var corpusDirs = []string{"rules", "rules-emerging-threats", "rules-threat-hunting"}

// Conversions of the reference Python converter (pySigma-backend-kusto)
// on the same folders; sigconv must convert more, every query valid.
var corpusBeats = map[string]int{"defender-xdr": 2318, "sentinel-asim": 1675}

// corpusFloor is what issue 12 asks of the pipelines (hives, parent file
// names, logons; ASIM web sessions and Hashes); a change that loses rules
// below it must say why.
var corpusFloor = map[string]int{"defender-xdr": 2328, "sentinel-asim": 2030}

// corpusRules parses every rule of the corpus; files that do not parse
// count as rules that failed.
func corpusRules(t *testing.T) (rules []*sigma.Rule, unparsed int) {
	if _, err := os.Stat(filepath.Join(corpusRoot, "rules")); err != nil {
		t.Skipf("SigmaHQ corpus not available: %v", err)
	}
	for _, dir := range corpusDirs {
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
				unparsed++
				return nil
			}
			for _, doc := range f.Documents {
				if r, ok := doc.(*sigma.Rule); ok {
					rules = append(rules, r)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return rules, unparsed
}

// TestCorpus converts the SigmaHQ corpus with every built-in pipeline,
// proves every produced query with Microsoft's parser under the matching
// schema, and logs why the other rules fail.
func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus conversion is slow")
	}
	rules, unparsed := corpusRules(t)
	kqlcheck.Require(t)
	for _, p := range []string{"defender-xdr", "sentinel-asim", "sentinel-windows"} {
		t.Run(p, func(t *testing.T) {
			t.Parallel() // one node process per pipeline
			corpusPipeline(t, p, rules, unparsed)
		})
	}
}

func corpusPipeline(t *testing.T, p string, rules []*sigma.Rule, unparsed int) {
	conv, err := backends.NewConverter(kql.New(), backends.Options{Pipelines: []string{p}})
	if err != nil {
		t.Fatal(err)
	}
	var qs []kqlcheck.Query
	reasons := map[string]int{}
	converted := 0
	for _, r := range rules {
		res, err := conv.Convert(r)
		if err != nil {
			reasons[reason(err)]++
			continue
		}
		converted++
		for i, q := range res.Queries {
			qs = append(qs, kqlcheck.Query{ID: fmt.Sprintf("%s#%d", r.File, i), Query: q})
		}
	}
	results, err := kqlcheck.Check(kql.SchemaJSON(), schemaOf(p), qs)
	if err != nil {
		t.Fatal(err)
	}
	for i, res := range results {
		if !res.OK {
			t.Errorf("%s: Kusto.Language rejects the query: %v\n%s", res.ID, res.Errors, qs[i].Query)
		}
	}
	total := len(rules) + unparsed
	t.Logf("%s: converted %d of %d rules (%d queries, all checked by Kusto.Language); %d rule files do not parse", p, converted, total, len(qs), unparsed)
	logReasons(t, reasons)
	if want, ok := corpusBeats[p]; ok && converted <= want {
		t.Errorf("%s converts %d rules; the reference converter converts %d", p, converted, want)
	}
	if floor, ok := corpusFloor[p]; ok && converted < floor {
		t.Errorf("%s converts %d rules, fewer than the %d it reached", p, converted, floor)
	}
}

// schemaOf is the kql-check schema a pipeline's queries run against.
func schemaOf(p string) string {
	if p == "defender-xdr" {
		return "defender"
	}
	return "sentinel"
}

var (
	quoted   = regexp.MustCompile(`"[^"]*"`)
	position = regexp.MustCompile(`^.*?:\d+:\d+: `)
)

// reason reduces an error to its kind (no file, position or values).
func reason(err error) string {
	msg := position.ReplaceAllString(err.Error(), "")
	return msg
}

func logReasons(t *testing.T, reasons map[string]int) {
	type kv struct {
		k string
		n int
	}
	var list []kv
	for k, n := range reasons {
		list = append(list, kv{k, n})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].n > list[j].n || list[i].n == list[j].n && list[i].k < list[j].k })
	for _, e := range list {
		t.Logf("  %5d  %s", e.n, e.k)
	}
}
