package sigmatest

import "testing"

func TestUnifiedDiff(t *testing.T) {
	for _, tc := range []struct {
		name, want, got, diff string
	}{
		{"equal", "a\nb\n", "a\nb\n", ""},
		{"one line changed", "a\nb\nc\n", "a\nB\nc\n", "--- g\n+++ c\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"},
		{"from empty", "", "x\n", "--- g\n+++ c\n@@ -0,0 +1 @@\n+x\n"},
		{"to empty", "x\n", "", "--- g\n+++ c\n@@ -1 +0,0 @@\n-x\n"},
		{"no final newline", "a\n", "a", "--- g\n+++ c\n@@ -1 +1 @@\n-a\n+a\n\\ No newline at end of file\n"},
		{"two hunks", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", "1\nX\n3\n4\n5\n6\n7\n8\n9\n10\nY\n12\n",
			"--- g\n+++ c\n@@ -1,5 +1,5 @@\n 1\n-2\n+X\n 3\n 4\n 5\n@@ -8,5 +8,5 @@\n 8\n 9\n 10\n-11\n+Y\n 12\n"},
		{"near changes share a hunk", "1\n2\n3\n4\n5\n6\n", "X\n2\n3\n4\n5\nY\n",
			"--- g\n+++ c\n@@ -1,6 +1,6 @@\n-1\n+X\n 2\n 3\n 4\n 5\n-6\n+Y\n"},
	} {
		if got := UnifiedDiff("g", "c", tc.want, tc.got); got != tc.diff {
			t.Errorf("%s:\ngot\n%s\nwant\n%s", tc.name, got, tc.diff)
		}
	}
}
