package loadtest

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/crypto/bcrypt"
)

// The floor is the least a server can do for GET /api/v1/auth/me: net/http,
// a pgx pool with pgx's defaults, an HS256 check written against the
// standard library, one primary-key SELECT, encoding/json. It also holds
// the stateful-rotation peer the refresh scenario is compared with (see
// peerRefresh). It runs as its own process (`loadtest floor`), measured the
// way the server is.

// hs256Header is the only JOSE header the floor accepts or mints.
var hs256Header = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

type hs256Claims struct {
	Sub string `json:"sub"`
	Exp int64  `json:"exp"`
}

// MintHS256 returns a compact JWT for sub, valid until now+ttl.
func MintHS256(key []byte, sub uuid.UUID, now time.Time, ttl time.Duration) string {
	payload, _ := json.Marshal(hs256Claims{Sub: sub.String(), Exp: now.Add(ttl).Unix()})
	signing := hs256Header + "." + base64.RawURLEncoding.EncodeToString(payload)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(signing))
	return signing + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// ErrBadToken is any token VerifyHS256 refuses.
var ErrBadToken = errors.New("invalid token")

// VerifyHS256 checks a token from MintHS256 (header, signature, expiry)
// and returns its subject.
func VerifyHS256(key []byte, token string, now time.Time) (uuid.UUID, error) {
	header, rest, ok := strings.Cut(token, ".")
	if !ok || header != hs256Header {
		return uuid.Nil, ErrBadToken
	}
	payload, sig, ok := strings.Cut(rest, ".")
	if !ok {
		return uuid.Nil, ErrBadToken
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return uuid.Nil, ErrBadToken
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(token[:len(header)+1+len(payload)]))
	if !hmac.Equal(got, mac.Sum(nil)) {
		return uuid.Nil, ErrBadToken
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return uuid.Nil, ErrBadToken
	}
	var c hs256Claims
	if err := json.Unmarshal(raw, &c); err != nil || now.Unix() >= c.Exp {
		return uuid.Nil, ErrBadToken
	}
	id, err := uuid.Parse(c.Sub)
	if err != nil {
		return uuid.Nil, ErrBadToken
	}
	return id, nil
}

// PeerBcryptCost is the cost the peer hashes its refresh tokens at.
const PeerBcryptCost = 10

// peerTable is the peer's own table, created in the load test's database.
const peerTable = `CREATE TABLE IF NOT EXISTS loadtest_peer_refresh_tokens (
	selector      text PRIMARY KEY,
	verifier_hash text NOT NULL,
	user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at    timestamptz NOT NULL DEFAULT now(),
	expires_at    timestamptz NOT NULL,
	revoked_at    timestamptz
)`

// Floor is the floor server's handler.
type Floor struct {
	pool *pgxpool.Pool
	key  []byte
	now  func() time.Time
}

// NewFloor returns the floor's handler over pool, signing with key. It
// creates the peer's table.
func NewFloor(ctx context.Context, pool *pgxpool.Pool, key []byte) (*Floor, error) {
	if _, err := pool.Exec(ctx, peerTable); err != nil {
		return nil, fmt.Errorf("floor: peer table: %w", err)
	}
	return &Floor{pool: pool, key: key, now: time.Now}, nil
}

// Handler routes the floor's endpoints.
func (f *Floor) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("GET /me", f.me)
	mux.HandleFunc("POST /peer/login", f.peerLogin)
	mux.HandleFunc("POST /peer/refresh", f.peerRefresh)
	return mux
}

type floorUser struct {
	ID          uuid.UUID  `json:"id"`
	Email       string     `json:"email"`
	Username    string     `json:"username"`
	FullName    string     `json:"full_name"`
	Timezone    string     `json:"timezone"`
	CreatedAt   time.Time  `json:"created_at"`
	LastLoginAt *time.Time `json:"last_login_at"`
}

