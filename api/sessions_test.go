package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/studysprint/studysprint/internal/auth"
)

func (e *env) login(username, password string, opts ...reqOpt) tokens {
	e.t.Helper()
	var tk tokens
	e.do("POST", "/api/v1/auth/login", map[string]any{"username": username, "password": password}, opts...).
		must(e.t, http.StatusOK).decode(e.t, &tk)
	return tk
}

func (e *env) refresh(token string) response {
	e.t.Helper()
	return e.do("POST", "/api/v1/auth/refresh", map[string]any{"refresh_token": token})
}

func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestRefreshRotates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()

	var next tokens
	e.refresh(tk.RefreshToken).must(t, http.StatusOK).decode(t, &next)
	if next.RefreshToken == tk.RefreshToken || next.AccessToken == "" || next.User.ID != tk.User.ID {
		t.Fatalf("refresh answer: %+v", next)
	}
	e.do("GET", "/api/v1/auth/me", nil, withToken(next.AccessToken)).must(t, http.StatusOK)
	// The chain goes on.
	var third tokens
	e.refresh(next.RefreshToken).must(t, http.StatusOK).decode(t, &third)
	if third.RefreshToken == next.RefreshToken {
		t.Fatal("no rotation on the second refresh")
	}
	if n := e.count(`SELECT count(*) FROM user_refresh_tokens WHERE user_id = $1 AND rotated_at IS NULL`, tk.User.ID); n != 1 {
		t.Fatalf("%d live refresh tokens, want 1", n)
	}
	for _, bad := range []string{"", "ssr_short", "not-ours-" + tk.RefreshToken, tk.RefreshToken + "x"} {
		r := e.refresh(bad)
		if r.Status != http.StatusUnauthorized && r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("refresh %q: %d", bad, r.Status)
		}
	}
	unknown, _ := auth.NewRefreshToken()
	if code := e.refresh(unknown).must(t, http.StatusUnauthorized).errorBody(t).Code; code != "invalid_refresh_token" {
		t.Fatalf("unknown token: %s", code)
	}
}

// TestConcurrentRefreshInsideGrace: two tabs refresh the same token at once.
// Both succeed, with the same new refresh token, and the session keeps
// exactly one live token.
func TestConcurrentRefreshInsideGrace(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()

	const tabs = 4
	var wg sync.WaitGroup
	results := make([]response, tabs)
	for i := range tabs {
		wg.Add(1)
		go func() { defer wg.Done(); results[i] = e.refresh(tk.RefreshToken) }()
	}
	wg.Wait()
	var first tokens
	for i, r := range results {
		r.must(t, http.StatusOK)
		var got tokens
		r.decode(t, &got)
		if i == 0 {
			first = got
		} else if got.RefreshToken != first.RefreshToken {
			t.Fatalf("tab %d got another refresh token: two live branches", i)
		}
		e.do("GET", "/api/v1/auth/me", nil, withToken(got.AccessToken)).must(t, http.StatusOK)
	}
	if n := e.count(`SELECT count(*) FROM user_sessions WHERE user_id = $1 AND revoked_at IS NULL`, tk.User.ID); n != 1 {
		t.Fatalf("%d live sessions, want 1", n)
	}
	if n := e.count(`SELECT count(*) FROM user_refresh_tokens WHERE user_id = $1 AND rotated_at IS NULL`, tk.User.ID); n != 1 {
		t.Fatalf("%d live refresh tokens, want 1", n)
	}
	// A sequential retry inside the window gets the same answer too.
	e.clock.Advance(9 * time.Second)
	var retry tokens
	e.refresh(tk.RefreshToken).must(t, http.StatusOK).decode(t, &retry)
	if retry.RefreshToken != first.RefreshToken {
		t.Fatal("retry inside the grace window got a different token")
	}
	// And the shared successor rotates normally.
	e.refresh(first.RefreshToken).must(t, http.StatusOK)
}

