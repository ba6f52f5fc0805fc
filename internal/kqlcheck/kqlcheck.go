// Package kqlcheck validates KQL with Microsoft's own parser and semantic
// analyzer, Kusto.Language, run by Node.js from check.mjs in this
// directory (dependency pinned in package-lock.json; install it with
// "npm ci --prefix internal/kqlcheck"). Tests use it to prove that every
// query the kql backend writes compiles against the Defender or Sentinel
// schema, unknown columns included.
package kqlcheck

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Query is one query to validate.
type Query struct {
	ID    string `json:"id"`
	Query string `json:"query"`
}

// Diagnostic is one error Kusto.Language reports.
type Diagnostic struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Offset  int    `json:"offset"` // UTF-16 offset into the query
}

// Result is the verdict on one query.
type Result struct {
	ID     string       `json:"id"`
	OK     bool         `json:"ok"`
	Errors []Diagnostic `json:"errors"`
}

// dir is this package's directory, where check.mjs and node_modules are.
func dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

// ErrUnavailable means node or the installed dependency is missing.
var ErrUnavailable = errors.New("kqlcheck: node or internal/kqlcheck/node_modules missing (run: npm ci --prefix internal/kqlcheck)")

// Available reports whether the validator can run here.
func Available() error {
	if _, err := exec.LookPath("node"); err != nil {
		return ErrUnavailable
	}
	if _, err := os.Stat(filepath.Join(dir(), "node_modules", "@kusto", "language-service-next")); err != nil {
		return ErrUnavailable
	}
	return nil
}

// Require skips the test when the validator cannot run, except in CI
// (environment variable CI set) with node installed: there a missing
// dependency is a failure, so the proof never silently disappears.
func Require(t testing.TB) {
	t.Helper()
	err := Available()
	if err == nil {
		return
	}
	_, noNode := exec.LookPath("node")
	if os.Getenv("CI") != "" && noNode == nil {
		t.Fatalf("%v (CI is set and node is installed)", err)
	}
	t.Skip(err)
}

// Check validates the queries in one node process against the named
// schema of schemaJSON (the format of kql.SchemaJSON).
func Check(schemaJSON []byte, schema string, qs []Query) ([]Result, error) {
	if err := Available(); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp("", "kqlcheck-schema-*.json")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(schemaJSON); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	for _, q := range qs {
		if err := enc.Encode(q); err != nil {
			return nil, err
		}
	}
	cmd := exec.Command("node", filepath.Join(dir(), "check.mjs"), f.Name(), schema)
	cmd.Stdin = &in
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("kqlcheck: %v: %s", err, stderr.String())
	}
	return parse(&out, len(qs))
}

func parse(out *bytes.Buffer, n int) ([]Result, error) {
	var res []Result
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var r Result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("kqlcheck: bad output line: %v", err)
		}
		res = append(res, r)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(res) != n {
		return nil, fmt.Errorf("kqlcheck: %d results for %d queries", len(res), n)
	}
	return res, nil
}
