package sigma

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// ParseFile parses one rule file: one or more YAML documents separated by
// "---", each a detection rule, a correlation rule or a filter. It never
// fails as a whole: every problem becomes a positioned diagnostic in
// File.Diags, and documents with errors are left out of File.Documents.
// path is used only in diagnostics and Meta.File.
func ParseFile(path string, data []byte) (f *File) {
	f = &File{Path: path}
	p := &parser{file: path, src: data}
	defer func() {
		// Last resort: a bug must not take the caller down with it.
		if r := recover(); r != nil {
			f.Documents = nil
			p.errorf(Pos{Line: 1, Column: 1}, "internal error while parsing: %v", r)
		}
		f.Diags = p.finish()
	}()
	f.Documents = p.parseFile()
	return f
}

// ParseBytes parses rule text that has no file name.
func ParseBytes(data []byte) *File { return ParseFile("", data) }

// parser holds the state of parsing one file.
type parser struct {
	file     string
	src      []byte
	diags    ErrorList
	condLocs map[*Condition]condLoc // for positions inside conditions
	// sawAction is set at a legacy "action:" document; the documents after
	// it are fragments to merge, so checking them would only add noise.
	sawAction bool
}

func (p *parser) errorf(pos Pos, format string, args ...any) {
	p.diags = append(p.diags, Errorf(p.file, pos, format, args...))
}

func (p *parser) warnf(pos Pos, format string, args ...any) {
	p.diags = append(p.diags, Warnf(p.file, pos, format, args...))
}

// errCount counts error diagnostics so far; a document whose parsing
// raised it is left out.
func (p *parser) errCount() int {
	n := 0 // counted in place: Errors() would copy the list on every call
	for _, d := range p.diags {
		if d.Severity == SeverityError {
			n++
		}
	}
	return n
}

// finish sorts the diagnostics and caps their number: a garbage file
// would otherwise bury the first, useful message.
func (p *parser) finish() ErrorList {
	l := dedupe(p.diags)
	l.Sort()
	if len(l) > maxFileDiags {
		more := len(l) - maxFileDiags
		last := l[maxFileDiags-1]
		l = append(l[:maxFileDiags:maxFileDiags], Errorf(p.file, last.Pos, "too many problems, %d more not shown", more))
	}
	return l
}

func (p *parser) parseFile() []Document {
	start := Pos{Line: 1, Column: 1}
	if len(p.src) > maxFileSize {
		p.errorf(start, "file is too large (%d bytes, the limit is %d)", len(p.src), maxFileSize)
		return nil
	}
	var docs []Document
	dec := yaml.NewDecoder(bytes.NewReader(p.src))
	for n := 0; ; n++ {
		var root yaml.Node
		err := dec.Decode(&root)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			p.yamlError(err)
			break
		}
		if n == maxDocuments {
			p.errorf(nodePos(&root), "too many YAML documents in one file (the limit is %d)", maxDocuments)
			break
		}
		if p.sawAction {
			continue // the documents of an action collection are fragments
		}
		if d := p.parseDoc(&root); d != nil {
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 && !p.diags.HasErrors() {
		p.errorf(start, "file holds no Sigma document")
	}
	return docs
}

var yamlLineRe = regexp.MustCompile(`^yaml: line (\d+): `)

// yamlError turns a yaml.v3 syntax error into a positioned diagnostic. The
// library reports only a line; the column is then 1.
func (p *parser) yamlError(err error) {
	msg := err.Error()
	pos := Pos{Line: 1, Column: 1}
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		if line, e := strconv.Atoi(m[1]); e == nil && line > 0 {
			pos.Line = line
		}
		msg = msg[len(m[0]):]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	p.errorf(pos, "invalid YAML: %s", msg)
}

// parseDoc interprets one YAML document. It returns nil for an empty
// document (a trailing "---") and for a document with errors.
func (p *parser) parseDoc(root *yaml.Node) Document {
	body := root
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil
		}
		body = root.Content[0]
	}
	if isNull(body) {
		return nil
	}
	before := p.errCount()
	if !p.scanDoc(body) {
		return nil
	}
	body = deref(body)
	if body.Kind != yaml.MappingNode {
		p.errorf(nodePos(body), "a Sigma document must be a map, not %s", kindName(body))
		return nil
	}
	d := p.parseKind(body)
	if d == nil || p.errCount() > before {
		return nil
	}
	return d
}

// docFields is one document's top-level entries, first occurrence of each
// key only, in document order.
type docFields struct {
	pos   Pos
	order []pair
	index map[string]int // position in order; only past smallMap keys
}

