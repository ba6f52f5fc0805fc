// Command corpusreport converts the SigmaHQ corpus (rules,
// rules-emerging-threats, rules-threat-hunting from ../shared/corpus) with
// every target and built-in pipeline, and prints the README's corpus
// table: converted and failed rules, failures by reason.
//
//	go run ./internal/corpusreport
package main

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/sigconv/sigconv/backends"
	_ "github.com/sigconv/sigconv/backends/all"
	"github.com/sigconv/sigconv/driver"
	"github.com/sigconv/sigconv/internal/corpus"
	"github.com/sigconv/sigconv/sigma"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "corpusreport:", err)
		os.Exit(1)
	}
}

func run() error {
	root, err := corpus.Find()
	if err != nil {
		return err
	}
	files, err := corpus.Load(root, corpus.Converted...)
	if err != nil {
		return err
	}
	srcs := make([]driver.Source, len(files))
	for i, f := range files {
		srcs[i] = driver.Source{Path: f.Path, Data: f.Data}
	}
	set := driver.Resolve(driver.Parse(srcs...), nil)
	rules := 0
	for _, f := range set.Files {
		rules += len(f.Rules())
	}
	fmt.Printf("Corpus: %d rule files, %d rules (%s).\n\n", len(files), rules, strings.Join(corpus.Converted, ", "))
	fmt.Println("| target | pipeline | converted | failed | failures by reason |")
	fmt.Println("| --- | --- | ---: | ---: | --- |")
	for _, name := range backends.Names() {
		b, _ := backends.Lookup(name)
		for _, opt := range options(b) {
			conv, err := backends.NewConverter(b, opt)
			if err != nil {
				return err
			}
			line(name, opt, conv, set)
		}
	}
	return nil
}

// options lists each built-in pipeline alone, then no pipeline.
func options(b backends.Backend) []backends.Options {
	var out []backends.Options
	for _, p := range backends.PipelinesOf(b) {
		out = append(out, backends.Options{Pipelines: []string{p.Name}})
	}
	return append(out, backends.Options{WithoutPipeline: true})
}

// line converts the set as the CLI does and counts the detection rules
// (the table is about rules; files with errors are not counted).
func line(target string, opt backends.Options, conv *backends.Converter, set *driver.Set) {
	ok, failed := 0, 0
	reasons := map[string]int{}
	set.Each(conv, driver.Options{EveryRule: true}, func(r driver.Result) {
		if _, isRule := r.Doc.(*sigma.Rule); !isRule {
			return
		}
		if r.Err == nil {
			ok++
			return
		}
		failed++
		reason := string(r.Reason())
		if reason == "" {
			reason = "other"
		}
		reasons[reason]++
	})
	pipeline := strings.Join(opt.Pipelines, ", ")
	if opt.WithoutPipeline {
		pipeline = "(none)"
	}
	fmt.Printf("| %s | %s | %d | %d | %s |\n", target, pipeline, ok, failed, byCount(reasons))
}

func byCount(m map[string]int) string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d %s", m[k], k))
	}
	return strings.Join(parts, ", ")
}
