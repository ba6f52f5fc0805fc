package xql_test

import (
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/backendtest"
	"github.com/sigconv/sigconv/backends/xql"
	"github.com/sigconv/sigconv/internal/xqltok"
)

const fieldsRule = `title: t
logsource:
    category: process_creation
    product: windows
detection:
    sel:
        CommandLine: x
    condition: sel
fields:
    - CommandLine
    - Nope
    - 'x | filter true'
    - "a\nb /* c\u2028d"
`

// Output fields the fields stage cannot name are not dropped silently: a
// last comment line names them, folded onto that line with "/*" broken
// up as in the header, so no name can end the comment or open a block
// comment and swallow the query.
func TestDroppedOutputFields(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  backends.Options
		want string
	}{
		{"xdr-data", backends.Options{},
			"config case_sensitive = false\n| dataset = xdr_data\n| filter event_type = ENUM.PROCESS\n    and event_sub_type = ENUM.PROCESS_START\n    and agent_os_type = ENUM.AGENT_OS_WINDOWS\n    and action_process_image_command_line = \"x\"\n| fields action_process_image_command_line\n| sort desc _time\n" +
				"// sigconv: fields without a column in xdr_data: Nope, x | filter true, a b / * c d"},
		{"xdr-data plain", backends.Options{Format: "plain"},
			"config case_sensitive = false | dataset = xdr_data | filter event_type = ENUM.PROCESS and event_sub_type = ENUM.PROCESS_START and agent_os_type = ENUM.AGENT_OS_WINDOWS and action_process_image_command_line = \"x\" | fields action_process_image_command_line | sort desc _time\n" +
				"// sigconv: fields without a column in xdr_data: Nope, x | filter true, a b / * c d"},
		// Without the schema every field name XQL can write is kept; a
		// name that could end the stage is not.
		{"user dataset", sigmaFields("plain"),
			"config case_sensitive = false | dataset = sigma_events | filter CommandLine = \"x\" | fields CommandLine, Nope | sort desc _time\n" +
				"// sigconv: fields that are not XQL field names: x | filter true, a b / * c d"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conv, err := backends.NewConverter(xql.New(), tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			got, err := backendtest.Last(t, conv, fieldsRule)
			if err != nil {
				t.Fatal(err)
			}
			if tc.opt.Format == "" {
				got = got[strings.Index(got, "config "):] // after the header
			}
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			// Read back: the names are one comment token, last, and
			// the stages before it are the query's own.
			toks, err := xqltok.Split(got)
			if err != nil {
				t.Fatal(err)
			}
			last := toks[len(toks)-1]
			if last.Kind != xqltok.Comment || !strings.HasPrefix(last.Text, "sigconv: fields ") {
				t.Errorf("last token %v is not the comment", last)
			}
			for _, tok := range toks[:len(toks)-1] {
				if tok.Kind == xqltok.Comment {
					t.Errorf("a second comment %q", tok.Text)
				}
				if tok.Text == "true" {
					t.Errorf("a field name became query text: %v", toks)
				}
			}
		})
	}
}

// A rule whose output fields all have columns gets no comment.
func TestNoDroppedFieldsNoComment(t *testing.T) {
	conv, err := backends.NewConverter(xql.New(), backends.Options{Format: "plain"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := backendtest.Last(t, conv, strings.Replace(fieldsRule, "    - Nope\n    - 'x | filter true'\n    - \"a\\nb /* c\\u2028d\"\n", "    - Image\n", 1))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got, "//") || !strings.Contains(got, "| fields action_process_image_command_line, action_process_image_path |") {
		t.Errorf("got %s", got)
	}
}
