package auth

import "time"

// Lockout is the per-account brute-force limit: after MaxFailures failed
// logins within Window, logins for the account are refused until the oldest
// of those failures leaves the window.
type Lockout struct {
	MaxFailures int
	Window      time.Duration
}

// DefaultLockout is 10 failures within 15 minutes.
var DefaultLockout = Lockout{MaxFailures: 10, Window: 15 * time.Minute}

// Check takes the number of the newest failures inside the window (at most
// MaxFailures are counted) and the time of the oldest of them, and says
// whether the account is locked and for how long.
func (l Lockout) Check(failures int, oldest, now time.Time) (locked bool, retryAfter time.Duration) {
	if failures < l.MaxFailures {
		return false, 0
	}
	until := oldest.Add(l.Window)
	if !now.Before(until) {
		return false, 0
	}
	return true, until.Sub(now)
}

// Since is the start of the window that matters at now.
func (l Lockout) Since(now time.Time) time.Time { return now.Add(-l.Window) }
