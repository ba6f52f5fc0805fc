package driver

import (
	"io"
	"runtime"
	"sync"

	"github.com/sigconv/sigconv/sigma"
)

// Source is the text of one rule file and the path it is reported under.
type Source struct {
	Path string
	Data []byte
}

// Parse parses sources in parallel, in input order.
func Parse(srcs ...Source) []*sigma.File {
	out := make([]*sigma.File, len(srcs))
	parallel(len(srcs), func(i int) { out[i] = sigma.ParseFile(srcs[i].Path, srcs[i].Data) })
	return out
}

// Read reads and parses files (as Expand lists them; "-" is stdin) in
// parallel, in input order. A file that cannot be read becomes a File
// holding one error, so every path yields a result.
func Read(paths []string, stdin io.Reader) []*sigma.File {
	out := make([]*sigma.File, len(paths))
	parallel(len(paths), func(i int) {
		// Expand lists "-" at most once, so one worker reads stdin.
		src, err := readSource(paths[i], stdin)
		if err != nil {
			out[i] = &sigma.File{Path: src.Path, Diags: sigma.ErrorList{sigma.Errorf(src.Path, sigma.Pos{}, "%v", err)}}
			return
		}
		out[i] = sigma.ParseFile(src.Path, src.Data)
	})
	return out
}

// parallel runs f(i) for i in [0,n) on GOMAXPROCS workers. Callers write
// results into slots indexed by i, so output order never depends on
// scheduling.
func parallel(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
