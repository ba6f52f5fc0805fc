package diag_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/sigconv/sigconv/diag"
)

func TestListUnwrapFindsPositionedDiagnostic(t *testing.T) {
	l := diag.List{
		diag.Warnf("c.yml", diag.Pos{Line: 1, Column: 1}, "just a warning"),
		diag.Errorf("c.yml", diag.Pos{Line: 7, Column: 9}, "bad reference"),
	}
	err := fmt.Errorf("converting: %w", l.Err())
	var d *diag.Diagnostic
	if !errors.As(err, &d) {
		t.Fatal("errors.As found no diagnostic in a wrapped list")
	}
	if d.Pos != (diag.Pos{Line: 7, Column: 9}) || d.Message != "bad reference" {
		t.Errorf("found %v, want the error (not the warning) at 7:9", d)
	}
	if !errors.Is(err, l[1]) {
		t.Error("errors.Is does not see the list's error")
	}
	if errors.Is(err, l[0]) {
		t.Error("a warning is not part of the list as an error")
	}
}

func TestListTextErrorsAndWarnings(t *testing.T) {
	l := diag.List{
		diag.Errorf("a.yml", diag.Pos{Line: 2, Column: 3}, "broken"),
		diag.Warnf("a.yml", diag.Pos{}, "odd"),
	}
	if got, want := l.Error(), "a.yml:2:3: broken"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := l.String(), "a.yml:2:3: broken\na.yml: warning: odd"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if (diag.List{l[1]}).Err() != nil {
		t.Error("a list of warnings only is no error")
	}
}

func TestReasonOf(t *testing.T) {
	plain := diag.Errorf("a.yml", diag.Pos{}, "x")
	typed := diag.Errorf("a.yml", diag.Pos{}, "y").WithReason(diag.ReasonField)
	for _, tc := range []struct {
		err  error
		want diag.Reason
	}{
		{errors.New("no diagnostic"), ""},
		{plain, ""},
		{typed, diag.ReasonField},
		{fmt.Errorf("wrapped: %w", typed), diag.ReasonField},
		{diag.List{plain, typed}, diag.ReasonField},
		{typed.WithReason(diag.ReasonConstruct), diag.ReasonField},
	} {
		if got := diag.ReasonOf(tc.err); got != tc.want {
			t.Errorf("ReasonOf(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

func ExampleList() {
	l := diag.List{
		diag.Errorf("rules/a.yml", diag.Pos{Line: 4, Column: 7}, "unknown modifier %q", "containz"),
		diag.Warnf("rules/a.yml", diag.Pos{Line: 1, Column: 1}, "no id"),
	}
	l.Sort()
	fmt.Println(l.String()) // every diagnostic
	fmt.Println(l.Err())    // Error: only the errors
	var d *diag.Diagnostic
	if errors.As(l.Err(), &d) {
		fmt.Println(d.Pos.Line, d.Pos.Column)
	}
	// Output:
	// rules/a.yml:1:1: warning: no id
	// rules/a.yml:4:7: unknown modifier "containz"
	// rules/a.yml:4:7: unknown modifier "containz"
	// 4 7
}
