// Package diag is sigconv's error model: positioned diagnostics (errors
// and warnings about a place in a rule or pipeline file), lists of them,
// and the typed reasons a conversion fails for. It is a leaf package so
// that every stage, from the YAML parser to the CLI, reports problems the
// same way and callers find them with errors.As whatever wrapped them.
//
// The sigma package re-exports these types under its historical names
// (sigma.Pos, sigma.Diagnostic, sigma.ErrorList).
package diag

import (
	"fmt"
	"sort"
	"strings"
)

// Pos is a position in a file: 1-based line and column. The zero Pos
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

// Reason says why a document could not be converted, so that summaries
// count failures by reason without reading messages. The empty Reason is
// "not classified".
type Reason string

// Reasons of failures.
const (
	ReasonInvalid     Reason = "invalid rule"            // the document does not parse or validate
	ReasonLogsource   Reason = "unsupported logsource"   // a pipeline cannot serve the logsource
	ReasonField       Reason = "unmapped field"          // a pipeline cannot serve a field
	ReasonConstruct   Reason = "unsupported construct"   // the target cannot express a construct exactly
	ReasonCorrelation Reason = "unsupported correlation" // a correlation cannot be resolved or rendered
	ReasonDeploy      Reason = "not deployable"          // a deployable format's product would reject the rule
	ReasonInternal    Reason = "internal error"          // a bug: a backend panicked
)

// Diagnostic is one positioned message about a file. Error() prints it as
// "path:line:col: message", the form editors and CI logs understand.
type Diagnostic struct {
	File     string
	Pos      Pos
	Severity Severity
	Message  string
	// Reason classifies why a conversion failed; empty for parse and
	// validation diagnostics (whose reason is ReasonInvalid by nature).
	Reason Reason
}

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

// List is a list of diagnostics, errors and warnings mixed. Its Err
// method returns nil when it holds no error, avoiding the typed-nil trap.
// As an error it unwraps to its errors, so errors.As(err, &d) with
// d *Diagnostic finds the first one.
type List []*Diagnostic

// Error prints the errors of the list, one a line; warnings are left out
// because an error value says why something failed (String shows all).
func (l List) Error() string {
	errs := l.Errors()
	switch len(errs) {
	case 0:
		return "no errors"
	case 1:
		return errs[0].Error()
	}
	return errs.String()
}

// String prints every diagnostic, warnings included, one a line.
func (l List) String() string {
	var b strings.Builder
	for i, d := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.Error())
	}
	return b.String()
}

// Unwrap returns the error diagnostics, for errors.Is and errors.As.
func (l List) Unwrap() []error {
	var out []error
	for _, d := range l {
		if d.Severity == SeverityError {
			out = append(out, d)
		}
	}
	return out
}

// Errors returns only the error-severity diagnostics.
func (l List) Errors() List {
	var out List
	for _, d := range l {
		if d.Severity == SeverityError {
			out = append(out, d)
		}
	}
	return out
}

// Warnings returns only the warning-severity diagnostics.
func (l List) Warnings() List {
	var out List
	for _, d := range l {
		if d.Severity == SeverityWarning {
			out = append(out, d)
		}
	}
	return out
}

// HasErrors reports whether any diagnostic is an error.
func (l List) HasErrors() bool {
	for _, d := range l {
		if d.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Err returns the list as an error if it holds at least one error, else nil.
func (l List) Err() error {
	if l.HasErrors() {
		return l
	}
	return nil
}

// Sort orders the list by file, position, then message, so output is
// deterministic.
func (l List) Sort() {
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

// ReasonOf returns the reason of the first classified diagnostic in err's
// tree (a list may hold an unclassified one first), "" when there is none.
func ReasonOf(err error) Reason {
	var r Reason
	var walk func(error) bool
	walk = func(e error) bool {
		switch x := e.(type) {
		case nil:
			return false
		case *Diagnostic:
			r = x.Reason
			return r != ""
		case interface{ Unwrap() []error }:
			for _, c := range x.Unwrap() {
				if walk(c) {
					return true
				}
			}
			return false
		case interface{ Unwrap() error }:
			return walk(x.Unwrap())
		}
		return false
	}
	walk(err)
	return r
}
