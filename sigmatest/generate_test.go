package sigmatest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sigconv/sigconv/sigmatest"
)

// A rule used only by a correlation without generate: true has no output
// of its own, in the golden as in convert; with generate: true it has.
func TestGoldenGenerate(t *testing.T) {
	for _, generate := range []bool{false, true} {
		dir := t.TempDir()
		corr := "title: c\ncorrelation:\n    type: event_count\n    rules: [whoami]\n    group-by: [Computer]\n    timespan: 5m\n    condition: {gte: 2}\n"
		if generate {
			corr += "generate: true\n"
		}
		cfg := sigmatest.Config{
			Rules: fstest.MapFS{
				"win/whoami.yml": {Data: []byte("name: whoami\n" + whoami)},
				"win/corr.yml":   {Data: []byte(corr)},
			},
			Targets: []sigmatest.Target{{Name: "xql"}},
			Dir:     dir,
			Update:  true,
		}
		if _, err := sigmatest.CheckGolden(cfg); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(dir, "xql", "win", "whoami.golden"))
		if err != nil {
			t.Fatal(err)
		}
		skipped := strings.HasPrefix(string(data), "NOT GENERATED: Whoami is used by a correlation without generate: true")
		if skipped == generate {
			t.Errorf("generate: %v: golden\n%s", generate, data)
		}
	}
}
