package cond

import (
	"errors"
	"testing"
)

// staticSeeds are conditions seen in real rules plus tricky inputs; the
// fuzzer and the round-trip test start from them.
var staticSeeds = []string{
	"selection",
	"selection and not filter",
	"1 of selection_* and not 1 of filter_main_*",
	"all of selection_* and not 1 of filter_*",
	"selection and not 1 of filter_main_* and not 1 of filter_optional_*",
	"1 of selection* and not 1 of filter*",
	"(all of selection_sc_net* and not filter) or selection_pwsh",
	"selection_findstr and (all of selection_cli_download* or all of selection_cli_creds*)",
	"( selection_cmd1 and selection_cmd2 ) or ( selection_rundll1 and selection_rundll2 )",
	"(selection1 and not filter1) or selection2 and not filter2",
	"integrity and (program_files or windows and not temp)",
	"selection and not ( filter1 and filter2 and filter3 )",
	"all of them",
	"1 of them",
	"not not a",
	"a and (b and c)",
	"notepad or android",
	"selection-1 or sel.x",
	"1 of sel*_x or all of *_filter",
	"selection | count() by User > 5",
	"selection_debugfs | near selection_tools",
	"(((a)",
	"a AND b",
	"any of sel*",
	"2 of x",
	"a and é",
	"",
}

func FuzzParse(f *testing.F) {
	for _, s := range staticSeeds {
		f.Add(s)
	}
	addCorpusSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || ce.Off < 0 || ce.Off > len(s) || ce.Msg == "" {
				t.Fatalf("Parse(%q): bad error %#v", s, err)
			}
			return
		}
		checkOffsets(t, s, e)
		roundTrip(t, s, e)
	})
}

// addCorpusSeeds adds a few dozen distinct real conditions when the
// SigmaHQ corpus is present; without it the static seeds suffice.
func addCorpusSeeds(f *testing.F) {
	// Probe first: loadCorpus would skip the whole fuzz target.
	if !corpusPresent() {
		return
	}
	seen := map[string]bool{}
	for _, c := range loadCorpus(f) {
		if !seen[c.Text] && len(seen) < 60 {
			seen[c.Text] = true
			f.Add(c.Text)
		}
	}
}
