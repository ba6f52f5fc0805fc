package main

import (
	"flag"
	"os"
	"testing"

	"github.com/sigconv/sigconv/sigmatest"
)

// This is the whole test file a detection-content repository needs:
// goldens for every rule and target, and event tests beside them.
// Run "go test -update" after changing a rule, and review the diff.

var update = flag.Bool("update", false, "rewrite golden files")

func TestGolden(t *testing.T) {
	sigmatest.Run(t, sigmatest.Config{
		Rules:   os.DirFS("rules"),
		Targets: targets,
		Dir:     "rules/testdata/golden",
		Update:  *update,
	})
}

func TestEvents(t *testing.T) {
	sigmatest.RunEvents(t, sigmatest.EventConfig{
		Rules:  os.DirFS("rules"),
		Events: os.DirFS("rules/testdata/events"),
	})
}
