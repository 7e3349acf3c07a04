package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/studysprint/studysprint/internal/auth"
)

func TestRegisterLoginMe(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	var reg tokens
	e.do("POST", "/api/v1/auth/register", map[string]any{
		"email": "Ada@Example.com", "username": "Ada_L", "password": "analytical-engine-1843",
		"full_name": "  Ada Lovelace ", "timezone": "Europe/London",
	}).must(t, http.StatusCreated).decode(t, &reg)
	if reg.TokenType != "Bearer" || reg.ExpiresIn != 900 || reg.AccessToken == "" || !strings.HasPrefix(reg.RefreshToken, "ssr_") {
		t.Fatalf("token answer: %+v", reg)
	}
	if reg.User.Username != "ada_l" || reg.User.Email != "Ada@Example.com" {
		t.Fatalf("user = %+v; username must be stored lower-case, email as given", reg.User)
	}

	// Login by email (any case), by username (any case), and with the OAuth2 form.
	var byEmail, byUsername, byForm tokens
	e.do("POST", "/api/v1/auth/login", map[string]any{"email": "ada@EXAMPLE.com", "password": "analytical-engine-1843"}).
		must(t, http.StatusOK).decode(t, &byEmail)
	e.do("POST", "/api/v1/auth/login", map[string]any{"username": "ADA_L", "password": "analytical-engine-1843"}).
		must(t, http.StatusOK).decode(t, &byUsername)
	form := url.Values{"grant_type": {"password"}, "username": {"ada@example.com"}, "password": {"analytical-engine-1843"}, "scope": {""}}
	e.do("POST", "/api/v1/auth/login", rawBody(form.Encode()), withHeader("Content-Type", "application/x-www-form-urlencoded")).
		must(t, http.StatusOK).decode(t, &byForm)
	for _, tk := range []tokens{reg, byEmail, byUsername, byForm} {
		if tk.User.ID != reg.User.ID {
			t.Fatalf("login answered another user: %+v", tk.User)
		}
	}
	if byEmail.RefreshToken == byUsername.RefreshToken || byEmail.AccessToken == byForm.AccessToken {
		t.Fatal("every login must start its own session")
	}

	var me map[string]any
	e.do("GET", "/api/v1/auth/me", nil, withToken(byForm.AccessToken)).must(t, http.StatusOK).decode(t, &me)
	if me["id"] != reg.User.ID || me["full_name"] != "Ada Lovelace" || me["timezone"] != "Europe/London" || me["last_login_at"] == nil {
		t.Fatalf("me = %v", me)
	}
	for _, secret := range []string{"password", "password_hash", "hash"} {
		if _, ok := me[secret]; ok {
			t.Fatalf("me leaks %q: %v", secret, me)
		}
	}
	if strings.Contains(string(e.do("GET", "/api/v1/auth/me", nil, withToken(reg.AccessToken)).Body), "$2a$") {
		t.Fatal("a bcrypt hash reached a response")
	}

	// Three sessions plus the registration one, each storing only a hash.
	var n int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM user_refresh_tokens WHERE user_id = $1 AND token_hash = $2 AND rotated_at IS NULL`,
		reg.User.ID, auth.HashRefreshToken(byEmail.RefreshToken)).Scan(&n); err != nil || n != 1 {
		t.Fatalf("session with the refresh token's hash: %d, %v", n, err)
	}
	var prefs int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM user_preferences WHERE user_id = $1 AND pomodoro_work_minutes = 25 AND week_start = 'monday'`,
		reg.User.ID).Scan(&prefs); err != nil || prefs != 1 {
		t.Fatalf("default preferences row: %d, %v", prefs, err)
	}
}

func TestLoginWrongCredentials(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, password := e.register()

	cases := []map[string]any{
		{"email": tk.User.Email, "password": password + "x"},
		{"username": tk.User.Username, "password": strings.ToUpper(password)},
		{"email": "nobody@example.com", "password": password},
		{"username": "nobody", "password": password},
		{"email": tk.User.Email, "password": password + strings.Repeat("x", 80)}, // >72 bytes: never truncated into a match
	}
	for _, body := range cases {
		r := e.do("POST", "/api/v1/auth/login", body).must(t, http.StatusUnauthorized)
		if got := r.errorBody(t).Code; got != "invalid_credentials" {
			t.Fatalf("code = %q, want invalid_credentials", got)
		}
		if r.Header.Get("WWW-Authenticate") == "" {
			t.Fatal("401 without WWW-Authenticate")
		}
	}
	form := url.Values{"username": {tk.User.Username}, "password": {"not-the-password"}}
	e.do("POST", "/api/v1/auth/login", rawBody(form.Encode()), withHeader("Content-Type", "application/x-www-form-urlencoded")).
		must(t, http.StatusUnauthorized)
	form = url.Values{"grant_type": {"client_credentials"}, "username": {tk.User.Username}, "password": {password}}
	e.do("POST", "/api/v1/auth/login", rawBody(form.Encode()), withHeader("Content-Type", "application/x-www-form-urlencoded")).
		must(t, http.StatusBadRequest)
}

