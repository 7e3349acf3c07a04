package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/account"
)

type preferencesResponse struct {
	Theme                     string    `json:"theme"`
	PomodoroWorkMinutes       int32     `json:"pomodoro_work_minutes"`
	PomodoroShortBreakMinutes int32     `json:"pomodoro_short_break_minutes"`
	PomodoroLongBreakMinutes  int32     `json:"pomodoro_long_break_minutes"`
	PomodoroLongBreakEvery    int32     `json:"pomodoro_long_break_every"`
	AutoStartBreaks           bool      `json:"auto_start_breaks"`
	DailyGoalMinutes          int32     `json:"daily_goal_minutes"`
	StreakMinMinutes          int32     `json:"streak_min_minutes"`
	IdleThresholdSeconds      int32     `json:"idle_threshold_seconds"`
	PageMinSeconds            int32     `json:"page_min_seconds"`
	PageMaxSeconds            int32     `json:"page_max_seconds"`
	WeekStart                 string    `json:"week_start"`
	UpdatedAt                 time.Time `json:"updated_at"`
}

func toPreferencesResponse(p dbgen.UserPreference) preferencesResponse {
	return preferencesResponse{
		Theme: p.Theme, PomodoroWorkMinutes: p.PomodoroWorkMinutes, PomodoroShortBreakMinutes: p.PomodoroShortBreakMinutes,
		PomodoroLongBreakMinutes: p.PomodoroLongBreakMinutes, PomodoroLongBreakEvery: p.PomodoroLongBreakEvery,
		AutoStartBreaks: p.AutoStartBreaks, DailyGoalMinutes: p.DailyGoalMinutes, StreakMinMinutes: p.StreakMinMinutes,
		IdleThresholdSeconds: p.IdleThresholdSeconds, PageMinSeconds: p.PageMinSeconds, PageMaxSeconds: p.PageMaxSeconds,
		WeekStart: p.WeekStart, UpdatedAt: utc(p.UpdatedAt),
	}
}

type updatePreferencesRequest struct {
	Theme                     *string `json:"theme"`
	PomodoroWorkMinutes       *int32  `json:"pomodoro_work_minutes"`
	PomodoroShortBreakMinutes *int32  `json:"pomodoro_short_break_minutes"`
	PomodoroLongBreakMinutes  *int32  `json:"pomodoro_long_break_minutes"`
	PomodoroLongBreakEvery    *int32  `json:"pomodoro_long_break_every"`
	AutoStartBreaks           *bool   `json:"auto_start_breaks"`
	DailyGoalMinutes          *int32  `json:"daily_goal_minutes"`
	StreakMinMinutes          *int32  `json:"streak_min_minutes"`
	IdleThresholdSeconds      *int32  `json:"idle_threshold_seconds"`
	PageMinSeconds            *int32  `json:"page_min_seconds"`
	PageMaxSeconds            *int32  `json:"page_max_seconds"`
	WeekStart                 *string `json:"week_start"`
}

func (s *server) getPreferences(c echo.Context) error {
	prefs, err := s.q.GetUserPreferences(c.Request().Context(), principalOf(c).User.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPreferencesResponse(prefs))
}

// updatePreferences changes the fields sent and keeps the rest.
func (s *server) updatePreferences(c echo.Context) error {
	var req updatePreferencesRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	prefs, err := s.accounts.UpdatePreferences(c.Request().Context(), principalOf(c).User.ID, account.PreferencesChange{
		Theme: req.Theme, WeekStart: req.WeekStart, AutoStartBreaks: req.AutoStartBreaks,
		Ints: map[string]*int32{
			"pomodoro_work_minutes": req.PomodoroWorkMinutes, "pomodoro_short_break_minutes": req.PomodoroShortBreakMinutes,
			"pomodoro_long_break_minutes": req.PomodoroLongBreakMinutes, "pomodoro_long_break_every": req.PomodoroLongBreakEvery,
			"daily_goal_minutes": req.DailyGoalMinutes, "streak_min_minutes": req.StreakMinMinutes,
			"idle_threshold_seconds": req.IdleThresholdSeconds, "page_min_seconds": req.PageMinSeconds, "page_max_seconds": req.PageMaxSeconds,
		},
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPreferencesResponse(prefs))
}

// resetPreferences puts every preference back to its default.
func (s *server) resetPreferences(c echo.Context) error {
	prefs, err := s.accounts.ResetPreferences(c.Request().Context(), principalOf(c).User.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPreferencesResponse(prefs))
}
