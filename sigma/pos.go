package sigma

import (
	"fmt"
	"sort"
	"strings"
)

// Pos is a position in a rule file: 1-based line and column. The zero Pos
// means "unknown" (like go/token.NoPos).
type Pos struct {
	Line   int
	Column int
}

// IsValid reports whether the position is known.
func (p Pos) IsValid() bool { return p.Line > 0 }

func (p Pos) String() string {
	if !p.IsValid() {
		return "-"
	}
	return fmt.Sprintf("%d:%d", p.Line, p.Column)
}

// Severity tells errors from warnings.
type Severity int

const (
	SeverityError Severity = iota
	SeverityWarning
)

func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one positioned message about a rule file. Error() prints it
// as "path:line:col: message", the form editors and CI logs understand.
type Diagnostic struct {
	File     string
	Pos      Pos
	Severity Severity
	Message  string
	// Reason classifies why a conversion failed (see the Reason
	// constants); empty for parse and validation diagnostics.
	Reason Reason
}

// Reason says why a rule could not be converted, for summaries.
type Reason string

// Reasons of conversion failures.
const (
	ReasonLogsource   Reason = "unsupported logsource"   // a pipeline cannot serve the logsource
	ReasonField       Reason = "unmapped field"          // a pipeline cannot serve a field
	ReasonConstruct   Reason = "unsupported construct"   // the target cannot express a construct exactly
	ReasonCorrelation Reason = "unsupported correlation" // a correlation cannot be resolved or rendered
	ReasonDeploy      Reason = "not deployable"          // a deployable format's product would reject the rule
)

// WithReason returns a copy of the diagnostic classified with r, unless
// it is classified already.
func (d *Diagnostic) WithReason(r Reason) *Diagnostic {
	c := *d
	if c.Reason == "" {
		c.Reason = r
	}
	return &c
}

func (d *Diagnostic) Error() string {
	var b strings.Builder
	if d.File != "" {
		b.WriteString(d.File)
		b.WriteByte(':')
	}
	if d.Pos.IsValid() {
		fmt.Fprintf(&b, "%d:%d:", d.Pos.Line, d.Pos.Column)
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	if d.Severity == SeverityWarning {
		b.WriteString("warning: ")
	}
	b.WriteString(d.Message)
	return b.String()
}

// Errorf builds an error diagnostic.
func Errorf(file string, pos Pos, format string, args ...any) *Diagnostic {
	return &Diagnostic{File: file, Pos: pos, Severity: SeverityError, Message: fmt.Sprintf(format, args...)}
}

// Warnf builds a warning diagnostic.
func Warnf(file string, pos Pos, format string, args ...any) *Diagnostic {
	return &Diagnostic{File: file, Pos: pos, Severity: SeverityWarning, Message: fmt.Sprintf(format, args...)}
}

// ErrorList is a list of diagnostics, errors and warnings mixed. Its Err
// method returns nil when it holds no error, avoiding the typed-nil trap.
type ErrorList []*Diagnostic

func (l ErrorList) Error() string {
	errs := l.Errors()
	switch len(errs) {
	case 0:
		return "no errors"
	case 1:
		return errs[0].Error()
	}
	var b strings.Builder
	for i, d := range errs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.Error())
	}
	return b.String()
}

// Errors returns only the error-severity diagnostics.
func (l ErrorList) Errors() ErrorList {
	var out ErrorList
	for _, d := range l {
		if d.Severity == SeverityError {
			out = append(out, d)
		}
	}
	return out
}

// Warnings returns only the warning-severity diagnostics.
func (l ErrorList) Warnings() ErrorList {
	var out ErrorList
	for _, d := range l {
		if d.Severity == SeverityWarning {
			out = append(out, d)
		}
	}
	return out
}

// HasErrors reports whether any diagnostic is an error.
func (l ErrorList) HasErrors() bool { return len(l.Errors()) > 0 }

// Err returns the list as an error if it holds at least one error, else nil.
func (l ErrorList) Err() error {
	if l.HasErrors() {
		return l
	}
	return nil
}

// Sort orders the list by file, position, then message, so output is
// deterministic.
func (l ErrorList) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Pos.Column != b.Pos.Column {
			return a.Pos.Column < b.Pos.Column
		}
		return a.Message < b.Message
	})
}
