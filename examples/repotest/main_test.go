package main

import (
	"bytes"
	"testing"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	failed, err := run(&out, ".")
	if err != nil || failed > 0 {
		t.Fatalf("failed %d, err %v:\n%s", failed, err, out.String())
	}
}
