package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

// Token verification errors.
var (
	ErrTokenExpired = errors.New("token expired")
	ErrTokenInvalid = errors.New("token invalid")
)

// Claims are what an access token asserts.
type Claims struct {
	UserID    uuid.UUID
	SessionID uuid.UUID
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// Tokens issues and verifies access tokens.
type Tokens struct {
	keys     *KeySet
	issuer   string
	audience string
	ttl      time.Duration
	now      func() time.Time
}

// NewTokens returns a token issuer/verifier. now is the clock (time.Now in
// production).
func NewTokens(keys *KeySet, issuer, audience string, ttl time.Duration, now func() time.Time) *Tokens {
	return &Tokens{keys: keys, issuer: issuer, audience: audience, ttl: ttl, now: now}
}

// TTL is the access-token lifetime.
func (t *Tokens) TTL() time.Duration { return t.ttl }

// Issue signs an access token for the session.
func (t *Tokens) Issue(userID, sessionID uuid.UUID) (string, time.Time, error) {
	now := t.now().Truncate(time.Second)
	exp := now.Add(t.ttl)
	tok, err := jwt.NewBuilder().
		Subject(userID.String()).
		Issuer(t.issuer).
		Audience([]string{t.audience}).
		IssuedAt(now).
		Expiration(exp).
		Claim("sid", sessionID.String()).
		Build()
	if err != nil {
		return "", time.Time{}, err
	}
	alg, ok := t.keys.signing.Algorithm().(jwa.SignatureAlgorithm)
	if !ok {
		return "", time.Time{}, errors.New("signing key has no signature algorithm")
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(alg, t.keys.signing))
	if err != nil {
		return "", time.Time{}, err
	}
	return string(signed), exp, nil
}

// Verify checks the signature (only the algorithms of our own keys, matched by
// kid), issuer, audience and lifetime, and returns the claims.
func (t *Tokens) Verify(token string) (Claims, error) {
	if !compactJWS(token) {
		return Claims{}, ErrTokenInvalid
	}
	tok, err := jwt.Parse([]byte(token),
		jwt.WithKeySet(t.keys.public, jws.WithRequireKid(true), jws.WithInferAlgorithmFromKey(false)),
		jwt.WithValidate(true),
		jwt.WithClock(jwt.ClockFunc(t.now)),
		jwt.WithAcceptableSkew(30*time.Second),
		jwt.WithIssuer(t.issuer),
		jwt.WithAudience(t.audience),
		jwt.WithRequiredClaim(jwt.ExpirationKey),
		jwt.WithRequiredClaim(jwt.IssuedAtKey),
		jwt.WithRequiredClaim("sid"),
	)
	if err != nil {
		if errors.Is(err, jwt.ErrTokenExpired()) {
			return Claims{}, ErrTokenExpired
		}
		return Claims{}, fmt.Errorf("%w: %v", ErrTokenInvalid, err)
	}
	uid, err := uuid.Parse(tok.Subject())
	if err != nil {
		return Claims{}, fmt.Errorf("%w: bad sub", ErrTokenInvalid)
	}
	sidClaim, _ := tok.Get("sid")
	sidStr, _ := sidClaim.(string)
	sid, err := uuid.Parse(sidStr)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: bad sid", ErrTokenInvalid)
	}
	return Claims{UserID: uid, SessionID: sid, IssuedAt: tok.IssuedAt(), ExpiresAt: tok.Expiration()}, nil
}

// compactJWS reports whether s is a compact-serialised JWS with a signature:
// three non-empty base64url segments. The JSON serialisation is refused.
func compactJWS(s string) bool {
	if len(s) > 4096 || strings.Count(s, ".") != 2 {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if part == "" {
			return false
		}
		for _, r := range part {
			if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}

// refreshTokenPrefix marks our refresh tokens so secret scanners and humans
// can recognise a leaked one.
const refreshTokenPrefix = "ssr_"

// NewRefreshToken returns a new opaque refresh token (256 random bits) and
// the SHA-256 hash that is stored in its place.
func NewRefreshToken() (token string, hash []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand panics on a broken source)
	token = refreshTokenPrefix + base64URL(b)
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
	_, err := base64.RawURLEncoding.DecodeString(rest)
	return err == nil
}

// EqualHash compares two hashes in constant time.
func EqualHash(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }

func base64URL(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
