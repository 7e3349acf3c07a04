package koreader

import (
	"math"
	"slices"
	"testing"
	"time"
)

func TestCheckVisit(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ok := Visit{BookID: 1, Page: 3, StartTime: now.Add(-time.Hour).Unix(), Duration: 30, TotalPages: 100}
	with := func(f func(*Visit)) Visit { v := ok; f(&v); return v }
	tests := []struct {
		name string
		v    Visit
		want SkipReason
	}{
		{"sane", ok, ""},
		{"page 0", with(func(v *Visit) { v.Page = 0 }), SkipPageBelowOne},
		{"negative page", with(func(v *Visit) { v.Page = -2 }), SkipPageBelowOne},
		{"zero duration", with(func(v *Visit) { v.Duration = 0 }), SkipDurationNotPositive},
		{"negative duration", with(func(v *Visit) { v.Duration = -60 }), SkipDurationNotPositive},
		{"4 h exactly", with(func(v *Visit) { v.Duration = 4 * 3600 }), ""},
		{"over 4 h", with(func(v *Visit) { v.Duration = 4*3600 + 1 }), SkipDurationTooLong},
		{"total pages unknown", with(func(v *Visit) { v.TotalPages = 0 }), ""},
		{"negative total pages", with(func(v *Visit) { v.TotalPages = -1 }), SkipTotalPagesNegative},
		{"2000-01-01", with(func(v *Visit) { v.StartTime = 946684800 }), ""},
		{"1999-12-31 23:59:59", with(func(v *Visit) { v.StartTime = 946684799 }), SkipBeforeYear2000},
		{"epoch", with(func(v *Visit) { v.StartTime = 0 }), SkipBeforeYear2000},
		{"a day ahead exactly", with(func(v *Visit) { v.StartTime = now.Add(24 * time.Hour).Unix() }), ""},
		{"more than a day ahead", with(func(v *Visit) { v.StartTime = now.Add(24*time.Hour).Unix() + 1 }), SkipInFuture},
		{"far future", with(func(v *Visit) { v.StartTime = math.MaxInt64 }), SkipInFuture},
	}
	for _, tt := range tests {
		got := CheckVisit(tt.v, now)
		if got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
		if got != "" && !slices.Contains(SkipReasons, got) {
			t.Errorf("%s: %q is not in SkipReasons", tt.name, got)
		}
	}
}

// TestEnumLists: each list holds its values once, none empty (a later
// test compares them with the database's CHECK constraints).
func TestEnumLists(t *testing.T) {
	t.Parallel()
	check := func(name string, vals []string) {
		seen := map[string]bool{}
		for _, v := range vals {
			if v == "" || seen[v] {
				t.Errorf("%s: %q empty or twice", name, v)
			}
			seen[v] = true
		}
	}
	check("SkipReasons", asStrings(SkipReasons))
	check("UnmatchedReasons", asStrings(UnmatchedReasons))
	check("Reasons", asStrings(Reasons))
}

func asStrings[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}