// TestRefreshReplayAfterWindow: an old token coming back after the grace
// window ends the whole session; its access tokens fail on the next request.
func TestRefreshReplayAfterWindow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	other, _ := e.register() // another user, untouched

	var next tokens
	e.refresh(tk.RefreshToken).must(t, http.StatusOK).decode(t, &next)
	e.do("GET", "/api/v1/auth/me", nil, withToken(next.AccessToken)).must(t, http.StatusOK)

	e.clock.Advance(11 * time.Second)
	if code := e.refresh(tk.RefreshToken).must(t, http.StatusUnauthorized).errorBody(t).Code; code != "refresh_token_reused" {
		t.Fatalf("replay: %s", code)
	}
	if code := e.do("GET", "/api/v1/auth/me", nil, withToken(next.AccessToken)).must(t, http.StatusUnauthorized).errorBody(t).Code; code != "session_revoked" {
		t.Fatalf("access token after reuse: %s", code)
	}
	// The legitimate holder's newest token is dead too, and says why.
	if code := e.refresh(next.RefreshToken).must(t, http.StatusUnauthorized).errorBody(t).Code; code != "refresh_token_reused" {
		t.Fatalf("successor after reuse: %s", code)
	}
	if n := e.count(`SELECT count(*) FROM security_events WHERE user_id = $1 AND kind = 'refresh_token_reused'`, tk.User.ID); n != 1 {
		t.Fatalf("%d refresh_token_reused events", n)
	}
	e.do("GET", "/api/v1/auth/me", nil, withToken(other.AccessToken)).must(t, http.StatusOK)
}

// TestRefreshOlderTokenInsideGrace: a token two rotations old is reuse even
// seconds later: only the one rotated away last is forgiven.
func TestRefreshOlderTokenInsideGrace(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	var t2, t3 tokens
	e.refresh(tk.RefreshToken).must(t, http.StatusOK).decode(t, &t2)
	e.refresh(t2.RefreshToken).must(t, http.StatusOK).decode(t, &t3)
	e.clock.Advance(time.Second)
	if code := e.refresh(tk.RefreshToken).must(t, http.StatusUnauthorized).errorBody(t).Code; code != "refresh_token_reused" {
		t.Fatalf("two generations old: %s", code)
	}
	e.do("GET", "/api/v1/auth/me", nil, withToken(t3.AccessToken)).must(t, http.StatusUnauthorized)
}

// TestSessionExpiry: 30 days sliding on use, 90 days absolute.
func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, password := e.register()
	day := 24 * time.Hour

	// Unused for 31 days: the session has expired.
	e.clock.Advance(31 * day)
	if code := e.refresh(tk.RefreshToken).must(t, http.StatusUnauthorized).errorBody(t).Code; code != "session_expired" {
		t.Fatalf("after 31 idle days: %s", code)
	}

	// Used every 20 days, it slides, until 90 days after login.
	cur := e.login(tk.User.Username, password)
	for elapsed := 20 * day; elapsed < 90*day; elapsed += 20 * day {
		e.clock.Advance(20 * day)
		var next tokens
		e.refresh(cur.RefreshToken).must(t, http.StatusOK).decode(t, &next)
		cur = next
	} // 80 days in
	var expires time.Time
	if err := e.pool.QueryRow(context.Background(), `SELECT expires_at FROM user_sessions WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1`, tk.User.ID).Scan(&expires); err != nil {
		t.Fatal(err)
	}
	if want := e.clock.Now().Add(10 * day); !expires.Equal(want) {
		t.Fatalf("expires_at = %v, want capped at the absolute limit %v", expires, want)
	}
	e.clock.Advance(10*day + time.Second)
	e.refresh(cur.RefreshToken).must(t, http.StatusUnauthorized)
	e.do("GET", "/api/v1/auth/me", nil, withToken(cur.AccessToken)).must(t, http.StatusUnauthorized)
}

func TestLogoutAndLogoutAll(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, password := e.register()
	second := e.login(tk.User.Username, password)
	third := e.login(tk.User.Username, password)

	e.do("POST", "/api/v1/auth/logout", nil, withToken(second.AccessToken)).must(t, http.StatusNoContent)
	e.do("GET", "/api/v1/auth/me", nil, withToken(second.AccessToken)).must(t, http.StatusUnauthorized)
	e.refresh(second.RefreshToken).must(t, http.StatusUnauthorized)
	e.do("GET", "/api/v1/auth/me", nil, withToken(third.AccessToken)).must(t, http.StatusOK)

	e.do("POST", "/api/v1/auth/logout-all", nil, withToken(third.AccessToken)).must(t, http.StatusNoContent)
	for _, s := range []tokens{tk, third} {
		e.do("GET", "/api/v1/auth/me", nil, withToken(s.AccessToken)).must(t, http.StatusUnauthorized)
		e.refresh(s.RefreshToken).must(t, http.StatusUnauthorized)
	}
	e.do("POST", "/api/v1/auth/logout", nil).must(t, http.StatusUnauthorized)
}

