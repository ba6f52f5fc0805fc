package sigmatest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/sigconv/sigconv/collection"
	"github.com/sigconv/sigconv/eval"
	"github.com/sigconv/sigconv/sigma"
)

// Event tests check a rule's meaning on sample events, with the reference
// matcher of package eval. Two layouts are read from the events file
// system:
//
// JSON lines, this project's layout: the events of rule R.yml are in
// R.jsonl at the same relative path (beside the rule, or in a mirror
// tree such as testdata/events). One JSON object per line:
//
//	{"name": "pipe 1.", "match": true, "event": {"CommandLine": "..."}}
//	{"name": "other pipe", "match": false, "event": {"CommandLine": "..."}}
//
// "match" is required: the rule must match (true) or miss (false) the
// event. "rule" (an id or name) picks one document of a multi-document
// rule file; without it every rule of the file is tested. Blank lines and
// lines starting with '#' are skipped. Fields may be dotted names into
// nested objects (see package eval).
//
// SigmaHQ regression data: a directory with an info.yml naming the rule
// (rule_metadata[].id) and *.json files of Windows events as dumped from
// EVTX (one or more JSON objects per file), flattened with
// eval.FlattenWindowsEvent. Every such event must match, as SigmaHQ's
// regression runner expects.

// EventConfig says where rules and events are.
type EventConfig struct {
	// Rules holds the rule files (*.yml, *.yaml).
	Rules fs.FS
	// Events holds the event files; nil means Rules (events beside rules).
	Events fs.FS
	// Options are passed to the matcher (placeholder values, filters).
	Options eval.Options
	// RulesDir and EventsDir, when set, are the directories Rules and
	// Events were opened from: results and messages name files under
	// them (as the user typed them, so relative to the current directory).
	RulesDir, EventsDir string
}

// EventCase is one event with its expectation.
type EventCase struct {
	Rule   string // rule file, a path in EventConfig.Rules (under RulesDir when set)
	RuleID string // rule id (or title when it has none)
	Source string // events file and line ("x.jsonl:3") or file and index ("x.json#2"), under EventsDir when set
	Name   string // from the line's "name", or derived
	Want   bool
	Event  eval.Event
	// Events is the event stream of a correlation case (Event is then
	// nil).
	Events []eval.TimedEvent
}

// EventResult is the outcome of one case. Err is set when the case could
// not be evaluated (malformed events file, rule missing or not
// evaluable); Err is a positioned message.
type EventResult struct {
	EventCase
	Got  bool
	Err  error
	Skip string // why the case was not run (e.g. a regression directory without JSON events)
	// Matched and Of count, for a regression directory, the events the
	// rule matches and the events read.
	Matched, Of int
	// Explain, for a case whose rule did not do what it must, says which
	// search identifiers were true and which false for the event.
	Explain string
}

// Passed reports whether the case ran and the rule did what it must, or
// was skipped.
func (r EventResult) Passed() bool { return r.Skip != "" || (r.Err == nil && r.Got == r.Want) }

func (r EventResult) String() string {
	name := r.Source
	if r.Name != "" {
		name += " (" + r.Name + ")"
	}
	switch {
	case r.Skip != "":
		return fmt.Sprintf("%s: skipped: %s", name, r.Skip)
	case r.Err != nil:
		return fmt.Sprintf("%s: %v", name, r.Err)
	case r.Events != nil && r.Want && !r.Got:
		return fmt.Sprintf("%s: correlation %s does not fire on the events, but must", name, r.Rule)
	case r.Events != nil && !r.Want && r.Got:
		return fmt.Sprintf("%s: correlation %s fires on the events, but must not", name, r.Rule)
	case r.Want && !r.Got:
		return fmt.Sprintf("%s: rule %s does not match the event, but must%s", name, r.Rule, r.explained())
	case !r.Want && r.Got:
		return fmt.Sprintf("%s: rule %s matches the event, but must not%s", name, r.Rule, r.explained())
	}
	return name + ": ok"
}

func (r EventResult) explained() string {
	if r.Explain == "" {
		return ""
	}
	return " (" + r.Explain + ")"
}

// RunEvents runs every event test found in cfg.Events as a subtest named
// after its events file and line, failing with a positioned message.
func RunEvents(t *testing.T, cfg EventConfig) {
	t.Helper()
	results, err := CheckEvents(cfg)
	if err != nil {
		t.Fatalf("sigmatest: %v", err)
	}
	if len(results) == 0 {
		t.Fatalf("sigmatest: no event files (*.jsonl beside rules, or info.yml + *.json) found")
	}
	for _, r := range results {
		t.Run(r.Source, func(t *testing.T) {
			if r.Skip != "" {
				t.Skip(r.String())
			}
			if !r.Passed() {
				t.Error(r.String())
			}
		})
	}
}

