package sigma

import (
	"os"
	"testing"
)

// fuzzSeeds are small real-world shaped documents covering every kind.
var fuzzSeeds = []string{
	rule("selection:", "    Image|endswith: '\\cmd.exe'", "    CommandLine|contains|all: [' /c ', 'whoami']", "filter_main:", "    User|re|i: '^admin'", "condition: selection and not 1 of filter_*"),
	rule("keywords: [a, 'b*', 42]", "sel:", "    - Ip|cidr: 10.0.0.0/8", "    - Cmd|windash|contains: ' -enc '", "condition: keywords or sel"),
	rule("sel:", "    A|base64offset|contains: 'http://'", "    B|wide|base64: x", "    C|expand: '%Servers%'", "    D|exists: true", "condition: all of them"),
	multiDoc,
	"title: t\naction: global\n---\ntitle: x\n",
	"a: &a [x, *a]\n",
}

func FuzzParseFile(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	for _, path := range []string{
		corpusRoot + "/rules/windows/process_creation/proc_creation_win_hktl_invoke_obfuscation_clip.yml",
		corpusRoot + "/rules/windows/registry/registry_set/registry_set_susp_keyboard_layout_load.yml",
	} {
		if data, err := os.ReadFile(path); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file := ParseFile("fuzz.yml", data)
		for _, d := range file.Diags {
			if d.Severity == SeverityError && !d.Pos.IsValid() {
				t.Errorf("error without position: %v", d)
			}
			if d.Message == "" {
				t.Errorf("empty message at %s", d.Pos)
			}
		}
		if file.Diags.HasErrors() && len(file.Documents) > 0 {
			for _, d := range file.Documents {
				if d.Metadata() == nil {
					t.Errorf("document without metadata")
				}
			}
		}
	})
}