func TestSessionsListAndRevoke(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, password := e.register()
	e.clock.Advance(time.Second)
	phone := e.login(tk.User.Username, password, withHeader("User-Agent", "StudySprint-iOS/1.0"))
	e.clock.Advance(time.Second)
	laptop := e.login(tk.User.Username, password, withHeader("User-Agent", "Firefox/140"))
	intruder, _ := e.register()

	type sess struct {
		ID        string `json:"id"`
		UserAgent string `json:"user_agent"`
		IP        string `json:"ip"`
		Current   bool   `json:"current"`
	}
	var list struct {
		Items      []sess  `json:"items"`
		NextCursor *string `json:"next_cursor"`
	}
	e.do("GET", "/api/v1/auth/sessions", nil, withToken(laptop.AccessToken)).must(t, http.StatusOK).decode(t, &list)
	if len(list.Items) != 3 || list.NextCursor != nil {
		t.Fatalf("sessions: %+v", list)
	}
	if !list.Items[0].Current || list.Items[0].UserAgent != "Firefox/140" || list.Items[0].IP != "127.0.0.1" || list.Items[1].Current || list.Items[1].UserAgent != "StudySprint-iOS/1.0" {
		t.Fatalf("newest first, the caller's marked current: %+v", list.Items)
	}

	// Pages of one.
	var seen []string
	cursor := ""
	for {
		var pg struct {
			Items      []sess  `json:"items"`
			NextCursor *string `json:"next_cursor"`
		}
		e.do("GET", "/api/v1/auth/sessions?limit=1"+cursor, nil, withToken(laptop.AccessToken)).must(t, http.StatusOK).decode(t, &pg)
		for _, it := range pg.Items {
			seen = append(seen, it.ID)
		}
		if pg.NextCursor == nil {
			break
		}
		cursor = "&cursor=" + *pg.NextCursor
	}
	if len(seen) != 3 || seen[0] != list.Items[0].ID || seen[2] != list.Items[2].ID {
		t.Fatalf("paged = %v", seen)
	}
	e.do("GET", "/api/v1/auth/sessions?limit=0", nil, withToken(laptop.AccessToken)).must(t, http.StatusUnprocessableEntity)
	e.do("GET", "/api/v1/auth/sessions?limit=201", nil, withToken(laptop.AccessToken)).must(t, http.StatusUnprocessableEntity)
	e.do("GET", "/api/v1/auth/sessions?cursor=garbage!", nil, withToken(laptop.AccessToken)).must(t, http.StatusBadRequest)

	phoneID := list.Items[1].ID
	// Another user cannot see or end it: 404, not 403.
	e.do("DELETE", "/api/v1/auth/sessions/"+phoneID, nil, withToken(intruder.AccessToken)).must(t, http.StatusNotFound)
	e.do("GET", "/api/v1/auth/me", nil, withToken(phone.AccessToken)).must(t, http.StatusOK)
	e.do("DELETE", "/api/v1/auth/sessions/not-a-uuid", nil, withToken(laptop.AccessToken)).must(t, http.StatusNotFound)
	e.do("DELETE", "/api/v1/auth/sessions/00000000-0000-4000-8000-000000000000", nil, withToken(laptop.AccessToken)).must(t, http.StatusNotFound)

	e.do("DELETE", "/api/v1/auth/sessions/"+phoneID, nil, withToken(laptop.AccessToken)).must(t, http.StatusNoContent)
	e.do("GET", "/api/v1/auth/me", nil, withToken(phone.AccessToken)).must(t, http.StatusUnauthorized)
	e.do("DELETE", "/api/v1/auth/sessions/"+phoneID, nil, withToken(laptop.AccessToken)).must(t, http.StatusNotFound)
	e.do("GET", "/api/v1/auth/sessions", nil, withToken(laptop.AccessToken)).must(t, http.StatusOK).decode(t, &list)
	if len(list.Items) != 2 {
		t.Fatalf("after revoking: %d sessions", len(list.Items))
	}
}