// CheckEvents loads and evaluates every event test. Problems with one
// file (malformed JSON, unknown rule) become failed results, so the other
// tests still run; the error is only for an unreadable file system.
func CheckEvents(cfg EventConfig) ([]EventResult, error) {
	if cfg.Events == nil {
		cfg.Events = cfg.Rules
	}
	l := &loader{cfg: cfg, matchers: map[string]*compiled{}}
	var out []EventResult
	err := fs.WalkDir(cfg.Events, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.IsDir() && p != "." && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")):
			// Like rule files: a testdata tree is its own events root,
			// and hidden folders hold no tests.
			return fs.SkipDir
		case d.IsDir():
		case strings.HasSuffix(p, ".jsonl"):
			out = append(out, l.jsonLines(p)...)
		case path.Base(p) == "info.yml":
			out = append(out, l.regression(p)...)
		}
		return nil
	})
	for i := range out {
		out[i].Source = under(cfg.EventsDir, out[i].Source)
		if out[i].Rule != "" {
			out[i].Rule = under(cfg.RulesDir, out[i].Rule)
		}
	}
	return out, err
}

// under names a path of a file system opened from dir as an OS path.
func under(dir, p string) string {
	if dir == "" {
		return p
	}
	return filepath.Join(dir, filepath.FromSlash(p))
}

// compiled is a rule file's matchers, one per rule document.
type compiled struct {
	rules        []*sigma.Rule
	matchers     []*eval.Matcher
	corrs        []*sigma.Correlation
	corrMatchers []*eval.CorrelationMatcher
	err          error
}

type loader struct {
	cfg      EventConfig
	matchers map[string]*compiled
	idOnce   sync.Once
	ids      map[string]string // rule id -> rule file
	collOnce sync.Once
	coll     *collection.Collection // every rule file, for correlations
	collErr  error
}

// rule parses and compiles a rule file once.
func (l *loader) rule(name string) *compiled {
	if c, ok := l.matchers[name]; ok {
		return c
	}
	c := &compiled{}
	l.matchers[name] = c
	data, err := fs.ReadFile(l.cfg.Rules, name)
	if err != nil {
		c.err = err
		return c
	}
	f := sigma.ParseFile(under(l.cfg.RulesDir, name), data)
	if err := f.Diags.Err(); err != nil {
		c.err = err
		return c
	}
	for _, doc := range f.Documents {
		r, ok := doc.(*sigma.Rule)
		if !ok {
			continue
		}
		m, err := eval.New(r, l.cfg.Options)
		if err != nil {
			c.err = err
			return c
		}
		c.rules = append(c.rules, r)
		c.matchers = append(c.matchers, m)
	}
	l.correlations(c, f)
	if len(c.rules) == 0 && len(c.corrs) == 0 && c.err == nil {
		c.err = fmt.Errorf("%s: no detection or correlation rule in the file", under(l.cfg.RulesDir, name))
	}
	return c
}

// evaluate runs one case against the selected rules of a file; sel
// (an id or name) picks one document, "" means all of them.
func (l *loader) evaluate(c EventCase, sel string) []EventResult {
	comp := l.rule(c.Rule)
	if comp.err != nil {
		return []EventResult{{EventCase: c, Err: comp.err}}
	}
	var out []EventResult
	for i, r := range comp.rules {
		if sel != "" && sel != r.ID && sel != r.Name {
			continue
		}
		ec := c
		ec.RuleID = r.ID
		if ec.RuleID == "" {
			ec.RuleID = r.Title
		}
		res := EventResult{EventCase: ec, Got: comp.matchers[i].Match(c.Event)}
		if res.Got != res.Want && c.Event != nil {
			res.Explain = explain(r, comp.matchers[i], c.Event, l.cfg.Options)
		}
		out = append(out, res)
	}
	if len(out) == 0 {
		return []EventResult{{EventCase: c, Err: fmt.Errorf("no rule with id or name %q in %s", sel, under(l.cfg.RulesDir, c.Rule))}}
	}
	return out
}

// eventLine is one line of a .jsonl events file: one event, or a
// correlation's event stream.
type eventLine struct {
	Name      string            `json:"name"`
	Match     *bool             `json:"match"`
	Rule      string            `json:"rule"`
	Event     json.RawMessage   `json:"event"`
	RawEvents []timedLine       `json:"events"`
	Events    []eval.TimedEvent `json:"-"`
}

