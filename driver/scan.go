package driver

import "bytes"

// The streaming driver (Plan) converts a file as soon as it is parsed,
// but a file can be changed by documents in later files: a meta-filter
// adds to a rule's query, a correlation with generate: false hides it.
// Before parsing, Plan therefore scans the raw bytes of every file with
// the two tests below, which are conservative: a false "may" only costs
// parsing that file early; a false "cannot" would be a wrong result, so
// each test follows what yaml.v3 can turn into a scalar's value (the
// fuzz tests check them against the parser).

// mayHoldMeta reports whether a file may hold a correlation or a filter
// document: sigma.ParseFile gives a document those kinds when its root
// mapping has the key "correlation" or "filter". A key's value comes
// from its bytes, except for escapes in double-quoted scalars, and a
// root key stands at the start of a line or after a flow indicator, a
// document marker, an anchor or a tag.
func mayHoldMeta(data []byte) bool {
	if bytes.IndexByte(data, 0) >= 0 {
		return true // UTF-16 or UTF-32 text: the key's letters are not plain bytes
	}
	return hasLetterEscape(data) || keyLike(data, "filter") || keyLike(data, "correlation")
}

// hasLetterEscape reports a double-quoted escape that can produce a
// letter or digit (\xXX, \uXXXX, \UXXXXXXXX) or an escaped line break,
// which joins two lines without a space. Other escapes produce spaces,
// control or punctuation characters, which no key or reference spells
// with. A backslash outside double quotes is taken as an escape too.
func hasLetterEscape(data []byte) bool {
	for i := bytes.IndexByte(data, '\\'); i >= 0; {
		rest := data[i+1:]
		if len(rest) == 0 {
			return false
		}
		switch rest[0] {
		case 'x':
			if hexDigits(rest[1:], 2) {
				return true
			}
		case 'u':
			if hexDigits(rest[1:], 4) {
				return true
			}
		case 'U':
			if hexDigits(rest[1:], 8) {
				return true
			}
		case '\r', '\n', 0xC2, 0xE2: // line breaks: CR, LF, NEL (C2 85), LS and PS (E2 80 A8/A9)
			return true
		}
		j := bytes.IndexByte(rest, '\\')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

func hexDigits(b []byte, n int) bool {
	if len(b) < n {
		return false
	}
	for _, c := range b[:n] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// keyLike reports whether word occurs where it could be a whole mapping
// key at the root. An occurrence is passed over only when it cannot be:
// a letter, digit, '_' or '-' right beside it makes the scalar longer;
// a word before it on its line (not an anchor or a tag) makes it the
// middle of a longer scalar, as in "selection and not filter".
func keyLike(data []byte, word string) bool {
	w := []byte(word)
	for off := 0; ; {
		i := bytes.Index(data[off:], w)
		if i < 0 {
			return false
		}
		i += off
		off = i + len(w)
		if i > 0 && wordByte(data[i-1]) || off < len(data) && wordByte(data[off]) {
			continue
		}
		if canStartKey(data[:i]) {
			return true
		}
	}
}

// canStartKey reports whether a scalar starting after before could be a
// root mapping key, judged by before's last line only.
func canStartKey(before []byte) bool {
	line := before[bytes.LastIndexAny(before, "\r\n")+1:]
	line = bytes.TrimRight(line, " \t")
	if len(line) == 0 {
		return true
	}
	token := line[bytes.LastIndexAny(line, " \t")+1:]
	if bytes.ContainsAny(token, "!&") {
		return true // a tag or an anchor (maybe after "[" or "{"): the scalar after it may be a key, or an alias's target
	}
	last := line[len(line)-1]
	return !('a' <= last && last <= 'z' || 'A' <= last && last <= 'Z' || '0' <= last && last <= '9')
}

func wordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

// refPieces splits a reference (a rule's id or name, as a correlation or
// a filter writes it) into its runs of ASCII letters and digits. A rule
// whose id or name equals the reference has each run in its file's bytes:
// quoting, folding and escapes of other characters change only what lies
// between the runs (an escape next to a run, as "\t" in "a\tb", adds a
// letter beside it, so runs are matched as substrings, not whole words).
func refPieces(ref string) []string {
	var out []string
	start := -1
	for i := 0; i <= len(ref); i++ {
		alnum := i < len(ref) && ('a' <= ref[i] && ref[i] <= 'z' || 'A' <= ref[i] && ref[i] <= 'Z' || '0' <= ref[i] && ref[i] <= '9')
		switch {
		case alnum && start < 0:
			start = i
		case !alnum && start >= 0:
			out = append(out, ref[start:i])
			start = -1
		}
	}
	return out
}

// mayDefine reports whether a file whose bytes hold no letter escape may
// define a rule whose id or name has these pieces.
func mayDefine(data []byte, pieces []string) bool {
	for _, p := range pieces {
		if !bytes.Contains(data, []byte(p)) {
			return false
		}
	}
	return true
}