func TestUpdateMe(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, password := e.register()
	other, _ := e.register()

	var me map[string]any
	e.do("PATCH", "/api/v1/auth/me", map[string]any{"full_name": "Grace Hopper", "username": "Grace_H", "timezone": "America/New_York"},
		withToken(tk.AccessToken)).must(t, http.StatusOK).decode(t, &me)
	if me["full_name"] != "Grace Hopper" || me["username"] != "grace_h" || me["timezone"] != "America/New_York" || me["email"] != tk.User.Email {
		t.Fatalf("after patch: %v", me)
	}
	e.do("PATCH", "/api/v1/auth/me", map[string]any{}, withToken(tk.AccessToken)).must(t, http.StatusOK)
	e.do("PATCH", "/api/v1/auth/me", map[string]any{"username": other.User.Username}, withToken(tk.AccessToken)).must(t, http.StatusConflict)
	e.do("PATCH", "/api/v1/auth/me", map[string]any{"timezone": "Nowhere/Land"}, withToken(tk.AccessToken)).must(t, http.StatusUnprocessableEntity)

	// The email needs the current password.
	r := e.do("PATCH", "/api/v1/auth/me", map[string]any{"email": "new@example.com"}, withToken(tk.AccessToken)).must(t, http.StatusUnprocessableEntity)
	if r.errorBody(t).Fields["current_password"] == "" {
		t.Fatal("missing current_password not named")
	}
	r = e.do("PATCH", "/api/v1/auth/me", map[string]any{"email": "new@example.com", "current_password": "wrong-password"}, withToken(tk.AccessToken)).must(t, http.StatusUnprocessableEntity)
	if r.errorBody(t).Fields["current_password"] == "" {
		t.Fatal("wrong current_password not named")
	}
	e.do("PATCH", "/api/v1/auth/me", map[string]any{"email": other.User.Email, "current_password": password}, withToken(tk.AccessToken)).must(t, http.StatusConflict)
	e.do("PATCH", "/api/v1/auth/me", map[string]any{"email": "new@example.com", "current_password": password}, withToken(tk.AccessToken)).
		must(t, http.StatusOK).decode(t, &me)
	if me["email"] != "new@example.com" {
		t.Fatalf("email = %v", me["email"])
	}
	// Sending the same email again needs no password.
	e.do("PATCH", "/api/v1/auth/me", map[string]any{"email": "new@example.com"}, withToken(tk.AccessToken)).must(t, http.StatusOK)
	e.login("new@example.com", password)
	if n := e.count(`SELECT count(*) FROM security_events WHERE user_id = $1 AND kind = 'email_changed'`, tk.User.ID); n != 1 {
		t.Fatalf("%d email_changed events", n)
	}
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, password := e.register()
	otherDevice := e.login(tk.User.Username, password)

	r := e.do("POST", "/api/v1/auth/change-password", map[string]any{"current_password": "not-it-at-all", "new_password": "a-brand-new-secret"},
		withToken(tk.AccessToken)).must(t, http.StatusUnprocessableEntity)
	if r.errorBody(t).Fields["current_password"] == "" {
		t.Fatal("wrong current password not named")
	}
	for _, bad := range []string{"short", "password1", password, tk.User.Username} {
		r := e.do("POST", "/api/v1/auth/change-password", map[string]any{"current_password": password, "new_password": bad},
			withToken(tk.AccessToken)).must(t, http.StatusUnprocessableEntity)
		if r.errorBody(t).Fields["new_password"] == "" {
			t.Fatalf("new_password %q: field not named", bad)
		}
	}

	var fresh tokens
	e.do("POST", "/api/v1/auth/change-password", map[string]any{"current_password": password, "new_password": "a-brand-new-secret"},
		withToken(tk.AccessToken)).must(t, http.StatusOK).decode(t, &fresh)
	// This session goes on with the new pair; the other device is logged out.
	e.do("GET", "/api/v1/auth/me", nil, withToken(fresh.AccessToken)).must(t, http.StatusOK)
	e.do("GET", "/api/v1/auth/me", nil, withToken(tk.AccessToken)).must(t, http.StatusOK) // same session
	e.do("GET", "/api/v1/auth/me", nil, withToken(otherDevice.AccessToken)).must(t, http.StatusUnauthorized)
	e.refresh(otherDevice.RefreshToken).must(t, http.StatusUnauthorized)
	// This session's old refresh token is gone; the new one works.
	if code := e.refresh(tk.RefreshToken).must(t, http.StatusUnauthorized).errorBody(t).Code; code != "invalid_refresh_token" {
		t.Fatalf("old refresh token of this session: %s", code)
	}
	e.refresh(fresh.RefreshToken).must(t, http.StatusOK)

	e.do("POST", "/api/v1/auth/login", map[string]any{"username": tk.User.Username, "password": password}).must(t, http.StatusUnauthorized)
	e.login(tk.User.Username, "a-brand-new-secret")
}