func floorError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"code":%q}}`, code)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// me: the HS256 check, then one primary-key SELECT answered as JSON.
func (f *Floor) me(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		floorError(w, http.StatusUnauthorized, "unauthenticated")
		return
	}
	id, err := VerifyHS256(f.key, token, f.now())
	if err != nil {
		floorError(w, http.StatusUnauthorized, "unauthenticated")
		return
	}
	var u floorUser
	err = f.pool.QueryRow(r.Context(),
		`SELECT id, email, username, full_name, timezone, created_at, last_login_at FROM users WHERE id = $1`, id).
		Scan(&u.ID, &u.Email, &u.Username, &u.FullName, &u.Timezone, &u.CreatedAt, &u.LastLoginAt)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		floorError(w, http.StatusNotFound, "not_found")
		return
	case err != nil:
		floorError(w, http.StatusInternalServerError, "internal")
		return
	}
	writeJSON(w, u)
}

type peerTokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

// newPeerToken makes a refresh token "selector.verifier" and the bcrypt
// hash of its verifier.
func newPeerToken() (token, selector string, hash []byte, err error) {
	var s [12]byte
	var v [32]byte
	_, _ = rand.Read(s[:])
	_, _ = rand.Read(v[:])
	selector = hex.EncodeToString(s[:])
	verifier := base64.RawURLEncoding.EncodeToString(v[:])
	hash, err = bcrypt.GenerateFromPassword([]byte(verifier), PeerBcryptCost)
	return selector + "." + verifier, selector, hash, err
}

// peerLogin issues a first refresh token for {"user_id"} (the harness's
// setup; no password: the peer is about rotation only).
func (f *Floor) peerLogin(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserID uuid.UUID `json:"user_id"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		floorError(w, http.StatusBadRequest, "malformed")
		return
	}
	token, selector, hash, err := newPeerToken()
	if err == nil {
		_, err = f.pool.Exec(r.Context(),
			`INSERT INTO loadtest_peer_refresh_tokens (selector, verifier_hash, user_id, expires_at) VALUES ($1, $2, $3, now() + interval '30 days')`,
			selector, string(hash), req.UserID)
	}
	if err != nil {
		floorError(w, http.StatusInternalServerError, "internal")
		return
	}
	writeJSON(w, peerTokens{AccessToken: MintHS256(f.key, req.UserID, f.now(), 15*time.Minute), RefreshToken: token})
}

// peerRefresh is refresh-token rotation the way many tutorials and
// frameworks do it: the token is "selector.verifier"; the row is found by
// its selector and locked, the verifier checked against its bcrypt hash
// (cost 10), the row revoked and a new token's row (a new bcrypt hash)
// inserted, all in one transaction; then a new access token is signed.
func (f *Floor) peerRefresh(w http.ResponseWriter, r *http.Request) {
	var req struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		floorError(w, http.StatusBadRequest, "malformed")
		return
	}
	selector, verifier, ok := strings.Cut(req.RefreshToken, ".")
	if !ok {
		floorError(w, http.StatusUnauthorized, "invalid_refresh_token")
		return
	}
	var out peerTokens
	var userID uuid.UUID
	err := pgx.BeginFunc(r.Context(), f.pool, func(tx pgx.Tx) error {
		var hash string
		var revoked *time.Time
		var expires time.Time
		err := tx.QueryRow(r.Context(),
			`SELECT user_id, verifier_hash, expires_at, revoked_at FROM loadtest_peer_refresh_tokens WHERE selector = $1 FOR UPDATE`,
			selector).Scan(&userID, &hash, &expires, &revoked)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrBadToken
		}
		if err != nil {
			return err
		}
		if revoked != nil || !expires.After(f.now()) || bcrypt.CompareHashAndPassword([]byte(hash), []byte(verifier)) != nil {
			return ErrBadToken
		}
		if _, err := tx.Exec(r.Context(), `UPDATE loadtest_peer_refresh_tokens SET revoked_at = now() WHERE selector = $1`, selector); err != nil {
			return err
		}
		token, newSelector, newHash, err := newPeerToken()
		if err != nil {
			return err
		}
		if _, err := tx.Exec(r.Context(),
			`INSERT INTO loadtest_peer_refresh_tokens (selector, verifier_hash, user_id, expires_at) VALUES ($1, $2, $3, now() + interval '30 days')`,
			newSelector, string(newHash), userID); err != nil {
			return err
		}
		out.RefreshToken = token
		return nil
	})
	switch {
	case errors.Is(err, ErrBadToken):
		floorError(w, http.StatusUnauthorized, "invalid_refresh_token")
		return
	case err != nil:
		floorError(w, http.StatusInternalServerError, "internal")
		return
	}
	out.AccessToken = MintHS256(f.key, userID, f.now(), 15*time.Minute)
	writeJSON(w, out)
}

// ServeFloor runs the floor on addr until ctx ends.
func ServeFloor(ctx context.Context, addr, databaseURL string, key []byte, maxConns int32) error {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return err
	}
	cfg.MaxConns = maxConns
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	f, err := NewFloor(ctx, pool, key)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: f.Handler(), ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 120 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
