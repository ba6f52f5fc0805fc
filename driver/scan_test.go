package driver

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sigconv/sigconv/sigma"
)

// metaSpellings are documents that sigma.ParseFile reads as a filter or a
// correlation, the key spelled every way YAML allows that we know of.
var metaSpellings = []string{
	"filter:\n  rules: [a]\n",
	"correlation:\n  type: event_count\n",
	"  filter: x\n",
	"title: t\nfilter: x\n",
	"'filter': x\n",
	"\"filter\": x\n",
	"{filter: x}\n",
	"{title: t, filter: x}\n",
	"{title: t,\nfilter: x}\n",
	"? filter\n: x\n",
	"?\n  filter\n: x\n",
	"? |-\n  filter\n: x\n",
	"!!str filter: x\n",
	"&k filter: x\n",
	"a: &k filter\n*k : x\n",
	"a: [&k correlation]\n*k : x\n",
	"a: &k\n  filter\n*k : x\n",
	"--- filter: x\n",
	"\"filt\\x65r\": x\n",
	"\"filt\\u0065r\": x\n",
	"\"filt\\U00000065r\": x\n",
	"\"fil\\\n  ter\": x\n",
	"\ufefffilter: x\n",
	"title: t\r\nfilter: x\r\n",
	"title: t\rfilter: x\r",
	"title: t\u0085filter: x\n",
}

func TestMayHoldMetaSpellings(t *testing.T) {
	for _, src := range metaSpellings {
		if !mayHoldMeta([]byte(src)) {
			t.Errorf("mayHoldMeta(%q) = false", src)
		}
	}
}

// TestMayHoldMetaPassesRules: the words in conditions, selection names
// and values of ordinary rules do not make a file early.
func TestMayHoldMetaPassesRules(t *testing.T) {
	for _, src := range []string{
		"detection:\n    filter_main_x:\n        a: b\n    condition: selection and not filter\n",
		"detection:\n    selection:\n        CommandLine|contains: 'set-filter'\n    condition: selection\n",
		"description: uses a correlation id\ndetection:\n    sel:\n        Image|endswith: '\\Users\\cmd.exe'\n    condition: sel\n",
		"description: the filters are gone\n",
	} {
		if mayHoldMeta([]byte(src)) {
			t.Errorf("mayHoldMeta(%q) = true", src)
		}
	}
}

func TestRefPieces(t *testing.T) {
	for ref, want := range map[string]string{
		"failed_logon":                         "failed logon",
		"5b8a3e2c-0f1e-4a7d-9c2b-1e2f3a4b5c6d": "5b8a3e2c 0f1e 4a7d 9c2b 1e2f3a4b5c6d",
		"a b\tc":                               "a b c",
		"--":                                   "",
	} {
		got := ""
		for i, p := range refPieces(ref) {
			if i > 0 {
				got += " "
			}
			got += p
		}
		if got != want {
			t.Errorf("refPieces(%q) = %q, want %q", ref, got, want)
		}
	}
	if !mayDefine([]byte("name: \"failed\\tlogon\"\n"), refPieces("failed\tlogon")) {
		t.Error("an escape beside a piece must not hide it")
	}
	if mayDefine([]byte("name: other\n"), refPieces("failed_logon")) {
		t.Error("a file without the pieces cannot define the name")
	}
}

func seedScans(f *testing.F) {
	for _, s := range metaSpellings {
		f.Add([]byte(s))
	}
	for _, p := range []string{"../rules/windows", "testdata"} {
		filepath.Walk(p, func(path string, _ os.FileInfo, _ error) error {
			if data, err := os.ReadFile(path); err == nil && IsYAML(path) {
				f.Add(data)
			}
			return nil
		})
	}
	f.Add([]byte("title: r\nid: 5b8a3e2c-0f1e-4a7d-9c2b-1e2f3a4b5c6d\nname: 'failed''logon'\nlogsource: {product: windows}\ndetection: {sel: {a: b}, condition: sel}\n"))
	f.Add([]byte("title: r\nname: >-\n  failed\n  logon\nlogsource: {product: windows}\ndetection: {sel: {a: b}, condition: sel}\n"))
}

// FuzzMayHoldMeta: whatever the parser reads as a filter or a
// correlation, the scan must have flagged.
func FuzzMayHoldMeta(f *testing.F) {
	seedScans(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if mayHoldMeta(data) {
			return
		}
		for _, doc := range sigma.ParseFile("fuzz.yml", data).Documents {
			switch doc.(type) {
			case *sigma.Filter, *sigma.Correlation:
				t.Fatalf("%T not flagged in %q", doc, data)
			}
		}
	})
}

// FuzzMayDefine: a file the meta scan passes holds, for every rule it
// defines, the pieces of that rule's id and name.
func FuzzMayDefine(f *testing.F) {
	seedScans(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if mayHoldMeta(data) {
			return
		}
		for _, doc := range sigma.ParseFile("fuzz.yml", data).Documents {
			r, ok := doc.(*sigma.Rule)
			if !ok {
				continue
			}
			for _, ref := range []string{r.ID, r.Name} {
				if ref != "" && !mayDefine(data, refPieces(ref)) {
					t.Fatalf("%q does not show the pieces of %q", data, ref)
				}
			}
		}
	})
}

// BenchmarkScan is what OpenStream adds before converting: the meta scan
// of every file of the SigmaHQ corpus (when present).
func BenchmarkScan(b *testing.B) {
	paths, err := Expand([]string{"../../shared/corpus/sigmahq/rules", "../../shared/corpus/sigmahq/rules-emerging-threats", "../../shared/corpus/sigmahq/rules-threat-hunting"}, ExpandOptions{})
	if err != nil {
		b.Skip("corpus absent:", err)
	}
	var data [][]byte
	size := 0
	for _, p := range paths {
		d, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		data = append(data, d)
		size += len(d)
	}
	b.SetBytes(int64(size))
	for b.Loop() {
		for _, d := range data {
			mayHoldMeta(d)
		}
	}
}
