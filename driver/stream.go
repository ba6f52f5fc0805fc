package driver

import (
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"

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
	// reread marks the files whose bytes were not kept (keptBytes): they
	// are read again at their turn, and checked to be still what the
	// scans passed.
	reread []bool
	// refs are the pieces of every id and name the early files' filters
	// and correlations and the filter files name (refPieces).
	refs [][]string
	// EarlyFiles counts the files parsed before conversion.
	EarlyFiles int
}

// maxScannedRefs bounds the distinct ids and names filters and
// correlations may name before OpenStream stops scanning for the files
// that define them and parses every file early instead (correct, at
// Set's memory cost): the scan costs one substring search per file and
// name.
const maxScannedRefs = 64

// keptBytes is how many bytes of rule files OpenStream keeps from its
// first read (the SigmaHQ corpus has 5.6 MB); the files read beyond it
// are read again when their turn comes. Memory then stays bounded for
// sets of any size, at the cost of a second read of the files beyond.
var keptBytes int64 = 8 << 20

// OpenStream reads the files (as Expand lists them; "-" is stdin) and
// the filter files, in parallel, and resolves what later files could
// change in earlier ones. A file that cannot be read yields a result
// holding its error, as with Read.
func OpenStream(paths, filterPaths []string, stdin io.Reader) *Stream {
	srcs := make([]Source, len(paths))
	bad := make([]*sigma.File, len(paths))
	meta := make([]bool, len(paths))
	reread := make([]bool, len(paths))
	var kept atomic.Int64
	parallel(len(paths), func(i int) {
		src, err := readSource(paths[i], stdin)
		srcs[i] = src
		if err != nil {
			bad[i] = readError(src.Path, err)
			return
		}
		meta[i] = mayHoldMeta(src.Data) // while the bytes are in the cache
		// Files to parse early are needed now; stdin cannot be read twice.
		if !meta[i] && paths[i] != Stdin && kept.Add(int64(len(src.Data))) > keptBytes {
			srcs[i].Data, reread[i] = nil, true
		}
	})
	return newStream(srcs, bad, meta, reread, Read(filterPaths, stdin))
}

func readError(path string, err error) *sigma.File {
	return &sigma.File{Path: path, Diags: sigma.ErrorList{sigma.Errorf(path, sigma.Pos{}, "%v", err)}}
}

// NewStream prepares the conversion of sources already read; filterFiles
// are parsed meta-filter files, as for Resolve.
func NewStream(srcs []Source, filterFiles []*sigma.File) *Stream {
	meta := make([]bool, len(srcs))
	parallel(len(srcs), func(i int) { meta[i] = mayHoldMeta(srcs[i].Data) })
	return newStream(append([]Source(nil), srcs...), make([]*sigma.File, len(srcs)), meta, make([]bool, len(srcs)), filterFiles)
}

// newStream takes srcs and early over; early holds the files already
// settled (unreadable ones), meta marks the files that may hold filters
// or correlations (mayHoldMeta), reread those whose bytes were not kept.
func newStream(srcs []Source, early []*sigma.File, meta, reread []bool, filterFiles []*sigma.File) *Stream {
	s := &Stream{sources: srcs, early: early, filterFiles: filterFiles, reread: reread}
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
	s.refs = refs
	if len(refs) > 0 {
		definers := make([]bool, len(srcs))
		parallel(len(srcs), func(i int) {
			if s.early[i] != nil {
				return
			}
			data, err := s.data(i)
			definers[i] = err != nil || s.mayDefineRef(data) // an error is reported by parseEarly
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
		if data, err := s.data(i); err != nil {
			s.early[i] = readError(s.sources[i].Path, err)
		} else {
			s.early[i] = sigma.ParseFile(s.sources[i].Path, data)
		}
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
	workers := min(runtime.GOMAXPROCS(0), n)
	// Each file gets a channel its worker hands the results over on; the
	// channels wait in input order in a queue the writer reads. A file's
	// results hold its parsed rules until emitted, so the queue's bound
	// is how far workers may run ahead of a slow writer; the bookkeeping
	// is per file in flight, not per file of the set.
	type job struct {
		i    int
		done chan fileResults
	}
	next := make(chan job)
	queue := make(chan chan fileResults, max(lookAhead*max(workers, 1)-1, 0))
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				j.done <- s.convertFile(conv, opt, j.i)
			}
		}()
	}
	go func() {
		for i := range n {
			done := make(chan fileResults, 1)
			queue <- done
			next <- job{i, done}
		}
		close(next)
		close(queue)
	}()
	var names collection.Names
	for done := range queue {
		fr := <-done
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
		f = s.parseLate(i)
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

// data returns file i's bytes: those kept, or read again.
func (s *Stream) data(i int) ([]byte, error) {
	if s.reread == nil || !s.reread[i] { // a Set's stream has no reread
		return s.sources[i].Data, nil
	}
	return os.ReadFile(s.sources[i].Path)
}

// mayDefineRef reports whether bytes may define a rule that a filter or
// a correlation names.
func (s *Stream) mayDefineRef(data []byte) bool {
	if len(s.refs) > maxScannedRefs {
		return true
	}
	for _, pieces := range s.refs {
		if mayDefine(data, pieces) {
			return true
		}
	}
	return false
}

// parseLate parses a file that was not parsed early. A file read again
// must still be one the scans pass: if it changed into one that may hold
// a filter or a correlation, or define a rule one names, what the set
// resolved to no longer holds, and the file is an error.
func (s *Stream) parseLate(i int) *sigma.File {
	path := s.sources[i].Path
	data, err := s.data(i)
	if err != nil {
		return readError(path, err)
	}
	if s.reread != nil && s.reread[i] && (mayHoldMeta(data) || s.mayDefineRef(data)) {
		return &sigma.File{Path: path, Diags: sigma.ErrorList{sigma.Errorf(path, sigma.Pos{Line: 1, Column: 1},
			"the file changed while the rules were being converted: it may now hold a filter or a correlation, or define a rule one names; convert again")}}
	}
	return sigma.ParseFile(path, data)
}