func TestDeleteMe(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, password := e.register()
	keep, _ := e.register()

	r := e.do("DELETE", "/api/v1/auth/me", map[string]any{"password": "wrong-one-here"}, withToken(tk.AccessToken)).must(t, http.StatusUnprocessableEntity)
	if r.errorBody(t).Fields["password"] == "" {
		t.Fatal("wrong password not named")
	}
	e.do("DELETE", "/api/v1/auth/me", map[string]any{}, withToken(tk.AccessToken)).must(t, http.StatusUnprocessableEntity)
	e.do("DELETE", "/api/v1/auth/me", map[string]any{"password": password}, withToken(tk.AccessToken)).must(t, http.StatusNoContent)

	e.do("GET", "/api/v1/auth/me", nil, withToken(tk.AccessToken)).must(t, http.StatusUnauthorized)
	e.do("POST", "/api/v1/auth/login", map[string]any{"username": tk.User.Username, "password": password}).must(t, http.StatusUnauthorized)
	for _, table := range []string{"users", "user_sessions", "user_preferences", "user_refresh_tokens"} {
		col := "user_id"
		if table == "users" {
			col = "id"
		}
		if n := e.count(fmt.Sprintf(`SELECT count(*) FROM %s WHERE %s = $1`, table, col), tk.User.ID); n != 0 {
			t.Fatalf("%d rows left in %s", n, table)
		}
	}
	if n := e.count(`SELECT count(*) FROM security_events WHERE user_id = $1`, tk.User.ID); n != 1 {
		t.Fatalf("%d security events left, want only account_deleted", n)
	}
	// The username and email are free again.
	e.do("POST", "/api/v1/auth/register", map[string]any{"email": tk.User.Email, "username": tk.User.Username, "password": password}).must(t, http.StatusCreated)
	e.do("GET", "/api/v1/auth/me", nil, withToken(keep.AccessToken)).must(t, http.StatusOK)
}

