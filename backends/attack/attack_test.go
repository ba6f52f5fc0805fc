package attack

import (
	"reflect"
	"strings"
	"testing"

	"github.com/sigconv/sigconv/sigma"
)

func tags(ts ...string) *sigma.Meta {
	return &sigma.Meta{File: "r.yml", Pos: sigma.Pos{Line: 1, Column: 1}, Tags: ts,
		KeyPos: map[string]sigma.Pos{"tags": {Line: 7, Column: 1}}}
}

func pascal(ts []Tactic) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Pascal)
	}
	return out
}

// The PipeMagic rules tag three tactics; their techniques need two more
// (T1106 Native API is Execution, T1055 Process Injection is also
// Privilege Escalation), which the Sentinel validation insists on.
func TestFromTagsAddsTheTacticsOfTechniques(t *testing.T) {
	m, err := FromTags(tags("attack.command-and-control", "attack.defense-evasion", "attack.exfiltration",
		"attack.t1090.001", "attack.t1106", "attack.t1036.005", "attack.t1055", "attack.t1041", "attack.g0001", "cve.2021-1"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Execution", "PrivilegeEscalation", "DefenseEvasion", "CommandAndControl", "Exfiltration"}
	if got := pascal(m.Tactics); !reflect.DeepEqual(got, want) {
		t.Errorf("tactics = %v, want %v", got, want)
	}
	if got := pascal(m.Tagged); !reflect.DeepEqual(got, []string{"DefenseEvasion", "CommandAndControl", "Exfiltration"}) {
		t.Errorf("tagged = %v", got)
	}
	if got := m.TechniqueIDs(); !reflect.DeepEqual(got, []string{"T1090.001", "T1106", "T1036.005", "T1055", "T1041"}) {
		t.Errorf("techniques = %v", got)
	}
	if n := m.Techniques[0].Name; n != "Internal Proxy" {
		t.Errorf("T1090.001 name = %q", n)
	}
	if got := pascal(m.Techniques[0].Tactics); !reflect.DeepEqual(got, []string{"CommandAndControl"}) {
		t.Errorf("T1090.001 takes its parent's tactics, got %v", got)
	}
}

func TestFromTagsUnknownTechniqueIsPositioned(t *testing.T) {
	_, err := FromTags(tags("attack.t1999"))
	if err == nil || !strings.HasPrefix(err.Error(), "r.yml:7:1: ") || !strings.Contains(err.Error(), "T1999") {
		t.Fatalf("err = %v", err)
	}
}

func TestIsTechniqueTag(t *testing.T) {
	for tag, want := range map[string]bool{"t1055": true, "t1055.012": true, "t105": false, "t1055.1": false, "t1055x012": false, "s0001": false, "execution": false} {
		if got := IsTechniqueTag(tag); got != want {
			t.Errorf("IsTechniqueTag(%q) = %v", tag, got)
		}
	}
}

// Every row is well formed: a technique row has tactics, a sub-technique
// row has a parent with tactics and a name.
func TestTableRows(t *testing.T) {
	known := Known()
	techniques := techniques()
	if len(known) < 150 {
		t.Fatalf("only %d techniques", len(known))
	}
	for _, id := range known {
		e := techniques[id]
		parent, sub, isSub := strings.Cut(id, ".")
		switch {
		case !isSub && len(e.tactics) == 0:
			t.Errorf("%s has no tactics", id)
		case isSub && (len(techniques[parent].tactics) == 0 || e.name == "" || len(sub) != 3):
			t.Errorf("%s: sub-technique row needs a parent with tactics and a name", id)
		}
	}
}

// The table is parsed lazily, so a broken row no longer fails at start-up;
// this test fails for it instead, and a broken row is an error naming its
// line.
func TestTableParses(t *testing.T) {
	if _, err := parseTechniques(techniquesTSV); err != nil {
		t.Fatal(err)
	}
	for _, data := range []string{"T1001\n", "T1001\tno-such-tactic\tName\n", "T1001\ta\tb\tc\n"} {
		if _, err := parseTechniques(data); err == nil || !strings.Contains(err.Error(), "techniques.tsv:1:") {
			t.Errorf("%q: error = %v, want one at techniques.tsv:1", data, err)
		}
	}
}

// BenchmarkParseTechniques is what the first rule with a technique tag
// costs a process.
func BenchmarkParseTechniques(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseTechniques(techniquesTSV); err != nil {
			b.Fatal(err)
		}
	}
}
