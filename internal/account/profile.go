package account

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/auth"
	"github.com/studysprint/studysprint/internal/database"
)

// ProfileChange holds the fields to change (nil keeps a field). Changing the
// email needs CurrentPassword.
type ProfileChange struct {
	FullName, Username, Timezone, Email *string
	CurrentPassword                     *string
}

// UpdateProfile validates and applies a profile change for the signed-in
// user (in session sessionID).
func (s *Service) UpdateProfile(ctx context.Context, user dbgen.User, sessionID uuid.UUID, ch ProfileChange, cl Client) (dbgen.User, error) {
	params := dbgen.UpdateUserProfileParams{UserID: user.ID}
	fe := apperr.Fields{}
	if ch.FullName != nil {
		v, err := NormalizeFullName(*ch.FullName)
		fe.Check("full_name", err)
		params.FullName = &v
	}
	if ch.Username != nil {
		v, err := NormalizeUsername(*ch.Username)
		fe.Check("username", err)
		params.Username = &v
	}
	if ch.Timezone != nil {
		v, err := NormalizeTimezone(*ch.Timezone)
		fe.Check("timezone", err)
		params.Timezone = &v
	}
	emailChanged := false
	if ch.Email != nil {
		v, err := NormalizeEmail(*ch.Email)
		fe.Check("email", err)
		params.Email = &v
		emailChanged = err == nil && v != user.Email
		if emailChanged && (ch.CurrentPassword == nil || *ch.CurrentPassword == "") {
			fe.Add("current_password", "is required to change the email")
		}
	}
	if err := fe.Err(); err != nil {
		return dbgen.User{}, err
	}
	if emailChanged {
		if err := s.Reauthenticate(ctx, user, *ch.CurrentPassword, "current_password", cl); err != nil {
			return dbgen.User{}, err
		}
	}
	var out dbgen.User
	zoneChanged := params.Timezone != nil && *params.Timezone != user.Timezone
	err := database.InTx(ctx, s.pool, func(q *dbgen.Queries) error {
		params.Now = s.now()
		if zoneChanged {
			// The day rollup follows the zone: taken under the user's study
			// lock (first, as every rollup write does), rebuilt from the
			// 15-minute buckets in the new zone, in this transaction.
			if err := q.LockUserStudy(ctx, user.ID); err != nil {
				return err
			}
		}
		var err error
		if out, err = q.UpdateUserProfile(ctx, params); err != nil {
			return err
		}
		if zoneChanged {
			if err := q.DeleteUserStudyDays(ctx, user.ID); err != nil {
				return err
			}
			if err := q.RebuildUserStudyDays(ctx, user.ID); err != nil {
				return err
			}
		}
		if emailChanged {
			return s.recordEvent(ctx, q, cl, user.ID, EventEmailChanged, &sessionID, map[string]any{"from": user.Email, "to": out.Email})
		}
		return nil
	})
	return out, err
}

// ChangePassword sets a new password after checking the current one, ends
// every other session of the user, and gives this session a new refresh
// token (its old ones stop working).
func (s *Service) ChangePassword(ctx context.Context, user dbgen.User, sessionID uuid.UUID, current, next string, cl Client) (string, error) {
	fe := apperr.Fields{}
	if current == "" {
		fe.Add("current_password", "is required")
	}
	fe.Check("new_password", auth.CheckPassword(next, user.Email, user.Username))
	if next != "" && next == current {
		fe.Add("new_password", "must differ from the current password")
	}
	if err := fe.Err(); err != nil {
		return "", err
	}
	if err := s.Reauthenticate(ctx, user, current, "current_password", cl); err != nil {
		return "", err
	}
	hash, err := s.hasher.Hash(ctx, next)
	if err != nil {
		return "", err
	}
	var refresh string
	err = database.InTx(ctx, s.pool, func(q *dbgen.Queries) error {
		now := s.now()
		if err := q.UpdateUserPassword(ctx, dbgen.UpdateUserPasswordParams{UserID: user.ID, PasswordHash: hash, Now: now}); err != nil {
			return err
		}
		ended, err := q.RevokeUserSessions(ctx, dbgen.RevokeUserSessionsParams{
			UserID: user.ID, Now: now, Reason: string(RevokePasswordChanged), ExceptID: &sessionID,
		})
		if err != nil {
			return err
		}
		if err := q.DeleteSessionRefreshTokens(ctx, dbgen.DeleteSessionRefreshTokensParams{SessionID: sessionID, UserID: user.ID}); err != nil {
			return err
		}
		if refresh, err = s.issueRefreshToken(ctx, q, sessionID, user.ID); err != nil {
			return err
		}
		return s.recordEvent(ctx, q, cl, user.ID, EventPasswordChanged, &sessionID, map[string]any{"other_sessions_ended": len(ended)})
	})
	return refresh, err
}

