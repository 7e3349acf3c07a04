package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/auth"
	"github.com/studysprint/studysprint/internal/database"
)

// Error is the one shape of every non-2xx answer:
//
//	{"error": {"code": "...", "message": "...", "request_id": "...", "fields": {...}}}
//
// Handlers return *Error values; anything else that reaches the error handler
// becomes a logged 500 (or 503 when the database is unreachable) with no
// internals in the body.
type Error struct {
	Status  int
	Code    string
	Message string
	Fields  map[string]string
	// Details carries machine-readable facts about the error (the id of the
	// existing PDF for duplicate_pdf, say); optional.
	Details map[string]any
	Header  http.Header
	// Cause is logged for 5xx answers; it is never sent to the client.
	Cause error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%d %s: %s: %v", e.Status, e.Code, e.Message, e.Cause)
	}
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Cause }

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	RequestID string            `json:"request_id"`
	Fields    map[string]string `json:"fields,omitempty"`
	Details   map[string]any    `json:"details,omitempty"`
}

func newError(status int, code, message string) *Error {
	return &Error{Status: status, Code: code, Message: message}
}

func errBadRequest(code, message string) *Error {
	return newError(http.StatusBadRequest, code, message)
}

func errNotFound(what string) *Error {
	return newError(http.StatusNotFound, "not_found", what+" not found")
}

func errUnauthorized(code, message string) *Error {
	e := newError(http.StatusUnauthorized, code, message)
	e.Header = http.Header{"WWW-Authenticate": {`Bearer realm="studysprint", error="invalid_token"`}}
	return e
}

// errTooMany is a 429 with Retry-After in whole seconds.
func errTooMany(code, message string, retryAfter time.Duration) *Error {
	e := newError(http.StatusTooManyRequests, code, message)
	e.Header = http.Header{"Retry-After": {retryAfterHeader(retryAfter)}}
	return e
}

func errInternal(cause error) *Error {
	return &Error{Status: http.StatusInternalServerError, Code: "internal_error",
		Message: "something went wrong on our side; the request id identifies it in our logs", Cause: cause}
}

func errUnavailable(code, message string, retryAfter int, cause error) *Error {
	e := &Error{Status: http.StatusServiceUnavailable, Code: code, Message: message, Cause: cause}
	if retryAfter > 0 {
		e.Header = http.Header{"Retry-After": {strconv.Itoa(retryAfter)}}
	}
	return e
}

// constraintErrors maps named constraints to the answer a violation deserves
// (DESIGN.md: constraints have explicit names so errors map by name).
var constraintErrors = map[string]*Error{
	"users_email_key":         {Status: http.StatusConflict, Code: "email_taken", Message: "an account with this email already exists", Fields: map[string]string{"email": "is already registered"}},
	"users_username_key":      {Status: http.StatusConflict, Code: "username_taken", Message: "this username is taken", Fields: map[string]string{"username": "is already taken"}},
	"topics_sibling_name_key": {Status: http.StatusConflict, Code: "topic_name_taken", Message: "a sibling topic already has this name", Fields: map[string]string{"name": "is already used by a topic with the same parent"}},
	// An upload finishing after its account was deleted.
	"pdfs_user_id_fkey":       {Status: http.StatusUnauthorized, Code: "account_deleted", Message: "this account no longer exists"},
	"pdfs_topic_fkey":         {Status: http.StatusUnprocessableEntity, Code: "validation_failed", Message: "some fields are invalid; see fields", Fields: map[string]string{"topic_id": "no such topic"}},
	"pdfs_user_sha256_key":    {Status: http.StatusConflict, Code: "duplicate_pdf", Message: "this PDF is already in your library"},
	"pdfs_current_page_check": {Status: http.StatusUnprocessableEntity, Code: "validation_failed", Message: "some fields are invalid; see fields", Fields: map[string]string{"current_page": "must be within the PDF's pages"}},
	"goals_daily_key":         {Status: http.StatusConflict, Code: "goal_exists", Message: "there is already a daily goal of this kind; change its target instead"},
	"goals_pdf_key":           {Status: http.StatusConflict, Code: "goal_exists", Message: "this PDF already has a deadline goal; change its deadline instead"},
	"goals_topic_key":         {Status: http.StatusConflict, Code: "goal_exists", Message: "this topic already has a deadline goal; change its deadline instead"},
	// The PDF or topic was deleted while its goal was being made.
	"goals_pdf_fkey":   {Status: http.StatusNotFound, Code: "not_found", Message: "PDF not found"},
	"goals_topic_fkey": {Status: http.StatusNotFound, Code: "not_found", Message: "topic not found"},
	"user_preferences_page_bounds_check": {Status: http.StatusUnprocessableEntity, Code: "validation_failed", Message: "some fields are invalid; see fields",
		Fields: map[string]string{"page_min_seconds": "must be less than page_max_seconds", "page_max_seconds": "must be greater than page_min_seconds"}},
}

// constraintError finds the answer for a violated constraint: a listed one,
// or a 422 naming the column of a <table>_<column>_check constraint.
func constraintError(table, constraint string) *Error {
	if known, ok := constraintErrors[constraint]; ok {
		cp := *known // callers may adjust their copy
		return &cp
	}
	if field, ok := strings.CutPrefix(constraint, table+"_"); ok && table != "" {
		if field, ok = strings.CutSuffix(field, "_check"); ok {
			return &Error{Status: http.StatusUnprocessableEntity, Code: "validation_failed", Message: "some fields are invalid; see fields",
				Fields: map[string]string{field: "is out of range"}}
		}
	}
	return nil
}

