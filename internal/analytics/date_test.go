package analytics

import (
	"encoding/json"
	"testing"
	"time"
	_ "time/tzdata" // zones from Go's copy of the tz database, not the machine's
)

// day parses a test date; a typo in a test table fails loudly.
func day(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic("bad test date " + s)
	}
	return d
}

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func instant(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic("bad test instant " + s)
	}
	return t
}

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Date
	}{
		{"2026-12-31", Date{2026, time.December, 31}},
		{"2026-01-01", Date{2026, time.January, 1}},
		{"2028-02-29", Date{2028, time.February, 29}}, // leap year
		{"2000-02-29", Date{2000, time.February, 29}}, // divisible by 400
		{"0001-01-01", Date{1, time.January, 1}},
		{"9999-12-31", Date{9999, time.December, 31}},
	} {
		got, err := ParseDate(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if got.String() != tc.in {
			t.Errorf("ParseDate(%q).String() = %q", tc.in, got.String())
		}
	}
	for _, in := range []string{
		"", "2026-02-29", "1900-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00",
		"2026-01-32", "0000-01-01", "2026-1-02", "2026-01-2", "26-01-02", "+026-01-02",
		"-026-01-02", "2026/01/02", " 2026-01-02", "2026-01-02 ", "2026-01-02T00:00:00Z",
		"20260102", "2026-0a-02", "２０２６-01-02", "12026-01-02",
	} {
		if got, err := ParseDate(in); err != ErrInvalidDate {
			t.Errorf("ParseDate(%q) = %v, %v; want ErrInvalidDate", in, got, err)
		}
	}
}

func TestDateJSON(t *testing.T) {
	end := day("2027-01-03")
	b, err := json.Marshal(struct {
		Date Date
		End  *Date
		None *Date
	}{day("2026-12-31"), &end, nil})
	if err != nil || string(b) != `{"Date":"2026-12-31","End":"2027-01-03","None":null}` {
		t.Fatalf("json = %s, %v", b, err)
	}
	var back struct{ Date Date }
	if err := json.Unmarshal([]byte(`{"Date":"2028-02-29"}`), &back); err != nil || back.Date != day("2028-02-29") {
		t.Fatalf("unmarshal = %v, %v", back.Date, err)
	}
	if err := json.Unmarshal([]byte(`{"Date":"2026-02-29"}`), &back); err == nil {
		t.Fatal("unmarshal accepted 2026-02-29")
	}
}

func TestDateOf(t *testing.T) {
	at := instant("2026-06-01T11:30:00Z")
	for _, tc := range []struct {
		zone string
		want string
	}{
		{"UTC", "2026-06-01"},
		{"Pacific/Auckland", "2026-06-01"},    // 23:30 NZST
		{"Pacific/Kiritimati", "2026-06-02"},  // 01:30 at +14
		{"America/Los_Angeles", "2026-06-01"}, // 04:30 PDT
		{"Pacific/Pago_Pago", "2026-06-01"},   // 00:30 at -11
		{"Pacific/Honolulu", "2026-06-01"},    // 01:30 at -10
	} {
		if got := DateOf(at, zone(t, tc.zone)); got != day(tc.want) {
			t.Errorf("DateOf(%v, %s) = %v, want %s", at, tc.zone, got, tc.want)
		}
	}
	if got := DateOf(instant("2026-06-01T10:59:59Z"), zone(t, "Pacific/Pago_Pago")); got != day("2026-05-31") {
		t.Errorf("Pago Pago 23:59:59 = %v", got)
	}
}

