// Package safetext decides what text from clients may be stored: valid UTF-8
// without NUL (PostgreSQL text cannot hold NUL; invalid UTF-8 fails inserts
// with 22021) and, for one-line fields, without control characters. The API
// checks every string it takes from a body, a query or a form with Valid (a
// 4xx naming the field otherwise); headers it keeps (the user agent) go
// through Header, which repairs instead of refusing.
package safetext

import (
	"github.com/google/uuid"

	"strings"
	"unicode"
	"unicode/utf8"
)

// Valid reports whether s is valid UTF-8 without NUL.
func Valid(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// HasControl reports whether s is not valid UTF-8 or holds a control
// character (C0, DEL, C1) or U+FFFD. One-line fields (names, titles, labels)
// refuse those.
func HasControl(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return true
		}
	}
	return false
}

// Header makes a header value safe to store: invalid bytes, NUL and other
// control characters are dropped, and the result is cut to at most maxBytes
// without splitting a character.
func Header(s string, maxBytes int) string {
	if !HasControl(s) {
		return Truncate(s, maxBytes)
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "") {
		if unicode.IsControl(r) || r == utf8.RuneError {
			continue
		}
		b.WriteRune(r)
	}
	return Truncate(b.String(), maxBytes)
}

// Truncate cuts s to at most maxBytes without splitting a UTF-8 character.
func Truncate(s string, maxBytes int) string {
	if len(s) <= maxBytes {
		return s
	}
	s = s[:max(0, maxBytes)]
	for len(s) > 0 {
		r, size := utf8.DecodeLastRuneInString(s)
		if r != utf8.RuneError || size != 1 {
			break
		}
		s = s[:len(s)-1]
	}
	return s
}

// ParseID reads an id in its canonical form only (8-4-4-4-12 hex digits):
// uuid.Parse also takes {braces}, urn:uuid: and undashed forms, which would
// give one object several spellings and let odd ones through filters.
func ParseID(s string) (uuid.UUID, bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return uuid.Nil, false
	}
	id, err := uuid.Parse(s)
	return id, err == nil
}
