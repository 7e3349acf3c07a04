package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

func TestCheckPassword(t *testing.T) {
	cases := []struct {
		password, email, username string
		want                      error
	}{
		{"correct-horse-battery", "ada@example.com", "ada", nil},
		{"short", "", "", ErrPasswordTooShort},
		{strings.Repeat("x", 73), "", "", ErrPasswordTooLong},
		{strings.Repeat("é", 36), "", "", nil}, // 72 bytes
		{"password", "", "", ErrPasswordCommon},
		{"Password1", "", "", ErrPasswordCommon},
		{"iloveyou", "", "", ErrPasswordCommon},
		{"ada@example.com", "ada@example.com", "ada", ErrPasswordIdentical},
		{"ADA@EXAMPLE.COM", "ada@example.com", "ada", ErrPasswordIdentical},
		{"lovelace1815", "lovelace1815@example.com", "ada", ErrPasswordIdentical},
		{"adalovelace", "x@example.com", "adalovelace", ErrPasswordIdentical},
	}
	for _, c := range cases {
		if got := CheckPassword(c.password, c.email, c.username); !errors.Is(got, c.want) {
			t.Errorf("CheckPassword(%q) = %v, want %v", c.password, got, c.want)
		}
	}
	if n := CommonPasswordCount(); n < 10000 {
		t.Fatalf("only %d common passwords embedded", n)
	}
}

func TestHasher(t *testing.T) {
	ctx := context.Background()
	h, err := NewHasher(4, 2, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := h.Hash(ctx, "correct-horse-battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$2a$04$") {
		t.Fatalf("hash %q", hash)
	}
	for _, c := range []struct {
		hash, pw string
		want     bool
	}{
		{hash, "correct-horse-battery", true},
		{hash, "correct-horse-batter", false},
		{"", "correct-horse-battery", false},
		{"", "studysprint-timing-equaliser", false}, // the dummy's own secret never logs in
		{hash, "correct-horse-battery" + strings.Repeat("x", 60), false},
	} {
		if ok, err := h.Verify(ctx, c.hash, c.pw); err != nil || ok != c.want {
			t.Errorf("Verify(%.10q, %.30q) = %v, %v", c.hash, c.pw, ok, err)
		}
	}
	if _, err := h.Hash(ctx, strings.Repeat("x", 73)); !errors.Is(err, ErrPasswordTooLong) {
		t.Fatalf("73 bytes: %v", err)
	}
	if _, err := NewHasher(3, 1, time.Second); err == nil {
		t.Fatal("cost 3 accepted")
	}
	if _, err := NewHasher(4, 0, time.Second); err == nil {
		t.Fatal("concurrency 0 accepted")
	}
}

// TestHasherSheds: with every slot taken, a caller waits maxWait and gets
// ErrBusy; a cancelled caller returns at once.
func TestHasherSheds(t *testing.T) {
	h, err := NewHasher(4, 1, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.lim.acquire(context.Background()); err != nil { // hold the only slot
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := h.Verify(context.Background(), "", "x"); !errors.Is(err, ErrBusy) {
		t.Fatalf("want ErrBusy, got %v", err)
	}
	if waited := time.Since(start); waited < 50*time.Millisecond {
		t.Fatalf("gave up after %v, before maxWait", waited)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Hash(ctx, "password-x"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	h.lim.release()
	if _, err := h.Hash(context.Background(), "password-x"); err != nil {
		t.Fatalf("slot free again: %v", err)
	}
}

func newTestTokens(t testing.TB, now func() time.Time) (*Tokens, *KeySet) {
	t.Helper()
	pemBytes, err := NewEd25519PEM()
	if err != nil {
		t.Fatal(err)
	}
	key, err := ParseKeyPEM(pemBytes)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := NewKeySet(key)
	if err != nil {
		t.Fatal(err)
	}
	return NewTokens(keys, "iss", "aud", 15*time.Minute, now), keys
}

func TestIssueVerify(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	tokens, _ := newTestTokens(t, clock)
	uid, sid := uuid.New(), uuid.New()
	tok, exp, err := tokens.Issue(uid, sid)
	if err != nil {
		t.Fatal(err)
	}
	if !exp.Equal(now.Add(15 * time.Minute)) {
		t.Fatalf("exp %v", exp)
	}
	c, err := tokens.Verify(tok)
	if err != nil || c.UserID != uid || c.SessionID != sid {
		t.Fatalf("verify: %+v, %v", c, err)
	}
	now = now.Add(15*time.Minute + 31*time.Second) // past exp and the 30s skew
	if _, err := tokens.Verify(tok); !errors.Is(err, ErrTokenExpired) {
		t.Fatalf("expired: %v", err)
	}

	// Another instance with other keys (or another audience) rejects it.
	now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	other, _ := newTestTokens(t, clock)
	if _, err := other.Verify(tok); !errors.Is(err, ErrTokenInvalid) {
		t.Fatalf("foreign key: %v", err)
	}
}

func TestKeyRotationVerifiesRetiredKeys(t *testing.T) {
	clock := time.Now
	oldTokens, oldKeys := newTestTokens(t, clock)
	tok, _, err := oldTokens.Issue(uuid.New(), uuid.New())
	if err != nil {
		t.Fatal(err)
	}
	newPEM, _ := NewEd25519PEM()
	newKey, _ := ParseKeyPEM(newPEM)
	rotated, err := NewKeySet(newKey, oldKeys.signing)
	if err != nil {
		t.Fatal(err)
	}
	if rotated.PublicSet().Len() != 2 {
		t.Fatalf("JWKS has %d keys, want 2", rotated.PublicSet().Len())
	}
	if _, err := NewTokens(rotated, "iss", "aud", time.Minute, clock).Verify(tok); err != nil {
		t.Fatalf("a token of the retired key must verify until it expires: %v", err)
	}
}

func TestParseKeyPEM(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(ec)
	key, err := ParseKeyPEM(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err != nil || key.Algorithm() != jwa.ES256 || key.KeyID() == "" {
		t.Fatalf("P-256: %v %v", key, err)
	}
	sec1, _ := x509.MarshalECPrivateKey(ec)
	if _, err := ParseKeyPEM(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1})); err != nil {
		t.Fatalf("SEC1: %v", err)
	}
	keys, _ := NewKeySet(key)
	tok, _, err := NewTokens(keys, "i", "a", time.Minute, time.Now).Issue(uuid.New(), uuid.New())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewTokens(keys, "i", "a", time.Minute, time.Now).Verify(tok); err != nil {
		t.Fatalf("ES256 round trip: %v", err)
	}

	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	der, _ = x509.MarshalPKCS8PrivateKey(p384)
	if _, err := ParseKeyPEM(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})); err == nil {
		t.Fatal("P-384 accepted")
	}
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	der, _ = x509.MarshalPKCS8PrivateKey(rsaKey)
	if _, err := ParseKeyPEM(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})); err == nil {
		t.Fatal("RSA accepted")
	}
	for _, bad := range []string{"", "not pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"} {
		if _, err := ParseKeyPEM([]byte(bad)); err == nil {
			t.Fatalf("%q accepted", bad)
		}
	}
}

func TestLoadOrCreateKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "jwt.pem")
	var wg sync.WaitGroup
	kids := make([]string, 8)
	created := make([]bool, 8)
	for i := range kids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, c, err := LoadOrCreateKeyFile(path)
			if err != nil {
				t.Error(err)
				return
			}
			kids[i], created[i] = k.KeyID(), c
		}()
	}
	wg.Wait()
	n := 0
	for i := range kids {
		if kids[i] != kids[0] {
			t.Fatalf("concurrent starts produced different keys: %v", kids)
		}
		if created[i] {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d goroutines created the key", n)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v", st.Mode(), err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("temporary files left: %v", entries)
	}
}

func TestRefreshTokens(t *testing.T) {
	a, ha := NewRefreshToken()
	b, hb := NewRefreshToken()
	if a == b || EqualHash(ha, hb) || len(ha) != 32 {
		t.Fatal("refresh tokens must be unique 256-bit values")
	}
	if !WellFormedRefreshToken(a) || WellFormedRefreshToken(a[:len(a)-1]) || WellFormedRefreshToken("x"+a) {
		t.Fatal("WellFormedRefreshToken")
	}
	if !EqualHash(HashRefreshToken(a), ha) {
		t.Fatal("hash is not stable")
	}
}

// FuzzVerify: no input makes Verify panic or accept a token it did not issue.
func FuzzVerify(f *testing.F) {
	tokens, _ := newTestTokens(f, time.Now)
	good, _, _ := tokens.Issue(uuid.New(), uuid.New())
	unsigned, _ := jwt.NewBuilder().Subject("x").Build()
	none, _ := jwt.Sign(unsigned, jwt.WithInsecureNoSignature())
	for _, s := range []string{good, string(none), "", "a.b.c", "..", good + "x", strings.ToUpper(good), `{"payload":""}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if s == good {
			return
		}
		if c, err := tokens.Verify(s); err == nil {
			t.Fatalf("accepted a forged token %q: %+v", s, c)
		}
	})
}

// TestVerifiedCache: a cached token still expires with the clock, forged
// variants never hit, and the cache stays bounded.
func TestVerifiedCache(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tokens, _ := newTestTokens(t, func() time.Time { return now })
	tok, _, _ := tokens.Issue(uuid.New(), uuid.New())
	if _, err := tokens.Verify(tok); err != nil {
		t.Fatal(err)
	}
	if tokens.verified.len() != 1 {
		t.Fatal("verified token not cached")
	}
	if _, err := tokens.Verify(tok + "A"); err == nil {
		t.Fatal("a variant of a cached token verified")
	}
	now = now.Add(16 * time.Minute)
	if _, err := tokens.Verify(tok); !errors.Is(err, ErrTokenExpired) {
		t.Fatalf("cached token after expiry: %v", err)
	}
	c := newVerifiedCache(3)
	for i := range 10 {
		c.put(fmt.Sprint(i), Claims{ExpiresAt: now.Add(time.Hour)}, now)
	}
	if c.len() > 3 {
		t.Fatalf("cache grew to %d", c.len())
	}
}
