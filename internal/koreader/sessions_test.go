package koreader

import (
	"slices"
	"testing"
	"time"
)

// v is a visit of page p from start for d seconds, recorded with total
// pages (book 1).
func v(p int, start, d int64, total int) Visit {
	return Visit{BookID: 1, Page: p, StartTime: start, Duration: d, TotalPages: total}
}

func TestSessions(t *testing.T) {
	t.Parallel()
	const t0 = 1_700_000_000
	tests := []struct {
		name   string
		visits []Visit
		want   [][]Visit
	}{
		{"none", nil, nil},
		{"one", []Visit{v(1, t0, 60, 10)}, [][]Visit{{v(1, t0, 60, 10)}}},
		{
			"sorted by start",
			[]Visit{v(2, t0+60, 30, 10), v(1, t0, 60, 10)},
			[][]Visit{{v(1, t0, 60, 10), v(2, t0+60, 30, 10)}},
		},
		{
			"a gap of exactly 30 min stays in the session",
			[]Visit{v(1, t0, 60, 10), v(2, t0+60+1800, 30, 10)},
			[][]Visit{{v(1, t0, 60, 10), v(2, t0+60+1800, 30, 10)}},
		},
		{
			"a gap over 30 min splits",
			[]Visit{v(1, t0, 60, 10), v(2, t0+60+1801, 30, 10), v(3, t0+60+1801+30, 5, 10)},
			[][]Visit{{v(1, t0, 60, 10)}, {v(2, t0+60+1801, 30, 10), v(3, t0+60+1801+30, 5, 10)}},
		},
		{
			"the gap counts from the end, not the start",
			[]Visit{v(1, t0, 3000, 10), v(2, t0+3000+600, 30, 10)},
			[][]Visit{{v(1, t0, 3000, 10), v(2, t0+3000+600, 30, 10)}},
		},
		{
			"overlap: the earlier visit is cut at the later one's start",
			[]Visit{v(1, t0, 100, 10), v(2, t0+40, 30, 10)},
			[][]Visit{{v(1, t0, 40, 10), v(2, t0+40, 30, 10)}},
		},
		{
			"a visit inside another",
			[]Visit{v(1, t0, 600, 10), v(2, t0+100, 10, 10), v(3, t0+300, 10, 10)},
			[][]Visit{{v(1, t0, 100, 10), v(2, t0+100, 10, 10), v(3, t0+300, 10, 10)}},
		},
		{
			"same start: the longest is kept, then the lowest page",
			[]Visit{v(5, t0, 20, 10), v(3, t0, 50, 10), v(4, t0, 50, 10), v(6, t0+50, 5, 10)},
			[][]Visit{{v(3, t0, 50, 10), v(6, t0+50, 5, 10)}},
		},
		{
			"exact duplicates (two devices) count once",
			[]Visit{v(1, t0, 20, 10), v(1, t0, 20, 10)},
			[][]Visit{{v(1, t0, 20, 10)}},
		},
		{
			"no duration: dropped",
			[]Visit{v(1, t0, 0, 10), v(2, t0+5, -3, 10), v(3, t0+10, 5, 10)},
			[][]Visit{{v(3, t0+10, 5, 10)}},
		},
		{
			"longer than the maximum: cut to it",
			[]Visit{v(1, t0, 5*3600, 10)},
			[][]Visit{{v(1, t0, 4*3600, 10)}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.visits)
			got := Sessions(tt.visits, DefaultSessionGap)
			if !slices.Equal(in, tt.visits) {
				t.Error("Sessions changed its input")
			}
			if len(got) != len(tt.want) {
				t.Fatalf("%d sessions %+v, want %d", len(got), got, len(tt.want))
			}
			for i, s := range got {
				if !slices.Equal(s.Visits, tt.want[i]) {
					t.Errorf("session %d = %+v, want %+v", i, s.Visits, tt.want[i])
				}
				if s.Start() != tt.want[i][0].StartTime || s.End() != tt.want[i][len(tt.want[i])-1].End() {
					t.Errorf("session %d spans %d..%d", i, s.Start(), s.End())
				}
			}
		})
	}
}

func TestSessionsGapParameter(t *testing.T) {
	t.Parallel()
	vs := []Visit{v(1, 1e9, 10, 5), v(2, 1e9+70, 10, 5)} // 60 s apart
	if n := len(Sessions(vs, time.Minute)); n != 1 {
		t.Errorf("gap 1 min: %d sessions, want 1", n)
	}
	if n := len(Sessions(vs, 59*time.Second)); n != 2 {
		t.Errorf("gap 59 s: %d sessions, want 2", n)
	}
}

func TestMapPage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		page, total, pdf, want int
	}{
		{5, 100, 100, 5},     // same page count
		{5, 0, 100, 5},       // unknown page count
		{150, 0, 100, 100},   // unknown, beyond the PDF: clamped
		{150, 100, 100, 100}, // beyond the recorded count: clamped
		{1, 300, 100, 1},     // ceil(1/3)
		{2, 300, 100, 1},
		{3, 300, 100, 1},
		{4, 300, 100, 2},
		{300, 300, 100, 100},
		{1, 100, 300, 3}, // more PDF pages than recorded ones
		{50, 100, 300, 150},
		{100, 100, 300, 300},
		{127, 200, 254, 162}, // ceil(127*254/200) = ceil(161.29)
		{0, 100, 50, 1},      // below 1: clamped
		{-4, 0, 50, 1},
		{7, 10, 0, 7},                    // no PDF page count: nothing to map to
		{1<<62 - 1, 1 << 62, 1000, 1000}, // no overflow
		{1 << 40, 1 << 41, 3, 2},
	}
	for _, tt := range tests {
		if got := MapPage(tt.page, tt.total, tt.pdf); got != tt.want {
			t.Errorf("MapPage(%d, %d, %d) = %d, want %d", tt.page, tt.total, tt.pdf, got, tt.want)
		}
	}
}
