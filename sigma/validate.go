package sigma

import (
	"regexp"
	"strings"
	"time"
	"unicode"

	"gopkg.in/yaml.v3"
)

var (
	dateRe     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	legacyDate = regexp.MustCompile(`^(\d{4})/(\d{1,2})/(\d{1,2})$`)
)

// isUUID tests the UUID form (8-4-4-4-12 hex digits) without the regexp
// engine: ids are checked for every rule, and this is many times faster.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// isTag is the tag pattern ^[a-z0-9_-]+\.[a-z0-9._-]+$ written out, for the
// same reason as isUUID: a namespace of [a-z0-9_-]+, a '.', and a name of
// [a-z0-9._-]+ (upper adds A-Z to both).
func isTag(t string, upper bool) bool {
	dot := strings.IndexByte(t, '.')
	if dot <= 0 || dot == len(t)-1 {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_', c == '-':
		case c >= 'A' && c <= 'Z' && upper:
		case c == '.' && i > dot:
		case i == dot:
		default:
			return false
		}
	}
	return true
}

var relatedTypes = []string{"derived", "obsolete", "merged", "renamed", "similar"}

func (p *parser) parseIdentity(d *docFields, m *Meta) {
	if n, ok := d.get("id"); ok {
		m.ID = p.uuid(n, "id")
	}
	if n, ok := d.get("name"); ok {
		m.Name = p.nonEmptyString(n, "name")
	}
	if n, ok := d.get("related"); ok && !isNull(n) {
		m.Related = p.parseRelated(n)
	}
}

func (p *parser) uuid(n *yaml.Node, key string) string {
	s, ok := p.str(n, key)
	if ok && !isUUID(s) {
		p.errorf(nodePos(n), "%s %q is not a UUID", key, s)
	}
	return s
}

func (p *parser) parseRelated(n *yaml.Node) []Related {
	if n.Kind != yaml.SequenceNode {
		p.errorf(nodePos(n), "related must be a list of {id, type} maps, not %s", kindName(n))
		return nil
	}
	var out []Related
	for _, c := range n.Content {
		c = deref(c)
		if c.Kind != yaml.MappingNode {
			p.errorf(nodePos(c), "related entry must be a map with id and type, not %s", kindName(c))
			continue
		}
		out = append(out, p.relatedEntry(p.fields(c)))
	}
	return out
}

func (p *parser) relatedEntry(f *docFields) Related {
	var r Related
	if n, ok := f.get("id"); ok {
		r.ID = p.uuid(n, "related id")
	} else {
		p.errorf(f.pos, "related entry has no id")
	}
	n, ok := f.get("type")
	if !ok {
		p.errorf(f.pos, "related entry has no type")
		return r
	}
	t, _ := p.str(n, "related type")
	r.Type = strings.ToLower(t)
	switch r.Type {
	case "derived", "obsolete", "merged", "renamed", "similar":
	case "obsoletes":
		p.warnf(nodePos(n), "related type obsoletes was renamed obsolete in Sigma 2")
		r.Type = "obsolete"
	case "correlation":
		p.warnf(nodePos(n), "related type correlation is a pySigma extension, not in the specification")
	default:
		p.errorf(nodePos(n), "unknown related type %q; expected one of %s", t, strings.Join(relatedTypes, ", "))
	}
	return r
}

func (p *parser) parseDates(d *docFields, m *Meta) {
	if n, ok := d.get("date"); ok {
		m.Date = p.date(n, "date")
	}
	if n, ok := d.get("modified"); ok {
		m.Modified = p.date(n, "modified")
	}
}

// date accepts YYYY-MM-DD, quoted or as an unquoted YAML timestamp, and the
// Sigma 1 form YYYY/MM/DD (still accepted by pySigma) with a warning. The
// result is always YYYY-MM-DD.
func (p *parser) date(n *yaml.Node, key string) string {
	s, ok := p.str(n, key)
	if !ok {
		return ""
	}
	if dateRe.MatchString(s) {
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			p.errorf(nodePos(n), "%s %q is not a valid date", key, s)
		}
		return s
	}
	if m := legacyDate.FindStringSubmatch(s); m != nil {
		t, err := time.Parse("2006/1/2", s)
		if err != nil {
			p.errorf(nodePos(n), "%s %q is not a valid date", key, s)
			return s
		}
		p.warnf(nodePos(n), "%s %q uses the Sigma 1 format; write YYYY-MM-DD", key, s)
		return t.Format(time.DateOnly)
	}
	p.errorf(nodePos(n), "%s %q must be a date written YYYY-MM-DD", key, s)
	return s
}

// parseTags checks tags against the specification's lower-case pattern.
// Only a missing namespace is an error (pySigma refuses it); other format
// problems are warnings, because the specification's own d3fend artifact
// tags (d3fend.d3f-WindowsNtOpenFile) have capitals.
func (p *parser) parseTags(d *docFields) []string {
	n, ok := d.get("tags")
	if !ok || isNull(n) {
		return nil
	}
	tags := p.stringList(n, "tags")
	nodes := deref(n).Content
	seen := map[string]bool{}
	for i, t := range tags {
		pos := nodePos(n)
		if i < len(nodes) {
			pos = nodePos(nodes[i])
		}
		switch {
		case !strings.Contains(t, ".") || strings.HasPrefix(t, "."):
			p.errorf(pos, "tag %q must have the form namespace.name", t)
		case isTag(t, false):
		case isTag(t, true):
			p.warnf(pos, "tag %q should be lower case", t)
		default:
			p.warnf(pos, "tag %q has characters outside [a-z0-9._-]", t)
		}
		if seen[t] {
			p.warnf(pos, "duplicate tag %q", t)
		}
		seen[t] = true
	}
	return tags
}

func (p *parser) parseLogSource(n *yaml.Node) LogSource {
	ls := LogSource{Pos: nodePos(n)}
	if n.Kind != yaml.MappingNode {
		p.errorf(nodePos(n), "logsource must be a map, not %s", kindName(n))
		return ls
	}
	for _, kv := range p.pairs(n) {
		switch kv.Key {
		case "category":
			ls.Category, _ = p.str(kv.V, "logsource category")
		case "product":
			ls.Product, _ = p.str(kv.V, "logsource product")
		case "service":
			ls.Service, _ = p.str(kv.V, "logsource service")
		case "definition":
			ls.Definition, _ = p.str(kv.V, "logsource definition")
		default:
			ls.Custom = append(ls.Custom, KeyValue{Key: kv.Key, Value: p.decodeAny(kv.V)})
		}
	}
	if ls.Category == "" && ls.Product == "" && ls.Service == "" {
		p.errorf(ls.Pos, "logsource needs at least one of category, product or service")
	}
	return ls
}

// checkFieldName refuses field names no target can express.
func (p *parser) checkFieldName(name string, pos Pos) bool {
	if strings.TrimSpace(name) == "" {
		p.errorf(pos, "empty field name")
		return false
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			p.errorf(pos, "field name %q contains a control character", name)
			return false
		}
	}
	return true
}
