package analytics

import (
	"slices"
	"time"
)

// Bucket is one 15-minute UTC rollup row of a student's study, as the timer
// writes it.
type Bucket struct {
	Start         time.Time // bucket start, UTC, aligned to 15 minutes
	ActiveSeconds int64     // active study time that fell inside the bucket (split exactly)
	ReadSeconds   int64     // counted reading time of the page dwells that began in the bucket
	PagesRead     int64     // counted page dwells that began in the bucket
	Sessions      int64     // study sessions that started in the bucket
}

// Day is one local day's totals of a student's study.
type Day struct {
	Date        Date
	Seconds     int64 // active study seconds
	ReadSeconds int64 // counted reading seconds (for pace)
	Pages       int64 // counted page reads
	Sessions    int64 // sessions started
}

// add adds o's totals to d (not its date).
func (d *Day) add(o Day) {
	d.Seconds += o.Seconds
	d.ReadSeconds += o.ReadSeconds
	d.Pages += o.Pages
	d.Sessions += o.Sessions
}

// LocalDays groups buckets by the date their Start has in loc and sums them:
// the reference for the SQL that does the same grouping in the database.
// Every offset in use since 1972 is a multiple of 15 minutes, so an aligned
// bucket never straddles a local midnight and each day gets exactly the
// buckets inside its DayBounds: 96 on most days, 92 or 100 on a
// daylight-saving change, 94 or 98 on Lord Howe Island. (A bucket whose
// Start is not aligned counts on the date its Start has.) A study session
// across local midnight therefore counts on both days, each with the active
// time that fell in it; a page dwell counts on the day it began.
//
// The result has one Day per date that has at least one bucket, in date
// order. Buckets may come in any order; buckets of the same date are added
// together. Totals are conserved: the days' Seconds add up to the buckets'
// ActiveSeconds, and so on for the other fields.
func LocalDays(buckets []Bucket, loc *time.Location) []Day {
	var days []Day
	sorted := true
	// The bounds of the last day seen: buckets usually come in time order,
	// so most of them fall in it and need no zone lookup.
	var cur Date
	var curStart, curEnd time.Time
	for _, b := range buckets {
		date := cur
		if b.Start.Before(curStart) || !b.Start.Before(curEnd) {
			date = DateOf(b.Start, loc)
			cur = date
			curStart, curEnd = DayBounds(date, loc)
		}
		one := Day{Date: date, Seconds: b.ActiveSeconds, ReadSeconds: b.ReadSeconds, Pages: b.PagesRead, Sessions: b.Sessions}
		if n := len(days); n > 0 && days[n-1].Date == date {
			days[n-1].add(one)
			continue
		} else if n > 0 && date.Before(days[n-1].Date) {
			sorted = false
		}
		days = append(days, one)
	}
	if !sorted {
		days = mergeSorted(days)
	}
	return days
}

// mergeSorted sorts days by date in place and adds up days of the same date.
func mergeSorted(days []Day) []Day {
	slices.SortStableFunc(days, func(a, b Day) int { return a.Date.Compare(b.Date) })
	out := days[:0]
	for _, d := range days {
		if n := len(out); n > 0 && out[n-1].Date == d.Date {
			out[n-1].add(d)
			continue
		}
		out = append(out, d)
	}
	return out
}

// normalized returns days in strictly increasing date order with days of
// the same date added together: days itself when it already is, otherwise a
// sorted copy (days is never modified).
func normalized(days []Day) []Day {
	for i := 1; i < len(days); i++ {
		if !days[i-1].Date.Before(days[i].Date) {
			return mergeSorted(slices.Clone(days))
		}
	}
	return days
}

// FillDays returns every date from from to to inclusive, in order, with the
// totals of days (zeros for a date without study): exactly to−from+1 days,
// none when to is before from. Days outside the range are left out; days of
// the same date are added together; days may be in any order. The caller
// bounds the range (a year of days is 366 entries; the function allocates
// them all).
func FillDays(days []Day, from, to Date) []Day {
	n := to.Sub(from) + 1
	if n <= 0 {
		return nil
	}
	out := make([]Day, n)
	for i := range out {
		out[i].Date = from.AddDays(i)
	}
	first := from.unixDay()
	for _, d := range days {
		if i := d.Date.unixDay() - first; i >= 0 && i < int64(n) {
			out[i].add(d)
		}
	}
	return out
}