func TestAddDaysSub(t *testing.T) {
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-12-31", 1, "2027-01-01"},
		{"2027-01-01", -1, "2026-12-31"},
		{"2026-02-28", 1, "2026-03-01"},
		{"2028-02-28", 1, "2028-02-29"},
		{"2028-02-29", 1, "2028-03-01"},
		{"2026-03-29", 0, "2026-03-29"},
		{"2026-01-31", 30, "2026-03-02"},
		{"2026-01-01", 365, "2027-01-01"},
		{"2028-01-01", 366, "2029-01-01"},
		{"1969-12-31", 1, "1970-01-01"}, // across the Unix epoch
		{"1970-01-01", -1, "1969-12-31"},
		{"1900-03-01", -1, "1900-02-28"}, // 1900 is not a leap year
	} {
		got := day(tc.from).AddDays(tc.n)
		if got != day(tc.want) {
			t.Errorf("%s + %d = %v, want %s", tc.from, tc.n, got, tc.want)
		}
		if s := day(tc.want).Sub(day(tc.from)); s != tc.n {
			t.Errorf("%s − %s = %d, want %d", tc.want, tc.from, s, tc.n)
		}
	}
}

func TestCompare(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"2026-03-29", "2026-03-29", 0},
		{"2026-03-28", "2026-03-29", -1},
		{"2026-04-01", "2026-03-31", 1},
		{"2025-12-31", "2026-01-01", -1},
		{"2027-01-01", "2026-12-31", 1},
	} {
		a, b := day(tc.a), day(tc.b)
		if got := a.Compare(b); got != tc.want {
			t.Errorf("%s.Compare(%s) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if a.Before(b) != (tc.want < 0) || a.After(b) != (tc.want > 0) {
			t.Errorf("%s Before/After %s disagree with %d", tc.a, tc.b, tc.want)
		}
	}
}

func TestWeekday(t *testing.T) {
	for _, tc := range []struct {
		d    string
		want time.Weekday
	}{
		{"1970-01-01", time.Thursday},
		{"1969-12-28", time.Sunday},
		{"2026-03-29", time.Sunday},
		{"2026-06-10", time.Wednesday},
		{"2028-02-29", time.Tuesday},
		{"2000-01-01", time.Saturday},
	} {
		if got := day(tc.d).Weekday(); got != tc.want {
			t.Errorf("%s is %v, want %v", tc.d, got, tc.want)
		}
	}
	// And every day for 30 years agrees with the standard library.
	d := day("1995-01-01")
	for range 30 * 366 {
		if want := time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday(); d.Weekday() != want {
			t.Fatalf("%v is %v, time says %v", d, d.Weekday(), want)
		}
		d = d.AddDays(1)
	}
}

func TestWeekStartMonthStart(t *testing.T) {
	for _, tc := range []struct {
		d      string
		first  time.Weekday
		want   string
		wantMo string
	}{
		{"2026-06-10", time.Monday, "2026-06-08", "2026-06-01"}, // Wednesday
		{"2026-06-10", time.Sunday, "2026-06-07", "2026-06-01"},
		{"2026-06-08", time.Monday, "2026-06-08", "2026-06-01"}, // a Monday is its own week start
		{"2026-06-07", time.Monday, "2026-06-01", "2026-06-01"}, // a Sunday ends a Monday week
		{"2026-06-07", time.Sunday, "2026-06-07", "2026-06-01"},
		{"2026-06-13", time.Sunday, "2026-06-07", "2026-06-01"}, // Saturday
		{"2026-03-01", time.Monday, "2026-02-23", "2026-03-01"}, // week begins in the previous month
		{"2027-01-01", time.Monday, "2026-12-28", "2027-01-01"}, // and in the previous year
		{"2027-01-01", time.Sunday, "2026-12-27", "2027-01-01"},
		{"2028-02-29", time.Monday, "2028-02-28", "2028-02-01"},
		{"2026-12-31", time.Sunday, "2026-12-27", "2026-12-01"},
	} {
		if got := WeekStart(day(tc.d), tc.first); got != day(tc.want) {
			t.Errorf("WeekStart(%s, %v) = %v, want %s", tc.d, tc.first, got, tc.want)
		}
		if got := MonthStart(day(tc.d)); got != day(tc.wantMo) {
			t.Errorf("MonthStart(%s) = %v, want %s", tc.d, got, tc.wantMo)
		}
	}
}

