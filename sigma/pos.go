package sigma

import "github.com/sigconv/sigconv/diag"

// The error model lives in package diag; these names keep the sigma
// spelling that most of the code base uses.
type (
	// Pos is a 1-based line and column; the zero Pos means unknown.
	Pos = diag.Pos
	// Severity tells errors from warnings.
	Severity = diag.Severity
	// Diagnostic is one positioned message about a file.
	Diagnostic = diag.Diagnostic
	// Reason says why a document could not be converted.
	Reason = diag.Reason
	// ErrorList is a list of diagnostics, errors and warnings mixed.
	ErrorList = diag.List
)

// Severities and failure reasons, as in package diag.
const (
	SeverityError   = diag.SeverityError
	SeverityWarning = diag.SeverityWarning

	ReasonInvalid     = diag.ReasonInvalid
	ReasonLogsource   = diag.ReasonLogsource
	ReasonField       = diag.ReasonField
	ReasonConstruct   = diag.ReasonConstruct
	ReasonCorrelation = diag.ReasonCorrelation
	ReasonDeploy      = diag.ReasonDeploy
	ReasonInternal    = diag.ReasonInternal
)

// Errorf builds an error diagnostic.
func Errorf(file string, pos Pos, format string, args ...any) *Diagnostic {
	return diag.Errorf(file, pos, format, args...)
}

// Warnf builds a warning diagnostic.
func Warnf(file string, pos Pos, format string, args ...any) *Diagnostic {
	return diag.Warnf(file, pos, format, args...)
}
