package kql_test

import (
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/kql"
	"github.com/sigconv/sigconv/internal/kqlcheck"
	"github.com/sigconv/sigconv/sigma"
)

// convertASIM converts a rule with the sentinel-asim pipeline in the plain
// format; logsource is the YAML body of the logsource block.
func convertASIM(t *testing.T, logsource, detection string) (string, error) {
	t.Helper()
	rule := "title: t\nlogsource:\n" + logsource + "detection:\n" + detection
	f := sigma.ParseFile("case.yml", []byte(rule))
	if err := f.Diags.Err(); err != nil {
		t.Fatalf("rule does not parse: %v\n%s", err, rule)
	}
	conv, err := backends.NewConverter(kql.New(), backends.Options{Pipelines: []string{"sentinel-asim"}, Format: "plain"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := conv.Convert(f.Documents[0].(*sigma.Rule))
	if err != nil {
		return "", err
	}
	return res.Output, nil
}

const (
	proxyLS     = "    category: proxy\n"
	webserverLS = "    category: webserver\n"
	processLS   = "    category: process_creation\n    product: windows\n"
	registryLS  = "    category: registry_set\n    product: windows\n"
)

// Expected parts follow the ASIM Web Session and Process Event schema
// references; TestASIMMappingsParse compiles every query with
// Kusto.Language against the Sentinel schema (imWebSession included).
var asimMappings = []struct {
	name, logsource, detection string
	want                       []string
}{
	{"proxy url and agent", proxyLS, "    sel:\n        c-uri|endswith: '/mgmt/tm/util/bash'\n        c-useragent: 'curl/7.1'\n    condition: sel",
		[]string{`imWebSession | where Url endswith @"/mgmt/tm/util/bash" and HttpUserAgent =~ @"curl/7.1"`}},
	{"proxy method, host and status", proxyLS, "    sel:\n        cs-method: POST\n        cs-host|endswith: '.onion'\n        sc-status: 200\n    condition: sel",
		[]string{`HttpRequestMethod =~ @"POST" and HttpHost endswith @".onion" and HttpStatusCode == @"200"`}},
	{"webserver query", webserverLS, "    sel:\n        cs-uri-query|contains: '/etc/passwd'\n    condition: sel",
		[]string{`UrlQuery = iff(indexof(Url, "?") >= 0, substring(Url, indexof(Url, "?") + 1), "")`, `where UrlQuery contains @"/etc/passwd"`}},
	{"webserver stem", webserverLS, "    sel:\n        cs-uri-stem|startswith: '/owa/'\n    condition: sel",
		[]string{`UrlPath = extract(@"^[A-Za-z][A-Za-z0-9+.-]*://[^/?]*([^?]*)", 1, Url)`, `where UrlPath startswith @"/owa/"`}},
	{"process hashes", processLS, "    sel:\n        Hashes|contains: 'IMPHASH=ABC'\n    condition: sel",
		[]string{`Hashes = strcat("SHA1=", TargetProcessSHA1, ",MD5=", TargetProcessMD5, ",SHA256=", TargetProcessSHA256, ",IMPHASH=", TargetProcessIMPHASH)`,
			`where Hashes contains @"IMPHASH=ABC"`}},
	{"classes root", registryLS, "    sel:\n        TargetObject|startswith: 'HKCR\\ms-msdt\\'\n    condition: sel",
		[]string{`@"(?i)^HKEY_CLASSES_ROOT(\\|$)", @"HKCR\1"`, `TargetObject startswith @"HKCR\ms-msdt\"`}},
}

func TestASIMMappings(t *testing.T) {
	for _, tc := range asimMappings {
		got, err := convertASIM(t, tc.logsource, tc.detection)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: query lacks %s\n%s", tc.name, w, got)
			}
		}
	}
}

func TestASIMMappingsParse(t *testing.T) {
	kqlcheck.Require(t)
	var qs []kqlcheck.Query
	for _, tc := range asimMappings {
		got, err := convertASIM(t, tc.logsource, tc.detection)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		qs = append(qs, kqlcheck.Query{ID: tc.name, Query: got})
	}
	results, err := kqlcheck.Check(kql.SchemaJSON(), "sentinel", qs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if !r.OK {
			t.Errorf("%s: Kusto.Language rejects it: %v", r.ID, r.Errors)
		}
	}
}

func TestASIMRefusals(t *testing.T) {
	cases := []struct{ name, logsource, detection, want string }{
		{"hashes spanning two algorithms", processLS, "    sel:\n        Hashes|contains: 'MD5=A,SHA256=B'\n    condition: sel",
			`Hashes cannot match "*MD5=A,SHA256=B*" in imProcessCreate`},
		{"proxy stem", proxyLS, "    sel:\n        c-uri-stem: '/x'\n    condition: sel", `field "c-uri-stem" has no mapping`},
		{"webserver host", webserverLS, "    sel:\n        cs-host: 'x'\n    condition: sel", `field "cs-host" has no mapping`},
	}
	for _, tc := range cases {
		_, err := convertASIM(t, tc.logsource, tc.detection)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error = %v, want %q", tc.name, err, tc.want)
		}
	}
}
