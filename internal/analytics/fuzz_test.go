package analytics

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"testing"
	"time"
)

var dateShape = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

// ParseDate accepts exactly the ten-character dates the standard library
// also accepts, from year 1, and String gives the input back.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-12-31", "2028-02-29", "2026-02-29", "0000-01-01", "0001-01-01",
		"9999-12-31", "+026-01-02", "2026-1-2", "", "2026-13-01", "2026-01-32", "1900-02-29"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		std, stdErr := time.Parse(time.DateOnly, s)
		want := dateShape.MatchString(s) && stdErr == nil && std.Year() >= 1
		if (err == nil) != want {
			t.Fatalf("ParseDate(%q) err %v; time.Parse err %v", s, err, stdErr)
		}
		if err != nil {
			return
		}
		if d.String() != s || d != DateOf(std, time.UTC) {
			t.Fatalf("ParseDate(%q) = %v (%s), time.Parse %v", s, d, d.String(), std)
		}
	})
}

// propertyZones are zones with something to trip over: DST both ways,
// half-hour and 45-minute offsets and changes, midnight skipped or
// repeated, a skipped date, both sides of the date line.
var propertyZones = []string{
	"UTC", "Europe/Berlin", "America/Los_Angeles", "Pacific/Auckland", "Australia/Lord_Howe",
	"Asia/Kathmandu", "Pacific/Chatham", "America/Havana", "America/Santiago", "Asia/Amman",
	"Atlantic/Azores", "Asia/Beirut", "Pacific/Apia", "Pacific/Kiritimati", "Pacific/Pago_Pago",
}

// propertyBases are the starts of the periods the buckets fall in: Samoa's
// skipped day, Amman's repeated midnight, and now.
var propertyBases = []time.Time{
	time.Date(2011, 12, 1, 0, 0, 0, 0, time.UTC),
	time.Date(2021, 10, 1, 0, 0, 0, 0, time.UTC),
	time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
}

// bucketsFrom decodes 5 bytes per bucket: a 16-bit quarter-hour offset from
// base (up to about 680 days), active seconds, pages read, sessions.
func bucketsFrom(data []byte, base time.Time) []Bucket {
	var bs []Bucket
	for ; len(data) >= 5; data = data[5:] {
		q := int(data[0])<<8 | int(data[1])
		pages := int64(data[3] % 8)
		bs = append(bs, Bucket{
			Start:         base.Add(time.Duration(q) * quarter),
			ActiveSeconds: int64(data[2]) * 900 / 255,
			ReadSeconds:   pages * int64(data[2]%120),
			PagesRead:     pages,
			Sessions:      int64(data[4] % 3),
		})
	}
	return bs
}

type propertyCase struct {
	buckets   []Bucket
	loc       *time.Location
	today     Date
	window    int // days of the FillDays window ending today
	min       int64
	first     time.Weekday
	remaining float64
}

