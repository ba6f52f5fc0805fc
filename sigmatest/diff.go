package sigmatest

import (
	"fmt"
	"strings"
)

// diffContext is the number of unchanged lines shown around a change, as
// in diff -u.
const diffContext = 3

// maxDiffCells bounds the line-matching table; past it (two files of many
// thousand lines each) the diff shows every line of both as changed,
// which is still exact, only less compact.
const maxDiffCells = 4 << 20

// UnifiedDiff returns a unified line diff (the format of diff -u and git
// diff) from want to got, or "" when they are equal. Whole lines are
// shown: "-" only in want, "+" only in got, " " in both, grouped in
// "@@ -line,count +line,count @@" hunks, so rule authors read it as they
// read a pull request. A missing final newline is marked as diff does.
func UnifiedDiff(wantName, gotName, want, got string) string {
	if want == got {
		return ""
	}
	a, b := splitLines(want), splitLines(got)
	ops := diffLines(a, b)
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n", wantName, gotName)
	for start := 0; start < len(ops); {
		// Find the next change and the hunk around it.
		for start < len(ops) && ops[start].kind == ' ' {
			start++
		}
		if start == len(ops) {
			break
		}
		lo := max(start-diffContext, 0)
		hi := start
		for i := start; i < len(ops); i++ {
			if ops[i].kind != ' ' {
				hi = i + 1
				continue
			}
			if i-hi >= 2*diffContext {
				break
			}
		}
		end := min(hi+diffContext, len(ops))
		writeHunk(&sb, ops[lo:end])
		start = end
	}
	return sb.String()
}

type diffOp struct {
	kind       byte // ' ', '-', '+'
	text       string
	aLine, bLn int // 1-based line numbers in want and got (0 if absent)
}

// line is one line of a file and whether it ended with a newline.
type line struct {
	text string
	eol  bool
}

func splitLines(s string) []line {
	var out []line
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, line{s, false})
			break
		}
		out = append(out, line{s[:i], true})
		s = s[i+1:]
	}
	return out
}

// diffLines aligns the lines by a longest common subsequence.
func diffLines(a, b []line) []diffOp {
	n, m := len(a), len(b)
	var ops []diffOp
	if n*m > maxDiffCells {
		for i, l := range a {
			ops = append(ops, diffOp{'-', render(l), i + 1, 0})
		}
		for j, l := range b {
			ops = append(ops, diffOp{'+', render(l), 0, j + 1})
		}
		return ops
	}
	// lcs[i][j] is the LCS length of a[i:] and b[j:].
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			ops = append(ops, diffOp{' ', render(a[i]), i + 1, j + 1})
			i++
			j++
		case j < m && (i == n || lcs[i][j+1] > lcs[i+1][j]):
			ops = append(ops, diffOp{'+', render(b[j]), 0, j + 1})
			j++
		default:
			ops = append(ops, diffOp{'-', render(a[i]), i + 1, 0})
			i++
		}
	}
	return ops
}

func render(l line) string {
	if l.eol {
		return l.text
	}
	return l.text + "\n\\ No newline at end of file"
}

func writeHunk(sb *strings.Builder, ops []diffOp) {
	aStart, bStart, aCount, bCount := 0, 0, 0, 0
	for _, op := range ops {
		if op.kind != '+' {
			if aStart == 0 {
				aStart = op.aLine
			}
			aCount++
		}
		if op.kind != '-' {
			if bStart == 0 {
				bStart = op.bLn
			}
			bCount++
		}
	}
	// A side with no line in the hunk is an empty file (any other file
	// gives the hunk context lines); diff -u writes its range as 0,0.
	fmt.Fprintf(sb, "@@ -%s +%s @@\n", hunkRange(aStart, aCount), hunkRange(bStart, bCount))
	for _, op := range ops {
		sb.WriteByte(op.kind)
		sb.WriteString(op.text)
		sb.WriteByte('\n')
	}
}

func hunkRange(start, count int) string {
	if count == 1 {
		return fmt.Sprint(start)
	}
	if count == 0 {
		return "0,0"
	}
	return fmt.Sprintf("%d,%d", start, count)
}
