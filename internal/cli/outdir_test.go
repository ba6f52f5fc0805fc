package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Item 2: -o DIR writes one file per rule file, named after it, with the
// extension of the format; a failed rule gets no file; two rule files of
// the same name are an error before anything is written.
func TestConvertOutputDir(t *testing.T) {
	src := newRepo(t, map[string]string{
		// sentinel-rule requires a description.
		"a/good.yml":        strings.Replace(goodRule, "title: Good\n", "title: Good\ndescription: Finds evil.\n", 1),
		"b/unsupported.yml": "title: Nowhere\nlogsource:\n    product: nosuch\n    service: nosuch\ndetection:\n    sel:\n        a: b\n    condition: sel\n",
	})
	for _, tc := range []struct {
		args []string
		want map[string]string // file -> text it must contain
	}{
		{[]string{"-t", "xql"}, map[string]string{"good.xql": `action_process_image_command_line contains "evil"`}},
		{[]string{"-t", "xql", "-f", "plain"}, map[string]string{"good.xql": `dataset = xdr_data | filter`}},
		{[]string{"-t", "kql", "-p", "sentinel-asim", "-f", "sentinel-rule"}, map[string]string{"good.yaml": "id: 0c6d1524-634a-4f6e-a210-ea2de1718e43"}},
		{[]string{"-t", "spl"}, map[string]string{"good.spl": `CommandLine="*evil*"`}},
		{[]string{"-t", "spl", "-f", "savedsearches"}, map[string]string{"good.conf": "[Good]"}},
		{[]string{"-t", "xql", "--json"}, map[string]string{"good.json": `"title":"Good"`}},
	} {
		out := t.TempDir()
		args := append(append([]string{"convert"}, tc.args...), "-s", "-o", out, src)
		code, stdout, errs := run(args...)
		if code != 0 || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %s", tc.args, code, stdout, errs)
			continue
		}
		entries, _ := os.ReadDir(out)
		if len(entries) != len(tc.want) {
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			t.Errorf("%v: files %v, want %d (the unsupported rule gets none)", tc.args, names, len(tc.want))
		}
		for name, text := range tc.want {
			data, err := os.ReadFile(filepath.Join(out, name))
			if err != nil || !strings.Contains(string(data), text) {
				t.Errorf("%v: %s: %v\n%s", tc.args, name, err, data)
			}
		}
		// The file holds what standard output shows for that rule.
		_, direct, _ := run(append(append([]string{"convert"}, tc.args...), filepath.Join(src, "a", "good.yml"))...)
		for name := range tc.want {
			data, _ := os.ReadFile(filepath.Join(out, name))
			if string(data) != direct {
				t.Errorf("%v: %s differs from stdout:\n%s\n---\n%s", tc.args, name, data, direct)
			}
		}
	}

	// A path ending in a separator is a directory, created.
	fresh := filepath.Join(t.TempDir(), "new") + string(filepath.Separator)
	if code, _, errs := run("convert", "-t", "xql", "-o", fresh, filepath.Join(src, "a")); code != 0 || !exists(filepath.Join(fresh, "good.xql")) {
		t.Errorf("new dir: exit %d %s", code, errs)
	}
	// -o FILE keeps writing one file.
	file := filepath.Join(t.TempDir(), "all.xql")
	if code, _, _ := run("convert", "-t", "xql", "-o", file, filepath.Join(src, "a")); code != 0 || !exists(file) {
		t.Errorf("-o FILE: exit %d", code)
	}

	clash := newRepo(t, map[string]string{"x/good.yml": goodRule, "y/good.yml": strings.Replace(goodRule, "0c6d1524-634a-4f6e-a210-ea2de1718e43", "1c6d1524-634a-4f6e-a210-ea2de1718e43", 1)})
	out := t.TempDir()
	code, _, errs := run("convert", "-t", "xql", "-o", out, clash)
	entries, _ := os.ReadDir(out)
	if code != 2 || !strings.Contains(errs, "would both be written to") || len(entries) != 0 {
		t.Errorf("same names: exit %d, %d files, %s", code, len(entries), errs)
	}
}
