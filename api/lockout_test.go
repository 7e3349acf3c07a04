package api_test

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/studysprint/studysprint/internal/auth"
)

// loginBody is a login attempt for an identifier.
func loginBody(login, password string) map[string]any {
	return map[string]any{"username": login, "password": password}
}

// failuresCounted is how many wrong passwords were checked for an identifier.
func (e *env) failuresCounted(login string) int {
	e.t.Helper()
	return e.count(`SELECT coalesce(sum(failures), 0)::int FROM login_attempts WHERE identifier_hash = sha256(convert_to(lower($1), 'UTF8'))`, login)
}

// TestLockoutHoldsWithHostileUserAgent (finding 1): a User-Agent that is not
// valid UTF-8 used to make the failure record fail, roll back the count and
// let an attacker guess forever. Now the header is repaired, every attempt
// is counted before the check, and the 11th is refused; a correct login and
// a registration with that header succeed.
func TestLockoutHoldsWithHostileUserAgent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, password := e.register()
	ua := withHeader("User-Agent", "Evil\xff\xfe/1.0 \x80")
	statuses := map[int]int{}
	for range 30 {
		statuses[e.do("POST", "/api/v1/auth/login", loginBody(tk.User.Username, "wrong-guess-here"), ua).Status]++
	}
	if statuses[http.StatusUnauthorized] != 10 || statuses[http.StatusTooManyRequests] != 20 {
		t.Fatalf("30 guesses answered %v, want 10 × 401 and 20 × 429", statuses)
	}
	if n := e.failuresCounted(tk.User.Username); n != 10 {
		t.Fatalf("%d failures counted, want 10", n)
	}
	e.do("POST", "/api/v1/auth/login", loginBody(tk.User.Username, password), ua).must(t, http.StatusTooManyRequests)
	if n := e.count(`SELECT count(*) FROM security_events WHERE user_id = $1 AND kind = 'login_failed' AND user_agent = 'Evil/1.0 '`, tk.User.ID); n != 10 {
		t.Fatalf("%d login_failed events with the repaired user agent, want 10", n)
	}

	other, otherPassword := e.register()
	e.do("POST", "/api/v1/auth/login", loginBody(other.User.Username, otherPassword), ua).must(t, http.StatusOK)
	e.do("POST", "/api/v1/auth/register", map[string]any{
		"email": "hostile-ua@example.com", "username": "hostileua", "password": "a-fine-password-1",
	}, ua).must(t, http.StatusCreated)
}

// TestLockoutRaces (finding 2): the count is taken before the password is
// checked, so ten failures followed at once by the right password are
// refused, and a burst of concurrent guesses gets exactly ten checks.
func TestLockoutRaces(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, password := e.register()
	for range 10 {
		e.do("POST", "/api/v1/auth/login", loginBody(tk.User.Username, "wrong-guess-here")).must(t, http.StatusUnauthorized)
	}
	e.do("POST", "/api/v1/auth/login", loginBody(tk.User.Username, password)).must(t, http.StatusTooManyRequests)
	e.do("POST", "/api/v1/auth/login", loginBody(tk.User.Username, "wrong-guess-here")).must(t, http.StatusTooManyRequests)

	for _, target := range []string{"victim-unknown", ""} {
		login := target
		if login == "" {
			victim, _ := e.register()
			login = victim.User.Username
		}
		var mu sync.Mutex
		statuses := map[int]int{}
		var wg sync.WaitGroup
		for range 45 {
			wg.Go(func() {
				r := e.do("POST", "/api/v1/auth/login", loginBody(login, "wrong-guess-here"))
				mu.Lock()
				statuses[r.Status]++
				mu.Unlock()
			})
		}
		wg.Wait()
		if statuses[http.StatusUnauthorized] != 10 || statuses[http.StatusTooManyRequests] != 35 {
			t.Fatalf("%s: 45 concurrent guesses answered %v, want 10 × 401 and 35 × 429", login, statuses)
		}
		if n := e.failuresCounted(login); n != 10 {
			t.Fatalf("%s: %d passwords checked, want 10", login, n)
		}
	}
}

// TestLockoutSameForUnknownAccounts (finding 3): an identifier without an
// account is counted and refused exactly like a real one, with the same
// answers.
func TestLockoutSameForUnknownAccounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	answers := func(login string) []string {
		var out []string
		for range 11 {
			r := e.do("POST", "/api/v1/auth/login", loginBody(login, "wrong-guess-here"))
			ae := r.errorBody(t)
			out = append(out, fmt.Sprintf("%d %s %s %s", r.Status, ae.Code, ae.Message, r.Header.Get("Retry-After")))
		}
		return out
	}
	real, unknown := answers(tk.User.Username), answers("nosuchstudent")
	for i := range real {
		if real[i] != unknown[i] {
			t.Fatalf("attempt %d: real account %q, unknown %q", i+1, real[i], unknown[i])
		}
	}
	if real[10][:3] != "429" {
		t.Fatalf("11th attempt: %s", real[10])
	}
}

