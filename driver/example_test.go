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

// Converting many files the way sigconv convert does: each file is
// parsed, converted and emitted in input order, then dropped, so the
// parsed set is never held at once. The meta-filter in the second
// file still applies to the rule in the first.
func ExampleStream() {
	rule := "title: Whoami\nname: whoami\nlogsource: {category: process_creation, product: windows}\n" +
		"detection:\n    sel:\n        Image|endswith: '\\whoami.exe'\n    condition: sel\n"
	tuning := "title: Not admins\nlogsource: {category: process_creation, product: windows}\n" +
		"filter:\n    rules: [whoami]\n    admin:\n        User: 'CORP\\admin'\n    condition: not admin\n"
	st := driver.NewStream([]driver.Source{
		{Path: "whoami.yml", Data: []byte(rule)},
		{Path: "tuning.yml", Data: []byte(tuning)},
	}, nil) // driver.OpenStream(paths, filterPaths, os.Stdin) reads files
	conv, err := driver.NewConverter("kql", driver.ConverterOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	st.Each(conv, driver.Options{}, func(r driver.Result) {
		fmt.Println(r.Path, r.Err)
		fmt.Println(r.Queries()[0])
	})
	// Output:
	// whoami.yml <nil>
	// DeviceProcessEvents
	// | extend User = iff(isempty(AccountDomain), AccountName, strcat(AccountDomain, @"\", AccountName))
	// | where FolderPath endswith @"\whoami.exe"
	//     and not(User =~ @"CORP\admin")
}
