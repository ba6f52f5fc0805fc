package cli_test

import (
	"os/exec"
	"strings"
	"testing"
)

// sigma-go is the project's cross-check and interop adapter, never part
// of what the sigconv binary runs.
func TestBinaryDoesNotImportSigmaGo(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "../../cmd/sigconv").CombinedOutput()
	if err != nil {
		t.Skipf("go list unavailable: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "bradleyjkemp/sigma-go") {
		t.Error("cmd/sigconv imports github.com/bradleyjkemp/sigma-go; keep it in interop/sigmago")
	}
}
