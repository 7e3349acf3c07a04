package loadtest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/internal/testdb"
)

func TestHS256(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	sub := uuid.New()
	tok := MintHS256(key, sub, now, time.Hour)
	got, err := VerifyHS256(key, tok, now.Add(59*time.Minute))
	if err != nil || got != sub {
		t.Fatalf("verify = %v, %v", got, err)
	}
	parts := strings.Split(tok, ".")
	flip := func(s string) string {
		b := []byte(s)
		if b[3] == 'A' {
			b[3] = 'B'
		} else {
			b[3] = 'A'
		}
		return string(b)
	}
	for name, bad := range map[string]string{
		"expired":         tok,
		"other key":       MintHS256([]byte("another key entirely, 32 bytes!!"), sub, now, time.Hour),
		"payload changed": parts[0] + "." + flip(parts[1]) + "." + parts[2],
		"signature":       parts[0] + "." + parts[1] + "." + flip(parts[2]),
		"alg none":        "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + parts[1] + ".",
		"two parts":       parts[0] + "." + parts[1],
		"empty":           "",
	} {
		at := now
		if name == "expired" {
			at = now.Add(time.Hour)
		}
		if _, err := VerifyHS256(key, bad, at); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestFloor drives the floor's handler against a migrated database: /me
// answers the user row behind the token, and the peer rotates: each refresh
// token works once.
func TestFloor(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.Pool(t)
	var id uuid.UUID
	if err := pool.QueryRow(ctx, `INSERT INTO users (email, username, password_hash) VALUES ('f@example.com', 'floor', 'x') RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	key := []byte("floor-test-key-floor-test-key-32")
	f, err := NewFloor(ctx, pool, key)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(f.Handler())
	defer srv.Close()
	w := &Worker{Client: srv.Client(), Base: srv.URL}

	var me floorUser
	if err := Call(ctx, w, http.MethodGet, "/me", MintHS256(key, id, time.Now(), time.Minute), nil, http.StatusOK, &me); err != nil {
		t.Fatal(err)
	}
	if me.ID != id || me.Username != "floor" || me.Email != "f@example.com" {
		t.Fatalf("me = %+v", me)
	}
	if err := Call(ctx, w, http.MethodGet, "/me", MintHS256(key, uuid.New(), time.Now(), time.Minute), nil, http.StatusNotFound, nil); err != nil {
		t.Fatal(err)
	}
	if err := Call(ctx, w, http.MethodGet, "/me", "garbage", nil, http.StatusUnauthorized, nil); err != nil {
		t.Fatal(err)
	}

	var toks peerTokens
	if err := Call(ctx, w, http.MethodPost, "/peer/login", "", []byte(`{"user_id":"`+id.String()+`"}`), http.StatusOK, &toks); err != nil {
		t.Fatal(err)
	}
	first := toks.RefreshToken
	for range 3 {
		prev := toks.RefreshToken
		if err := Call(ctx, w, http.MethodPost, "/peer/refresh", "", []byte(`{"refresh_token":"`+prev+`"}`), http.StatusOK, &toks); err != nil {
			t.Fatal(err)
		}
		if toks.RefreshToken == prev || toks.AccessToken == "" {
			t.Fatalf("not rotated: %+v", toks)
		}
	}
	if err := Call(ctx, w, http.MethodPost, "/peer/refresh", "", []byte(`{"refresh_token":"`+first+`"}`), http.StatusUnauthorized, nil); err != nil {
		t.Fatalf("a used token again: %v", err)
	}
	sel, _, _ := strings.Cut(toks.RefreshToken, ".")
	if err := Call(ctx, w, http.MethodPost, "/peer/refresh", "", []byte(`{"refresh_token":"`+sel+`.wrong"}`), http.StatusUnauthorized, nil); err != nil {
		t.Fatalf("a wrong verifier: %v", err)
	}
	var live, revoked int
	if err := pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE revoked_at IS NULL), count(*) FILTER (WHERE revoked_at IS NOT NULL) FROM loadtest_peer_refresh_tokens`).Scan(&live, &revoked); err != nil {
		t.Fatal(err)
	}
	if live != 1 || revoked != 3 {
		t.Fatalf("%d live, %d revoked tokens; want 1 and 3", live, revoked)
	}
}