// fields lists a document's top-level entries. A rule has a dozen or two
// keys, so lookups scan the list (as checkKeys does): a map per document
// cost more to build (about 3 KB per rule) than every lookup into it. A
// document with more keys than smallMap gets a map, so hostile input
// stays linear.
func (p *parser) fields(m *yaml.Node) *docFields {
	kvs := p.pairs(m)
	d := &docFields{pos: nodePos(m), order: kvs[:0]}
	if len(kvs) > smallMap {
		d.index = make(map[string]int, len(kvs))
	}
	for _, kv := range kvs { // in place: the write index never passes the read one
		if _, dup := d.lookup(kv.Key); dup {
			continue // reported by scanDoc
		}
		if d.index != nil {
			d.index[kv.Key] = len(d.order)
		}
		d.order = append(d.order, kv)
	}
	return d
}

// lookup returns the entry for key.
func (d *docFields) lookup(key string) (pair, bool) {
	if d.index != nil {
		i, ok := d.index[key]
		if !ok {
			return pair{}, false
		}
		return d.order[i], true
	}
	for _, kv := range d.order {
		if kv.Key == key {
			return kv, true
		}
	}
	return pair{}, false
}

// key returns the key node of an entry known to be there.
func (d *docFields) key(name string) *yaml.Node {
	kv, _ := d.lookup(name)
	return kv.K
}

func (d *docFields) get(key string) (*yaml.Node, bool) {
	kv, ok := d.lookup(key)
	if !ok {
		return nil, false
	}
	return deref(kv.V), true
}

func (p *parser) parseKind(m *yaml.Node) Document {
	d := p.fields(m)
	if a, ok := d.get("action"); ok {
		p.refuseAction(a)
		return nil
	}
	switch {
	case d.has("correlation"):
		return p.parseCorrelation(d)
	case d.has("filter"):
		return p.parseFilter(d)
	}
	return p.parseRule(d)
}

func (d *docFields) has(key string) bool { _, ok := d.lookup(key); return ok }

// refuseAction rejects legacy Sigma 1 collection actions. Their merge
// semantics differ between the old wiki and pySigma (see the reference,
// section 8), so guessing would silently produce a different rule.
func (p *parser) refuseAction(a *yaml.Node) {
	p.sawAction = true
	pos := textPos(a)
	switch a.Value {
	case "global", "reset", "repeat":
		p.errorf(pos, "action: %s collections are not supported; write each rule as a complete document", a.Value)
	default:
		p.errorf(pos, "unknown action %q; Sigma 2 documents have no action key", a.Value)
	}
}

// Keys every kind of document shares; parseMeta reads them.
var metaKeys = map[string]bool{
	"title": true, "id": true, "name": true, "related": true, "status": true,
	"description": true, "license": true, "author": true, "references": true,
	"date": true, "modified": true, "tags": true, "falsepositives": true, "level": true,
}

func (p *parser) parseRule(d *docFields) Document {
	r := &Rule{Taxonomy: "sigma"}
	known := map[string]bool{"logsource": true, "detection": true, "fields": true, "scope": true, "taxonomy": true}
	p.parseMeta(d, &r.Meta, known)
	if n, ok := d.get("taxonomy"); ok {
		r.Taxonomy = p.nonEmptyString(n, "taxonomy")
	}
	r.Fields = p.stringListKey(d, "fields")
	r.Scope = p.stringListKey(d, "scope")
	if n, ok := d.get("logsource"); ok {
		r.LogSource = p.parseLogSource(n)
	} else {
		p.errorf(d.pos, "missing logsource")
	}
	if n, ok := d.get("detection"); ok {
		r.Detection = p.parseDetection(n, d.key("detection"), "detection")
	} else {
		p.errorf(d.pos, "missing detection")
	}
	return r
}

// parseMeta reads the shared attributes and collects unknown keys (those
// neither in metaKeys nor in known) as custom attributes.
func (p *parser) parseMeta(d *docFields, m *Meta, known map[string]bool) {
	m.File, m.Pos = p.file, d.pos
	m.KeyPos = make(map[string]Pos, len(d.order))
	for _, kv := range d.order {
		m.KeyPos[kv.Key] = nodePos(kv.K)
		if metaKeys[kv.Key] || known[kv.Key] {
			continue
		}
		p.customKey(kv)
		m.Custom = append(m.Custom, CustomAttr{Key: kv.Key, Value: p.decodeAny(kv.V), Pos: nodePos(kv.K)})
	}
	p.parseTitle(d, m)
	p.parseIdentity(d, m)
	p.parseDescriptive(d, m)
	p.parseDates(d, m)
	m.Tags = p.parseTags(d)
}

// Misspellings of standard keys that pySigma's validators catch; a custom
// key with such a name is almost certainly a typo.
var keyTypos = map[string]string{
	"realted": "related", "relatde": "related", "relted": "related", "rlated": "related",
	"reference": "references", "tag": "tags", "falsepositive": "falsepositives",
	"false_positives": "falsepositives", "logsources": "logsource", "detections": "detection",
	"titel": "title", "descripton": "description", "modifed": "modified",
}

