package cli_test

import (
	"strings"
	"testing"
)

// TestSPLSourcePrefixColon: the README's override writes the source
// prefix with its colon ('WinEventLog:'); with or without it the search
// names source="WinEventLog:<channel>", never "WinEventLog::".
func TestSPLSourcePrefixColon(t *testing.T) {
	for _, prefix := range []string{"'WinEventLog:'", "WinEventLog"} {
		dir := ruleDir(t, map[string]string{
			"rule.yml": goodRule,
		})
		pl := dir + "/my-splunk.yml"
		writeFile(t, pl, "name: my-splunk\npriority: 60\ntransformations:\n"+
			"  - {type: set_state, key: spl.source_prefix, val: "+prefix+"}\n")
		code, out, errs := run("convert", "-t", "spl", "-p", pl, dir+"/rule.yml")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", prefix, code, errs)
		}
		if !strings.Contains(out, `source="WinEventLog:Microsoft-Windows-Sysmon/Operational"`) {
			t.Errorf("%s: source not written with one colon:\n%s", prefix, out)
		}
	}
}
