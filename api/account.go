package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/internal/account"
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
	user, err := s.accounts.UpdateProfile(c.Request().Context(), p.User, p.SessionID, account.ProfileChange{
		FullName: req.FullName, Username: req.Username, Timezone: req.Timezone, Email: req.Email, CurrentPassword: req.CurrentPassword,
	}, clientOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toUserResponse(user))
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
	refresh, err := s.accounts.ChangePassword(c.Request().Context(), p.User, p.SessionID, req.CurrentPassword, req.NewPassword, clientOf(c))
	if err != nil {
		return err
	}
	return s.respondTokens(c, http.StatusOK, account.Session{User: p.User, ID: p.SessionID, RefreshToken: refresh})
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
	p := principalOf(c)
	if err := s.accounts.DeleteWithPassword(c.Request().Context(), p.User, req.Password, clientOf(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
