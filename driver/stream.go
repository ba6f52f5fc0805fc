package driver

import (
	"io"
	"runtime"
	"sync"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/collection"
	"github.com/sigconv/sigconv/sigma"
)

// Stream is a set of rule files read for conversion in one pass: each
// file is parsed, converted and handed on in input order, and dropped,
// so memory holds the files' bytes and the results in flight, never the
// whole parsed set. It gives the same results as Read, Resolve and
// Set.Each (a test compares them), which is what "sigconv convert" uses
// it for; Set remains for callers that need every parsed file at once.
//
// Documents in one file can change the results of another: a
// meta-filter adds to a rule's query, a correlation uses rules and may
// hide their own queries, a filter or correlation names rules by id or
// name, first come first served. OpenStream therefore reads every file
// first and parses early only the files that may hold a filter or a
// correlation, or define a rule one of those names (see scan.go); what
// they resolve to is then fixed before the first rule is converted. A
// reused id or name is reported in input order, as the files stream.
type Stream struct {
	sources     []Source      // the files' bytes, released as each is parsed
	early       []*sigma.File // files parsed before conversion, by index; nil for the others
	filterFiles []*sigma.File
	coll        *collection.Collection // the early files and the filter files
	// resolution holds what resolving the early files found, by file
	// path, each sorted; warnings the same in input order.
	resolution map[string]sigma.ErrorList
	warnings   sigma.ErrorList
	// namesResolved is set when resolution already holds the reused ids
	// and names (a Set's).
	namesResolved bool
	// EarlyFiles counts the files parsed before conversion.
	EarlyFiles int
}

// maxScannedRefs bounds the distinct ids and names filters and
// correlations may name before OpenStream stops scanning for the files
// that define them and parses every file early instead (correct, at
// Set's memory cost): the scan costs one substring search per file and
// name.
const maxScannedRefs = 64

// OpenStream reads the files (as Expand lists them; "-" is stdin) and
// the filter files, in parallel, and resolves what later files could
// change in earlier ones. A file that cannot be read yields a result
// holding its error, as with Read.
func OpenStream(paths, filterPaths []string, stdin io.Reader) *Stream {
	srcs := make([]Source, len(paths))
	bad := make([]*sigma.File, len(paths))
	meta := make([]bool, len(paths))
	parallel(len(paths), func(i int) {
		src, err := readSource(paths[i], stdin)
		srcs[i] = src
		if err != nil {
			bad[i] = &sigma.File{Path: src.Path, Diags: sigma.ErrorList{sigma.Errorf(src.Path, sigma.Pos{}, "%v", err)}}
			return
		}
		meta[i] = mayHoldMeta(src.Data) // while the bytes are in the cache
	})
	return newStream(srcs, bad, meta, Read(filterPaths, stdin))
}

// NewStream prepares the conversion of sources already read; filterFiles
// are parsed meta-filter files, as for Resolve.
func NewStream(srcs []Source, filterFiles []*sigma.File) *Stream {
	meta := make([]bool, len(srcs))
	parallel(len(srcs), func(i int) { meta[i] = mayHoldMeta(srcs[i].Data) })
	return newStream(append([]Source(nil), srcs...), make([]*sigma.File, len(srcs)), meta, filterFiles)
}

// newStream takes srcs and early over; early holds the files already
// settled (unreadable ones), meta marks the files that may hold filters
// or correlations (mayHoldMeta).
func newStream(srcs []Source, early []*sigma.File, meta []bool, filterFiles []*sigma.File) *Stream {
	s := &Stream{sources: srcs, early: early, filterFiles: filterFiles}
	s.parseEarly(meta)
	// Files that may define a rule those filters and correlations name.
	var refs [][]string
	seen := map[string]bool{}
	addRefs := func(f *sigma.File, onlyFilters bool) {
		for _, doc := range f.Documents {
			var rr []sigma.RuleRef
			switch d := doc.(type) {
			case *sigma.Filter:
				rr = d.Rules
			case *sigma.Correlation:
				if !onlyFilters {
					rr = d.Rules
				}
			}
			for _, r := range rr {
				if !seen[r.Ref] {
					seen[r.Ref] = true
					refs = append(refs, refPieces(r.Ref))
				}
			}
		}
	}
	for _, f := range s.early {
		if f != nil {
			addRefs(f, false)
		}
	}
	for _, f := range filterFiles {
		addRefs(f, true)
	}
	if len(refs) > 0 {
		definers := make([]bool, len(srcs))
		parallel(len(srcs), func(i int) {
			if s.early[i] != nil {
				return
			}
			if len(refs) > maxScannedRefs {
				definers[i] = true
				return
			}
			for _, pieces := range refs {
				if mayDefine(srcs[i].Data, pieces) {
					definers[i] = true
					return
				}
			}
		})
		s.parseEarly(definers)
	}
	s.resolve()
	return s
}

