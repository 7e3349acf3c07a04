// Package apperr is the small set of domain errors that workflows return.
// Each carries a Kind (what went wrong, in terms any caller understands), a
// stable snake_case Code and a human Message; the HTTP layer maps kinds to
// statuses in one table (api/errors.go), a CLI or a job prints them. Workflows
// never return HTTP types, and the HTTP layer never guesses from strings.
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies a domain error.
type Kind int

// The kinds, with the HTTP status the API gives each.
const (
	Invalid         Kind = iota + 1 // 422: a value is not acceptable (Fields names them)
	BadRequest                      // 400: the request itself is malformed
	NotFound                        // 404: no such object for this user (another user's included)
	Conflict                        // 409: the state of things does not allow it
	Unauthenticated                 // 401: credentials missing, wrong or ended
	TooMany                         // 429: rate limited or locked for a while (RetryAfter)
	TooLarge                        // 413: over a size or quota limit
	Timeout                         // 408: the client sent too slowly
	Unavailable                     // 503: a dependency or a shared resource is busy or down (RetryAfter)
)

// Error is a domain error.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	// Fields maps a request field to what is wrong with it.
	Fields map[string]string
	// Details are machine-readable facts (the id of the existing object, ...).
	Details map[string]any
	// RetryAfter says when trying again makes sense (TooMany, Unavailable).
	RetryAfter time.Duration
	// Cause is for logs only.
	Cause error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Cause }

// New returns an error of the given kind.
func New(kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message}
}

// NotFoundf is the 404 of one kind of object ("PDF", "topic").
func NotFoundf(what string) *Error {
	return &Error{Kind: NotFound, Code: "not_found", Message: what + " not found"}
}

// Retry returns a TooMany or Unavailable error with its RetryAfter.
func Retry(kind Kind, code, message string, after time.Duration) *Error {
	return &Error{Kind: kind, Code: code, Message: message, RetryAfter: after}
}

// As returns err as an *Error when it is one (or wraps one).
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// IsKind reports whether err is a domain error of kind k.
func IsKind(err error, k Kind) bool {
	e, ok := As(err)
	return ok && e.Kind == k
}

// ValidationCode and ValidationMessage are the code and message of every 422
// that names fields.
const (
	ValidationCode    = "validation_failed"
	ValidationMessage = "some fields are invalid; see fields"
)

// Fields collects validation problems, one message per field; Err turns
// them into an Invalid error (nil when there are none).
type Fields map[string]string

// Add records a problem with field unless one is already recorded.
func (f Fields) Add(field, message string) {
	if _, ok := f[field]; !ok {
		f[field] = message
	}
}

// Check records err's text for field when err is not nil.
func (f Fields) Check(field string, err error) {
	if err != nil {
		f.Add(field, err.Error())
	}
}

// Err is the Invalid error naming the fields, or nil.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Code: ValidationCode, Message: ValidationMessage, Fields: f}
}

// Field is the Invalid error of one field.
func Field(field, message string) error { return Fields{field: message}.Err() }