func (l *loader) jsonLines(p string) []EventResult {
	base := strings.TrimSuffix(p, ".jsonl")
	rule := base + ".yml"
	if _, err := fs.Stat(l.cfg.Rules, rule); err != nil {
		if _, err2 := fs.Stat(l.cfg.Rules, base+".yaml"); err2 == nil {
			rule = base + ".yaml"
		}
	}
	data, err := fs.ReadFile(l.cfg.Events, p)
	if err != nil {
		return []EventResult{{EventCase: EventCase{Rule: rule, Source: p}, Err: err}}
	}
	var out []EventResult
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 64<<20)
	for n := 1; sc.Scan(); n++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		c := EventCase{Rule: rule, Source: fmt.Sprintf("%s:%d", p, n)}
		line, ev, err := parseEventLine(sc.Bytes())
		if err != nil {
			out = append(out, EventResult{EventCase: c, Err: fmt.Errorf("%s:%d:%d: %v", under(l.cfg.EventsDir, p), n, errColumn(sc.Bytes(), err), err)})
			continue
		}
		c.Name, c.Want = line.Name, *line.Match
		if line.Events != nil {
			c.Events = line.Events
			out = append(out, l.evaluateCorrelation(c, line.Rule)...)
			continue
		}
		c.Event = ev
		out = append(out, l.evaluate(c, line.Rule)...)
	}
	if err := sc.Err(); err != nil {
		out = append(out, EventResult{EventCase: EventCase{Rule: rule, Source: p}, Err: err})
	}
	return out
}

func parseEventLine(b []byte) (eventLine, eval.Event, error) {
	var line eventLine
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&line); err != nil {
		return line, nil, err
	}
	if line.Match == nil {
		return line, nil, errors.New(`missing "match": true or false`)
	}
	if line.RawEvents != nil {
		if len(line.Event) != 0 {
			return line, nil, errors.New(`a line has "event" or "events", not both`)
		}
		if len(line.RawEvents) == 0 {
			return line, nil, errors.New(`"events" is empty`)
		}
		evs, err := decodeTimed(line.RawEvents)
		line.Events = evs
		return line, nil, err
	}
	if len(line.Event) == 0 {
		return line, nil, errors.New(`missing "event": {...} (or "events": [...] for a correlation)`)
	}
	ev, err := decodeEvent(line.Event)
	return line, ev, err
}

// decodeEvent decodes one JSON object keeping numbers exact.
func decodeEvent(b []byte) (eval.Event, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var ev eval.Event
	if err := d.Decode(&ev); err != nil {
		return nil, err
	}
	if ev == nil {
		return nil, errors.New(`"event" must be a JSON object`)
	}
	return ev, nil
}

// errColumn finds the 1-based column of a JSON syntax error on a line.
func errColumn(line []byte, err error) int {
	var se *json.SyntaxError
	if errors.As(err, &se) && se.Offset > 0 {
		return int(se.Offset)
	}
	return 1
}

// regressionInfo is the part of SigmaHQ's info.yml this kit reads.
type regressionInfo struct {
	RuleMetadata []struct {
		ID    string `yaml:"id"`
		Title string `yaml:"title"`
	} `yaml:"rule_metadata"`
	Tests []struct {
		MatchCount string `yaml:"match_count"`
	} `yaml:"regression_tests_info"`
}

func (i regressionInfo) matchCount() string {
	for _, t := range i.Tests {
		if t.MatchCount != "" {
			return t.MatchCount
		}
	}
	return ""
}

func (l *loader) regression(p string) []EventResult {
	fail := func(err error) []EventResult {
		return []EventResult{{EventCase: EventCase{Source: p}, Err: err}}
	}
	data, err := fs.ReadFile(l.cfg.Events, p)
	if err != nil {
		return fail(err)
	}
	var info regressionInfo
	if err := yaml.Unmarshal(data, &info); err != nil {
		return fail(fmt.Errorf("%s: %v", p, err))
	}
	if len(info.RuleMetadata) == 0 {
		return fail(fmt.Errorf("%s: no rule_metadata[].id", p))
	}
	dir := path.Dir(p)
	cases, err := l.regressionEvents(dir)
	if err != nil {
		return fail(err)
	}
	if len(cases) == 0 {
		// SigmaHQ keeps info.yml files whose only test is commented out
		// (non-EVTX sources); they have nothing to run.
		return []EventResult{{EventCase: EventCase{Source: p, RuleID: info.RuleMetadata[0].ID}, Skip: "no *.json events beside info.yml"}}
	}
	var out []EventResult
	for _, md := range info.RuleMetadata {
		rule, ok := l.ruleByID(md.ID, dir)
		if !ok {
			out = append(out, EventResult{EventCase: EventCase{Source: p, RuleID: md.ID}, Err: fmt.Errorf("%s: no rule with id %s in the rules", p, md.ID)})
			continue
		}
		out = append(out, l.regressionRule(p, rule, md.ID, info.matchCount(), cases)...)
	}
	return out
}

