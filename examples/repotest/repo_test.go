package main

import (
	"flag"
	"testing"

	"github.com/sigconv/sigconv/sigmatest"
)

// This is the whole test file a detection-content repository needs: the
// goldens of every rule under each rules/testdata/golden/<target dir>, and
// the event tests beside the rules or under rules/testdata/events, one
// subtest each, the same tests "sigconv test rules" runs.
// Run "go test -update" after changing a rule, and review the diff.

var update = flag.Bool("update", false, "rewrite golden files")

func TestRepo(t *testing.T) {
	sigmatest.RunRepo(t, "rules", sigmatest.RepoOptions{Update: *update})
}
