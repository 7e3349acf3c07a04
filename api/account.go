package api

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/account"
	"github.com/studysprint/studysprint/internal/auth"
	"github.com/studysprint/studysprint/internal/database"
)

type updateMeRequest struct {
	FullName        *string `json:"full_name"`
	Username        *string `json:"username"`
	Timezone        *string `json:"timezone"`
	Email           *string `json:"email"`
	CurrentPassword *string `json:"current_password"`
}

// updateMe changes the caller's profile; changing the email needs the
// current password.
func (s *server) updateMe(c echo.Context) error {
	var req updateMeRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	p := principalOf(c)
	params := dbgen.UpdateUserProfileParams{UserID: p.User.ID}
	fe := fieldErrors{}
	if req.FullName != nil {
		v, err := account.NormalizeFullName(*req.FullName)
		fe.check("full_name", err)
		params.FullName = &v
	}
	if req.Username != nil {
		v, err := account.NormalizeUsername(*req.Username)
		fe.check("username", err)
		params.Username = &v
	}
	if req.Timezone != nil {
		v, err := account.NormalizeTimezone(*req.Timezone)
		fe.check("timezone", err)
		params.Timezone = &v
	}
	emailChanged := false
	if req.Email != nil {
		v, err := account.NormalizeEmail(*req.Email)
		fe.check("email", err)
		params.Email = &v
		emailChanged = err == nil && v != p.User.Email
		if emailChanged && (req.CurrentPassword == nil || *req.CurrentPassword == "") {
			fe.add("current_password", "is required to change the email")
		}
	}
	if err := fe.err(); err != nil {
		return err
	}
	if emailChanged {
		if err := s.checkCurrentPassword(c, p.User, *req.CurrentPassword); err != nil {
			return err
		}
	}
	ctx := c.Request().Context()
	var user dbgen.User
	err := database.InTx(ctx, s.pool, func(q *dbgen.Queries) error {
		params.Now = s.now()
		var err error
		if user, err = q.UpdateUserProfile(ctx, params); err != nil {
			return err
		}
		if emailChanged {
			return s.recordEvent(ctx, c, q, user.ID, eventEmailChanged, &p.SessionID, map[string]any{"from": p.User.Email, "to": user.Email})
		}
		return nil
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toUserResponse(user))
}

// checkCurrentPassword guards sensitive changes with the password. It obeys
// and feeds the same lockout as login, so it cannot be used to guess it.
func (s *server) checkCurrentPassword(c echo.Context, user dbgen.User, password string) error {
	if err := s.checkLockout(c, user.ID); err != nil {
		return err
	}
	ok, err := s.hasher.Verify(c.Request().Context(), user.PasswordHash, password)
	if err != nil {
		return err
	}
	if !ok {
		if err := s.recordLoginFailure(c, user.ID, "current_password", s.now()); err != nil {
			return err
		}
		return fieldErrors{"current_password": "is incorrect"}.err()
	}
	return nil
}

type changePasswordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// changePassword sets a new password, ends every other session, and answers
// a new token pair for this one (its old refresh tokens stop working).
func (s *server) changePassword(c echo.Context) error {
	var req changePasswordRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	p := principalOf(c)
	fe := fieldErrors{}
	if req.CurrentPassword == "" {
		fe.add("current_password", "is required")
	}
	fe.check("new_password", auth.CheckPassword(req.NewPassword, p.User.Email, p.User.Username))
	if req.NewPassword != "" && req.NewPassword == req.CurrentPassword {
		fe.add("new_password", "must differ from the current password")
	}
	if err := fe.err(); err != nil {
		return err
	}
	if err := s.checkCurrentPassword(c, p.User, req.CurrentPassword); err != nil {
		return err
	}
	ctx := c.Request().Context()
	hash, err := s.hasher.Hash(ctx, req.NewPassword)
	if err != nil {
		return err
	}
	var refresh string
	err = database.InTx(ctx, s.pool, func(q *dbgen.Queries) error {
		now := s.now()
		if err := q.UpdateUserPassword(ctx, dbgen.UpdateUserPasswordParams{UserID: p.User.ID, PasswordHash: hash, Now: now}); err != nil {
			return err
		}
		ended, err := q.RevokeUserSessions(ctx, dbgen.RevokeUserSessionsParams{
			UserID: p.User.ID, Now: now, Reason: revokeReasonPasswordChg, ExceptID: &p.SessionID,
		})
		if err != nil {
			return err
		}
		if err := q.DeleteSessionRefreshTokens(ctx, dbgen.DeleteSessionRefreshTokensParams{SessionID: p.SessionID, UserID: p.User.ID}); err != nil {
			return err
		}
		if refresh, err = s.issueRefreshToken(c, q, p.SessionID, p.User.ID); err != nil {
			return err
		}
		return s.recordEvent(ctx, c, q, p.User.ID, eventPasswordChanged, &p.SessionID, map[string]any{"other_sessions_ended": len(ended)})
	})
	if err != nil {
		return err
	}
	return s.respondTokens(c, http.StatusOK, p.User, p.SessionID, refresh)
}

type deleteMeRequest struct {
	Password string `json:"password"`
}

// deleteMe deletes the caller's account and everything it owns.
func (s *server) deleteMe(c echo.Context) error {
	var req deleteMeRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.Password == "" {
		return fieldErrors{"password": "is required"}.err()
	}
	p := principalOf(c)
	if err := s.checkCurrentPassword(c, p.User, req.Password); err != nil {
		if e := toError(err); e.Fields["current_password"] != "" {
			e.Fields = map[string]string{"password": e.Fields["current_password"]}
			return e
		}
		return err
	}
	if err := s.deleteAccount(c, p.User.ID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// deleteAccount is the one place an account is deleted. Rows go by ON DELETE
// CASCADE from users in one transaction (topics, PDFs, bookmarks, reading
// data, sessions...), leaving a single account_deleted security event for
// audit. What lives outside PostgreSQL (the stored files) is removed after
// the commit, so a crash can only leave orphans for the sweeper, never rows
// without their files.
func (s *server) deleteAccount(c echo.Context, userID uuid.UUID) error {
	ctx := c.Request().Context()
	err := database.InTx(ctx, s.pool, func(q *dbgen.Queries) error {
		if err := q.DeleteUserSecurityEvents(ctx, userID); err != nil {
			return err
		}
		n, err := q.DeleteUser(ctx, userID)
		if err != nil {
			return err
		}
		if n == 0 {
			return errNotFound("account")
		}
		return s.recordEvent(ctx, c, q, userID, eventAccountDeleted, nil, nil)
	})
	if err != nil {
		return err
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	if err := s.store.DeletePrefix(fctx, userStoragePrefix(userID)); err != nil {
		requestLogger(c).Warn("delete account files; the sweeper will retry", "user_id", userID, "err", err)
	}
	return nil
}