// toError turns any error into the *Error to send.
func toError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if de, ok := apperr.As(err); ok {
		return fromDomain(de)
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return fromEchoError(he)
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errTooLarge(mbe.Limit)
	}
	if pgErr := database.AsPgError(err); pgErr != nil && pgErr.ConstraintName != "" {
		if known := constraintError(pgErr.TableName, pgErr.ConstraintName); known != nil {
			return known
		}
	}
	if errors.Is(err, auth.ErrBusy) {
		return errUnavailable("server_busy", "the server is busy checking passwords; retry in a moment", 1, err)
	}
	if dbUnavailable(err) {
		return errUnavailable("database_unavailable", "the database is not reachable; try again shortly", 5, err)
	}
	return errInternal(err)
}

// kindStatus is the one table from domain error kinds to HTTP statuses.
var kindStatus = map[apperr.Kind]int{
	apperr.Invalid:         http.StatusUnprocessableEntity,
	apperr.BadRequest:      http.StatusBadRequest,
	apperr.NotFound:        http.StatusNotFound,
	apperr.Conflict:        http.StatusConflict,
	apperr.Unauthenticated: http.StatusUnauthorized,
	apperr.TooMany:         http.StatusTooManyRequests,
	apperr.TooLarge:        http.StatusRequestEntityTooLarge,
	apperr.Timeout:         http.StatusRequestTimeout,
	apperr.Unavailable:     http.StatusServiceUnavailable,
}

// fromDomain maps a workflow's error to its answer.
func fromDomain(de *apperr.Error) *Error {
	status, ok := kindStatus[de.Kind]
	if !ok {
		return errInternal(de)
	}
	e := &Error{Status: status, Code: de.Code, Message: de.Message, Fields: de.Fields, Details: de.Details, Cause: de.Cause}
	switch {
	case de.Kind == apperr.Unauthenticated:
		e.Header = http.Header{"WWW-Authenticate": {`Bearer realm="studysprint", error="invalid_token"`}}
	case de.Kind == apperr.TooMany || (de.Kind == apperr.Unavailable && de.RetryAfter > 0):
		e.Header = http.Header{"Retry-After": {retryAfterHeader(de.RetryAfter)}}
	}
	return e
}

func errTooLarge(limit int64) *Error {
	return newError(http.StatusRequestEntityTooLarge, "body_too_large",
		fmt.Sprintf("the request body exceeds the limit of %d bytes", limit))
}

func fromEchoError(he *echo.HTTPError) *Error {
	msg := http.StatusText(he.Code)
	if s, ok := he.Message.(string); ok && s != "" {
		msg = s
	}
	code := map[int]string{
		http.StatusNotFound:              "route_not_found",
		http.StatusMethodNotAllowed:      "method_not_allowed",
		http.StatusRequestEntityTooLarge: "body_too_large",
		http.StatusUnsupportedMediaType:  "unsupported_media_type",
		http.StatusBadRequest:            "bad_request",
		http.StatusUnauthorized:          "unauthorized",
		http.StatusForbidden:             "forbidden",
		http.StatusTooManyRequests:       "rate_limited",
		http.StatusServiceUnavailable:    "service_unavailable",
	}[he.Code]
	switch {
	case he.Code == http.StatusNotFound:
		msg = "no such route; see /docs for the API"
	case code == "":
		code = "http_error"
	}
	if he.Code >= 500 {
		return &Error{Status: he.Code, Code: "internal_error", Message: http.StatusText(he.Code), Cause: he}
	}
	return newError(he.Code, code, msg)
}

// dbUnavailable reports whether err means the database could not be reached
// (as opposed to a query failing): those answer 503, not 500.
func dbUnavailable(err error) bool {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	code, _ := database.PgErrorCode(err)
	// Class 08: connection exception; 57P01-03: admin shutdown, crash shutdown, cannot connect now.
	return len(code) == 5 && (code[:2] == "08" || code == "57P01" || code == "57P02" || code == "57P03")
}

// handleError is echo's HTTPErrorHandler: it writes the one error shape.
func (s *server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	if errors.Is(err, context.Canceled) && c.Request().Context().Err() != nil {
		// The client went away; nobody reads an answer. 499 in the access log.
		c.Response().Status = 499
		return
	}
	e := toError(err)
	switch {
	case e.Status == http.StatusInternalServerError:
		requestLogger(c).Error("request failed", "status", e.Status, "code", e.Code, "err", err)
	case e.Status >= 500:
		requestLogger(c).Warn("request failed", "status", e.Status, "code", e.Code, "err", err)
	}
	for k, vs := range e.Header {
		for _, v := range vs {
			c.Response().Header().Add(k, v)
		}
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(e.Status)
		return
	}
	body, err := json.Marshal(errorBody{Error: errorDetail{Code: e.Code, Message: e.Message, RequestID: requestID(c), Fields: e.Fields, Details: e.Details}})
	if err != nil {
		requestLogger(c).Error("encode error response", "err", err)
		return
	}
	// An explicit length lets the client finish reading even if the handler
	// goes on working after the answer (login records failures that way).
	c.Response().Header().Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	if err := c.Blob(e.Status, echo.MIMEApplicationJSON, body); err != nil {
		requestLogger(c).Warn("write error response", "err", err)
	}
}
