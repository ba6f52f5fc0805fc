package driver_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"weak"

	"github.com/sigconv/sigconv/driver"
	"github.com/sigconv/sigconv/sigma"
)

func procRule(title, extra, value string) string {
	return "title: " + title + "\n" + extra + "logsource: {category: process_creation, product: windows}\n" +
		"detection:\n    sel:\n        CommandLine|contains: '" + value + "'\n    condition: sel\n"
}

const uuidU = "5b8a3e2c-0f1e-4a7d-9c2b-1e2f3a4b5c6d"

// crossFileSet has documents that change results in other files, before
// and after them: a correlation naming rules of later files (one by a
// name that is another rule's id), filters naming rules of earlier and
// later files, a filter for every rule, reused ids and names, a broken
// file and a filter naming a rule that is not there.
var crossFileSet = []driver.Source{
	{Path: "a_corr.yml", Data: []byte("title: Corr\ncorrelation:\n    type: event_count\n    rules: [late, " + uuidU + "]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {gte: 2}\n")},
	{Path: "b_target.yml", Data: []byte(procRule("Target", "name: r_target\n", "t"))},
	{Path: "c_plain.yml", Data: []byte(procRule("Plain", "id: 11111111-2222-4333-8444-555555555555\n", "p"))},
	{Path: "d_filters.yml", Data: []byte("title: F1\nlogsource: {category: process_creation, product: windows}\nfilter:\n    rules: [r_target, r_after]\n    f:\n        User: svc\n    condition: not f\n" +
		"---\ntitle: F2\nlogsource: {product: windows}\nfilter:\n    rules: any\n    f:\n        User: admin\n    condition: not f\n" +
		"---\ntitle: F3\nlogsource: {category: dns_query, product: windows}\nfilter:\n    rules: [r_target]\n    f:\n        User: x\n    condition: not f\n")},
	{Path: "e_late.yml", Data: []byte(procRule("Late", "name: late\n", "l"))},
	{Path: "f_dup.yml", Data: []byte(procRule("Dup", "id: 11111111-2222-4333-8444-555555555555\nname: late\n", "d"))},
	{Path: "g_byname.yml", Data: []byte(procRule("ByName", "name: "+uuidU+"\n", "n"))},
	{Path: "h_byid.yml", Data: []byte(procRule("ByID", "id: "+uuidU+"\n", "i"))},
	{Path: "i_after.yml", Data: []byte(procRule("After", "name: r_after\n", "a"))},
	{Path: "j_broken.yml", Data: []byte(broken)},
	{Path: "k_ghostfilter.yml", Data: []byte("title: Ghost\nlogsource: {product: windows}\nfilter:\n    rules: [ghost]\n    f:\n        User: y\n    condition: not f\n")},
}

const filterFile = "title: Given\nlogsource: {category: process_creation}\nfilter:\n    rules: [r_after, nobody]\n    f:\n        User: z\n    condition: not f\n"

// describe writes a result the way a test can compare it whole.
func describe(r driver.Result) string {
	s := fmt.Sprintf("%s|%s|%s|%s|%q", r.Path, r.Meta().Title, r.Meta().ID, r.Reason(), r.Output())
	if r.Err != nil {
		s += "|" + r.Err.Error()
	}
	return s
}

func setResults(t *testing.T, srcs []driver.Source, filters []*sigma.File, target string, opt driver.Options) ([]string, sigma.ErrorList) {
	t.Helper()
	conv, err := driver.NewConverter(target, driver.ConverterOptions{CorrelationMethod: "tumbling"})
	if err != nil {
		t.Fatal(err)
	}
	set := driver.Resolve(driver.Parse(srcs...), filters)
	var out []string
	set.Each(conv, opt, func(r driver.Result) { out = append(out, describe(r)) })
	return out, set.Resolution.Warnings()
}

func streamResults(t *testing.T, srcs []driver.Source, filters []*sigma.File, target string, opt driver.Options) ([]string, sigma.ErrorList, *driver.Stream) {
	t.Helper()
	conv, err := driver.NewConverter(target, driver.ConverterOptions{CorrelationMethod: "tumbling"})
	if err != nil {
		t.Fatal(err)
	}
	st := driver.NewStream(srcs, filters)
	var out []string
	st.Each(conv, opt, func(r driver.Result) { out = append(out, describe(r)) })
	return out, st.Warnings(), st
}

