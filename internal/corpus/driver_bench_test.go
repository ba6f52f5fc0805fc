package corpus_test

import (
	"fmt"
	"regexp"
	"runtime/metrics"
	"testing"

	"github.com/sigconv/sigconv/driver"
	"github.com/sigconv/sigconv/internal/corpus"
)

var (
	idLine   = regexp.MustCompile(`(?m)^id: ([0-9a-f])`)
	nameLine = regexp.MustCompile(`(?m)^name: `)
)

// replicate returns the corpus k times; each copy has its own paths, and
// its own ids and names (the first hex digit of each id shifted), so the
// copies are distinct rules and resolve without conflicts.
func replicate(files []corpus.File, k int) []driver.Source {
	var out []driver.Source
	for c := range k {
		for _, f := range files {
			data := f.Data
			if c > 0 {
				data = idLine.ReplaceAllFunc(data, func(m []byte) []byte {
					d := m[len(m)-1]
					v := (hexVal(d) + c) % 16
					return append([]byte("id: "), "0123456789abcdef"[v])
				})
				data = nameLine.ReplaceAll(data, fmt.Appendf(nil, "name: copy%d_", c))
			}
			out = append(out, driver.Source{Path: fmt.Sprintf("copy%d/%s", c, f.Path), Data: data})
		}
	}
	return out
}

func hexVal(b byte) int {
	if b >= 'a' {
		return int(b-'a') + 10
	}
	return int(b - '0')
}

// gcShare reads the share of CPU time spent in the garbage collector
// between two samples of runtime/metrics.
type gcShare struct{ s []metrics.Sample }

func newGCShare() *gcShare {
	g := &gcShare{s: []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}, {Name: "/cpu/classes/total:cpu-seconds"}}}
	metrics.Read(g.s)
	return g
}

func (g *gcShare) percent() float64 {
	gc0, all0 := g.s[0].Value.Float64(), g.s[1].Value.Float64()
	metrics.Read(g.s)
	return 100 * (g.s[0].Value.Float64() - gc0) / (g.s[1].Value.Float64() - all0)
}

// BenchmarkDriver is the CLI's whole job in-process — read the sources
// into a driver.Stream, then parse, convert to XQL on GOMAXPROCS workers
// and stream the results in input order — on the corpus 1x, 2x and 4x.
// Cost per rule must stay flat as the set grows (linear scaling); run
// with -cpu 1,2 for parallel efficiency. Besides time it reports bytes
// allocated per rule, the GC's share of CPU and the largest live heap
// seen after a collection (live-MB), which streaming keeps flat.
func BenchmarkDriver(b *testing.B) {
	files := load(b)
	conv, err := driver.NewConverter("xql", driver.ConverterOptions{})
	if err != nil {
		b.Fatal(err)
	}
	for _, k := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("x%d", k), func(b *testing.B) {
			// Built inside the sub-benchmark: -bench Driver/x1 then
			// neither pays for nor keeps alive the larger copies.
			srcs := replicate(files, k)
			b.ReportAllocs()
			gc := newGCShare()
			live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
			var maxLive uint64
			results := 0
			for b.Loop() {
				st := driver.NewStream(srcs, nil)
				results = 0
				st.Each(conv, driver.Options{}, func(driver.Result) {
					if results++; results%64 == 0 {
						metrics.Read(live)
						maxLive = max(maxLive, live[0].Value.Uint64())
					}
				})
			}
			b.ReportMetric(gc.percent(), "gc-%")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(srcs)), "ns/rule")
			// The sources themselves (the files' bytes, as the CLI
			// reads them before converting) are part of the live heap.
			b.ReportMetric(float64(maxLive)/(1<<20), "live-MB")
			if results < len(srcs) {
				b.Fatalf("%d results for %d files", results, len(srcs))
			}
		})
	}
}