func (p *parser) customKey(kv pair) {
	if want, ok := keyTypos[kv.Key]; ok {
		p.warnf(nodePos(kv.K), "unknown key %q kept as a custom attribute; did you mean %q?", kv.Key, want)
	}
}

func (p *parser) parseTitle(d *docFields, m *Meta) {
	n, ok := d.get("title")
	if !ok {
		p.errorf(d.pos, "missing title")
		return
	}
	m.Title = p.nonEmptyString(n, "title")
	if len([]rune(m.Title)) > 256 {
		p.errorf(nodePos(n), "title is longer than 256 characters")
	}
}

// str reads a scalar string attribute, reporting other types.
func (p *parser) str(n *yaml.Node, key string) (string, bool) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode {
		p.errorf(nodePos(n), "%s must be a string, not %s", key, kindName(n))
		return "", false
	}
	s := readScalar(n)
	switch s.Kind {
	case kNull:
		p.errorf(nodePos(n), "%s must be a string, not null", key)
		return "", false
	case kBool:
		p.errorf(nodePos(n), "%s must be a string, not a boolean", key)
		return "", false
	}
	return s.Text, true
}

func (p *parser) nonEmptyString(n *yaml.Node, key string) string {
	s, ok := p.str(n, key)
	if ok && strings.TrimSpace(s) == "" {
		p.errorf(nodePos(n), "%s must not be empty", key)
	}
	return s
}

func (p *parser) optString(d *docFields, key string) string {
	if n, ok := d.get(key); ok && !isNull(n) {
		s, _ := p.str(n, key)
		return s
	}
	return ""
}

// stringListKey reads an optional list-of-strings attribute. A single
// string is accepted with a warning: its meaning is unambiguous.
func (p *parser) stringListKey(d *docFields, key string) []string {
	n, ok := d.get(key)
	if !ok || isNull(n) {
		return nil
	}
	return p.stringList(n, key)
}

func (p *parser) stringList(n *yaml.Node, key string) []string {
	n = deref(n)
	if n.Kind == yaml.ScalarNode {
		s, ok := p.str(n, key)
		if !ok {
			return nil
		}
		p.warnf(nodePos(n), "%s should be a list; a single string is read as a one-element list", key)
		return []string{s}
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(nodePos(n), "%s must be a list of strings, not %s", key, kindName(n))
		return nil
	}
	out := make([]string, 0, len(n.Content))
	entry := key + " entry" // once, not per element
	for _, c := range n.Content {
		if s, ok := p.str(c, entry); ok {
			out = append(out, s)
		}
	}
	return out
}

func (p *parser) parseDescriptive(d *docFields, m *Meta) {
	m.Description = p.optString(d, "description")
	m.License = p.optString(d, "license")
	m.Author = p.optString(d, "author")
	m.References = p.stringListKey(d, "references")
	m.FalsePositives = p.stringListKey(d, "falsepositives")
	m.Status = p.enum(d, "status", statuses)
	m.Level = p.enum(d, "level", levels)
	if m.Status == "deprecated" || m.Status == "unsupported" {
		p.warnf(m.PosOf("status"), "rule status is %s", m.Status)
	}
}

var (
	statuses = []string{"stable", "test", "experimental", "deprecated", "unsupported"}
	levels   = []string{"informational", "low", "medium", "high", "critical"}
)

// enum reads an optional enumerated attribute. Case differences are
// accepted (pySigma compares case-insensitively) with a warning, and the
// value is stored in lower case.
func (p *parser) enum(d *docFields, key string, allowed []string) string {
	n, ok := d.get(key)
	if !ok {
		return ""
	}
	s, ok := p.str(n, key)
	if !ok {
		return ""
	}
	for _, a := range allowed {
		if s == a {
			return a
		}
		if strings.EqualFold(s, a) {
			p.warnf(nodePos(n), "%s %q should be written in lower case", key, s)
			return a
		}
	}
	p.errorf(nodePos(n), "unknown %s %q; expected one of %s", key, s, strings.Join(allowed, ", "))
	return ""
}

// suggest returns the known name nearest to name, if it is close enough
// to be a plausible typo.
func suggest(name string, known []string) string {
	best, bestD := "", len(name)/2+2
	for _, k := range known {
		if d := editDistance(name, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between two short strings.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func didYouMean(s string) string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", s)
}

// dedupe drops repeated diagnostics, such as one chain error reported for
// each value of an item at the modifier's position.
func dedupe(l ErrorList) ErrorList {
	type key struct {
		pos Pos
		sev Severity
		msg string
	}
	seen := make(map[key]bool, len(l))
	out := l[:0:0]
	for _, d := range l {
		k := key{d.Pos, d.Severity, d.Message}
		if !seen[k] {
			seen[k] = true
			out = append(out, d)
		}
	}
	return out
}
