package corpus_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/sigconv/sigconv/backends"
	_ "github.com/sigconv/sigconv/backends/all"
	"github.com/sigconv/sigconv/internal/corpus"
	"github.com/sigconv/sigconv/sigma"
)

func load(tb testing.TB) []corpus.File {
	root, err := corpus.Find()
	if err != nil {
		tb.Skip(err)
	}
	files, err := corpus.Load(root, corpus.Converted...)
	if err != nil {
		tb.Fatal(err)
	}
	return files
}

// yamlFloor decodes every document into yaml.Node values only: the cost
// no Sigma parser built on yaml.v3 can go below.
func yamlFloor(tb testing.TB, files []corpus.File) {
	for _, f := range files {
		dec := yaml.NewDecoder(bytes.NewReader(f.Data))
		for {
			var n yaml.Node
			if err := dec.Decode(&n); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				tb.Fatal(err)
			}
		}
	}
}

func parseAll(files []corpus.File) []*sigma.Rule {
	var rules []*sigma.Rule
	for _, f := range files {
		for _, d := range sigma.ParseFile(f.Path, f.Data).Documents {
			if r, ok := d.(*sigma.Rule); ok {
				rules = append(rules, r)
			}
		}
	}
	return rules
}

func converters(tb testing.TB) []*backends.Converter {
	var out []*backends.Converter
	for _, name := range backends.Names() {
		b, _ := backends.Lookup(name)
		c, err := backends.NewConverter(b, backends.Options{})
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// BenchmarkCorpus times, in one run and single-threaded: the yaml.v3
// floor, parsing into the model, converting the parsed rules to each
// target, and the whole job (parse + every target). Compare "all" with
// "yaml-floor" for the 1.5x goal; ns/rule is reported for each.
func BenchmarkCorpus(b *testing.B) {
	files := load(b)
	rules := parseAll(files)
	perRule := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(rules)), "ns/rule")
	}
	b.Run("yaml-floor", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			yamlFloor(b, files)
		}
		perRule(b)
	})
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			parseAll(files)
		}
		perRule(b)
	})
	convs := converters(b)
	for _, c := range convs {
		b.Run("convert-"+c.Backend().Name(), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				for _, r := range rules {
					c.Convert(r)
				}
			}
			perRule(b)
		})
	}
	b.Run("all", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			for _, r := range parseAll(files) {
				for _, c := range convs {
					c.Convert(r)
				}
			}
		}
		perRule(b)
	})
}
