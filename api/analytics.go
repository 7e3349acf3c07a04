package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/internal/analytics"
	"github.com/studysprint/studysprint/internal/apperr"
)

// The statistics: every day is a local day in the student's time zone
// (users.timezone), every week starts on their week_start. They read the
// timer's 15-minute UTC rollup, so a change of time zone re-buckets all of
// history into the new zone's days on the next read.

type totalsResponse struct {
	From         *analytics.Date `json:"from,omitempty"`
	StudySeconds int64           `json:"study_seconds"`
	PagesRead    int64           `json:"pages_read"`
	Sessions     int64           `json:"sessions"`
}

func toTotals(t analytics.Totals, from *analytics.Date) totalsResponse {
	return totalsResponse{From: from, StudySeconds: t.Seconds, PagesRead: t.Pages, Sessions: t.Sessions}
}

type streakResponse struct {
	Current     int             `json:"current"`
	Longest     int             `json:"longest"`
	LongestEnd  *analytics.Date `json:"longest_end"`
	TodayCounts bool            `json:"today_counts"`
	Alive       bool            `json:"alive"`
	MinMinutes  int64           `json:"min_minutes"`
}

type summaryResponse struct {
	Date      analytics.Date `json:"date"`
	Timezone  string         `json:"timezone"`
	WeekStart string         `json:"week_start"`
	Today     totalsResponse `json:"today"`
	Week      totalsResponse `json:"week"`
	Month     totalsResponse `json:"month"`
	AllTime   totalsResponse `json:"all_time"`
	Streak    streakResponse `json:"streak"`
}

// clock reads the caller's calendar for a statistics answer.
func (s *server) clock(c echo.Context) (analytics.Clock, error) {
	return s.analytics.Clock(c.Request().Context(), principalOf(c).User.ID, s.now())
}

func weekStartName(d time.Weekday) string {
	if d == time.Sunday {
		return "sunday"
	}
	return "monday"
}

func (s *server) analyticsSummary(c echo.Context) error {
	clk, err := s.clock(c)
	if err != nil {
		return err
	}
	sum, err := s.analytics.Summary(c.Request().Context(), principalOf(c).User.ID, clk)
	if err != nil {
		return err
	}
	week, month := analytics.WeekStart(clk.Today, clk.WeekStart), analytics.MonthStart(clk.Today)
	return c.JSON(http.StatusOK, summaryResponse{
		Date: clk.Today, Timezone: clk.Loc.String(), WeekStart: weekStartName(clk.WeekStart),
		Today: toTotals(sum.Today, nil), Week: toTotals(sum.Week, &week), Month: toTotals(sum.Month, &month),
		AllTime: toTotals(sum.AllTime, nil),
		Streak: streakResponse{
			Current: sum.Streak.Current, Longest: sum.Streak.Longest, LongestEnd: sum.Streak.LongestEnd,
			TodayCounts: sum.Streak.TodayCounts, Alive: sum.Streak.Alive, MinMinutes: clk.StreakMinSeconds / 60,
		},
	})
}

type dayResponse struct {
	Date         analytics.Date `json:"date"`
	StudySeconds int64          `json:"study_seconds"`
	PagesRead    int64          `json:"pages_read"`
	Sessions     int64          `json:"sessions"`
}

type dailyResponse struct {
	From     analytics.Date `json:"from"`
	To       analytics.Date `json:"to"`
	Timezone string         `json:"timezone"`
	Days     []dayResponse  `json:"days"`
}

// queryDate reads an optional YYYY-MM-DD query parameter (def when absent).
func queryDate(c echo.Context, name string, def analytics.Date) (analytics.Date, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	d, err := analytics.ParseDate(v)
	if err != nil {
		return analytics.Date{}, apperr.Field(name, err.Error())
	}
	return d, nil
}

// queryInt reads an optional integer query parameter (def when absent).
func queryInt(c echo.Context, name string, def int) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, apperr.Field(name, "must be a whole number")
	}
	return n, nil
}

// analyticsDaily is every day of a range (the last 30 by default), days
// without study included as zeros.
func (s *server) analyticsDaily(c echo.Context) error {
	clk, err := s.clock(c)
	if err != nil {
		return err
	}
	to, err := queryDate(c, "to", clk.Today)
	if err != nil {
		return err
	}
	from, err := queryDate(c, "from", to.AddDays(-29))
	if err != nil {
		return err
	}
	days, err := s.analytics.Daily(c.Request().Context(), principalOf(c).User.ID, clk, from, to)
	if err != nil {
		return err
	}
	out := dailyResponse{From: from, To: to, Timezone: clk.Loc.String(), Days: make([]dayResponse, len(days))}
	for i, d := range days {
		out.Days[i] = dayResponse{Date: d.Date, StudySeconds: d.Seconds, PagesRead: d.Pages, Sessions: d.Sessions}
	}
	return c.JSON(http.StatusOK, out)
}