// regressionRule evaluates one rule on a regression directory. The JSON
// dumps hold whole EVTX files, context events included (a findstr rule's
// file also has the icacls start that preceded it), so the rule must
// match at least one event, as SigmaHQ's runner checks; the count is
// reported with the info.yml's match_count for comparison.
func (l *loader) regressionRule(p, rule, id, want string, cases []EventCase) []EventResult {
	var out []EventResult
	matched, total := 0, 0
	res := EventResult{EventCase: EventCase{Rule: rule, RuleID: id, Source: p, Want: true}}
	for _, c := range cases {
		if c.Event == nil {
			out = append(out, EventResult{EventCase: EventCase{Rule: rule, RuleID: id, Source: c.Source, Want: true}, Err: errors.New(c.Name)})
			continue
		}
		c.Rule, c.Name = rule, ""
		for _, r := range l.evaluate(c, id) {
			if r.Err != nil {
				return append(out, r)
			}
			total++
			if r.Got {
				matched++
			}
		}
	}
	res.Got, res.Matched, res.Of = matched > 0, matched, total
	res.Name = fmt.Sprintf("%d of %d events match", matched, total)
	if want != "" {
		res.Name += ", info.yml match_count " + want
	}
	return append(out, res)
}

// regressionEvents reads every *.json file of a directory as a stream of
// Windows events. A malformed event is returned as a case with a nil
// Event and its positioned message in Name.
func (l *loader) regressionEvents(dir string) ([]EventCase, error) {
	entries, err := fs.ReadDir(l.cfg.Events, dir)
	if err != nil {
		return nil, err
	}
	var out []EventCase
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		p := path.Join(dir, e.Name())
		data, err := fs.ReadFile(l.cfg.Events, p)
		if err != nil {
			return nil, err
		}
		out = append(out, windowsEvents(p, data)...)
	}
	return out, nil
}

func windowsEvents(p string, data []byte) []EventCase {
	var out []EventCase
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	for i := 1; ; i++ {
		c := EventCase{Source: fmt.Sprintf("%s#%d", p, i), Want: true}
		var doc map[string]any
		start := d.InputOffset()
		err := d.Decode(&doc)
		if err == io.EOF {
			return out
		}
		if err != nil {
			line, col := lineCol(data, start, err)
			c.Name = fmt.Sprintf("%s:%d:%d: %v", p, line, col, err)
			return append(out, c)
		}
		ev, err := eval.FlattenWindowsEvent(doc)
		if err != nil {
			line, col := lineCol(data, start, nil)
			c.Name = fmt.Sprintf("%s:%d:%d: %v", p, line, col, err)
		}
		c.Event = ev
		out = append(out, c)
	}
}

// lineCol turns a byte offset (moved to a syntax error's own offset when
// there is one) into a 1-based line and column.
func lineCol(data []byte, off int64, err error) (int, int) {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = se.Offset
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line := bytes.Count(before, []byte{'\n'}) + 1
	col := int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

var idLine = regexp.MustCompile(`(?m)^id:\s*['"]?([0-9A-Za-z-]+)`)

// ruleByID finds a rule file by id. SigmaHQ mirrors the rule's path in
// the regression directory (regression_data/rules/x/name/ for
// rules/x/name.yml), so that file is tried first; otherwise every rule's
// id line is indexed once.
func (l *loader) ruleByID(id, dir string) (string, bool) {
	for _, cand := range []string{dir + ".yml", strings.TrimPrefix(dir, "regression_data/") + ".yml"} {
		if data, err := fs.ReadFile(l.cfg.Rules, cand); err == nil && bytes.Contains(data, []byte(id)) {
			return cand, true
		}
	}
	l.idOnce.Do(func() {
		l.ids = map[string]string{}
		files, _ := ruleFiles(l.cfg.Rules)
		sort.Strings(files)
		for _, f := range files {
			data, err := fs.ReadFile(l.cfg.Rules, f)
			if err != nil {
				continue
			}
			for _, m := range idLine.FindAllSubmatch(data, -1) {
				if _, dup := l.ids[string(m[1])]; !dup {
					l.ids[string(m[1])] = f
				}
			}
		}
	})
	f, ok := l.ids[id]
	return f, ok
}
