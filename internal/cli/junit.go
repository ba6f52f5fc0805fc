package cli

import (
	"encoding/xml"
	"os"
	"strings"

	"github.com/sigconv/sigconv/sigmatest"
)

// The JUnit XML report of "sigconv test --junit FILE": one <testsuite>
// per rule suite, one <testcase> per golden file or event case, in the
// shape Jenkins, GitLab, GitHub and Azure DevOps read.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitMessage `xml:"failure"`
	Skipped   *junitMessage `xml:"skipped"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// writeJUnit writes the tests, and the runs that stopped before their
// tests (errs, each a failed case of its own), to path.
func writeJUnit(path string, tests []sigmatest.Test, errs []string) error {
	var report junitSuites
	index := map[string]int{}
	suite := func(name string) *junitSuite {
		i, ok := index[name]
		if !ok {
			i = len(report.Suites)
			index[name] = i
			report.Suites = append(report.Suites, junitSuite{Name: name})
		}
		return &report.Suites[i]
	}
	add := func(s *junitSuite, c junitCase) {
		s.Tests++
		report.Tests++
		if c.Failure != nil {
			s.Failures++
			report.Failures++
		}
		if c.Skipped != nil {
			s.Skipped++
			report.Skipped++
		}
		s.Cases = append(s.Cases, c)
	}
	for _, t := range tests {
		c := junitCase{Name: t.Name, Classname: t.Suite}
		switch {
		case t.Skipped() != "":
			c.Skipped = &junitMessage{Message: t.Skipped()}
		case !t.Passed():
			msg := t.Message()
			first, _, _ := strings.Cut(msg, "\n")
			c.Failure = &junitMessage{Message: first, Text: msg}
		}
		add(suite(t.Suite), c)
	}
	for _, e := range errs {
		first, _, _ := strings.Cut(e, "\n")
		add(suite("sigconv test"), junitCase{Name: first, Classname: "sigconv test", Failure: &junitMessage{Message: first, Text: e}})
	}
	out, err := xml.MarshalIndent(report, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append([]byte(xml.Header), append(out, '\n')...), 0o644)
}