// DeleteWithPassword deletes the signed-in user's account after checking
// the password.
func (s *Service) DeleteWithPassword(ctx context.Context, user dbgen.User, password string, cl Client) error {
	if password == "" {
		return apperr.Field("password", "is required")
	}
	if err := s.Reauthenticate(ctx, user, password, "password", cl); err != nil {
		return err
	}
	return s.Delete(ctx, user.ID, cl)
}

// Delete is the one place an account is deleted. Rows go by ON DELETE
// CASCADE from users in one transaction (topics, PDFs, bookmarks, reading
// data, sessions...), leaving a single account_deleted security event for
// audit. What lives outside PostgreSQL (the stored files) is removed after
// the commit, so a crash can only leave orphans for the sweeper, never rows
// without their files.
func (s *Service) Delete(ctx context.Context, userID uuid.UUID, cl Client) error {
	err := database.InTx(ctx, s.pool, func(q *dbgen.Queries) error {
		if err := q.DeleteUserSecurityEvents(ctx, userID); err != nil {
			return err
		}
		n, err := q.DeleteUser(ctx, userID)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.NotFoundf("account")
		}
		return s.recordEvent(ctx, q, cl, userID, EventAccountDeleted, nil, nil)
	})
	if err != nil || s.files == nil || s.userPrefix == nil {
		return err
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	if err := s.files.DeletePrefix(fctx, s.userPrefix(userID)); err != nil {
		s.log.Warn("delete account files; the sweeper will retry", "user_id", userID, "err", err)
	}
	return nil
}

// PreferencesChange holds the preferences to change (nil keeps one).
type PreferencesChange struct {
	Theme, WeekStart *string
	// Ints maps a field of PreferenceRanges to its new value.
	Ints            map[string]*int32
	AutoStartBreaks *bool
}

// UpdatePreferences validates and applies a preferences change; the
// page_min_seconds < page_max_seconds rule is checked against the merged row
// by its named constraint.
func (s *Service) UpdatePreferences(ctx context.Context, userID uuid.UUID, ch PreferencesChange) (dbgen.UserPreference, error) {
	fe := apperr.Fields{}
	for field, v := range ch.Ints {
		if v != nil {
			fe.Check(field, CheckPreferenceInt(field, *v))
		}
	}
	if ch.Theme != nil {
		fe.Check("theme", CheckOneOf(*ch.Theme, Themes))
	}
	if ch.WeekStart != nil {
		fe.Check("week_start", CheckOneOf(*ch.WeekStart, WeekStarts))
	}
	if lo, hi := ch.Ints["page_min_seconds"], ch.Ints["page_max_seconds"]; lo != nil && hi != nil && *lo >= *hi {
		fe.Add("page_max_seconds", "must be greater than page_min_seconds")
	}
	if err := fe.Err(); err != nil {
		return dbgen.UserPreference{}, err
	}
	i := ch.Ints
	return s.q.UpdateUserPreferences(ctx, dbgen.UpdateUserPreferencesParams{
		UserID: userID, Now: s.now(), Theme: ch.Theme, WeekStart: ch.WeekStart, AutoStartBreaks: ch.AutoStartBreaks,
		PomodoroWorkMinutes: i["pomodoro_work_minutes"], PomodoroShortBreakMinutes: i["pomodoro_short_break_minutes"],
		PomodoroLongBreakMinutes: i["pomodoro_long_break_minutes"], PomodoroLongBreakEvery: i["pomodoro_long_break_every"],
		DailyGoalMinutes: i["daily_goal_minutes"], StreakMinMinutes: i["streak_min_minutes"],
		IdleThresholdSeconds: i["idle_threshold_seconds"], PageMinSeconds: i["page_min_seconds"], PageMaxSeconds: i["page_max_seconds"],
	})
}

// ResetPreferences puts every preference back to its default.
func (s *Service) ResetPreferences(ctx context.Context, userID uuid.UUID) (dbgen.UserPreference, error) {
	return s.q.ResetUserPreferences(ctx, dbgen.ResetUserPreferencesParams{UserID: userID, Now: s.now()})
}