func checkProperties(t *testing.T, c propertyCase) {
	t.Helper()
	days := LocalDays(c.buckets, c.loc)

	// LocalDays conserves every total, in strictly increasing dates, and puts
	// each bucket on the day whose bounds hold it.
	var want Day
	for _, b := range c.buckets {
		want.add(Day{Seconds: b.ActiveSeconds, ReadSeconds: b.ReadSeconds, Pages: b.PagesRead, Sessions: b.Sessions})
	}
	var got Day
	for i, d := range days {
		got.add(d)
		if i > 0 && !days[i-1].Date.Before(d.Date) {
			t.Fatalf("days out of order: %v then %v", days[i-1].Date, d.Date)
		}
	}
	if got != want {
		t.Fatalf("LocalDays totals %+v, buckets %+v", got, want)
	}
	for _, b := range c.buckets {
		d := DateOf(b.Start, c.loc)
		start, end := DayBounds(d, c.loc)
		if b.Start.Before(start) || !b.Start.Before(end) {
			t.Fatalf("bucket %v (%v) outside DayBounds %v .. %v", b.Start, d, start, end)
		}
		if _, found := slices.BinarySearchFunc(days, d, func(x Day, d Date) int { return x.Date.Compare(d) }); !found {
			t.Fatalf("bucket %v: no day %v", b.Start, d)
		}
	}

	// FillDays has exactly to−from+1 consecutive days and keeps the totals
	// of the days inside the range.
	from, to := c.today.AddDays(1-c.window), c.today
	filled := FillDays(days, from, to)
	if len(filled) != to.Sub(from)+1 {
		t.Fatalf("FillDays(%v, %v) has %d days", from, to, len(filled))
	}
	var inRange, inFilled int64
	for _, d := range days {
		if !d.Date.Before(from) && !d.Date.After(to) {
			inRange += d.Seconds
		}
	}
	for i, d := range filled {
		inFilled += d.Seconds
		if d.Date != from.AddDays(i) {
			t.Fatalf("filled[%d] is %v, want %v", i, d.Date, from.AddDays(i))
		}
	}
	if inRange != inFilled {
		t.Fatalf("FillDays seconds %d, days in range %d", inFilled, inRange)
	}

	// Streaks: Current <= Longest, and both agree with counting day by day.
	st := Streaks(days, c.today, c.min)
	if st.Current > st.Longest || st.Alive != (st.Current > 0) || st.TodayCounts && st.Current == 0 ||
		(st.LongestEnd == nil) != (st.Longest == 0) || st.LongestEnd != nil && st.LongestEnd.After(c.today) {
		t.Fatalf("inconsistent streak %+v (end %v)", st, st.LongestEnd)
	}
	counts := map[Date]bool{}
	for _, d := range days {
		counts[d.Date] = isStreakDay(d.Seconds, c.min)
	}
	cur := 0
	d := c.today
	if !counts[d] {
		d = d.AddDays(-1)
	}
	for ; counts[d]; d = d.AddDays(-1) {
		cur++
	}
	longest, run := 0, 0
	if len(days) > 0 {
		for d := days[0].Date; !d.After(c.today); d = d.AddDays(1) {
			if counts[d] {
				run++
				longest = max(longest, run)
			} else {
				run = 0
			}
		}
	}
	if st.Current != cur || st.Longest != longest || st.TodayCounts != counts[c.today] {
		t.Fatalf("streak %+v; counted current %d, longest %d", st, cur, longest)
	}

	// Summaries nest: today within the week within all time, the month within
	// all time.
	s := Summarize(days, c.today, c.first, c.min)
	if s.Today.Seconds > s.Week.Seconds || s.Week.Seconds > s.AllTime.Seconds || s.Month.Seconds > s.AllTime.Seconds ||
		s.Today.Seconds != filled[len(filled)-1].Seconds {
		t.Fatalf("summary %+v", s)
	}

	// Heatmap levels: 0 exactly for days without study, 1..4 otherwise, and
	// never lower for more study.
	levels := HeatmapLevels(filled)
	order := make([]int, len(filled))
	for i := range order {
		order[i] = i
		if l := levels[i]; (l == 0) != (filled[i].Seconds <= 0) || l < 0 || l > 4 {
			t.Fatalf("day %v with %d s has level %d", filled[i].Date, filled[i].Seconds, l)
		}
	}
	slices.SortFunc(order, func(a, b int) int { return int(filled[a].Seconds - filled[b].Seconds) })
	for k := 1; k < len(order); k++ {
		if levels[order[k]] < levels[order[k-1]] {
			t.Fatalf("%d s has level %d, %d s level %d", filled[order[k]].Seconds, levels[order[k]],
				filled[order[k-1]].Seconds, levels[order[k-1]])
		}
	}

	// Weekly pace: weeks in order, starting on the right weekday, with every
	// page of the days that had pages.
	var pages, weekPages int64
	for _, d := range days {
		pages += d.Pages
	}
	weeks := WeeklyPace(days, c.first)
	for i, w := range weeks {
		weekPages += w.Pages
		if w.WeekStart.Weekday() != c.first || w.Pages <= 0 || i > 0 && w.WeekStart.Sub(weeks[i-1].WeekStart) < 7 {
			t.Fatalf("week %+v", w)
		}
	}
	if pages != weekPages {
		t.Fatalf("weekly pace has %d pages of %d", weekPages, pages)
	}

	// A projection is a date from today on, or a reason.
	recent := FillDays(days, c.today.AddDays(-RecentDays), c.today.AddDays(-1))
	fin, why := ProjectFinish(c.remaining, recent, filled[len(filled)-1])
	if (fin == nil) == (why == "") || fin != nil && (fin.Before(c.today) || fin.Sub(c.today) > MaxProjectionDays) {
		t.Fatalf("ProjectFinish(%v) = %v, %q", c.remaining, fin, why)
	}
}