func TestDayBounds(t *testing.T) {
	for _, tc := range []struct {
		zone, date string
		start      string // RFC 3339, UTC
		length     time.Duration
		why        string
	}{
		{"UTC", "2026-06-01", "2026-06-01T00:00:00Z", 24 * time.Hour, "plain day"},
		{"Europe/Berlin", "2026-03-28", "2026-03-27T23:00:00Z", 24 * time.Hour, "day before the change"},
		{"Europe/Berlin", "2026-03-29", "2026-03-28T23:00:00Z", 23 * time.Hour, "clocks 02:00 → 03:00"},
		{"Europe/Berlin", "2026-03-30", "2026-03-29T22:00:00Z", 24 * time.Hour, "first summer day"},
		{"Europe/Berlin", "2026-10-25", "2026-10-24T22:00:00Z", 25 * time.Hour, "clocks 03:00 → 02:00"},
		{"America/Los_Angeles", "2026-03-08", "2026-03-08T08:00:00Z", 23 * time.Hour, "spring forward"},
		{"America/Los_Angeles", "2026-11-01", "2026-11-01T07:00:00Z", 25 * time.Hour, "fall back"},
		{"Pacific/Auckland", "2026-04-05", "2026-04-04T11:00:00Z", 25 * time.Hour, "southern autumn"},
		{"Pacific/Auckland", "2026-09-27", "2026-09-26T12:00:00Z", 23 * time.Hour, "southern spring"},
		{"Australia/Lord_Howe", "2026-04-05", "2026-04-04T13:00:00Z", 24*time.Hour + 30*time.Minute, "half-hour DST"},
		{"Australia/Lord_Howe", "2026-10-04", "2026-10-03T13:30:00Z", 23*time.Hour + 30*time.Minute, "half-hour DST"},
		{"Asia/Kathmandu", "2026-06-01", "2026-05-31T18:15:00Z", 24 * time.Hour, "+05:45"},
		{"America/Havana", "2026-03-08", "2026-03-08T05:00:00Z", 23 * time.Hour, "midnight skipped: starts 01:00"},
		{"America/Havana", "2026-11-01", "2026-11-01T04:00:00Z", 25 * time.Hour, "midnight twice (west)"},
		{"America/Santiago", "2026-09-06", "2026-09-06T04:00:00Z", 23 * time.Hour, "midnight skipped"},
		{"Asia/Amman", "2021-10-29", "2021-10-28T21:00:00Z", 25 * time.Hour, "midnight twice (east): time.Date picks the second"},
		{"Atlantic/Azores", "2026-10-25", "2026-10-25T00:00:00Z", 25 * time.Hour, "midnight twice at offset 0"},
		{"Asia/Beirut", "2026-10-24", "2026-10-23T21:00:00Z", 25 * time.Hour, "clocks 24:00 → 23:00"},
		{"Pacific/Apia", "2011-12-29", "2011-12-29T10:00:00Z", 24 * time.Hour, "last day east of the date line"},
		{"Pacific/Apia", "2011-12-30", "2011-12-30T10:00:00Z", 0, "skipped date"},
		{"Pacific/Apia", "2011-12-31", "2011-12-30T10:00:00Z", 24 * time.Hour, "first day west of it"},
	} {
		loc, d := zone(t, tc.zone), day(tc.date)
		start, end := DayBounds(d, loc)
		if !start.Equal(instant(tc.start)) || end.Sub(start) != tc.length {
			t.Errorf("%s %s (%s): bounds %v .. %v (%v), want start %s, %v",
				tc.zone, tc.date, tc.why, start.UTC(), end.UTC(), end.Sub(start), tc.start, tc.length)
		}
		if start.Location() != loc {
			t.Errorf("%s %s: Start in %v, want %v", tc.zone, tc.date, start.Location(), loc)
		}
		if got := DateOf(start.Add(-time.Second), loc); !got.Before(d) {
			t.Errorf("%s %s: the second before Start is on %v", tc.zone, tc.date, got)
		}
		if tc.length > 0 {
			if got := DateOf(start, loc); got != d {
				t.Errorf("%s %s: Start is on %v", tc.zone, tc.date, got)
			}
			if got := DateOf(end.Add(-time.Second), loc); got != d {
				t.Errorf("%s %s: the last second is on %v", tc.zone, tc.date, got)
			}
		}
	}
}
