package all_test

import (
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	_ "github.com/sigconv/sigconv/backends/all"
	"github.com/sigconv/sigconv/internal/xqltok"
	"github.com/sigconv/sigconv/pipeline"
	"github.com/sigconv/sigconv/sigma"
)

// setTable only names a dataset / table / index.
var setTable = pipeline.MustLoad("set-table.yml", []byte("name: set-table\ntransformations:\n  - type: set_table\n    table: events\n"))

var seeds = []string{
	"title: t\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    sel:\n        CommandLine|contains:\n            - '\\\\\\\\.\\\\pipe\\\\1.'\n            - 'a\"b'\n    condition: sel\n",
	"title: t\nlogsource:\n    category: network_connection\n    product: windows\ndetection:\n    sel:\n        DestinationIp|cidr: '10.0.0.0/8'\n        DestinationPort|gte: 8082\n    filter:\n        Image|endswith: '\\\\a?b*'\n    condition: sel and not filter\n",
	"title: t\nlogsource:\n    product: windows\n    service: security\ndetection:\n    keywords:\n        - 'evil'\n    sel:\n        EventID: 4688\n        CommandLine|re|i: '^a\"\\\\'\n    condition: keywords or sel\n",
	"title: t\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    sel:\n        CommandLine|windash|contains|all:\n            - ' -a '\n            - ' /b'\n        Image|fieldref: ParentImage\n        User: null\n        IntegrityLevel|exists: true\n    condition: all of sel*\n",
}

// FuzzConvert parses a fuzzed document and converts every rule with every
// target and built-in pipeline (and none): no conversion may panic (the
// converter turns a panic into an "internal error"), and XQL output must
// read back with XQL's literal rules.
func FuzzConvert(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	var convs []*backends.Converter
	for _, name := range backends.Names() {
		b, _ := backends.Lookup(name)
		// Without a pipeline XQL and KQL have no dataset or table and
		// refuse every rule; with one set, the rule's own field names
		// reach the renderer.
		opts := []backends.Options{{WithoutPipeline: true}, {WithoutPipeline: true, Extra: []*pipeline.Pipeline{setTable}}}
		for _, p := range backends.PipelinesOf(b) {
			opts = append(opts, backends.Options{Pipelines: []string{p.Name}})
		}
		for _, o := range opts {
			c, err := backends.NewConverter(b, o)
			if err != nil {
				f.Fatal(err)
			}
			convs = append(convs, c)
		}
	}
	f.Fuzz(func(t *testing.T, doc string) {
		for _, d := range sigma.ParseFile("fuzz.yml", []byte(doc)).Documents {
			r, ok := d.(*sigma.Rule)
			if !ok {
				continue
			}
			for _, c := range convs {
				res, err := c.Convert(r)
				if err != nil {
					if strings.Contains(err.Error(), "internal error") {
						t.Fatalf("%s: %v", c.Backend().Name(), err)
					}
					continue
				}
				if c.Backend().Name() == "xql" {
					for _, q := range res.Queries {
						if _, err := xqltok.Split(q); err != nil {
							t.Fatalf("xql output does not tokenize: %v\n%s", err, q)
						}
					}
				}
			}
		}
	})
}