func FuzzDays(f *testing.F) {
	f.Add([]byte{}, uint8(0), uint8(2), uint16(10), uint16(900), false, 3600.0)
	// An evening session across midnight, every night for a week, in Berlin
	// around the spring change (base 2026-01-01; day 87 is 2026-03-29).
	var nights []byte
	for n := range 7 {
		for q := range 6 {
			off := (84+n)*96 + 90 + q
			nights = append(nights, byte(off>>8), byte(off), 255, byte(q), byte(q%2))
		}
	}
	f.Add(nights, uint8(1), uint8(2), uint16(91), uint16(900), false, 20000.0)
	f.Add(nights, uint8(7), uint8(2), uint16(91), uint16(0), true, 1e12)
	f.Add([]byte{11, 200, 255, 1, 1, 11, 180, 100, 2, 0, 12, 8, 50, 3, 1}, uint8(12), uint8(0), uint16(30), uint16(60), true, 100.0)
	f.Add([]byte{6, 0, 255, 1, 1, 6, 4, 255, 1, 0, 6, 100, 1, 1, 1}, uint8(9), uint8(1), uint16(29), uint16(1), false, 0.0)
	f.Fuzz(func(t *testing.T, data []byte, zi, bi uint8, todayOff, minArg uint16, sunday bool, remaining float64) {
		if len(data) > 5000 {
			return
		}
		base := propertyBases[int(bi)%len(propertyBases)]
		loc := zone(t, propertyZones[int(zi)%len(propertyZones)])
		c := propertyCase{
			buckets:   bucketsFrom(data, base),
			loc:       loc,
			today:     DateOf(base, loc).AddDays(int(todayOff % 700)),
			window:    1 + int(minArg%400),
			min:       int64(minArg % 2000),
			first:     time.Monday,
			remaining: remaining,
		}
		if sunday {
			c.first = time.Sunday
		}
		checkProperties(t, c)
	})
}

// The same properties on a few hundred random cases on every test run (the
// fuzzer explores further with go test -fuzz FuzzDays).
func TestProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for range 300 {
		data := make([]byte, 5*r.IntN(400))
		for i := range data {
			data[i] = byte(r.UintN(256))
		}
		if r.IntN(2) == 0 { // dense sessions: quarter hours close together
			start := r.IntN(60000)
			for i := 0; i+1 < len(data); i += 5 {
				off := start + i/5
				data[i], data[i+1] = byte(off>>8), byte(off)
			}
		}
		base := propertyBases[r.IntN(len(propertyBases))]
		loc := zone(t, propertyZones[r.IntN(len(propertyZones))])
		checkProperties(t, propertyCase{
			buckets:   bucketsFrom(data, base),
			loc:       loc,
			today:     DateOf(base, loc).AddDays(r.IntN(700)),
			window:    1 + r.IntN(400),
			min:       int64(r.IntN(2000)),
			first:     []time.Weekday{time.Monday, time.Sunday}[r.IntN(2)],
			remaining: r.Float64() * 1e6,
		})
	}
}