// parseEarly parses the marked files in parallel.
func (s *Stream) parseEarly(marked []bool) {
	var idx []int
	for i, m := range marked {
		if m {
			idx = append(idx, i)
		}
	}
	parallel(len(idx), func(k int) {
		i := idx[k]
		s.early[i] = sigma.ParseFile(s.sources[i].Path, s.sources[i].Data)
		s.sources[i].Data = nil
	})
	s.EarlyFiles += len(idx)
}

// resolve builds the collection of the early files and the filter files,
// as Resolve does for all files: no other file holds a filter or a
// correlation or defines a rule they name, so what they resolve to is
// final. Reused ids and names are left to Each, which meets every file.
func (s *Stream) resolve() {
	var early []*sigma.File
	paths := make([]string, 0, len(s.sources)+len(s.filterFiles))
	for i, f := range s.early {
		paths = append(paths, s.sources[i].Path)
		if f != nil {
			early = append(early, f)
		}
	}
	for _, f := range s.filterFiles {
		paths = append(paths, f.Path)
	}
	all, diags := filtersOnly(early, s.filterFiles)
	coll, _ := collection.New(all) // reused ids and names: see Each
	s.coll = coll
	diags = append(diags, coll.CheckFilters()...)
	s.resolution = map[string]sigma.ErrorList{}
	for _, d := range byPath(paths, diags) {
		s.resolution[d.File] = append(s.resolution[d.File], d)
		if d.Severity == sigma.SeverityWarning {
			s.warnings = append(s.warnings, d)
		}
	}
}

// Warnings are the resolution warnings known before conversion (a filter
// that can never apply to a rule it names), in input order of files.
func (s *Stream) Warnings() sigma.ErrorList { return s.warnings }

// Files counts the rule files.
func (s *Stream) Files() int { return len(s.sources) }

// fileResults is one file's results, ready to be emitted.
type fileResults struct {
	file    *sigma.File
	results []Result
}

// Each parses and converts file by file on GOMAXPROCS workers and calls
// emit with each result in input order as soon as it and all before it
// are done; the results are those of Set.Each for the same files. Each
// may be called once: files are dropped as they are emitted.
func (s *Stream) Each(conv *backends.Converter, opt Options, emit func(Result)) {
	n := len(s.sources)
	out := make([]fileResults, n)
	ready := make([]chan struct{}, n)
	for i := range ready {
		ready[i] = make(chan struct{})
	}
	next := make(chan int)
	workers := min(runtime.GOMAXPROCS(0), n)
	// A file's results hold its parsed rules until emitted: the window
	// bounds how far workers run ahead of a slow writer.
	window := make(chan struct{}, lookAhead*max(workers, 1))
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = s.convertFile(conv, opt, i)
				close(ready[i])
			}
		}()
	}
	go func() {
		for i := range n {
			window <- struct{}{}
			next <- i
		}
		close(next)
	}()
	var names collection.Names
	for i := range n {
		<-ready[i]
		fr := out[i]
		out[i] = fileResults{} // let the garbage collector have it
		var dups sigma.ErrorList
		for _, doc := range fr.file.Documents {
			if r, ok := doc.(*sigma.Rule); ok && !s.namesResolved {
				dups = append(dups, names.Add(r)...)
			}
		}
		resolved := append(dups, s.resolution[fr.file.Path]...)
		resolved.Sort()
		if errs := append(append(sigma.ErrorList(nil), fr.file.Diags...), resolved...).Errors(); len(errs) > 0 {
			s.emitErrors(fr.file.Path, errs, opt, emit)
		}
		for _, r := range fr.results {
			emit(r)
		}
		if opt.FileDone != nil {
			opt.FileDone()
		}
		<-window
	}
	wg.Wait()
	for _, f := range s.filterFiles {
		if errs := append(append(sigma.ErrorList(nil), f.Diags...), s.resolution[f.Path]...).Errors(); len(errs) > 0 {
			s.emitErrors(f.Path, errs, opt, emit)
		}
	}
}

// emitErrors emits the result that stands for a file's errors; it counts
// as done like a converted document.
func (s *Stream) emitErrors(path string, errs sigma.ErrorList, opt Options, emit func(Result)) {
	if opt.Done != nil {
		opt.Done()
	}
	emit(Result{Path: path, Err: errs})
}

// convertFile parses file i (unless parsed early) and converts its rules
// and correlations.
func (s *Stream) convertFile(conv *backends.Converter, opt Options, i int) fileResults {
	f := s.early[i]
	s.early[i] = nil
	if f == nil {
		f = sigma.ParseFile(s.sources[i].Path, s.sources[i].Data)
	}
	s.sources[i].Data = nil
	fr := fileResults{file: f}
	for _, doc := range f.Documents {
		if !wanted(s.coll, doc, opt) {
			continue
		}
		fr.results = append(fr.results, convertDoc(conv, s.coll, f.Path, doc))
		if opt.Done != nil {
			opt.Done()
		}
	}
	return fr
}
