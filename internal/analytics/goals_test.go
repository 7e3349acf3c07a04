package analytics

import (
	"encoding/json"
	"math"
	"testing"
)

func TestGoalKinds(t *testing.T) {
	deadline := map[GoalKind]bool{GoalDailyMinutes: false, GoalDailyPages: false, GoalFinishPDFBy: true, GoalFinishTopicBy: true}
	if len(GoalKinds) != len(deadline) {
		t.Fatalf("GoalKinds = %v", GoalKinds)
	}
	for _, k := range GoalKinds {
		want, ok := deadline[k]
		if !ok || !k.Valid() || k.HasDeadline() != want {
			t.Errorf("%q: known %v, valid %v, deadline %v", k, ok, k.Valid(), k.HasDeadline())
		}
	}
	for _, k := range []GoalKind{"", "daily_hours", "DAILY_MINUTES", "finish_pdf_by "} {
		if k.Valid() {
			t.Errorf("%q is valid", k)
		}
	}
}

func TestDailyGoals(t *testing.T) {
	for _, tc := range []struct {
		name   string
		pages  bool // DailyPages instead of DailyMinutes
		target int64
		today  Day
		want   DailyProgress
	}{
		{"minutes: nothing yet", false, 60, Day{}, DailyProgress{60, 0, 0, false}},
		{"minutes: halfway", false, 60, Day{Seconds: 1800}, DailyProgress{60, 30, 50, false}},
		{"minutes: one second short is not done", false, 60, Day{Seconds: 3599}, DailyProgress{60, 59, 100 * 3599.0 / 3600, false}},
		{"minutes: exactly the target", false, 60, Day{Seconds: 3600}, DailyProgress{60, 60, 100, true}},
		{"minutes: over the target, percent capped", false, 60, Day{Seconds: 5400}, DailyProgress{60, 90, 100, true}},
		{"minutes: a zero target is met", false, 0, Day{}, DailyProgress{0, 0, 100, true}},
		{"minutes: negative seconds count as none", false, 30, Day{Seconds: -60}, DailyProgress{30, 0, 0, false}},
		{"pages: some", true, 20, Day{Pages: 5}, DailyProgress{20, 5, 25, false}},
		{"pages: done", true, 20, Day{Pages: 20, Seconds: 1}, DailyProgress{20, 20, 100, true}},
		{"pages: a zero target is met", true, 0, Day{}, DailyProgress{0, 0, 100, true}},
	} {
		var got DailyProgress
		if tc.pages {
			got = DailyPages(tc.target, tc.today)
		} else {
			got = DailyMinutes(tc.target, tc.today)
		}
		if got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

// recent is the 14 days before today with the given seconds each day.
func recent(today Date, perDay int64) []Day {
	days := FillDays(nil, today.AddDays(-RecentDays), today.AddDays(-1))
	for i := range days {
		days[i].Seconds = perDay
	}
	return days
}

func TestProjectFinish(t *testing.T) {
	today := day("2026-06-10")
	hour := recent(today, 3600)
	for _, tc := range []struct {
		name      string
		remaining float64
		recent    []Day
		soFar     int64
		want      string // "" for nil
		reason    string
	}{
		{"nothing remaining: today", 0, nil, 0, "2026-06-10", ""},
		{"no recent study", 3600, nil, 0, "", ReasonNoRecentStudy},
		{"only today's study is not a pace", 3600, nil, 7200, "", ReasonNoRecentStudy},
		{"study 15 days ago is outside the window", 3600, []Day{studied("2026-05-26", 50000)}, 0, "", ReasonNoRecentStudy},
		{"study 14 days ago is inside it", 3600, []Day{studied("2026-05-27", 50400)}, 0, "2026-06-10", ""},
		{"an hour a day, an hour left, nothing yet today", 3600, hour, 0, "2026-06-10", ""},
		{"an hour a day, five hours left: today and four more days", 5 * 3600, hour, 0, "2026-06-14", ""},
		{"40 minutes done today, 30 left: tomorrow", 1800, hour, 2400, "2026-06-11", ""},
		{"20 minutes done today, 30 left: today", 1800, hour, 1200, "2026-06-10", ""},
		{"already over the usual amount today: from tomorrow", 7200, hour, 5000, "2026-06-12", ""},
		{"half an hour a day on average", 3 * 3600, recent(today, 1800), 0, "2026-06-15", ""},
		{"a sparse history: 7 h in two weeks is 30 min a day", 3600, []Day{studied("2026-06-01", 25200)}, 0, "2026-06-11", ""},
		{"one second a day: ten years is still a date", 3654, recent(today, 1), 0, "2036-06-10", ""},
		{"one more second is too far", 3655, recent(today, 1), 0, "", ReasonTooFar},
		{"NaN counts as nothing remaining", math.NaN(), nil, 0, "2026-06-10", ""},
	} {
		got, reason := ProjectFinish(tc.remaining, tc.recent, Day{Date: today, Seconds: tc.soFar})
		gotS := ""
		if got != nil {
			gotS = got.String()
		}
		if gotS != tc.want || reason != tc.reason {
			t.Errorf("%s: %q %q, want %q %q", tc.name, gotS, reason, tc.want, tc.reason)
		}
	}
	if d := day("2026-06-10").AddDays(MaxProjectionDays); d != day("2036-06-10") {
		t.Fatalf("test assumes %d days is ten years: %v", MaxProjectionDays, d)
	}
}

func TestDeadline(t *testing.T) {
	today := day("2026-06-10")
	hour := recent(today, 3600)
	for _, tc := range []struct {
		name string
		in   DeadlineInput
		want DeadlineProgress
	}{
		{"on track", DeadlineInput{RemainingPages: 100, RemainingSeconds: 5 * 3600, Today: Day{Date: today}, Deadline: day("2026-06-19"), Recent: hour},
			DeadlineProgress{DaysLeft: 10, RequiredPagesPerDay: 10, RequiredMinutesPerDay: 30, ProjectedFinish: ptr(day("2026-06-14")), OnTrack: true}},
		{"off track", DeadlineInput{RemainingPages: 300, RemainingSeconds: 15 * 3600, Today: Day{Date: today}, Deadline: day("2026-06-19"), Recent: hour},
			DeadlineProgress{DaysLeft: 10, RequiredPagesPerDay: 30, RequiredMinutesPerDay: 90, ProjectedFinish: ptr(day("2026-06-24")), OnTrack: false}},
		{"finish on the deadline day is on track", DeadlineInput{RemainingPages: 200, RemainingSeconds: 10 * 3600, Today: Day{Date: today}, Deadline: day("2026-06-19"), Recent: hour},
			DeadlineProgress{DaysLeft: 10, RequiredPagesPerDay: 20, RequiredMinutesPerDay: 60, ProjectedFinish: ptr(day("2026-06-19")), OnTrack: true}},
		{"deadline today, can make it", DeadlineInput{RemainingPages: 12, RemainingSeconds: 1800, Today: Day{Date: today, Seconds: 600}, Deadline: today, Recent: hour},
			DeadlineProgress{DaysLeft: 1, RequiredPagesPerDay: 12, RequiredMinutesPerDay: 30, ProjectedFinish: ptr(today), OnTrack: true}},
		{"deadline today, too much left", DeadlineInput{RemainingPages: 60, RemainingSeconds: 3 * 3600, Today: Day{Date: today, Seconds: 600}, Deadline: today, Recent: hour},
			DeadlineProgress{DaysLeft: 1, RequiredPagesPerDay: 60, RequiredMinutesPerDay: 180, ProjectedFinish: ptr(day("2026-06-13")), OnTrack: false}}, // 50 min today, then 3 h

		{"nothing remaining", DeadlineInput{Today: Day{Date: today}, Deadline: day("2026-06-19")},
			DeadlineProgress{DaysLeft: 10, ProjectedReason: ReasonDone, OnTrack: true}},
		{"no pages but exercises left is not done", DeadlineInput{RemainingSeconds: 1800, Today: Day{Date: today}, Deadline: day("2026-06-11"), Recent: hour},
			DeadlineProgress{DaysLeft: 2, RequiredMinutesPerDay: 15, ProjectedFinish: ptr(today), OnTrack: true}},
		{"no recent study", DeadlineInput{RemainingPages: 50, RemainingSeconds: 4500, Today: Day{Date: today, Seconds: 3000}, Deadline: day("2026-06-14")},
			DeadlineProgress{DaysLeft: 5, RequiredPagesPerDay: 10, RequiredMinutesPerDay: 15, ProjectedReason: ReasonNoRecentStudy, OnTrack: false}},
		{"deadline passed: finish today, not on track", DeadlineInput{RemainingPages: 10, RemainingSeconds: 600, Today: Day{Date: today}, Deadline: day("2026-06-08"), Recent: hour},
			DeadlineProgress{DaysLeft: 0, RequiredPagesPerDay: 10, RequiredMinutesPerDay: 10, ProjectedFinish: ptr(today), OnTrack: false}},
		{"deadline passed but done", DeadlineInput{Today: Day{Date: today}, Deadline: day("2026-06-08")},
			DeadlineProgress{DaysLeft: 0, ProjectedReason: ReasonDone, OnTrack: true}},
	} {
		got := Deadline(tc.in)
		if !sameDeadline(got, tc.want) {
			t.Errorf("%s:\n got %+v (finish %v)\nwant %+v (finish %v)", tc.name, got, got.ProjectedFinish, tc.want, tc.want.ProjectedFinish)
		}
		if (got.ProjectedFinish == nil) != (got.ProjectedReason != "") {
			t.Errorf("%s: finish %v with reason %q", tc.name, got.ProjectedFinish, got.ProjectedReason)
		}
	}
}

func sameDeadline(a, b DeadlineProgress) bool {
	if (a.ProjectedFinish == nil) != (b.ProjectedFinish == nil) || a.ProjectedFinish != nil && *a.ProjectedFinish != *b.ProjectedFinish {
		return false
	}
	a.ProjectedFinish, b.ProjectedFinish = nil, nil
	return a == b
}

// Whatever the estimator hands over, the answer can be sent as JSON (which
// has no NaN or infinity).
func TestDeadlineNonFiniteInput(t *testing.T) {
	today := day("2026-06-10")
	for _, secs := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), -5} {
		got := Deadline(DeadlineInput{RemainingPages: 10, RemainingSeconds: secs, Today: Day{Date: today}, Deadline: today.AddDays(4)})
		if _, err := json.Marshal(got); err != nil || got.RequiredMinutesPerDay != 0 || got.RequiredPagesPerDay != 2 {
			t.Errorf("seconds %v: %+v, %v", secs, got, err)
		}
	}
}
