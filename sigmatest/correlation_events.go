package sigmatest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/sigconv/sigconv/collection"
	"github.com/sigconv/sigconv/eval"
	"github.com/sigconv/sigconv/sigma"
)

// Correlation event tests: a line of a correlation rule's .jsonl file
// holds a stream of timestamped events instead of one event, and says
// whether the correlation fires on it (eval.CorrelationMatcher, sliding
// windows):
//
//	{"name": "60 s apart", "match": true, "events": [
//	    {"time": "2025-08-22T10:04:30Z", "event": {"CommandLine": "...", "Computer": "h1"}},
//	    {"time": "2025-08-22T10:05:30Z", "event": {"DestinationIp": "127.0.0.1", "Computer": "h1"}}]}
//
// (on one line). "time" is RFC 3339; the group-by fields (or the fields
// their aliases name for each rule) are ordinary fields of the events.
// The referenced rules are looked up among all the rule files of
// EventConfig.Rules, by name or id; "rule" picks one correlation of a
// multi-document file.

// timedLine is one event of a correlation test line.
type timedLine struct {
	Time  string          `json:"time"`
	Event json.RawMessage `json:"event"`
}

func decodeTimed(lines []timedLine) ([]eval.TimedEvent, error) {
	var out []eval.TimedEvent
	for i, tl := range lines {
		t, err := time.Parse(time.RFC3339Nano, tl.Time)
		if err != nil {
			return nil, fmt.Errorf(`events[%d]: "time" must be an RFC 3339 time such as 2025-08-22T10:04:30Z: %q`, i, tl.Time)
		}
		if len(tl.Event) == 0 {
			return nil, fmt.Errorf(`events[%d]: missing "event": {...}`, i)
		}
		ev, err := decodeEvent(tl.Event)
		if err != nil {
			return nil, fmt.Errorf("events[%d]: %v", i, err)
		}
		out = append(out, eval.TimedEvent{Time: t, Event: ev})
	}
	return out, nil
}

// correlations compiles the correlations of a rule file once, resolving
// their rules among all rule files.
func (l *loader) correlations(c *compiled, f *sigma.File) {
	for _, doc := range f.Documents {
		corr, ok := doc.(*sigma.Correlation)
		if !ok {
			continue
		}
		coll, err := l.collection()
		if err != nil {
			c.err = err
			return
		}
		rules, err := coll.CorrelationRules(corr)
		if err != nil {
			c.err = err
			return
		}
		m, err := eval.NewCorrelation(corr, rules, l.cfg.Options)
		if err != nil {
			c.err = err
			return
		}
		c.corrs = append(c.corrs, corr)
		c.corrMatchers = append(c.corrMatchers, m)
	}
}

// collection parses every rule file of the rules file system once.
func (l *loader) collection() (*collection.Collection, error) {
	l.collOnce.Do(func() {
		names, err := ruleFiles(l.cfg.Rules)
		if err != nil {
			l.collErr = err
			return
		}
		var files []*sigma.File
		for _, n := range names {
			data, err := fs.ReadFile(l.cfg.Rules, n)
			if err != nil {
				l.collErr = err
				return
			}
			if f := sigma.ParseFile(n, data); f.Diags.Err() == nil {
				files = append(files, f)
			}
		}
		coll, diags := collection.New(files)
		l.coll, l.collErr = coll, diags.Err()
	})
	return l.coll, l.collErr
}

// evaluateCorrelation runs one event-stream case against the selected
// correlations of a file.
func (l *loader) evaluateCorrelation(c EventCase, sel string) []EventResult {
	comp := l.rule(c.Rule)
	if comp.err != nil {
		return []EventResult{{EventCase: c, Err: comp.err}}
	}
	var out []EventResult
	for i, corr := range comp.corrs {
		if sel != "" && sel != corr.ID && sel != corr.Name {
			continue
		}
		ec := c
		ec.RuleID = corr.ID
		if ec.RuleID == "" {
			ec.RuleID = corr.Title
		}
		out = append(out, EventResult{EventCase: ec, Got: comp.corrMatchers[i].Match(c.Events)})
	}
	if len(out) == 0 {
		return []EventResult{{EventCase: c, Err: errors.New(c.Rule + ": no correlation rule" + selected(sel) + " for a line with \"events\"")}}
	}
	return out
}

func selected(sel string) string {
	if sel == "" {
		return ""
	}
	return " with id or name " + sel
}
