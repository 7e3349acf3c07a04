// Package analytics holds the pure rules behind a student's stats: civil
// dates and their bounds in the student's time zone, the grouping of
// 15-minute UTC rollup buckets into local days, period totals, streaks,
// heatmap levels, weekly reading pace, and goal progress with projected
// finish dates. The rules use no database, no clock and no I/O: today's
// date, the time zone and all data are parameters, so every rule is
// table-tested. Store (service.go) is the one database side: it reads the
// timer's rollups as local days, summed in SQL, for the rules to work on.
//
// Days are always the student's local days. A local day is not always
// 24 hours: a daylight-saving change makes it 23 or 25 hours (23.5 or 24.5
// on Lord Howe Island), and a few zones change their clocks at midnight, so
// the day may start at 01:00 or see 00:00 twice. Everything here is computed
// from instants and the tz database, never by adding 24 hours.
package analytics

import (
	"errors"
	"fmt"
	"time"
)

// Date is a civil date: a day of the proleptic Gregorian calendar, without a
// time or a zone. Its zero value is not a valid date. Every Date this
// package returns is valid; a Date literal given to it must be valid too
// (Date{2026, time.February, 30} is not), and years 1 to 9999 print and
// parse as "YYYY-MM-DD". Dates are comparable with ==.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ErrInvalidDate is returned by ParseDate for anything but a real calendar
// date written YYYY-MM-DD.
var ErrInvalidDate = errors.New("must be a date as YYYY-MM-DD")

const secondsPerDay = 24 * 60 * 60

// DateOf is the date that instant t has on the wall clocks of loc. loc must
// not be nil (as with time.Time.In).
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

// ParseDate reads a date written exactly YYYY-MM-DD (ten characters, year
// 0001 to 9999) and checks that the day exists: "2026-02-29" is refused,
// "2028-02-29" accepted. Any other input gives ErrInvalidDate.
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, ErrInvalidDate
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || y < 1 || m < 1 || m > 12 || d < 1 || d > daysIn(y, time.Month(m)) {
		return Date{}, ErrInvalidDate
	}
	return Date{y, time.Month(m), d}, nil
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// daysIn is the number of days of month m in year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// String writes the date as YYYY-MM-DD, e.g. "2026-12-31".
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// MarshalText writes the date as YYYY-MM-DD, so a Date (or *Date, nil as
// null) in a JSON response is a "2026-12-31" string.
func (d Date) MarshalText() ([]byte, error) {
	return []byte(d.String()), nil
}

// UnmarshalText reads a date with ParseDate.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// unixDay is the number of days from 1970-01-01 to d (negative before).
func (d Date) unixDay() int64 {
	// A UTC midnight is an exact multiple of a day, so the division is exact.
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix() / secondsPerDay
}

func fromUnixDay(n int64) Date {
	return DateOf(time.Unix(n*secondsPerDay, 0), time.UTC)
}

// AddDays is the date n days after d (before d when n is negative), across
// month and year ends: 2026-12-31 + 1 is 2027-01-01.
func (d Date) AddDays(n int) Date {
	return fromUnixDay(d.unixDay() + int64(n))
}

// Sub is the number of days from o to d: positive when d is after o,
// 2026-03-01.Sub(2026-02-28) is 1.
func (d Date) Sub(o Date) int {
	return int(d.unixDay() - o.unixDay())
}

// Compare is -1 when d is before o, 0 when they are the same date, +1 when
// d is after o (for slices.SortFunc).
func (d Date) Compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return cmpInt(d.Year, o.Year)
	case d.Month != o.Month:
		return cmpInt(int(d.Month), int(o.Month))
	default:
		return cmpInt(d.Day, o.Day)
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is an earlier date than o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is a later date than o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// Weekday is the day of the week of d.
func (d Date) Weekday() time.Weekday {
	// 1970-01-01 was a Thursday.
	return time.Weekday(((d.unixDay()+int64(time.Thursday))%7 + 7) % 7)
}

// Start is the first instant of d on the wall clocks of loc, returned in
// loc. Usually that is 00:00 local time, but not always, and time.Date
// alone gets the exceptions wrong:
//   - when the clocks jump forward at midnight (America/Havana 2026-03-08,
//     America/Santiago 2026-09-06) the day starts at 01:00, the first time
//     its wall clocks show;
//   - when they fall back onto midnight (Asia/Amman 2021-10-29, clocks from
//     01:00 back to 00:00) 00:00 happens twice and the day starts at the
//     first one, so the day has 25 hours;
//   - a date a zone skipped (Pacific/Apia 2011-12-30, when Samoa crossed the
//     date line) starts where the next date starts: its day is empty.
//
// Precisely, Start is the earliest instant whose date in loc is d or later.
// That is exact because, in every zone of the tz database since 2011, the
// local date never goes back as time goes forward (until 2010 Newfoundland
// and Labrador ended summer time at 00:01, back to 23:01 of the day before;
// for those hours Start picks one of the boundaries).
func (d Date) Start(loc *time.Location) time.Time {
	t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
	// Transitions fall on whole seconds, so t is the first instant of d when
	// it is in d and the second before it is not.
	if DateOf(t, loc) == d && DateOf(t.Add(-time.Second), loc).Before(d) {
		return t
	}
	// Search the seconds around UTC midnight of d: offsets are within ±16 h,
	// so 48 h before it is always an earlier date and 48 h after it a later
	// one. Invariant: date(lo) < d <= date(hi).
	mid := d.unixDay() * secondsPerDay
	lo, hi := mid-2*secondsPerDay, mid+2*secondsPerDay
	for hi-lo > 1 {
		m := lo + (hi-lo)/2
		if DateOf(time.Unix(m, 0), loc).Before(d) {
			lo = m
		} else {
			hi = m
		}
	}
	return time.Unix(hi, 0).In(loc)
}

// DayBounds is the half-open interval [start, end) of the instants whose
// date in loc is d: from d's Start to the next date's Start. It is 24 hours
// long on most days, 23 or 25 on daylight-saving changes (Europe/Berlin
// 2026-03-29 and 2026-10-25), 23.5 or 24.5 on Lord Howe Island, and empty
// for a date the zone skipped.
func DayBounds(d Date, loc *time.Location) (start, end time.Time) {
	return d.Start(loc), d.AddDays(1).Start(loc)
}

// WeekStart is the first day of the week that contains d, for weeks that
// begin on first (time.Monday or time.Sunday, from the student's
// week_start preference): d itself when d is a first, otherwise the latest
// first before d.
func WeekStart(d Date, first time.Weekday) Date {
	back := ((int(d.Weekday())-int(first))%7 + 7) % 7
	return d.AddDays(-back)
}

// MonthStart is the first day of d's month.
func MonthStart(d Date) Date {
	return Date{d.Year, d.Month, 1}
}
