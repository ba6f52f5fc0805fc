package driver_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/sigconv/sigconv/backends/all"
	"github.com/sigconv/sigconv/driver"
	"github.com/sigconv/sigconv/sigma"
)

func write(t *testing.T, root string, files ...string) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("title: x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestExpand(t *testing.T) {
	root := t.TempDir()
	write(t, root, "b.yml", "a.yaml", "notes.txt", ".github/ci.yml", "sub/c.yml", "sub/skip_me.yml", "testdata/golden.yml", "old/d.yml")
	got, err := driver.Expand([]string{root, filepath.Join(root, "b.yml"), filepath.Join(root, "sub", "..", "a.yaml"), "-", "-"},
		driver.ExpandOptions{Exclude: []string{"skip_*", "old"}, SkipDirs: []string{"testdata"}})
	if err != nil {
		t.Fatal(err)
	}
	var rel []string
	for _, p := range got {
		r, _ := filepath.Rel(root, p)
		if p == "-" {
			r = "-"
		}
		rel = append(rel, filepath.ToSlash(r))
	}
	if want := "a.yaml b.yml sub/c.yml -"; strings.Join(rel, " ") != want {
		t.Errorf("Expand = %s, want %s", strings.Join(rel, " "), want)
	}
	if _, err := driver.Expand([]string{root}, driver.ExpandOptions{Exclude: []string{"["}}); err == nil {
		t.Error("a malformed glob must be an error")
	}
	if _, err := driver.Expand([]string{filepath.Join(root, "missing")}, driver.ExpandOptions{}); err == nil {
		t.Error("a missing path must be an error")
	}
}

const set = `title: A
name: a
logsource: {category: process_creation, product: windows}
detection:
    sel:
        CommandLine|contains: x
    condition: sel
---
title: B
name: b
logsource: {category: process_access, product: windows}
detection:
    sel:
        GrantedAccess: '0x10'
    condition: sel
---
title: C
correlation:
    type: event_count
    rules: [a]
    group-by: [Computer]
    timespan: 5m
    condition: {gte: 2}
`

const broken = `title: Broken
logsource: {category: process_creation}
detection:
    sel:
        CommandLine|containz: evil
    condition: sel
`

func TestConvertOrderAndResults(t *testing.T) {
	conv, err := driver.NewConverter("xql", driver.ConverterOptions{CorrelationMethod: "tumbling"})
	if err != nil {
		t.Fatal(err)
	}
	files := driver.Parse(driver.Source{Path: "set.yml", Data: []byte(set)}, driver.Source{Path: "broken.yml", Data: []byte(broken)})
	s := driver.Resolve(files, nil)
	var done atomic.Int64 // Done runs on the workers
	results := s.Convert(conv, driver.Options{Done: func() { done.Add(1) }})
	var got []string
	for _, r := range results {
		got = append(got, r.Path+":"+r.Meta().Title+":"+string(r.Reason()))
	}
	// a is used by the correlation without generate: only C and B are
	// converted; the broken file is one result holding its errors.
	if want := "set.yml:B:unsupported logsource set.yml:C: broken.yml::invalid rule"; strings.Join(got, " ") != want {
		t.Errorf("results = %s\nwant      %s", strings.Join(got, " "), want)
	}
	if int(done.Load()) != len(results) || s.Count(driver.Options{}) != len(results) {
		t.Errorf("Done called %d times, Count %d, for %d results", done.Load(), s.Count(driver.Options{}), len(results))
	}
	var d *sigma.Diagnostic
	if !errors.As(results[2].Err, &d) || d.Pos != (sigma.Pos{Line: 5, Column: 21}) {
		t.Errorf("file error not positioned: %v", results[2].Err)
	}
	if out := results[1].Output(); !strings.Contains(out, "comp count()") {
		t.Errorf("correlation output: %s", out)
	}
	every := s.Convert(conv, driver.Options{EveryRule: true})
	if len(every) != 4 || every[0].Meta().Title != "A" {
		t.Errorf("EveryRule must convert rule a too, first: %d results", len(every))
	}
}

func TestResolveFilterFiles(t *testing.T) {
	rules := driver.Parse(driver.Source{Path: "set.yml", Data: []byte(set)})
	notFilter := driver.Parse(driver.Source{Path: "f.yml", Data: []byte(set)})
	s := driver.Resolve(rules, notFilter)
	msg := s.Diags().Error()
	if !strings.Contains(msg, `f.yml:1:1: detection rule "A" is not a meta-filter`) || !strings.Contains(msg, `correlation rule "C" is not a meta-filter`) {
		t.Errorf("a rule file given as filter must be refused:\n%s", msg)
	}
	if strings.Contains(msg, "also used by") {
		t.Errorf("the refused rules of a filter file must not clash with the same rules given as rules:\n%s", msg)
	}
}

// TestEachBoundsLookAhead holds the first emit back while the workers run:
// they may convert at most LookAhead results per worker past the last one
// emitted, and the results still arrive in input order.
func TestEachBoundsLookAhead(t *testing.T) {
	conv, err := driver.NewConverter("xql", driver.ConverterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const n = 300
	var srcs []driver.Source
	for i := range n {
		rule := fmt.Sprintf("title: R%d\nlogsource: {category: process_creation, product: windows}\ndetection:\n    sel:\n        Image: x%d\n    condition: sel\n", i, i)
		srcs = append(srcs, driver.Source{Path: fmt.Sprintf("r%03d.yml", i), Data: []byte(rule)})
	}
	s := driver.Resolve(driver.Parse(srcs...), nil)
	var done atomic.Int64
	emitted, ahead := 0, int64(0)
	s.Each(conv, driver.Options{Done: func() { done.Add(1) }}, func(r driver.Result) {
		if emitted == 0 {
			time.Sleep(50 * time.Millisecond) // a slow writer
		}
		ahead = max(ahead, done.Load()-int64(emitted))
		if want := fmt.Sprintf("r%03d.yml", emitted); r.Path != want || r.Err != nil {
			t.Fatalf("result %d: %s (%v), want %s", emitted, r.Path, r.Err, want)
		}
		emitted++
	})
	if limit := int64(driver.LookAhead * runtime.GOMAXPROCS(0)); ahead > limit || emitted != n {
		t.Errorf("%d results converted ahead of the writer (limit %d); %d of %d emitted", ahead, limit, emitted, n)
	}
}
