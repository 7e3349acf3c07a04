package library

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizers(t *testing.T) {
	if got, err := NormalizeName("  Linear Algebra "); err != nil || got != "Linear Algebra" {
		t.Fatalf("name: %q %v", got, err)
	}
	for _, bad := range []string{"", "   ", strings.Repeat("x", 101), "a\nb", "\x00"} {
		if _, err := NormalizeName(bad); err == nil {
			t.Errorf("name %q accepted", bad)
		}
	}
	if got, err := NormalizeColor("#a1b2c3"); err != nil || got != "#A1B2C3" {
		t.Fatalf("color: %q %v", got, err)
	}
	for _, bad := range []string{"", "red", "#abc", "#12345G", "a1b2c3", "#1234567"} {
		if _, err := NormalizeColor(bad); err == nil {
			t.Errorf("color %q accepted", bad)
		}
	}
	if d, err := ParseDate("2026-12-31"); err != nil || d.Day() != 31 {
		t.Fatalf("date: %v %v", d, err)
	}
	for _, bad := range []string{"2026-13-01", "31.12.2026", "2026-02-30", "1800-01-01", ""} {
		if _, err := ParseDate(bad); err == nil {
			t.Errorf("date %q accepted", bad)
		}
	}
	if err := CheckSortOrder(1_000_001); err == nil {
		t.Error("sort order out of range accepted")
	}
}

func TestDefaultTitle(t *testing.T) {
	cases := []struct{ given, pdf, file, want string }{
		{"Mine", "Theirs", "f.pdf", "Mine"},
		{"", "Walden", "walden.pdf", "Walden"},
		{"", "  ", "C:\\Users\\me\\Lecture 3.pdf", "Lecture 3"},
		{"", "", "../../etc/notes.pdf", "notes"},
		{"", "", "", "Untitled"},
		{"", "", ".pdf", "Untitled"},
	}
	for _, c := range cases {
		if got := DefaultTitle(c.given, c.pdf, c.file); got != c.want {
			t.Errorf("DefaultTitle(%q, %q, %q) = %q, want %q", c.given, c.pdf, c.file, got, c.want)
		}
	}
}

func TestDownloadFilename(t *testing.T) {
	cases := map[string]string{
		"Walden":                "Walden.pdf",
		`a/b\c"d:e`:             "a_b_c_d_e.pdf",
		"report.PDF":            "report.PDF",
		"":                      "document.pdf",
		"..":                    "document.pdf",
		"line\nbreak":           "linebreak.pdf",
		"Économie":              "Économie.pdf",
		strings.Repeat("x", 99): strings.Repeat("x", 99) + ".pdf",
	}
	for in, want := range cases {
		if got := DownloadFilename(in); got != want {
			t.Errorf("DownloadFilename(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckPlacement(t *testing.T) {
	cases := []struct {
		parentDepth, height int
		inSubtree           bool
		want                error
	}{
		{0, 1, false, nil},
		{4, 1, false, nil},
		{5, 1, false, ErrTooDeep},
		{2, 3, false, nil},
		{2, 4, false, ErrTooDeep},
		{1, 1, true, ErrCycle},
	}
	for _, c := range cases {
		if got := CheckPlacement(c.parentDepth, c.height, c.inSubtree); !errors.Is(got, c.want) {
			t.Errorf("CheckPlacement(%d, %d, %v) = %v, want %v", c.parentDepth, c.height, c.inSubtree, got, c.want)
		}
	}
}

func TestLikePattern(t *testing.T) {
	if got := LikePattern(`50%_off\`); got != `%50\%\_off\\%` {
		t.Fatalf("LikePattern = %q", got)
	}
}

func TestBuildTree(t *testing.T) {
	type item struct{ id, parent string }
	items := []item{{"a", ""}, {"b", "a"}, {"c", "a"}, {"d", "b"}, {"e", ""}, {"f", "missing"}}
	roots := BuildTree(items, func(i item) string { return i.id }, func(i item) (string, bool) { return i.parent, i.parent != "" })
	var render func(ns []*Node[item]) string
	render = func(ns []*Node[item]) string {
		var parts []string
		for _, n := range ns {
			s := n.Item.id
			if len(n.Children) > 0 {
				s += "(" + render(n.Children) + ")"
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, " ")
	}
	if got := render(roots); got != "a(b(d) c) e f" {
		t.Fatalf("tree = %s", got)
	}
}

func TestExerciseRules(t *testing.T) {
	cases := []struct {
		r     PageRange
		pages int
		want  string
	}{
		{PageRange{1, 1}, 1, ""},
		{PageRange{3, 7}, 10, ""},
		{PageRange{0, 2}, 10, "start"},
		{PageRange{2, 11}, 10, "end"},
		{PageRange{5, 4}, 10, "end"},
		{PageRange{11, 12}, 10, "start,end"},
	}
	for _, c := range cases {
		got := CheckRange(c.r, c.pages)
		var keys []string
		for _, k := range []string{"start", "end"} {
			if got[k] != "" {
				keys = append(keys, k)
			}
		}
		if strings.Join(keys, ",") != c.want {
			t.Errorf("CheckRange(%v, %d) = %v, want fields %q", c.r, c.pages, got, c.want)
		}
	}
	for _, s := range []string{"todo", "in_progress"} {
		if err := CheckPatchStatus(ExerciseStatus(s)); err != nil {
			t.Errorf("PATCH to %s: %v", s, err)
		}
	}
	if err := CheckPatchStatus("done"); !errors.Is(err, ErrStatusByPatch) {
		t.Errorf("PATCH to done: %v", err)
	}
	if err := CheckPatchStatus("finished"); err == nil {
		t.Error("unknown status accepted")
	}
	if CheckReopen("done") != nil || CheckReopen("todo") == nil || CheckReopen("in_progress") == nil {
		t.Error("reopen rule")
	}
	for _, d := range []int{0, 6} {
		if CheckDifficulty(d) == nil {
			t.Errorf("difficulty %d accepted", d)
		}
	}
	for _, s := range []int{-1, 101} {
		if CheckScore(s) == nil {
			t.Errorf("score %d accepted", s)
		}
	}
}