type heatmapDayResponse struct {
	Date         analytics.Date `json:"date"`
	StudySeconds int64          `json:"study_seconds"`
	Level        int            `json:"level"`
}

type heatmapResponse struct {
	From     analytics.Date       `json:"from"`
	To       analytics.Date       `json:"to"`
	Timezone string               `json:"timezone"`
	Days     []heatmapDayResponse `json:"days"`
}

func (s *server) analyticsHeatmap(c echo.Context) error {
	n, err := queryInt(c, "days", 365)
	if err != nil {
		return err
	}
	clk, err := s.clock(c)
	if err != nil {
		return err
	}
	days, err := s.analytics.Heatmap(c.Request().Context(), principalOf(c).User.ID, clk, n)
	if err != nil {
		return err
	}
	out := heatmapResponse{From: days[0].Date, To: clk.Today, Timezone: clk.Loc.String(), Days: make([]heatmapDayResponse, len(days))}
	for i, d := range days {
		out.Days[i] = heatmapDayResponse{Date: d.Date, StudySeconds: d.Seconds, Level: d.Level}
	}
	return c.JSON(http.StatusOK, out)
}

type topicStatsResponse struct {
	TopicID         uuid.UUID  `json:"topic_id"`
	ParentID        *uuid.UUID `json:"parent_id"`
	Name            string     `json:"name"`
	Archived        bool       `json:"archived"`
	PDFCount        int32      `json:"pdf_count"`
	TotalPages      int64      `json:"total_pages"`
	PagesRead       int64      `json:"pages_read"`
	ProgressPercent float64    `json:"progress_percent"`
	StudySeconds    int64      `json:"study_seconds"`
	LastStudiedAt   *time.Time `json:"last_studied_at"`
	ExerciseCount   int32      `json:"exercise_count"`
	ExercisesDone   int32      `json:"exercises_done"`
}

func (s *server) analyticsTopics(c echo.Context) error {
	stats, err := s.analytics.Topics(c.Request().Context(), principalOf(c).User.ID)
	if err != nil {
		return err
	}
	out := make([]topicStatsResponse, len(stats))
	for i, t := range stats {
		out[i] = topicStatsResponse{
			TopicID: t.TopicID, ParentID: t.ParentID, Name: t.Name, Archived: t.Archived, PDFCount: t.PDFs,
			TotalPages: t.TotalPages, PagesRead: t.PagesRead, ProgressPercent: t.ProgressPercent, StudySeconds: t.StudySeconds,
			LastStudiedAt: utcPtr(t.LastStudiedAt), ExerciseCount: t.Exercises, ExercisesDone: t.ExercisesDone,
		}
	}
	return c.JSON(http.StatusOK, struct {
		Topics []topicStatsResponse `json:"topics"`
	}{out})
}

type weekPaceResponse struct {
	WeekStart      analytics.Date `json:"week_start"`
	ReadSeconds    int64          `json:"read_seconds"`
	PagesRead      int64          `json:"pages_read"`
	SecondsPerPage float64        `json:"seconds_per_page"`
}

type paceResponse struct {
	PDFID     *uuid.UUID         `json:"pdf_id"`
	TopicID   *uuid.UUID         `json:"topic_id"`
	WeekStart string             `json:"week_start"`
	Weeks     []weekPaceResponse `json:"weeks"`
}

// analyticsPace is the reading pace per week (weeks without reading are
// left out) of one PDF, one topic's subtree, or everything.
func (s *server) analyticsPace(c echo.Context) error {
	pdfID, err := queryUUID(c, "pdf_id", "a PDF")
	if err != nil {
		return err
	}
	topicID, err := queryUUID(c, "topic_id", "a topic")
	if err != nil {
		return err
	}
	weeks, err := queryInt(c, "weeks", 12)
	if err != nil {
		return err
	}
	clk, err := s.clock(c)
	if err != nil {
		return err
	}
	pace, err := s.analytics.Pace(c.Request().Context(), principalOf(c).User.ID, clk, analytics.PaceScope{PDFID: pdfID, TopicID: topicID}, weeks)
	if err != nil {
		return err
	}
	out := paceResponse{PDFID: pdfID, TopicID: topicID, WeekStart: weekStartName(clk.WeekStart), Weeks: make([]weekPaceResponse, len(pace))}
	for i, w := range pace {
		out.Weeks[i] = weekPaceResponse{WeekStart: w.WeekStart, ReadSeconds: w.ReadSeconds, PagesRead: w.Pages, SecondsPerPage: w.SecondsPerPage}
	}
	return c.JSON(http.StatusOK, out)
}
