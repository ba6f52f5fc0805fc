// Package sigma parses Sigma rule files into typed, positioned documents:
// detection rules (*Rule), correlation rules (*Correlation) and
// meta-filters (*Filter).
//
// ParseFile never fails as a whole. Every problem — YAML syntax, an
// unknown modifier, a condition naming a missing search — becomes a
// diagnostic in File.Diags carrying the file, line and column, and a
// document with an error is left out of File.Documents, so the valid
// documents of a file are still usable. Values are decoded the Sigma way
// (escapes, wildcards, modifiers applied) into typed Values.
//
// Parsing does not resolve references between documents (which rules a
// correlation or filter names): package collection does that, and
// package driver runs the whole conversion. The error types (Pos,
// Diagnostic, ErrorList, Reason) are those of package diag, re-exported
// here under their sigma names.
package sigma
