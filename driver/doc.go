// Package driver is the front door of the library: it converts a set of
// Sigma rule files — detection rules, correlations and meta-filters — to
// one target, the way the sigconv command line does, and is what the
// CLI, the rule-repository kit (sigmatest), the backend test helpers and
// the corpus report all call.
//
// The flow has two halves. The first, shared with "sigconv check", reads
// and parses the files (Read, Parse) and resolves them against each other
// (Resolve): which meta-filters apply to which rule, which rules a
// correlation references, duplicate ids and names, filters that name a
// missing rule or can never apply. The second (Set.Convert, Set.Each)
// converts every rule and correlation with a backends.Converter, in
// parallel, and hands back one Result per document in input order, plus
// one per file that has errors, so a caller sees every input.
//
//	conv, _ := driver.NewConverter("xql", backends.Options{})
//	set := driver.Resolve(driver.Parse(driver.Source{Path: "r.yml", Data: text}), nil)
//	for _, r := range set.Convert(conv, driver.Options{}) {
//		fmt.Println(r.Path, r.Output(), r.Err)
//	}
//
// Stream does both halves file by file for large sets: it reads every
// file's bytes, parses early only the files a byte scan cannot rule out
// as holding a meta-filter or a correlation or defining a rule one names,
// then parses, converts and emits the others one at a time, so memory
// holds the files' bytes and the files in flight, never the whole parsed
// set. Its results are Set's; "sigconv convert" uses it.
package driver
