// Package attack reads a rule's MITRE ATT&CK tags (attack.<tactic>,
// attack.tNNNN[.NNN]) into tactics and techniques for the deployable
// content formats of every target. Which tactics a technique belongs to
// and what it is called are data (techniques.tsv, with its sources), so
// that a Sentinel rule lists every tactic its techniques need and an
// XSIAM rule can name them.
package attack

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/sigconv/sigconv/sigma"
)

// Tactic is one ATT&CK Enterprise tactic.
type Tactic struct {
	Tag  string // Sigma tag name: "command-and-control"
	ID   string // "TA0011"
	Name string // "Command and Control"
	// Pascal is the name without spaces or hyphens, as Microsoft Sentinel
	// spells tactics ("CommandAndControl").
	Pascal string
}

// Tactics are the Enterprise tactics in the matrix's (kill-chain) order,
// which is the order every format lists them in. IDs and names:
// attack.mitre.org/tactics/enterprise/.
var Tactics = []Tactic{
	{"reconnaissance", "TA0043", "Reconnaissance", "Reconnaissance"},
	{"resource-development", "TA0042", "Resource Development", "ResourceDevelopment"},
	{"initial-access", "TA0001", "Initial Access", "InitialAccess"},
	{"execution", "TA0002", "Execution", "Execution"},
	{"persistence", "TA0003", "Persistence", "Persistence"},
	{"privilege-escalation", "TA0004", "Privilege Escalation", "PrivilegeEscalation"},
	{"defense-evasion", "TA0005", "Defense Evasion", "DefenseEvasion"},
	{"credential-access", "TA0006", "Credential Access", "CredentialAccess"},
	{"discovery", "TA0007", "Discovery", "Discovery"},
	{"lateral-movement", "TA0008", "Lateral Movement", "LateralMovement"},
	{"collection", "TA0009", "Collection", "Collection"},
	{"command-and-control", "TA0011", "Command and Control", "CommandAndControl"},
	{"exfiltration", "TA0010", "Exfiltration", "Exfiltration"},
	{"impact", "TA0040", "Impact", "Impact"},
}

// Technique is one technique or sub-technique named by a rule.
type Technique struct {
	ID      string   // "T1090.001"
	Name    string   // "" when techniques.tsv does not name it
	Tactics []Tactic // the parent technique's tactics, in matrix order
}

// Mapping is what a rule's ATT&CK tags say.
type Mapping struct {
	// Tactics are the tactics tagged plus those of every technique
	// tagged, each once, in matrix order.
	Tactics    []Tactic
	Techniques []Technique // in tag order, each once
	// Tagged are the tactics the rule's tags name themselves.
	Tagged []Tactic
}

//go:embed techniques.tsv
var techniquesTSV string

type entry struct {
	name    string
	tactics []int // indexes into Tactics
}

// loadTechniques parses techniques.tsv once, at the first rule with a
// technique tag rather than at start-up (docs/speed.md).
var loadTechniques = sync.OnceValues(func() (map[string]entry, error) { return parseTechniques(techniquesTSV) })

// techniques returns the parsed table. It is compiled into the binary, so
// a broken row is a programming error, which TestTableParses reports;
// here it panics, like regexp.MustCompile.
func techniques() map[string]entry {
	m, err := loadTechniques()
	if err != nil {
		panic(err)
	}
	return m
}

func parseTechniques(data string) (map[string]entry, error) {
	index := map[string]int{}
	for i, t := range Tactics {
		index[t.Tag] = i
	}
	out := map[string]entry{}
	for n, line := range strings.Split(data, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) < 2 || len(cols) > 3 {
			return nil, fmt.Errorf("attack: techniques.tsv:%d: want 2 or 3 tab-separated columns", n+1)
		}
		var e entry
		if len(cols) == 3 {
			e.name = cols[2]
		}
		if cols[1] != "" {
			for _, tag := range strings.Split(cols[1], ",") {
				i, ok := index[tag]
				if !ok {
					return nil, fmt.Errorf("attack: techniques.tsv:%d: unknown tactic %q", n+1, tag)
				}
				e.tactics = append(e.tactics, i)
			}
		}
		out[cols[0]] = e
	}
	return out, nil
}

// TacticByTag returns the tactic a Sigma tag name (without "attack.")
// names.
func TacticByTag(tag string) (Tactic, bool) {
	for _, t := range Tactics {
		if t.Tag == tag {
			return t, true
		}
	}
	return Tactic{}, false
}

// Lookup returns what techniques.tsv knows of a technique ID ("T1090.001"):
// its name and its parent's tactics. ok is false for a technique whose
// parent is not listed.
func Lookup(id string) (Technique, bool) {
	parent, _, _ := strings.Cut(id, ".")
	table := techniques()
	p, ok := table[parent]
	if !ok || len(p.tactics) == 0 {
		return Technique{ID: id}, false
	}
	t := Technique{ID: id}
	if id == parent {
		t.Name = p.name
	} else {
		t.Name = table[id].name
	}
	for _, i := range p.tactics {
		t.Tactics = append(t.Tactics, Tactics[i])
	}
	return t, true
}

// FromTags reads the rule's attack.* tags. A technique tag whose
// technique techniques.tsv does not list is an error at the rule's tags,
// since a format that needs its tactics cannot be filled in exactly.
// Group, software and other attack.* tags are not tactics or techniques
// and are skipped.
func FromTags(m *sigma.Meta) (Mapping, error) {
	var out Mapping
	has := make([]bool, len(Tactics))
	tagged := make([]bool, len(Tactics))
	seen := map[string]bool{}
	for _, tag := range m.Tags {
		name, ok := strings.CutPrefix(tag, "attack.")
		if !ok {
			continue
		}
		if t, ok := TacticByTag(name); ok {
			for i := range Tactics {
				if Tactics[i].Tag == t.Tag {
					has[i], tagged[i] = true, true
				}
			}
			continue
		}
		if !IsTechniqueTag(name) {
			continue
		}
		id := strings.ToUpper(name)
		if seen[id] {
			continue
		}
		seen[id] = true
		t, ok := Lookup(id)
		if !ok {
			return Mapping{}, sigma.Errorf(m.File, m.PosOf("tags"),
				"ATT&CK technique %s (tag %s) is not in sigconv's technique table (backends/attack/techniques.tsv), so its tactics are unknown; add it with its tactics", id, tag).WithReason(sigma.ReasonDeploy)
		}
		out.Techniques = append(out.Techniques, t)
		for _, tt := range t.Tactics {
			for i := range Tactics {
				if Tactics[i].Tag == tt.Tag {
					has[i] = true
				}
			}
		}
	}
	for i, t := range Tactics {
		if has[i] {
			out.Tactics = append(out.Tactics, t)
		}
		if tagged[i] {
			out.Tagged = append(out.Tagged, t)
		}
	}
	return out, nil
}

// IsTechniqueTag reports whether a tag name (without "attack.") is a
// technique: tNNNN or tNNNN.NNN.
func IsTechniqueTag(name string) bool {
	if len(name) != 5 && len(name) != 9 || name[0] != 't' {
		return false
	}
	for i := 1; i < len(name); i++ {
		c := name[i]
		if i == 5 {
			if c != '.' {
				return false
			}
			continue
		}
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// TechniqueIDs lists the mapping's technique IDs in tag order.
func (m Mapping) TechniqueIDs() []string {
	out := make([]string, 0, len(m.Techniques))
	for _, t := range m.Techniques {
		out = append(out, t.ID)
	}
	return out
}

// Known lists every technique ID of the table, sorted (for tests and docs).
func Known() []string {
	var out []string
	for id := range techniques() {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}