// TestLockoutIsPerNetwork (finding 3): a stranger's failures lock only the
// stranger's network; the student logs in from their own, and that success
// does not unlock the stranger.
func TestLockoutIsPerNetwork(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, envConfig{trustedProxies: []netipPrefix{mustPrefix("127.0.0.1/32")}})
	tk, password := e.register()
	stranger, student := withHeader("X-Forwarded-For", "203.0.113.66"), withHeader("X-Forwarded-For", "198.51.100.7")
	for range 10 {
		e.do("POST", "/api/v1/auth/login", loginBody(tk.User.Username, "wrong-guess-here"), stranger).must(t, http.StatusUnauthorized)
	}
	e.do("POST", "/api/v1/auth/login", loginBody(tk.User.Username, "wrong-guess-here"), stranger).must(t, http.StatusTooManyRequests)
	e.do("POST", "/api/v1/auth/login", loginBody(tk.User.Username, password), student).must(t, http.StatusOK)
	e.do("POST", "/api/v1/auth/login", loginBody(tk.User.Username, password), stranger).must(t, http.StatusTooManyRequests)
}

// TestLockoutCountsIPv6By64 (finding 4): addresses of one /64 are one
// network for the lockout and for the per-IP limit; another /64 is not.
func TestLockoutCountsIPv6By64(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, envConfig{trustedProxies: []netipPrefix{mustPrefix("127.0.0.1/32")}})
	tk, _ := e.register()
	for i := range 10 {
		xff := withHeader("X-Forwarded-For", fmt.Sprintf("2001:db8:1:2::%x", i+1))
		e.do("POST", "/api/v1/auth/login", loginBody(tk.User.Username, "wrong-guess-here"), xff).must(t, http.StatusUnauthorized)
	}
	e.do("POST", "/api/v1/auth/login", loginBody(tk.User.Username, "wrong-guess-here"), withHeader("X-Forwarded-For", "2001:db8:1:2:ffff::1")).must(t, http.StatusTooManyRequests)
	e.do("POST", "/api/v1/auth/login", loginBody(tk.User.Username, "wrong-guess-here"), withHeader("X-Forwarded-For", "2001:db8:1:3::1")).must(t, http.StatusUnauthorized)

	limited := newEnvWith(t, envConfig{rateLimit: 30, trustedProxies: []netipPrefix{mustPrefix("127.0.0.1/32")}})
	for i := range 30 {
		xff := withHeader("X-Forwarded-For", fmt.Sprintf("2001:db8:9:9:%x::1", i))
		limited.do("POST", "/api/v1/auth/login", loginBody(fmt.Sprintf("nobody%d", i), "wrong-guess-here"), xff).must(t, http.StatusUnauthorized)
	}
	r := limited.do("POST", "/api/v1/auth/login", loginBody("nobody-else", "wrong-guess-here"), withHeader("X-Forwarded-For", "2001:db8:9:9:abcd::7"))
	if r.must(t, http.StatusTooManyRequests).errorBody(t).Code != "rate_limited" {
		t.Fatalf("31st request from one /64: %s", r.Body)
	}
	limited.do("POST", "/api/v1/auth/login", loginBody("nobody-else", "wrong-guess-here"), withHeader("X-Forwarded-For", "2001:db8:9:a::1")).must(t, http.StatusUnauthorized)
}

// TestIdentifierSlowdown: past the per-identifier ceiling across networks,
// attempts are spaced out by a doubling delay (never refused for good), and
// refused attempts do not count.
func TestIdentifierSlowdown(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, envConfig{
		trustedProxies: []netipPrefix{mustPrefix("127.0.0.1/32")},
		lockout:        auth.Lockout{MaxFailures: 10, Window: 15 * time.Minute, IdentifierCeiling: 3, IdentifierWindow: time.Hour, BaseDelay: time.Second, MaxDelay: 4 * time.Second},
	})
	tk, password := e.register()
	n := 0
	attempt := func(pw string) response {
		n++
		return e.do("POST", "/api/v1/auth/login", loginBody(tk.User.Username, pw), withHeader("X-Forwarded-For", fmt.Sprintf("192.0.2.%d", n)))
	}
	for range 4 { // the ceiling, and the first attempt past it
		attempt("wrong-guess-here").must(t, http.StatusUnauthorized)
	}
	for _, want := range []int{1, 2, 4, 4} {
		r := attempt(password).must(t, http.StatusTooManyRequests)
		if ra, _ := strconv.Atoi(r.Header.Get("Retry-After")); ra != want {
			t.Fatalf("Retry-After %q, want %d", r.Header.Get("Retry-After"), want)
		}
		attempt(password).must(t, http.StatusTooManyRequests) // refused: does not count
		e.clock.Advance(time.Duration(want) * time.Second)
		attempt("wrong-guess-here").must(t, http.StatusUnauthorized)
	}
	e.clock.Advance(4 * time.Second)
	attempt(password).must(t, http.StatusOK)
}