func TestPreferences(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	other, _ := e.register()
	auth := withToken(tk.AccessToken)

	var prefs map[string]any
	e.do("GET", "/api/v1/auth/preferences", nil, auth).must(t, http.StatusOK).decode(t, &prefs)
	defaults := map[string]any{
		"theme": "system", "pomodoro_work_minutes": 25.0, "pomodoro_short_break_minutes": 5.0, "pomodoro_long_break_minutes": 15.0,
		"pomodoro_long_break_every": 4.0, "auto_start_breaks": false, "daily_goal_minutes": 60.0, "streak_min_minutes": 10.0,
		"idle_threshold_seconds": 300.0, "page_min_seconds": 5.0, "page_max_seconds": 900.0, "week_start": "monday",
	}
	for k, v := range defaults {
		if prefs[k] != v {
			t.Fatalf("default %s = %v, want %v", k, prefs[k], v)
		}
	}

	e.do("PATCH", "/api/v1/auth/preferences", map[string]any{"theme": "dark", "pomodoro_work_minutes": 50, "week_start": "sunday"}, auth).
		must(t, http.StatusOK).decode(t, &prefs)
	if prefs["theme"] != "dark" || prefs["pomodoro_work_minutes"] != 50.0 || prefs["week_start"] != "sunday" || prefs["daily_goal_minutes"] != 60.0 {
		t.Fatalf("partial patch: %v", prefs)
	}
	// Another user's preferences are untouched.
	var theirs map[string]any
	e.do("GET", "/api/v1/auth/preferences", nil, withToken(other.AccessToken)).must(t, http.StatusOK).decode(t, &theirs)
	if theirs["theme"] != "system" {
		t.Fatal("patch leaked to another user")
	}

	bad := map[string]any{
		"theme": "purple", "week_start": "friday", "pomodoro_work_minutes": 0, "pomodoro_short_break_minutes": 61,
		"pomodoro_long_break_minutes": 121, "pomodoro_long_break_every": 13, "daily_goal_minutes": -1, "streak_min_minutes": 1441,
		"idle_threshold_seconds": 29, "page_min_seconds": 601, "page_max_seconds": 7201,
	}
	for field, v := range bad {
		r := e.do("PATCH", "/api/v1/auth/preferences", map[string]any{field: v}, auth).must(t, http.StatusUnprocessableEntity)
		if r.errorBody(t).Fields[field] == "" {
			t.Fatalf("%s=%v: field not named", field, v)
		}
	}
	e.do("PATCH", "/api/v1/auth/preferences", map[string]any{"pomodoro_work_minutes": "25"}, auth).must(t, http.StatusBadRequest)
	e.do("PATCH", "/api/v1/auth/preferences", map[string]any{"pomodoro_work_minutes": 2.5}, auth).must(t, http.StatusBadRequest)
	e.do("PATCH", "/api/v1/auth/preferences", map[string]any{"pomodoro_work_minutes": 1e12}, auth).must(t, http.StatusBadRequest)
	// Page bounds against the stored value of the other field.
	r := e.do("PATCH", "/api/v1/auth/preferences", map[string]any{"page_max_seconds": 20, "page_min_seconds": 30}, auth).must(t, http.StatusUnprocessableEntity)
	if r.errorBody(t).Fields["page_max_seconds"] == "" {
		t.Fatal("page bounds in one request not named")
	}
	e.do("PATCH", "/api/v1/auth/preferences", map[string]any{"page_max_seconds": 20}, auth).must(t, http.StatusOK)
	r = e.do("PATCH", "/api/v1/auth/preferences", map[string]any{"page_min_seconds": 25}, auth).must(t, http.StatusUnprocessableEntity)
	if r.errorBody(t).Fields["page_min_seconds"] == "" {
		t.Fatal("page_min above the stored page_max not named")
	}

	e.do("POST", "/api/v1/auth/preferences/reset", nil, auth).must(t, http.StatusOK).decode(t, &prefs)
	for k, v := range defaults {
		if prefs[k] != v {
			t.Fatalf("after reset %s = %v, want %v", k, prefs[k], v)
		}
	}
}

// TestLockout: an identifier gets 10 password attempts per network within
// 15 minutes; the 11th is a 429 with Retry-After, even with the right
// password; the lock lifts when the window passes; a successful login resets
// its network's count.
func TestLockout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, password := e.register()
	bystander, bystanderPassword := e.register()
	wrong := map[string]any{"username": tk.User.Username, "password": "not-the-password"}

	for range 9 {
		e.do("POST", "/api/v1/auth/login", wrong).must(t, http.StatusUnauthorized)
	}
	e.login(tk.User.Username, password) // resets the count
	for i := range 10 {
		e.clock.Advance(10 * time.Second)
		if code := e.do("POST", "/api/v1/auth/login", wrong).must(t, http.StatusUnauthorized).errorBody(t).Code; code != "invalid_credentials" {
			t.Fatalf("failure %d: %s", i+1, code)
		}
	}
	// 10 attempts between +10s and +100s (the window began with the first); now at +100s.
	for _, body := range []map[string]any{wrong, {"username": tk.User.Username, "password": password}} {
		r := e.do("POST", "/api/v1/auth/login", body).must(t, http.StatusTooManyRequests)
		if code := r.errorBody(t).Code; code != "too_many_attempts" {
			t.Fatalf("locked: %s", code)
		}
		if ra, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || ra != 15*60-90 {
			t.Fatalf("Retry-After %q, want %d (the window that began at the first attempt ends then)", r.Header.Get("Retry-After"), 15*60-90)
		}
	}
	// Other accounts are not affected.
	e.login(bystander.User.Username, bystanderPassword)

	e.clock.Advance(15*time.Minute - 90*time.Second - time.Second)
	e.do("POST", "/api/v1/auth/login", map[string]any{"username": tk.User.Username, "password": password}).must(t, http.StatusTooManyRequests)
	e.clock.Advance(time.Second)
	e.login(tk.User.Username, password)
	if n := e.count(`SELECT count(*) FROM login_attempts WHERE identifier_hash = sha256(convert_to($1, 'UTF8'))`, tk.User.Username); n != 0 {
		t.Fatalf("%d attempt rows kept after a successful login", n)
	}
	if n := e.count(`SELECT count(*) FROM security_events WHERE user_id = $1 AND kind = 'account_locked'`, tk.User.ID); n != 1 {
		t.Fatalf("%d account_locked events", n)
	}
	if n := e.count(`SELECT count(*) FROM security_events WHERE user_id = $1 AND kind = 'login_failed'`, tk.User.ID); n != 19 {
		t.Fatalf("%d login_failed events, want 19", n)
	}
}