func compareResults(t *testing.T, what string, stream, set []string) {
	t.Helper()
	if len(stream) != len(set) {
		t.Errorf("%s: %d results streamed, %d from Set", what, len(stream), len(set))
	}
	for i := range min(len(stream), len(set)) {
		if stream[i] != set[i] {
			t.Errorf("%s: result %d differs\nstream: %s\nset:    %s", what, i, stream[i], set[i])
			return
		}
	}
}

// TestStreamEqualsSet: streaming gives exactly Set's results, in order,
// for documents that reach across files in both directions.
func TestStreamEqualsSet(t *testing.T) {
	filters := driver.Parse(driver.Source{Path: "given.yml", Data: []byte(filterFile)})
	for _, target := range []string{"xql", "kql", "spl"} {
		for _, every := range []bool{false, true} {
			opt := driver.Options{EveryRule: every}
			set, setWarn := setResults(t, crossFileSet, filters, target, opt)
			stream, streamWarn, st := streamResults(t, crossFileSet, filters, target, opt)
			what := fmt.Sprintf("%s EveryRule=%v", target, every)
			compareResults(t, what, stream, set)
			if setWarn.String() != streamWarn.String() {
				t.Errorf("%s: warnings\nstream: %s\nset:    %s", what, streamWarn, setWarn)
			}
			if st.EarlyFiles == len(crossFileSet) {
				t.Errorf("%s: every file was parsed early", what)
			}
		}
	}
	// The set must exercise what it claims to: results that only
	// cross-file resolution explains.
	set, warn, _ := streamResults(t, crossFileSet, filters, "spl", driver.Options{})
	all := strings.Join(set, "\n")
	for _, want := range []string{
		"id 11111111-2222-4333-8444-555555555555 is also used by c_plain.yml",
		`name "late" is also used by e_late.yml`,
		`filter names rule "ghost", which is not among the rules being converted`,
		`given.yml:4:22: filter names rule "nobody"`,
		"j_broken.yml||",
		"Corr|",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("results lack %q:\n%s", want, all)
		}
	}
	if !strings.Contains(warn.String(), `filter names rule "r_target", but its logsource`) {
		t.Errorf("warnings lack F3's: %s", warn)
	}
	for _, r := range set {
		switch title := strings.Split(r, "|")[1]; title {
		case "Late", "ByID":
			t.Errorf("%s is used by the correlation without generate and must not have a result: %s", title, r)
		case "Target", "After":
			if !strings.Contains(r, "svc") || !strings.Contains(r, "admin") {
				t.Errorf("%s must carry the filters that name it and the filter for any rule: %s", title, r)
			}
		}
	}
}

// TestStreamEqualsSetOnRules: the shipped rules (a correlation and the
// rules it uses) and, when present, the SigmaHQ corpus stream to the
// same results as Set.
func TestStreamEqualsSetOnRules(t *testing.T) {
	for _, root := range []string{"../rules", "../../shared/corpus/sigmahq/rules-emerging-threats"} {
		paths, err := driver.Expand([]string{root}, driver.ExpandOptions{})
		if err != nil {
			if os.IsNotExist(err) {
				t.Logf("%s absent, skipped", root)
				continue
			}
			t.Fatal(err)
		}
		var srcs []driver.Source
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			srcs = append(srcs, driver.Source{Path: filepath.ToSlash(p), Data: data})
		}
		set, _ := setResults(t, srcs, nil, "xql", driver.Options{})
		stream, _, st := streamResults(t, srcs, nil, "xql", driver.Options{})
		compareResults(t, root, stream, set)
		t.Logf("%s: %d files, %d parsed early, %d results", root, len(srcs), st.EarlyFiles, len(stream))
	}
}

