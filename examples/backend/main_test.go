package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/pipeline"
	"github.com/sigconv/sigconv/sigma"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out); err != nil {
		t.Fatal(err)
	}
	want := `Image:*\\certutil.exe`
	if !strings.Contains(out.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, out.String())
	}
}

// A pipeline's add_condition reaches the example backend although it
// never looks for added conditions: the core folds them into each query.
func TestAddConditionReachesBackend(t *testing.T) {
	p, err := pipeline.Load("tenant.yml", []byte(`name: tenant
transformations:
  - type: add_condition
    conditions: {Tenant: acme}
`))
	if err != nil {
		t.Fatal(err)
	}
	conv, err := backends.NewConverter(lucene{}, backends.Options{Extra: []*pipeline.Pipeline{p}})
	if err != nil {
		t.Fatal(err)
	}
	f := sigma.ParseFile("certutil.yml", []byte(rule))
	res, err := conv.Convert(f.Rules()[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.Output, "(Tenant:acme AND ") {
		t.Errorf("the added condition is missing or not first: %s", res.Output)
	}
}
