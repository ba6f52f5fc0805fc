package all_test

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
)

// Registering the targets at start-up must stay cheap: each target parses
// its embedded data (pipelines, schemas, the ATT&CK table) at its first
// use, so a process converting to one target never decodes the others'
// (docs/speed.md). The test runs its own binary again with
// GODEBUG=inittrace=1, which has the runtime print every package's init
// cost. Parsing KQL's data at init cost ~1.1 MB, SPL's ~460 KB, XQL's
// ~290 KB and the ATT&CK table ~90 KB; what is left (compiled regexps,
// small maps) is under 40 KB each.
func TestInitParsesNoTargetData(t *testing.T) {
	if os.Getenv("SIGCONV_INITTRACE_CHILD") != "" {
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestInitParsesNoTargetData$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1", "SIGCONV_INITTRACE_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	const limit = 64 << 10 // bytes of heap per package
	line := regexp.MustCompile(`(?m)^init github\.com/sigconv/sigconv/(backends/(?:attack|kql|spl|xql)) @\S+ ms, \S+ ms clock, (\d+) bytes`)
	found := 0
	for _, m := range line.FindAllSubmatch(out, -1) {
		found++
		n, _ := strconv.Atoi(string(m[2]))
		if n > limit {
			t.Errorf("init of %s allocates %d bytes (limit %d): is embedded data parsed at start-up again?", m[1], n, limit)
		}
	}
	if found != 4 {
		t.Fatalf("inittrace shows %d of the 4 backend packages:\n%s", found, out)
	}
}
