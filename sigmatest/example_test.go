package sigmatest_test

import (
	"fmt"
	"testing/fstest"

	"github.com/sigconv/sigconv/sigmatest"
)

func ExampleCheckEvents() {
	repo := fstest.MapFS{
		"win/whoami.yml": {Data: []byte(whoami)},
		"win/whoami.jsonl": {Data: []byte(`{"name": "whoami", "match": true, "event": {"Image": "C:\\Windows\\System32\\whoami.exe"}}
{"name": "cmd", "match": false, "event": {"Image": "C:\\Windows\\System32\\cmd.exe"}}
`)},
	}
	results, err := sigmatest.CheckEvents(sigmatest.EventConfig{Rules: repo})
	if err != nil {
		panic(err)
	}
	for _, r := range results {
		fmt.Println(r)
	}
	// Output:
	// win/whoami.jsonl:1 (whoami): ok
	// win/whoami.jsonl:2 (cmd): ok
}
