package driver_test

import (
	"fmt"

	_ "github.com/sigconv/sigconv/backends/all"
	"github.com/sigconv/sigconv/driver"
)

// Converting rule text with a meta-filter, the way sigconv convert
// --filter does.
func Example() {
	rule := `title: Whoami
name: whoami
logsource: {category: process_creation, product: windows}
detection:
    sel:
        Image|endswith: '\whoami.exe'
    condition: sel
`
	filter := `title: Not admins
logsource: {category: process_creation, product: windows}
filter:
    rules: [whoami]
    admin:
        User: 'CORP\admin'
    condition: not admin
`
	set := driver.Resolve(
		driver.Parse(driver.Source{Path: "whoami.yml", Data: []byte(rule)}),
		driver.Parse(driver.Source{Path: "tuning.yml", Data: []byte(filter)}))
	conv, err := driver.NewConverter("spl", driver.ConverterOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range set.Convert(conv, driver.Options{}) {
		fmt.Println(r.Path, r.Err)
		fmt.Println(r.Queries()[0])
	}
	// Output:
	// whoami.yml <nil>
	// source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational" EventCode=1 Image="*\\whoami.exe" NOT User="CORP\\admin"
}
