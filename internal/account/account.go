// Package account is the accounts-and-sessions domain. Its pure rules say how
// an email, username, full name and time zone are normalised and validated
// (account.go, preferences.go); its workflows (service.go, sessions.go,
// profile.go) register, log in under the lockout, rotate refresh tokens,
// change profiles and passwords and delete accounts, taking plain values and
// a Client so the HTTP layer, a job or a CLI can call them.
package account

import (
	"errors"
	"net/mail"
	"regexp"
	"strings"
	"time"
	_ "time/tzdata" // IANA zones inside the binary: validation never depends on the host

	"unicode/utf8"

	"github.com/studysprint/studysprint/internal/safetext"
)

// Field errors; their text is shown to the user next to the field name.
var (
	ErrEmailInvalid    = errors.New("must be a valid email address")
	ErrUsernameInvalid = errors.New("must be 3-32 characters of a-z, 0-9, _ or -")
	ErrFullNameInvalid = errors.New("must be at most 200 characters without control characters")
	ErrTimezoneInvalid = errors.New("must be an IANA time zone name such as Europe/Berlin or UTC")
)

// MaxEmailLength is the longest address SMTP allows (RFC 5321 path limit).
const MaxEmailLength = 254

// NormalizeEmail trims the address and checks that it is one plain address
// (no display name, no comments). Case is kept; uniqueness is case-insensitive.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > MaxEmailLength {
		return "", ErrEmailInvalid
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" {
		return "", ErrEmailInvalid
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || len(local) > 64 || !strings.Contains(domain, ".") ||
		strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "", ErrEmailInvalid
	}
	if safetext.HasControl(s) || strings.ContainsAny(s, " ") {
		return "", ErrEmailInvalid
	}
	return s, nil
}

var usernameRE = regexp.MustCompile(`^[a-z0-9_-]{3,32}$`)

// NormalizeUsername lower-cases and validates a username.
func NormalizeUsername(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if !usernameRE.MatchString(s) {
		return "", ErrUsernameInvalid
	}
	return s, nil
}

// NormalizeFullName trims and validates a display name (may be empty).
func NormalizeFullName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if safetext.HasControl(s) || utf8.RuneCountInString(s) > 200 {
		return "", ErrFullNameInvalid
	}
	return s, nil
}

// NormalizeTimezone validates an IANA zone name against the zone database
// embedded in the binary. "Local" and empty names are refused.
func NormalizeTimezone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "Local" || len(s) > 64 {
		return "", ErrTimezoneInvalid
	}
	if _, err := time.LoadLocation(s); err != nil {
		return "", ErrTimezoneInvalid
	}
	return s, nil
}