// TestRateLimitByIP: the credential endpoints allow about 30 requests a
// minute per client IP; a spoofed X-Forwarded-For from an untrusted peer does
// not dodge it, while a trusted proxy's header is believed.
func TestRateLimitByIP(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, envConfig{rateLimit: 30})
	body := map[string]any{"username": "nobody", "password": "whatever-it-is"}
	for i := range 30 {
		// Distinct logins: the lockout (10 per identifier and network) stays out of the way.
		xff := withHeader("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
		e.do("POST", "/api/v1/auth/login", map[string]any{"username": fmt.Sprintf("nobody%d", i), "password": "whatever-it-is"}, xff).must(t, http.StatusUnauthorized)
	}
	for _, path := range []string{"/api/v1/auth/login", "/api/v1/auth/register", "/api/v1/auth/refresh"} {
		r := e.do("POST", path, body, withHeader("X-Forwarded-For", "198.51.100.77")).must(t, http.StatusTooManyRequests)
		if r.errorBody(t).Code != "rate_limited" || r.Header.Get("Retry-After") != "2" {
			t.Fatalf("%s: %s Retry-After %q", path, r.Body, r.Header.Get("Retry-After"))
		}
	}
	// Other endpoints are not limited.
	e.do("GET", "/health", nil).must(t, http.StatusOK)
	// Tokens come back with time.
	e.clock.Advance(2 * time.Second)
	e.do("POST", "/api/v1/auth/login", body).must(t, http.StatusUnauthorized)

	// Behind a trusted proxy each client has its own budget.
	trusted := newEnvWith(t, envConfig{rateLimit: 30, trustedProxies: []netipPrefix{mustPrefix("127.0.0.1/32")}})
	for i := range 31 {
		b := map[string]any{"username": fmt.Sprintf("nobody%d", i), "password": "whatever-it-is"}
		trusted.do("POST", "/api/v1/auth/login", b, withHeader("X-Forwarded-For", "203.0.113.9")).must(t, map[bool]int{true: 429, false: 401}[i == 30])
	}
	trusted.do("POST", "/api/v1/auth/login", body, withHeader("X-Forwarded-For", "203.0.113.10")).must(t, http.StatusUnauthorized)
	// A client cannot prepend a fake hop: the proxy's view (the right-most untrusted address) counts.
	trusted.do("POST", "/api/v1/auth/login", body, withHeader("X-Forwarded-For", "10.9.9.9, 203.0.113.9")).must(t, http.StatusTooManyRequests)
}

// TestPasswordCheckFloodSheds: with bcrypt slots all busy, a login waits its
// bounded queue time and answers 503 server_busy with Retry-After.
func TestPasswordCheckFloodSheds(t *testing.T) {
	t.Parallel()
	hasher, err := auth.NewHasher(12, 1, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, envConfig{hasher: hasher})
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.do("POST", "/api/v1/auth/login", map[string]any{"username": fmt.Sprintf("ghost%d", i), "password": "irrelevant-pass"})
			statuses[i] = r.Status
			if r.Status == http.StatusServiceUnavailable && (r.errorBody(t).Code != "server_busy" || r.Header.Get("Retry-After") == "") {
				t.Errorf("503 without server_busy/Retry-After: %s", r.Body)
			}
		}()
	}
	wg.Wait()
	busy := 0
	for _, s := range statuses {
		switch s {
		case http.StatusServiceUnavailable:
			busy++
		case http.StatusUnauthorized:
		default:
			t.Fatalf("status %d in %v", s, statuses)
		}
	}
	if busy == 0 {
		t.Fatalf("no request was shed: %v", statuses)
	}
}

