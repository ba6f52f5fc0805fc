package driver

// LookAhead is exported to the tests, which check the bound it sets.
const LookAhead = lookAhead

// SetKeptBytes sets how many bytes OpenStream keeps, for the tests of
// reading files again; it returns the previous value.
func SetKeptBytes(n int64) int64 {
	old := keptBytes
	keptBytes = n
	return old
}

// Reread counts the files a stream reads again.
func (s *Stream) Reread() int {
	n := 0
	for _, r := range s.reread {
		if r {
			n++
		}
	}
	return n
}
