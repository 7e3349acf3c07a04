package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strings"
	"time"
)

// refreshTokenPrefix marks our refresh tokens so secret scanners and humans
// can recognise a leaked one.
const refreshTokenPrefix = "ssr_"

// NewRefreshToken returns a new opaque refresh token (256 random bits) and
// the SHA-256 hash that is stored in its place.
func NewRefreshToken() (token string, hash []byte) {
	token = refreshTokenPrefix + base64URL(randomBytes(32))
	return token, HashRefreshToken(token)
}

// NewSessionSecret returns the per-session secret that derives each rotated
// refresh token from the previous one.
func NewSessionSecret() []byte { return randomBytes(32) }

// DeriveRefreshToken is the token that replaces presented on rotation:
// HMAC-SHA256 keyed by the session's secret. Deriving instead of drawing a
// random token means a retry of the same refresh (two tabs, a lost answer)
// can be answered with the very token the first attempt got, although only
// hashes are stored. Without the presented token (never stored) the secret
// alone derives nothing.
func DeriveRefreshToken(sessionSecret []byte, presented string) (token string, hash []byte) {
	mac := hmac.New(sha256.New, sessionSecret)
	mac.Write([]byte(presented))
	token = refreshTokenPrefix + base64URL(mac.Sum(nil))
	return token, HashRefreshToken(token)
}

// HashRefreshToken is the stored form of a refresh token. The token carries
// 256 bits of entropy, so a fast hash is enough: nothing can be brute-forced.
func HashRefreshToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// WellFormedRefreshToken reports whether s looks like one of our tokens,
// before touching the database.
func WellFormedRefreshToken(s string) bool {
	rest, ok := strings.CutPrefix(s, refreshTokenPrefix)
	if !ok || len(rest) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.Strict().DecodeString(rest)
	return err == nil
}

// EqualHash compares two hashes in constant time.
func EqualHash(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }

// RefreshAction is what a refresh request with a known token must do.
type RefreshAction int

// The outcomes of DecideRefresh.
const (
	// RefreshRotate: the token is the session's live one; rotate it.
	RefreshRotate RefreshAction = iota
	// RefreshRepeat: the token was rotated away moments ago and its successor
	// is still live (two tabs, a retry); answer with that successor again.
	RefreshRepeat
	// RefreshReuse: an older token came back; someone holds a copy. Revoke
	// the whole session.
	RefreshReuse
	// RefreshSessionEnded: the session is revoked or expired.
	RefreshSessionEnded
)

// RefreshState is what the database says about a presented token.
type RefreshState struct {
	RotatedAt      *time.Time // nil while the token is the live one
	SuccessorLive  bool       // the token derived from it is the session's live token
	SessionRevoked bool
	SessionExpires time.Time
}

// DecideRefresh applies the rotation rule: the live token rotates; the one
// rotated away within grace is answered with its (still live) successor; any
// other reuse revokes the session.
func DecideRefresh(st RefreshState, now time.Time, grace time.Duration) RefreshAction {
	switch {
	case st.SessionRevoked || !now.Before(st.SessionExpires):
		return RefreshSessionEnded
	case st.RotatedAt == nil:
		return RefreshRotate
	case st.SuccessorLive && now.Sub(*st.RotatedAt) <= grace:
		return RefreshRepeat
	default:
		return RefreshReuse
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails: crypto/rand panics rather than return short
	return b
}
