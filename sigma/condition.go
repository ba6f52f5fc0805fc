package sigma

import (
	"bytes"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/sigconv/sigconv/sigma/cond"
	"gopkg.in/yaml.v3"
)

// parseConditions reads the condition: one string or a list of strings,
// each a separate query.
func (p *parser) parseConditions(n *yaml.Node) []*Condition {
	var nodes []*yaml.Node
	switch n.Kind {
	case yaml.ScalarNode:
		nodes = []*yaml.Node{n}
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			p.errorf(nodePos(n), "condition is an empty list")
		}
		nodes = n.Content
	default:
		p.errorf(nodePos(n), "condition must be a string or a list of strings, not %s", kindName(n))
	}
	var out []*Condition
	for _, c := range nodes {
		if c := p.parseCondition(deref(c)); c != nil {
			out = append(out, c)
		}
	}
	return out
}

func (p *parser) parseCondition(n *yaml.Node) *Condition {
	if n.Kind != yaml.ScalarNode || readScalar(n).Kind != kString {
		p.errorf(nodePos(n), "condition must be a string, not %s", kindName(n))
		return nil
	}
	loc := p.condLocation(n)
	c := &Condition{Pos: loc.base, Text: n.Value}
	if strings.TrimSpace(n.Value) == "" {
		p.errorf(loc.base, "condition is empty")
		return nil
	}
	expr, err := cond.Parse(n.Value)
	if err != nil {
		var ce *cond.Error
		if errors.As(err, &ce) {
			p.errorf(loc.at(ce.Off), "condition: %s", ce.Msg)
		} else {
			p.errorf(loc.base, "condition: %v", err)
		}
		return nil
	}
	c.Expr = expr
	if p.condLocs == nil {
		p.condLocs = map[*Condition]condLoc{}
	}
	p.condLocs[c] = loc
	return c
}

// condLoc maps byte offsets in a condition string to file positions.
type condLoc struct {
	base   Pos
	text   string
	single bool // single-quoted: each ' is written twice in the file
	block  bool // literal or folded block scalar
	indent int  // column of the block's lines
}

func (p *parser) condLocation(n *yaml.Node) condLoc {
	l := condLoc{base: textPos(n), text: n.Value, single: n.Style&yaml.SingleQuotedStyle != 0}
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		l.block = true
		l.base = p.blockStart(n.Line + 1)
		l.indent = l.base.Column
	}
	return l
}

// blockStart finds the first non-blank line from line on, and the column
// of its first character: where a block scalar's text starts.
func (p *parser) blockStart(line int) Pos {
	lines := bytes.Split(p.src, []byte("\n"))
	for i := line - 1; i >= 0 && i < len(lines); i++ {
		t := bytes.TrimLeft(lines[i], " ")
		if len(bytes.TrimSpace(t)) > 0 {
			return Pos{Line: i + 1, Column: len(lines[i]) - len(t) + 1}
		}
	}
	return Pos{Line: line, Column: 1}
}

// at returns the file position of byte offset off of the condition. It is
// exact for single-line conditions and block scalars; for multi-line flow
// scalars (whose line breaks YAML folds) it counts on the first line.
func (l condLoc) at(off int) Pos {
	off = max(0, min(off, len(l.text)))
	prefix := l.text[:off]
	pos := l.base
	if i := strings.LastIndexByte(prefix, '\n'); i >= 0 && l.block {
		pos.Line += strings.Count(prefix, "\n")
		pos.Column = l.indent
		prefix = prefix[i+1:]
	}
	pos.Column += utf8.RuneCountInString(prefix)
	if l.single {
		pos.Column += strings.Count(prefix, "'")
	}
	return pos
}

// checkConditions verifies that every identifier a condition names exists
// and every "1 of"/"all of" pattern selects at least one search, and
// warns about searches no condition uses.
func (p *parser) checkConditions(det *Detection) {
	used := map[string]bool{}
	names := make([]string, len(det.Searches))
	for i, s := range det.Searches {
		names[i] = s.Name
	}
	for _, c := range det.Conditions {
		p.checkExpr(c, c.Expr, det, names, used)
	}
	if len(det.Conditions) == 0 {
		return
	}
	for _, s := range det.Searches {
		if !used[s.Name] {
			p.warnf(s.Pos, "search %q is not used by any condition", s.Name)
		}
	}
}

func (p *parser) checkExpr(c *Condition, e cond.Expr, det *Detection, names []string, used map[string]bool) {
	switch e := e.(type) {
	case *cond.Ident:
		if det.Search(e.Name) == nil {
			p.errorf(p.condPos(c, e.Off), "unknown search identifier %q in condition%s", e.Name, didYouMean(suggest(e.Name, names)))
			return
		}
		used[e.Name] = true
	case *cond.Of:
		p.checkOf(c, e, names, used)
	case *cond.Not:
		p.checkExpr(c, e.X, det, names, used)
	case *cond.Paren:
		p.checkExpr(c, e.X, det, names, used)
	case *cond.Binary:
		p.checkExpr(c, e.X, det, names, used)
		p.checkExpr(c, e.Y, det, names, used)
	}
}

func (p *parser) checkOf(c *Condition, e *cond.Of, names []string, used map[string]bool) {
	found := false
	for _, n := range names {
		if e.Selects(n) {
			used[n], found = true, true
		}
	}
	if found {
		return
	}
	if e.Them {
		p.errorf(p.condPos(c, e.PatOff), "them selects no search identifier (names starting with _ are excluded)")
		return
	}
	p.errorf(p.condPos(c, e.PatOff), "pattern %q matches no search identifier", e.Pattern)
}

// condPos maps an offset of condition c to its position in the file. The
// condition's node is gone by now, so its location is rebuilt from Pos.
func (p *parser) condPos(c *Condition, off int) Pos {
	return p.condLocs[c].at(off)
}
