package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/account"
	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/safetext"
)

// userResponse is the public view of an account: never the password hash.
type userResponse struct {
	ID          uuid.UUID  `json:"id"`
	Email       string     `json:"email"`
	Username    string     `json:"username"`
	FullName    string     `json:"full_name"`
	Timezone    string     `json:"timezone"`
	CreatedAt   time.Time  `json:"created_at"`
	LastLoginAt *time.Time `json:"last_login_at"`
}

func toUserResponse(u dbgen.User) userResponse {
	return userResponse{
		ID: u.ID, Email: u.Email, Username: u.Username, FullName: u.FullName, Timezone: u.Timezone,
		CreatedAt: utc(u.CreatedAt), LastLoginAt: utcPtr(u.LastLoginAt),
	}
}

type tokenResponse struct {
	User         userResponse `json:"user"`
	AccessToken  string       `json:"access_token"`
	RefreshToken string       `json:"refresh_token"`
	TokenType    string       `json:"token_type"`
	ExpiresIn    int          `json:"expires_in"`
}

type registerRequest struct {
	Email    string  `json:"email"`
	Username string  `json:"username"`
	Password string  `json:"password"`
	FullName *string `json:"full_name"`
	Timezone *string `json:"timezone"`
}

// register creates the account, its preferences and a first session and
// answers with a token pair.
func (s *server) register(c echo.Context) error {
	var req registerRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	sess, err := s.accounts.Register(c.Request().Context(), account.Registration{
		Email: req.Email, Username: req.Username, Password: req.Password, FullName: req.FullName, Timezone: req.Timezone,
	}, clientOf(c))
	if err != nil {
		return err
	}
	return s.respondTokens(c, http.StatusCreated, sess)
}

type loginRequest struct {
	Email    string `json:"email"`
	Username string `json:"username"`
	Password string `json:"password"`
}

// login accepts JSON {email|username, password} or an OAuth2 password-grant
// form (username may hold the email), which is what the /docs Authorize
// button sends. The lockout and the timing rules are the workflow's
// (account.Service.Login).
func (s *server) login(c echo.Context) error {
	if err := requireMediaType(c, echo.MIMEApplicationJSON, echo.MIMEApplicationForm); err != nil {
		return err
	}
	var req loginRequest
	if mt, _ := mediaType(c.Request()); mt == echo.MIMEApplicationForm {
		if err := bindLoginForm(c, &req); err != nil {
			return err
		}
	} else if err := decodeJSON(c.Request().Body, &req); err != nil {
		return err
	}
	login := strings.TrimSpace(req.Email)
	fe := apperr.Fields{}
	switch {
	case login != "" && strings.TrimSpace(req.Username) != "":
		fe.Add("email", "send either email or username, not both")
	case login == "":
		login = strings.TrimSpace(req.Username)
		if login == "" {
			fe.Add("username", "email or username is required")
		}
	}
	if req.Password == "" {
		fe.Add("password", "is required")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	sess, err := s.accounts.Login(c.Request().Context(), login, req.Password, "password", clientOf(c))
	if err != nil {
		return err
	}
	return s.respondTokens(c, http.StatusOK, sess)
}

// bindLoginForm reads an OAuth2 password-grant form. Fields other than
// grant_type, username and password (scope, client_id, ...) are ignored, as
// OAuth2 clients send them.
func bindLoginForm(c echo.Context, req *loginRequest) error {
	r := c.Request()
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errTooLarge(mbe.Limit)
		}
		return errBadRequest("malformed_form", "the form body could not be parsed")
	}
	if gt := r.PostForm.Get("grant_type"); gt != "" && gt != "password" {
		e := errBadRequest("unsupported_grant_type", "only grant_type=password is supported here")
		e.Fields = map[string]string{"grant_type": "must be password"}
		return e
	}
	req.Username = r.PostForm.Get("username")
	req.Password = r.PostForm.Get("password")
	fe := apperr.Fields{}
	for name, v := range map[string]string{"username": req.Username, "password": req.Password} {
		if !safetext.Valid(v) {
			fe.Add(name, "must be valid UTF-8 without NUL characters")
		}
	}
	return fe.Err()
}

type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

// refresh rotates the refresh token (account.Service.Refresh has the rules).
func (s *server) refresh(c echo.Context) error {
	var req refreshRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	sess, err := s.accounts.Refresh(c.Request().Context(), req.RefreshToken, clientOf(c))
	if err != nil {
		return err
	}
	return s.respondTokens(c, http.StatusOK, sess)
}

// logout ends the caller's session.
func (s *server) logout(c echo.Context) error {
	p := principalOf(c)
	if err := s.accounts.Logout(c.Request().Context(), p.User.ID, p.SessionID, clientOf(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// logoutAll ends every session of the caller, this one included.
func (s *server) logoutAll(c echo.Context) error {
	p := principalOf(c)
	if err := s.accounts.LogoutAll(c.Request().Context(), p.User.ID, p.SessionID, clientOf(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// me answers the caller's own account.
func (s *server) me(c echo.Context) error {
	return c.JSON(http.StatusOK, toUserResponse(principalOf(c).User))
}

func (s *server) respondTokens(c echo.Context, status int, sess account.Session) error {
	access, _, err := s.tokens.Issue(sess.User.ID, sess.ID)
	if err != nil {
		return err
	}
	return c.JSON(status, tokenResponse{
		User: toUserResponse(sess.User), AccessToken: access, RefreshToken: sess.RefreshToken,
		TokenType: "Bearer", ExpiresIn: int(s.tokens.TTL().Seconds()),
	})
}
