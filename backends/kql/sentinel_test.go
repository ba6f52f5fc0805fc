package kql_test

import (
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends/backendtest"
)

const sentinelRuleDoc = `title: t
id: 0e5a6b8e-0000-4000-8000-000000000001
description: d
level: medium
tags: [attack.t1055, attack.execution]
logsource:
    category: process_creation
    product: windows
detection:
    sel:
        CommandLine|contains: 'x'
    condition: sel
`

// A technique's tactics are added (T1055 Process Injection: Privilege
// Escalation and Defense Evasion, KillChainTechniquesHelper.cs), in matrix
// order after the tagged Execution; the document starts with "---" so
// that rules in one stream stay separate documents.
func TestSentinelRuleTactics(t *testing.T) {
	out, err := backendtest.Last(t, kqlConverter(t, "sentinel-asim", "sentinel-rule"), sentinelRuleDoc)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"---\nid: 0e5a6b8e-0000-4000-8000-000000000001\n", "tactics:\n  - Execution\n  - PrivilegeEscalation\n  - DefenseEvasion\nrelevantTechniques:\n  - T1055\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
}

// Rules the template validation would reject fail with the rule's
// position and the constraint.
func TestSentinelRuleRefusesUndeployable(t *testing.T) {
	cases := []struct{ name, from, to, want string }{
		{"no id", "id: 0e5a6b8e-0000-4000-8000-000000000001\n", "", `id "" is not a GUID`},
		{"no description", "description: d\n", "", "description must have 1 to 5000 characters"},
		{"unknown technique", "attack.t1055", "attack.t1999", "T1999 (tag attack.t1999) is not in sigconv's technique table"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := strings.Replace(sentinelRuleDoc, c.from, c.to, 1)
			_, err := backendtest.Last(t, kqlConverter(t, "sentinel-asim", "sentinel-rule"), doc)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), ":1:1: ") && !strings.Contains(err.Error(), ":5:1: ") {
				t.Errorf("err = %v, want %q at a position", err, c.want)
			}
		})
	}
}
