package account

import (
	"fmt"
	"slices"
	"strings"
)

// IntRange is the inclusive range of an integer preference.
type IntRange struct{ Min, Max int32 }

// PreferenceRanges are the allowed values of the integer preferences. The
// user_preferences_<field>_check constraints in the migrations enforce the
// same ranges; a test keeps the two in step.
var PreferenceRanges = map[string]IntRange{
	"pomodoro_work_minutes":        {1, 180},
	"pomodoro_short_break_minutes": {1, 60},
	"pomodoro_long_break_minutes":  {1, 120},
	"pomodoro_long_break_every":    {1, 12},
	"daily_goal_minutes":           {0, 1440},
	"streak_min_minutes":           {1, 1440},
	"idle_threshold_seconds":       {30, 3600},
	"page_min_seconds":             {0, 600},
	"page_max_seconds":             {10, 7200},
}

// Themes and WeekStarts are the allowed values of the text preferences.
var (
	Themes     = []string{"light", "dark", "system"}
	WeekStarts = []string{"monday", "sunday"}
)

// CheckPreferenceInt validates an integer preference by field name.
func CheckPreferenceInt(field string, v int32) error {
	r, ok := PreferenceRanges[field]
	if !ok {
		return fmt.Errorf("is not a preference")
	}
	if v < r.Min || v > r.Max {
		return fmt.Errorf("must be between %d and %d", r.Min, r.Max)
	}
	return nil
}

// CheckOneOf validates a text preference against its allowed values.
func CheckOneOf(v string, allowed []string) error {
	if !slices.Contains(allowed, v) {
		return fmt.Errorf("must be one of %s", strings.Join(allowed, ", "))
	}
	return nil
}
