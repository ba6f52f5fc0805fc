package sigmago_test

import (
	"fmt"

	"github.com/sigconv/sigconv/interop/sigmago"
	"github.com/sigconv/sigconv/sigma"
)

func ExampleTo() {
	f := sigma.ParseFile("r.yml", []byte("title: r\nlogsource:\n    product: windows\ndetection:\n    s:\n        Image: 'cmd*.exe'\n    condition: s\n"))
	_, err := sigmago.To(f.Rules()[0])
	fmt.Println(err)
	// Output: r.yml: search s: Image: not expressible in sigma-go: wildcard pattern "cmd*.exe"
}
