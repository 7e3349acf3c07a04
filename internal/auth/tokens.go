package auth

import (
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
	verified *verifiedCache
}

// NewTokens returns a token issuer/verifier. now is the clock (time.Now in
// production).
func NewTokens(keys *KeySet, issuer, audience string, ttl time.Duration, now func() time.Time) *Tokens {
	return &Tokens{keys: keys, issuer: issuer, audience: audience, ttl: ttl, now: now, verified: newVerifiedCache(verifiedCacheSize)}
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
// kid), issuer, audience and lifetime, and returns the claims. A token that
// verified before is answered from a bounded cache (its expiry is still
// checked against the clock): a client sends one access token for its whole
// lifetime, and the signature check is most of the cost of an authenticated
// request. Revocation does not depend on this: the session is checked on
// every request.
func (t *Tokens) Verify(token string) (Claims, error) {
	if c, ok := t.verified.get(token); ok {
		if t.now().After(c.ExpiresAt.Add(verifySkew)) {
			return Claims{}, ErrTokenExpired
		}
		return c, nil
	}
	c, err := t.verify(token)
	if err == nil {
		t.verified.put(token, c, t.now())
	}
	return c, err
}

// verifySkew is the clock skew tolerated on exp and iat.
const verifySkew = 30 * time.Second

func (t *Tokens) verify(token string) (Claims, error) {
	if !compactJWS(token) {
		return Claims{}, ErrTokenInvalid
	}
	tok, err := jwt.Parse([]byte(token),
		jwt.WithKeySet(t.keys.public, jws.WithRequireKid(true), jws.WithInferAlgorithmFromKey(false)),
		jwt.WithValidate(true),
		jwt.WithClock(jwt.ClockFunc(t.now)),
		jwt.WithAcceptableSkew(verifySkew),
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

func base64URL(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
