package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"==== xql: Certutil download\n", "==== kql: Outbound 8080\n", "==== spl: Certutil download then outbound 8080\n",
		`agent_hostname = "BUILD01"`, // the filter reaches the XQL rule
		"| union (",                  // XQL correlation
		"multisearch",                // SPL correlation
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "===="); n != 9 {
		t.Errorf("%d results, want 3 documents x 3 targets:\n%s", n, got)
	}
}
