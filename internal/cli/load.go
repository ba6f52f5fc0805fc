package cli

import (
	"os"
	"runtime"
	"sync"

	"github.com/sigconv/sigconv/sigma"
)

// parallel runs f(i) for i in [0,n) on GOMAXPROCS workers. Callers write
// results into slots indexed by i, so output order never depends on
// scheduling.
func parallel(n int, f func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	if workers > n {
		workers = n
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

// loadFiles reads and parses rule files in parallel, in input order. An
// unreadable file becomes a File holding one error.
func loadFiles(paths []string) []*sigma.File {
	out := make([]*sigma.File, len(paths))
	parallel(len(paths), func(i int) {
		data, err := os.ReadFile(paths[i])
		if err != nil {
			out[i] = &sigma.File{Path: paths[i], Diags: sigma.ErrorList{sigma.Errorf(paths[i], sigma.Pos{}, "%v", err)}}
			return
		}
		out[i] = sigma.ParseFile(paths[i], data)
	})
	return out
}
