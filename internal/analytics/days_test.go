package analytics

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

const quarter = 15 * time.Minute

// fullBuckets is a bucket for every quarter hour in [from, to), each fully
// studied (900 s) with one page read, as the timer would write them for a
// student who never stops.
func fullBuckets(from, to time.Time) []Bucket {
	var bs []Bucket
	for t := from; t.Before(to); t = t.Add(quarter) {
		bs = append(bs, Bucket{Start: t, ActiveSeconds: 900, ReadSeconds: 600, PagesRead: 1})
	}
	return bs
}

func dayByDate(days []Day, d Date) (Day, bool) {
	for _, x := range days {
		if x.Date == d {
			return x, true
		}
	}
	return Day{}, false
}

// A student who studies around the clock gets, on each local day, exactly
// the buckets of that day: 92 on a 23-hour day, 100 on a 25-hour one.
func TestLocalDaysChangeDays(t *testing.T) {
	for _, tc := range []struct {
		zone, date string
		buckets    int64 // quarter hours in the local day
	}{
		{"Europe/Berlin", "2026-03-28", 96},
		{"Europe/Berlin", "2026-03-29", 92},
		{"Europe/Berlin", "2026-03-30", 96},
		{"Europe/Berlin", "2026-10-25", 100},
		{"America/Los_Angeles", "2026-03-08", 92},
		{"America/Los_Angeles", "2026-11-01", 100},
		{"America/Los_Angeles", "2026-11-02", 96},
		{"Pacific/Auckland", "2026-04-05", 100},
		{"Australia/Lord_Howe", "2026-04-05", 98},
		{"Australia/Lord_Howe", "2026-10-04", 94},
		{"Asia/Kathmandu", "2026-06-01", 96},
		{"Pacific/Chatham", "2026-09-27", 92}, // +12:45 → +13:45
		{"America/Havana", "2026-03-08", 92},
		{"Asia/Amman", "2021-10-29", 100},
	} {
		loc, d := zone(t, tc.zone), day(tc.date)
		// Three UTC days around the date, independent of the code under test.
		utc := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
		days := LocalDays(fullBuckets(utc.Add(-48*time.Hour), utc.Add(72*time.Hour)), loc)
		got, ok := dayByDate(days, d)
		if !ok || got.Pages != tc.buckets || got.Seconds != tc.buckets*900 || got.ReadSeconds != tc.buckets*600 {
			t.Errorf("%s %s: %+v (found %v), want %d buckets", tc.zone, tc.date, got, ok, tc.buckets)
		}
	}
	// Samoa skipped 2011-12-30: no bucket lands on it.
	utc := time.Date(2011, 12, 30, 0, 0, 0, 0, time.UTC)
	days := LocalDays(fullBuckets(utc.Add(-48*time.Hour), utc.Add(48*time.Hour)), zone(t, "Pacific/Apia"))
	if _, ok := dayByDate(days, day("2011-12-30")); ok {
		t.Errorf("Apia has study on the date it skipped: %+v", days)
	}
	if d29, _ := dayByDate(days, day("2011-12-29")); d29.Pages != 96 {
		t.Errorf("Apia 2011-12-29: %+v", d29)
	}
}

