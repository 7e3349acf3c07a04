package auth

import (
	"crypto/sha256"
	"math"
	"strings"
	"time"
)

// Lockout is the brute-force policy of password checks. Attempts are counted
// per login identifier (whether or not an account has it) and client network:
// after MaxFailures attempts within Window that network is refused for that
// identifier until the window ends. A much higher ceiling per identifier
// across all networks (IdentifierCeiling per IdentifierWindow) slows further
// attempts down instead of refusing them: each one past the ceiling must wait
// longer than the one before (BaseDelay, doubling, at most MaxDelay). So one
// network cannot guess more than MaxFailures times per window, a botnet
// cannot guess fast, and a stranger cannot lock a student out: their own
// network keeps its own count, and the slowdown never closes the door.
type Lockout struct {
	MaxFailures int
	Window      time.Duration

	IdentifierCeiling int
	IdentifierWindow  time.Duration
	BaseDelay         time.Duration
	MaxDelay          time.Duration
}

// DefaultLockout is 10 attempts per identifier and network within 15
// minutes, and 100 per identifier within an hour before attempts are spaced
// out by 1 s, 2 s, 4 s ... up to 5 minutes.
var DefaultLockout = Lockout{
	MaxFailures: 10, Window: 15 * time.Minute,
	IdentifierCeiling: 100, IdentifierWindow: time.Hour, BaseDelay: time.Second, MaxDelay: 5 * time.Minute,
}

// WithDefaults fills unset fields from DefaultLockout.
func (l Lockout) WithDefaults() Lockout {
	d := DefaultLockout
	if l.MaxFailures <= 0 || l.Window <= 0 {
		l.MaxFailures, l.Window = d.MaxFailures, d.Window
	}
	if l.IdentifierCeiling <= 0 || l.IdentifierWindow <= 0 {
		l.IdentifierCeiling, l.IdentifierWindow = max(d.IdentifierCeiling, 10*l.MaxFailures), d.IdentifierWindow
	}
	if l.BaseDelay <= 0 {
		l.BaseDelay = d.BaseDelay
	}
	if l.MaxDelay < l.BaseDelay {
		l.MaxDelay = max(d.MaxDelay, l.BaseDelay)
	}
	return l
}

// Delays is the wait, in seconds, after the (ceiling+1)-th, (ceiling+2)-th
// ... attempt let through in an identifier's window: BaseDelay doubling up to
// MaxDelay, which the last element repeats for every later attempt.
func (l Lockout) Delays() []float64 {
	var out []float64
	for d := l.BaseDelay; ; d *= 2 {
		if d >= l.MaxDelay || d <= 0 {
			return append(out, l.MaxDelay.Seconds())
		}
		out = append(out, d.Seconds())
	}
}

// Attempt is what counting one attempt reported (CountLoginAttempt).
type Attempt struct {
	NetworkAttempts    int       // attempts from this network in its window, this one included
	NetworkWindowStart time.Time // when that window began
	IdentifierAllowed  bool      // the identifier's slowdown let this attempt through
	IdentifierNext     time.Time // when the identifier's next attempt may go through
}

// Refusal says why an attempt is refused and for how long.
type Refusal struct {
	Network    bool // true: too many from this network; false: the identifier is slowed down
	RetryAfter time.Duration
}

// Decide applies the policy to a counted attempt: nil lets the password be
// checked.
func (l Lockout) Decide(a Attempt, now time.Time) *Refusal {
	if a.NetworkAttempts > l.MaxFailures {
		return &Refusal{Network: true, RetryAfter: max(time.Second, a.NetworkWindowStart.Add(l.Window).Sub(now))}
	}
	if !a.IdentifierAllowed {
		return &Refusal{RetryAfter: max(time.Second, a.IdentifierNext.Sub(now))}
	}
	return nil
}

// WindowFloor is the start time at or before which a window has ended.
func (l Lockout) WindowFloor(now time.Time) time.Time { return now.Add(-l.Window) }

// IdentifierWindowFloor is WindowFloor for the identifier's window.
func (l Lockout) IdentifierWindowFloor(now time.Time) time.Time { return now.Add(-l.IdentifierWindow) }

// Retention is how long attempt rows are worth keeping.
func (l Lockout) Retention() time.Duration {
	return max(24*time.Hour, 2*l.Window, 2*l.IdentifierWindow, 2*l.MaxDelay)
}

// IdentifierHash is the key of a login identifier: the SHA-256 of its
// trimmed, lower-cased text, so "Ada@Example.com " and "ada@example.com"
// share one count and nothing the client typed is stored.
func IdentifierHash(login string) []byte {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(login))))
	return sum[:]
}

// ReauthIdentifierHash keys the password checks of a signed-in user (changing
// the email or the password, deleting the account).
func ReauthIdentifierHash(userID string) []byte {
	sum := sha256.Sum256([]byte("user:" + userID))
	return sum[:]
}

// ceilSeconds is d in whole seconds, rounded up.
func ceilSeconds(d time.Duration) int { return int(math.Ceil(d.Seconds())) }

// RetrySeconds is the Retry-After value of a refusal: whole seconds, at least 1.
func (r Refusal) RetrySeconds() int { return max(1, ceilSeconds(r.RetryAfter)) }
