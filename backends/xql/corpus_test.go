package xql_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sigconv/sigconv/backends"
	"github.com/sigconv/sigconv/backends/xql"
	"github.com/sigconv/sigconv/internal/xqltok"
	"github.com/sigconv/sigconv/sigma"
)

const corpusRoot = "../../../shared/corpus/sigmahq"

// minConverted is issue 11's floor: a refusal is better than a query that
// matches nothing, but XQL must still serve most of the corpus.
const minConverted = 1900

// TestCorpusDataModel converts the SigmaHQ corpus with the xdr-data
// pipeline and checks issue 11's done-when conditions on every query: it
// reads with the strict reader (no and/or mixed without parentheses),
// every regex is RE2, every "not" over a column that can be null is
// guarded, every column and ENUM is in the schema with evidence, and no
// registry path is compared with a hive abbreviation or with the key-only
// column.
func TestCorpusDataModel(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus conversion is slow")
	}
	if _, err := os.Stat(filepath.Join(corpusRoot, "rules")); err != nil {
		t.Skipf("SigmaHQ corpus not available: %v", err)
	}
	conv, err := backends.NewConverter(xql.New(), backends.Options{})
	if err != nil {
		t.Fatal(err)
	}
	schema := xql.LoadSchema()
	converted, queries := 0, 0
	for _, dir := range []string{"rules", "rules-emerging-threats", "rules-threat-hunting"} {
		err := filepath.WalkDir(filepath.Join(corpusRoot, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yml") {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			f := sigma.ParseFile(path, data)
			for _, doc := range f.Documents {
				r, ok := doc.(*sigma.Rule)
				if !ok || f.Diags.HasErrors() {
					continue
				}
				res, err := conv.Convert(r)
				if err != nil {
					continue
				}
				converted++
				for _, q := range res.Queries {
					queries++
					for _, msg := range checkQuery(schema, q) {
						t.Errorf("%s: %s\n%s", path, msg, q)
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("converted %d rules (%d queries)", converted, queries)
	if converted < minConverted {
		t.Errorf("XQL converts %d corpus rules, fewer than %d", converted, minConverted)
	}
}

var hiveAbbreviation = regexp.MustCompile(`(?i)^(HKLM|HKU|HKCR|HKCU|HKCC)\\`)

// checkQuery lists what is wrong with one query.
func checkQuery(schema *xql.Schema, q string) []string {
	var out []string
	filter, alters, err := queryParts(q)
	if err != nil {
		return []string{err.Error()}
	}
	for name := range alters {
		if _, ok := schema.Computed[name]; !ok && name != "config" {
			out = append(out, "alter defines "+name+", which is not a computed column of the schema")
		}
	}
	x, err := parseFilter(filter)
	if err != nil {
		return append(out, err.Error())
	}
	known := func(col string) bool { _, ok := schema.Column(col); return ok }
	walk(x, nil, func(e xexpr, anc []xexpr) {
		switch e := e.(type) {
		case xcmp:
			if !known(e.field) {
				out = append(out, "column "+e.field+" is not in the schema")
			}
			if e.field == "action_registry_key_name" {
				out = append(out, "registry path compared with the key-only column")
			}
			for _, v := range e.vals {
				if v.Kind == xqltok.Word && strings.HasPrefix(v.Text, "ENUM.") && schema.Enums[v.Text] == "" {
					out = append(out, v.Text+" has no evidence in the schema")
				}
				if e.field == "sigconv_target_object" && v.Kind == xqltok.String && hiveAbbreviation.MatchString(v.Text) {
					out = append(out, "registry path compared with a hive abbreviation: "+v.Text)
				}
			}
			if e.op == "~=" {
				if _, err := regexp.Compile(e.vals[0].Text); err != nil {
					out = append(out, "regex is not RE2: "+err.Error())
				}
			}
		case xnot:
			if msg := unguarded(schema, e, anc); msg != "" {
				out = append(out, msg)
			}
		}
	})
	for _, f := range fieldsStage(q) {
		if !known(f) {
			out = append(out, "output column "+f+" is not in the schema")
		}
	}
	return out
}

// unguarded checks that every leaf under a "not" (outside nested ones) on
// a nullable column is guarded: either the "not" is the operand of an
// "or" that also holds "F = null" and every leaf is on F, or the leaf is
// the operand of an "and" that also holds "F != null".
func unguarded(schema *xql.Schema, n xnot, anc []xexpr) string {
	var orGuard string
	if len(anc) > 0 {
		if o, ok := anc[len(anc)-1].(xor); ok {
			for _, a := range o.args {
				if c, ok := a.(xcmp); ok && c.op == "=" && isNullTok(c.vals) {
					orGuard = c.field
				}
			}
		}
	}
	msg := ""
	var check func(e xexpr, parent xexpr)
	check = func(e xexpr, parent xexpr) {
		switch e := e.(type) {
		case xcmp:
			if isNullTok(e.vals) || !schema.CanBeNull(e.field) || e.field == orGuard {
				return
			}
			if a, ok := parent.(xand); ok {
				for _, s := range a.args {
					if c, ok := s.(xcmp); ok && c.field == e.field && c.op == "!=" && isNullTok(c.vals) {
						return
					}
				}
			}
			msg = "not over nullable column " + e.field + " without a null guard"
		case xand:
			for _, a := range e.args {
				check(a, e)
			}
		case xor:
			for _, a := range e.args {
				check(a, e)
			}
		}
	}
	check(n.arg, n)
	return msg
}

func isNullTok(vals []xqltok.Token) bool {
	return len(vals) == 1 && vals[0].Kind == xqltok.Word && vals[0].Text == "null"
}

// fieldsStage lists the columns of the query's fields stage.
func fieldsStage(q string) []string {
	for _, line := range strings.Split(q, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "| fields "); ok {
			return strings.Split(rest, ", ")
		}
	}
	return nil
}