// A session from 23:20 to 00:40 in Los Angeles falls on two local days (one
// day in UTC, where it is 06:20 to 07:40). Active time splits at midnight;
// the page dwell that began at 23:50 counts on the day it began.
func TestLocalDaysSessionAcrossMidnight(t *testing.T) {
	buckets := []Bucket{
		{Start: instant("2026-06-10T06:15:00Z"), ActiveSeconds: 600, Sessions: 1},
		{Start: instant("2026-06-10T06:30:00Z"), ActiveSeconds: 900, ReadSeconds: 700, PagesRead: 2},
		{Start: instant("2026-06-10T06:45:00Z"), ActiveSeconds: 900, ReadSeconds: 1200, PagesRead: 1}, // 23:50 dwell, 20 min
		{Start: instant("2026-06-10T07:00:00Z"), ActiveSeconds: 900},
		{Start: instant("2026-06-10T07:15:00Z"), ActiveSeconds: 900, ReadSeconds: 800, PagesRead: 1},
		{Start: instant("2026-06-10T07:30:00Z"), ActiveSeconds: 600, ReadSeconds: 300, PagesRead: 1},
	}
	for _, tc := range []struct {
		zone string
		want []Day
	}{
		{"America/Los_Angeles", []Day{
			{Date: day("2026-06-09"), Seconds: 2400, ReadSeconds: 1900, Pages: 3, Sessions: 1},
			{Date: day("2026-06-10"), Seconds: 2400, ReadSeconds: 1100, Pages: 2},
		}},
		{"UTC", []Day{
			{Date: day("2026-06-10"), Seconds: 4800, ReadSeconds: 3000, Pages: 5, Sessions: 1},
		}},
		{"Pacific/Auckland", []Day{ // 18:15 to 19:40 NZST
			{Date: day("2026-06-10"), Seconds: 4800, ReadSeconds: 3000, Pages: 5, Sessions: 1},
		}},
	} {
		if got := LocalDays(buckets, zone(t, tc.zone)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.zone, got, tc.want)
		}
	}
}

// Buckets in any order, and repeated, give the same days as sorted ones.
func TestLocalDaysOrder(t *testing.T) {
	loc := zone(t, "Europe/Berlin")
	sorted := fullBuckets(instant("2026-03-27T00:00:00Z"), instant("2026-04-02T00:00:00Z"))
	want := LocalDays(sorted, loc)
	if len(want) != 7 || want[0].Date != day("2026-03-27") || want[6].Date != day("2026-04-02") {
		t.Fatalf("sorted: %+v", want)
	}
	shuffled := append([]Bucket(nil), sorted...)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	if got := LocalDays(shuffled, loc); !reflect.DeepEqual(got, want) {
		t.Errorf("shuffled:\n got %+v\nwant %+v", got, want)
	}
	// The same buckets twice: every total doubles.
	twice := LocalDays(append(append([]Bucket(nil), shuffled...), sorted...), loc)
	for i := range want {
		w := want[i]
		w.add(want[i])
		if twice[i] != w {
			t.Errorf("twice[%d] = %+v, want %+v", i, twice[i], w)
		}
	}
	if got := LocalDays(nil, loc); got != nil {
		t.Errorf("no buckets: %+v", got)
	}
}

func TestFillDays(t *testing.T) {
	sparse := []Day{
		{Date: day("2026-03-01"), Seconds: 100, Pages: 1},
		{Date: day("2026-02-27"), Seconds: 50, Sessions: 2},
		{Date: day("2026-02-01"), Seconds: 999}, // before the range
		{Date: day("2026-03-01"), Seconds: 10, ReadSeconds: 7},
		{Date: day("2026-03-03"), Seconds: 999}, // after it
	}
	for _, tc := range []struct {
		name     string
		from, to string
		want     []Day
	}{
		{"across the month end", "2026-02-27", "2026-03-02", []Day{
			{Date: day("2026-02-27"), Seconds: 50, Sessions: 2},
			{Date: day("2026-02-28")},
			{Date: day("2026-03-01"), Seconds: 110, ReadSeconds: 7, Pages: 1},
			{Date: day("2026-03-02")},
		}},
		{"one day", "2026-03-01", "2026-03-01", []Day{
			{Date: day("2026-03-01"), Seconds: 110, ReadSeconds: 7, Pages: 1},
		}},
		{"nothing studied", "2026-01-10", "2026-01-11", []Day{{Date: day("2026-01-10")}, {Date: day("2026-01-11")}}},
		{"to before from", "2026-03-02", "2026-03-01", nil},
	} {
		if got := FillDays(sparse, day(tc.from), day(tc.to)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
	}
	if n := len(FillDays(nil, day("2028-01-01"), day("2028-12-31"))); n != 366 {
		t.Errorf("a leap year has %d days", n)
	}
}
