package playground

// ParseDiagnostic is parseDiagnostic for the external tests.
var ParseDiagnostic = parseDiagnostic