// TestStreamDropsEmittedFiles: once a file's results are emitted the
// stream keeps no reference to its parsed rules, so the parsed set is
// never held at once (Set, by contrast, keeps every file).
func TestStreamDropsEmittedFiles(t *testing.T) {
	conv, err := driver.NewConverter("xql", driver.ConverterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const n = 200
	var srcs []driver.Source
	for i := range n {
		srcs = append(srcs, driver.Source{Path: fmt.Sprintf("r%03d.yml", i), Data: []byte(procRule(fmt.Sprintf("R%d", i), "", fmt.Sprint(i)))})
	}
	var emitted []weak.Pointer[sigma.Rule]
	alive := -1
	driver.NewStream(srcs, nil).Each(conv, driver.Options{}, func(r driver.Result) {
		rule, ok := r.Doc.(*sigma.Rule)
		if !ok {
			t.Fatalf("%s: %v", r.Path, r.Err)
		}
		emitted = append(emitted, weak.Make(rule))
		if len(emitted) == n-20 {
			rule = nil
			r = driver.Result{}
			runtime.GC()
			alive = 0
			for _, w := range emitted[:n-21] { // all but the one emit still holds
				if w.Value() != nil {
					alive++
				}
			}
		}
	})
	if alive != 0 {
		t.Errorf("%d of the %d rules emitted before are still reachable", alive, n-21)
	}
}

// TestOpenStreamReadsLikeRead: files, standard input and a path that
// cannot be read give the results Read and Resolve give.
func TestOpenStreamReadsLikeRead(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for _, src := range crossFileSet[:6] {
		p := filepath.Join(dir, src.Path)
		if err := os.WriteFile(p, src.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	paths = append(paths, driver.Stdin, filepath.Join(dir, "missing.yml"))
	stdin := string(crossFileSet[8].Data)
	conv, err := driver.NewConverter("kql", driver.ConverterOptions{CorrelationMethod: "tumbling"})
	if err != nil {
		t.Fatal(err)
	}
	var want, got []string
	driver.Resolve(driver.Read(paths, strings.NewReader(stdin)), nil).Each(conv, driver.Options{}, func(r driver.Result) { want = append(want, describe(r)) })
	driver.OpenStream(paths, nil, strings.NewReader(stdin)).Each(conv, driver.Options{}, func(r driver.Result) { got = append(got, describe(r)) })
	compareResults(t, "OpenStream", got, want)
	if last := got[len(got)-1]; !strings.Contains(last, "missing.yml") || !strings.Contains(last, "no such file") {
		t.Errorf("the missing file must be a result holding its error: %s", last)
	}
	if !strings.Contains(strings.Join(got, "\n"), driver.StdinName+"|After") {
		t.Errorf("standard input must be converted:\n%s", strings.Join(got, "\n"))
	}
}

func writeSet(t *testing.T, srcs []driver.Source) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for _, src := range srcs {
		p := filepath.Join(dir, src.Path)
		if err := os.WriteFile(p, src.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return dir, paths
}

// TestStreamRereadsBeyondKeptBytes: with no bytes kept, every file the
// scans pass is read again at its turn, and the results are Set's.
func TestStreamRereadsBeyondKeptBytes(t *testing.T) {
	defer driver.SetKeptBytes(driver.SetKeptBytes(0))
	dir, paths := writeSet(t, crossFileSet)
	given := filepath.Join(dir, "given.yml")
	if err := os.WriteFile(given, []byte(filterFile), 0o644); err != nil {
		t.Fatal(err)
	}
	conv, err := driver.NewConverter("xql", driver.ConverterOptions{CorrelationMethod: "tumbling"})
	if err != nil {
		t.Fatal(err)
	}
	var want, got []string
	driver.Resolve(driver.Read(paths, nil), driver.Read([]string{given}, nil)).Each(conv, driver.Options{}, func(r driver.Result) { want = append(want, describe(r)) })
	st := driver.OpenStream(paths, []string{given}, nil)
	st.Each(conv, driver.Options{}, func(r driver.Result) { got = append(got, describe(r)) })
	compareResults(t, "reread", got, want)
	if st.Reread() == 0 {
		t.Error("no file was read again")
	}
}

// TestStreamFileChangedBeforeReread: a file read again that now may hold
// a filter is an error, not a silently different resolution; one that
// changed into another plain rule converts as it is now.
func TestStreamFileChangedBeforeReread(t *testing.T) {
	defer driver.SetKeptBytes(driver.SetKeptBytes(0))
	_, paths := writeSet(t, []driver.Source{
		{Path: "a.yml", Data: []byte(procRule("A", "", "a"))},
		{Path: "b.yml", Data: []byte(procRule("B", "", "b"))},
		{Path: "c.yml", Data: []byte(procRule("C", "", "c"))},
	})
	st := driver.OpenStream(paths, nil, nil)
	if err := os.WriteFile(paths[1], []byte("title: F\nlogsource: {product: windows}\nfilter:\n    rules: any\n    f: {User: x}\n    condition: not f\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(paths[2], []byte(procRule("C2", "", "c2")), 0o644); err != nil {
		t.Fatal(err)
	}
	conv, err := driver.NewConverter("spl", driver.ConverterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	st.Each(conv, driver.Options{}, func(r driver.Result) { got = append(got, describe(r)) })
	all := strings.Join(got, "\n")
	if len(got) != 3 || !strings.Contains(got[1], "b.yml:1:1: the file changed while the rules were being converted") || !strings.Contains(got[2], "|C2|") || strings.Contains(all, "User") {
		t.Errorf("results:\n%s", all)
	}
}