func TestRegisterDuplicate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()

	r := e.do("POST", "/api/v1/auth/register", map[string]any{
		"email": strings.ToUpper(tk.User.Email), "username": "someone-else", "password": "another-good-password",
	}).must(t, http.StatusConflict)
	if b := r.errorBody(t); b.Code != "email_taken" || b.Fields["email"] == "" {
		t.Fatalf("duplicate email: %+v", b)
	}
	r = e.do("POST", "/api/v1/auth/register", map[string]any{
		"email": "other@example.com", "username": strings.ToUpper(tk.User.Username), "password": "another-good-password",
	}).must(t, http.StatusConflict)
	if b := r.errorBody(t); b.Code != "username_taken" || b.Fields["username"] == "" {
		t.Fatalf("duplicate username: %+v", b)
	}
	// Nothing half-written: the failed registrations left no user, preferences or session behind.
	var users, prefs int
	if err := e.pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM user_preferences)`).Scan(&users, &prefs); err != nil {
		t.Fatal(err)
	}
	if users != 1 || prefs != 1 {
		t.Fatalf("users=%d preferences=%d after two failed registrations, want 1 and 1", users, prefs)
	}
}

// TestRegisterConcurrentDuplicates races registrations of one email: exactly
// one wins, the rest get 409, none 500.
func TestRegisterConcurrentDuplicates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = e.do("POST", "/api/v1/auth/register", map[string]any{
				"email": "race@example.com", "username": "racer" + string(rune('a'+i)), "password": "a-fine-password-here",
			}).Status
		}()
	}
	wg.Wait()
	created := 0
	for _, s := range statuses {
		switch s {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
		default:
			t.Fatalf("status %d in a registration race: %v", s, statuses)
		}
	}
	if created != 1 {
		t.Fatalf("%d registrations of one email succeeded: %v", created, statuses)
	}
}

func TestRegisterValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	good := func() map[string]any {
		return map[string]any{"email": "val@example.com", "username": "validuser", "password": "valid-password-42"}
	}
	cases := []struct {
		name  string
		patch map[string]any
		field string
	}{
		{"email without at", map[string]any{"email": "not-an-email"}, "email"},
		{"email with display name", map[string]any{"email": "Ada <ada@example.com>"}, "email"},
		{"email too long", map[string]any{"email": strings.Repeat("a", 250) + "@example.com"}, "email"},
		{"email empty", map[string]any{"email": ""}, "email"},
		{"username too short", map[string]any{"username": "ab"}, "username"},
		{"username too long", map[string]any{"username": strings.Repeat("a", 33)}, "username"},
		{"username bad chars", map[string]any{"username": "ada lovelace"}, "username"},
		{"username unicode", map[string]any{"username": "adä"}, "username"},
		{"password too short", map[string]any{"password": "short1"}, "password"},
		{"password too long", map[string]any{"password": strings.Repeat("p", 73)}, "password"},
		{"password common", map[string]any{"password": "password123"}, "password"},
		{"password common any case", map[string]any{"password": "Qwertyuiop"}, "password"},
		{"password equals username", map[string]any{"username": "longusername1", "password": "LongUsername1"}, "password"},
		{"password equals email", map[string]any{"email": "me@mysite.org", "password": "me@mysite.org"}, "password"},
		{"password equals email local part", map[string]any{"email": "studious.student@mysite.org", "password": "studious.student"}, "password"},
		{"timezone unknown", map[string]any{"timezone": "Mars/Olympus_Mons"}, "timezone"},
		{"timezone Local", map[string]any{"timezone": "Local"}, "timezone"},
		{"timezone empty", map[string]any{"timezone": ""}, "timezone"},
		{"timezone path", map[string]any{"timezone": "../../etc/passwd"}, "timezone"},
		{"full name too long", map[string]any{"full_name": strings.Repeat("n", 201)}, "full_name"},
		{"full name control char", map[string]any{"full_name": "Ada\u0000Lovelace"}, "full_name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := good()
			for k, v := range tc.patch {
				body[k] = v
			}
			r := e.do("POST", "/api/v1/auth/register", body).must(t, http.StatusUnprocessableEntity)
			b := r.errorBody(t)
			if b.Code != "validation_failed" || b.Fields[tc.field] == "" {
				t.Fatalf("want a message for %q, got %+v", tc.field, b)
			}
		})
	}
	// 72 bytes exactly is fine, multi-byte characters counted as bytes.
	body := good()
	body["password"] = strings.Repeat("é", 36) // 72 bytes
	e.do("POST", "/api/v1/auth/register", body).must(t, http.StatusCreated)
	body = map[string]any{"email": "val2@example.com", "username": "validuser2", "password": strings.Repeat("é", 36) + "x"} // 73 bytes
	e.do("POST", "/api/v1/auth/register", body).must(t, http.StatusUnprocessableEntity)
}

func TestMeRequiresToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, h := range []string{"", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc", "Bearer not.a.jwt", "Bearer " + strings.Repeat("a", 5000)} {
		var opts []reqOpt
		if h != "" {
			opts = append(opts, withHeader("Authorization", h))
		}
		r := e.do("GET", "/api/v1/auth/me", nil, opts...).must(t, http.StatusUnauthorized)
		if code := r.errorBody(t).Code; code != "missing_token" && code != "invalid_token" {
			t.Fatalf("Authorization %q: code %q", h, code)
		}
	}
}

// TestHostileTokens: every forged, tampered, expired or misaddressed token is a 401.
func TestHostileTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	e.do("GET", "/api/v1/auth/me", nil, withToken(tk.AccessToken)).must(t, http.StatusOK)

	parts := strings.Split(tk.AccessToken, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWS: %q", tk.AccessToken)
	}
	b64 := base64.RawURLEncoding
	var claims map[string]any
	payload, _ := b64.DecodeString(parts[1])
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	var header map[string]any
	hdr, _ := b64.DecodeString(parts[0])
	_ = json.Unmarshal(hdr, &header)
	if header["kid"] != e.key.KeyID() || header["alg"] != "EdDSA" {
		t.Fatalf("header = %v", header)
	}
	for _, c := range []string{"sub", "sid", "iat", "exp", "iss", "aud"} {
		if _, ok := claims[c]; !ok {
			t.Fatalf("claim %q missing: %v", c, claims)
		}
	}
	encode := func(v any) string {
		b, _ := json.Marshal(v)
		return b64.EncodeToString(b)
	}
	with := func(k string, v any) map[string]any {
		c := map[string]any{}
		for kk, vv := range claims {
			c[kk] = vv
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	// sign signs claims with our real key: only the claims are wrong.
	sign := func(c map[string]any) string {
		tok := jwt.New()
		for k, v := range c {
			if k == "aud" || k == "exp" || k == "iat" {
				continue
			}
			_ = tok.Set(k, v)
		}
		if aud, ok := c["aud"]; ok {
			_ = tok.Set("aud", aud)
		}
		if exp, ok := c["exp"].(float64); ok {
			_ = tok.Set("exp", time.Unix(int64(exp), 0))
		}
		if iat, ok := c["iat"].(float64); ok {
			_ = tok.Set("iat", time.Unix(int64(iat), 0))
		}
		s, err := jwt.Sign(tok, jwt.WithKey(jwa.EdDSA, e.key))
		if err != nil {
			t.Fatal(err)
		}
		return string(s)
	}
	hs256 := func(secret []byte) string {
		h := encode(map[string]any{"alg": "HS256", "typ": "JWT", "kid": e.key.KeyID()})
		input := h + "." + parts[1]
		mac := hmac.New(sha256.New, secret)
		mac.Write([]byte(input))
		return input + "." + b64.EncodeToString(mac.Sum(nil))
	}
	pub, _ := jwk.PublicKeyOf(e.key)
	var rawPub []byte
	_ = pub.Raw(&rawPub)
	pubJSON, _ := json.Marshal(pub)
	otherPEM, _ := auth.NewEd25519PEM()
	otherKey, _ := auth.ParseKeyPEM(otherPEM)
	otherSigned, _ := jwt.Sign(func() jwt.Token { tok, _ := jwt.ParseInsecure([]byte(tk.AccessToken)); return tok }(), jwt.WithKey(jwa.EdDSA, otherKey))
	sameKidOtherKey := func() string {
		_ = otherKey.Set(jwk.KeyIDKey, e.key.KeyID())
		tok, _ := jwt.ParseInsecure([]byte(tk.AccessToken))
		s, _ := jwt.Sign(tok, jwt.WithKey(jwa.EdDSA, otherKey))
		return string(s)
	}()
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	now := e.clock.Now()

	cases := map[string]string{
		"tampered payload":          parts[0] + "." + encode(with("sub", "00000000-0000-0000-0000-000000000001")) + "." + parts[2],
		"tampered signature":        parts[0] + "." + parts[1] + "." + flip(parts[2], 5),
		"truncated signature":       parts[0] + "." + parts[1] + "." + parts[2][:20],
		"no signature":              parts[0] + "." + parts[1] + ".",
		"alg none":                  encode(map[string]any{"alg": "none", "typ": "JWT"}) + "." + parts[1] + ".",
		"alg none with kid":         encode(map[string]any{"alg": "none", "kid": e.key.KeyID()}) + "." + parts[1] + ".",
		"alg None":                  encode(map[string]any{"alg": "None", "kid": e.key.KeyID()}) + "." + parts[1] + ".",
		"HS256 with raw public key": hs256(rawPub),
		"HS256 with JWK public key": hs256(pubJSON),
		"HS256 with kid as secret":  hs256([]byte(e.key.KeyID())),
		"signed by another key":     string(otherSigned),
		"another key, our kid":      sameKidOtherKey,
		"wrong audience":            sign(with("aud", []string{"someone-else"})),
		"wrong issuer":              sign(with("iss", "https://evil.example")),
		"expired":                   sign(with("exp", float64(now.Add(-time.Hour).Unix()))),
		"issued in the future":      sign(with("iat", float64(now.Add(time.Hour).Unix()))),
		"no exp":                    sign(with("exp", nil)),
		"no sid":                    sign(with("sid", nil)),
		"sid not a uuid":            sign(with("sid", "abc")),
		"unknown session":           sign(with("sid", "7f1c0c8e-0000-4000-8000-000000000000")),
		"sub not a uuid":            sign(with("sub", "root")),
		"sub of another user":       sign(with("sub", "7f1c0c8e-0000-4000-8000-000000000001")),
		"JWS JSON serialization":    `{"payload":"` + parts[1] + `","signatures":[{"protected":"` + parts[0] + `","signature":"` + parts[2] + `"}]}`,
		"two dots only":             "..",
		"garbage":                   "eyJ.eyJ.eyJ",
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			r := e.do("GET", "/api/v1/auth/me", nil, withToken(tok)).must(t, http.StatusUnauthorized)
			r.errorBody(t)
		})
	}

	// The genuine token expires with the injected clock.
	e.clock.Advance(16 * time.Minute)
	r := e.do("GET", "/api/v1/auth/me", nil, withToken(tk.AccessToken)).must(t, http.StatusUnauthorized)
	if code := r.errorBody(t).Code; code != "token_expired" {
		t.Fatalf("expired token code = %q", code)
	}
}

// TestRevokedSessionStopsAtOnce: the per-request session check makes a
// revoked (or expired) session fail on the very next request.
func TestRevokedSessionStopsAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	e.do("GET", "/api/v1/auth/me", nil, withToken(tk.AccessToken)).must(t, http.StatusOK)
	if _, err := e.pool.Exec(context.Background(),
		`UPDATE user_sessions SET revoked_at = now(), revoke_reason = 'logout' WHERE user_id = $1`, tk.User.ID); err != nil {
		t.Fatal(err)
	}
	r := e.do("GET", "/api/v1/auth/me", nil, withToken(tk.AccessToken)).must(t, http.StatusUnauthorized)
	if code := r.errorBody(t).Code; code != "session_revoked" {
		t.Fatalf("code = %q", code)
	}

	tk2, _ := e.register()
	if _, err := e.pool.Exec(context.Background(),
		`UPDATE user_sessions SET expires_at = $2 WHERE user_id = $1`, tk2.User.ID, e.clock.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	e.do("GET", "/api/v1/auth/me", nil, withToken(tk2.AccessToken)).must(t, http.StatusUnauthorized)

	tk3, _ := e.register()
	if _, err := e.pool.Exec(context.Background(), `UPDATE users SET is_active = false WHERE id = $1`, tk3.User.ID); err != nil {
		t.Fatal(err)
	}
	e.do("GET", "/api/v1/auth/me", nil, withToken(tk3.AccessToken)).must(t, http.StatusUnauthorized)
}

func TestSessionLastUsedIsTouched(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	e.clock.Advance(5 * time.Minute)
	e.do("GET", "/api/v1/auth/me", nil, withToken(tk.AccessToken)).must(t, http.StatusOK)
	var lastUsed time.Time
	if err := e.pool.QueryRow(context.Background(), `SELECT last_used_at FROM user_sessions WHERE user_id = $1`, tk.User.ID).Scan(&lastUsed); err != nil {
		t.Fatal(err)
	}
	if !lastUsed.Equal(e.clock.Now()) {
		t.Fatalf("last_used_at = %v, want %v", lastUsed, e.clock.Now())
	}
}
