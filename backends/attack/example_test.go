package attack_test

import (
	"fmt"

	"github.com/sigconv/sigconv/backends/attack"
	"github.com/sigconv/sigconv/sigma"
)

// A rule tags Command and Control and two techniques; the mapping adds
// the tactics the techniques belong to, in the matrix's order.
func ExampleFromTags() {
	m, err := attack.FromTags(&sigma.Meta{File: "r.yml", Tags: []string{"attack.command-and-control", "attack.t1090.001", "attack.t1106"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range m.Tactics {
		fmt.Println(t.ID, t.Name)
	}
	for _, t := range m.Techniques {
		fmt.Println(t.ID, "-", t.Name)
	}
	// Output:
	// TA0002 Execution
	// TA0011 Command and Control
	// T1090.001 - Internal Proxy
	// T1106 - Native API
}
