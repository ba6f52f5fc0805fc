package rules_test

import (
	"os"
	"testing"

	"github.com/sigconv/sigconv/rules"
	"github.com/sigconv/sigconv/sigmatest"
)

// TestEvents checks the PipeMagic rules on sample events: one process
// start with each pipe string, loopback connections, and near misses that
// must not match (testdata/events mirrors the rule paths).
func TestEvents(t *testing.T) {
	sigmatest.RunEvents(t, sigmatest.EventConfig{
		Rules:  rules.FS,
		Events: os.DirFS("testdata/events"),
	})
}