// TestKeyRotation: a token signed by a retired key keeps working (until it
// expires) once the key is listed for verification; the JWKS shows both.
func TestKeyRotation(t *testing.T) {
	t.Parallel()
	oldKey := newKey(t)
	oldKeys, _ := auth.NewKeySet(oldKey)
	clock := newFakeClock()
	before := newEnvWith(t, envConfig{keys: oldKeys, clock: clock})
	tk, _ := before.register()

	newSigning := newKey(t)
	rotated, err := auth.NewKeySet(newSigning, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	after := newEnvWith(t, envConfig{pool: before.pool, keys: rotated, clock: clock})
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	after.do("GET", "/.well-known/jwks.json", nil).must(t, http.StatusOK).decode(t, &set)
	if len(set.Keys) != 2 {
		t.Fatalf("JWKS has %d keys", len(set.Keys))
	}
	after.do("GET", "/api/v1/auth/me", nil, withToken(tk.AccessToken)).must(t, http.StatusOK)
	// New tokens are signed by the new key.
	var next tokens
	after.refresh(tk.RefreshToken).must(t, http.StatusOK).decode(t, &next)
	before.do("GET", "/api/v1/auth/me", nil, withToken(next.AccessToken)).must(t, http.StatusUnauthorized)
	after.do("GET", "/api/v1/auth/me", nil, withToken(next.AccessToken)).must(t, http.StatusOK)
	// The old token still expires on time.
	clock.Advance(16 * time.Minute)
	after.do("GET", "/api/v1/auth/me", nil, withToken(tk.AccessToken)).must(t, http.StatusUnauthorized)
}

func TestSecurityEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, password := e.register()
	other, _ := e.register()
	e.clock.Advance(time.Second)
	e.do("POST", "/api/v1/auth/login", map[string]any{"username": tk.User.Username, "password": "nope-nope-nope"},
		withHeader("User-Agent", "curious-script/1")).must(t, http.StatusUnauthorized)
	e.clock.Advance(time.Second)
	s2 := e.login(tk.User.Username, password)
	e.clock.Advance(time.Second)
	e.do("POST", "/api/v1/auth/logout", nil, withToken(s2.AccessToken)).must(t, http.StatusNoContent)

	type event struct {
		Kind      string         `json:"kind"`
		UserAgent string         `json:"user_agent"`
		IP        string         `json:"ip"`
		Detail    map[string]any `json:"detail"`
	}
	var list struct {
		Items      []event `json:"items"`
		NextCursor *string `json:"next_cursor"`
	}
	e.do("GET", "/api/v1/auth/events", nil, withToken(tk.AccessToken)).must(t, http.StatusOK).decode(t, &list)
	var kinds []string
	for _, ev := range list.Items {
		kinds = append(kinds, ev.Kind)
	}
	want := []string{"session_revoked", "login_succeeded", "login_failed", "login_succeeded"}
	if fmt.Sprint(kinds) != fmt.Sprint(want) {
		t.Fatalf("events %v, want %v", kinds, want)
	}
	if list.Items[2].UserAgent != "curious-script/1" || list.Items[2].IP != "127.0.0.1" || list.Items[0].Detail["reason"] != "logout" {
		t.Fatalf("event details: %+v", list.Items)
	}
	e.do("GET", "/api/v1/auth/events?limit=3", nil, withToken(tk.AccessToken)).must(t, http.StatusOK).decode(t, &list)
	if len(list.Items) != 3 || list.NextCursor == nil {
		t.Fatalf("page of 3: %+v", list)
	}
	e.do("GET", "/api/v1/auth/events?limit=3&cursor="+*list.NextCursor, nil, withToken(tk.AccessToken)).must(t, http.StatusOK).decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].Kind != "login_succeeded" || list.NextCursor != nil {
		t.Fatalf("second page: %+v", list)
	}
	// Another user sees only their own.
	e.do("GET", "/api/v1/auth/events", nil, withToken(other.AccessToken)).must(t, http.StatusOK).decode(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("other user sees %d events", len(list.Items))
	}
}
