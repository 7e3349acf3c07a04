package auth

import (
	"fmt"
	"testing"
	"time"
)

func TestDecideRefresh(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	live := now.Add(time.Hour)
	grace := 10 * time.Second
	cases := []struct {
		name string
		st   RefreshState
		want RefreshAction
	}{
		{"live token rotates", RefreshState{SessionExpires: live}, RefreshRotate},
		{"just rotated, successor live", RefreshState{RotatedAt: ago(3 * time.Second), SuccessorLive: true, SessionExpires: live}, RefreshRepeat},
		{"rotated exactly at the grace edge", RefreshState{RotatedAt: ago(grace), SuccessorLive: true, SessionExpires: live}, RefreshRepeat},
		{"rotated after the grace window", RefreshState{RotatedAt: ago(grace + time.Millisecond), SuccessorLive: true, SessionExpires: live}, RefreshReuse},
		{"two generations old, inside grace", RefreshState{RotatedAt: ago(time.Second), SuccessorLive: false, SessionExpires: live}, RefreshReuse},
		{"revoked session", RefreshState{SessionRevoked: true, SessionExpires: live}, RefreshSessionEnded},
		{"expired session", RefreshState{SessionExpires: now}, RefreshSessionEnded},
		{"reuse in a revoked session", RefreshState{RotatedAt: ago(time.Hour), SessionRevoked: true, SessionExpires: live}, RefreshSessionEnded},
	}
	for _, c := range cases {
		if got := DecideRefresh(c.st, now, grace); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestDeriveRefreshToken(t *testing.T) {
	secret := NewSessionSecret()
	t1, _ := NewRefreshToken()
	t2, h2 := DeriveRefreshToken(secret, t1)
	again, hAgain := DeriveRefreshToken(secret, t1)
	if t2 != again || !EqualHash(h2, hAgain) {
		t.Fatal("derivation is not deterministic")
	}
	if !WellFormedRefreshToken(t2) || t2 == t1 {
		t.Fatalf("derived token %q", t2)
	}
	other, _ := DeriveRefreshToken(NewSessionSecret(), t1)
	if other == t2 {
		t.Fatal("another session's secret derives the same token")
	}
	t3, _ := DeriveRefreshToken(secret, t2)
	if t3 == t2 || t3 == t1 {
		t.Fatal("chain repeats")
	}
}

func TestLockoutDecide(t *testing.T) {
	l := DefaultLockout
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		a       Attempt
		refused bool
		network bool
		retry   time.Duration
	}{
		{"first attempt", Attempt{NetworkAttempts: 1, NetworkWindowStart: now, IdentifierAllowed: true, IdentifierNext: now}, false, false, 0},
		{"the 10th", Attempt{NetworkAttempts: 10, NetworkWindowStart: now.Add(-5 * time.Minute), IdentifierAllowed: true}, false, false, 0},
		{"the 11th", Attempt{NetworkAttempts: 11, NetworkWindowStart: now.Add(-5 * time.Minute)}, true, true, 10 * time.Minute},
		{"network wins over slowdown", Attempt{NetworkAttempts: 50, NetworkWindowStart: now.Add(-15*time.Minute + time.Millisecond)}, true, true, time.Second},
		{"slowed", Attempt{NetworkAttempts: 2, NetworkWindowStart: now, IdentifierAllowed: false, IdentifierNext: now.Add(8 * time.Second)}, true, false, 8 * time.Second},
		{"slowed, at least a second", Attempt{NetworkAttempts: 2, NetworkWindowStart: now, IdentifierNext: now.Add(time.Millisecond)}, true, false, time.Second},
	} {
		r := l.Decide(tc.a, now)
		if (r != nil) != tc.refused {
			t.Errorf("%s: refusal %+v, want refused=%v", tc.name, r, tc.refused)
			continue
		}
		if r != nil && (r.Network != tc.network || r.RetryAfter != tc.retry) {
			t.Errorf("%s: %+v, want network=%v retry=%v", tc.name, r, tc.network, tc.retry)
		}
	}
	if got := l.WindowFloor(now); !got.Equal(now.Add(-15 * time.Minute)) {
		t.Fatalf("WindowFloor = %v", got)
	}
}

func TestLockoutDelays(t *testing.T) {
	for _, tc := range []struct {
		base, max time.Duration
		want      []float64
	}{
		{time.Second, 5 * time.Minute, []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 300}},
		{time.Second, 4 * time.Second, []float64{1, 2, 4}},
		{time.Second, time.Second, []float64{1}},
		{500 * time.Millisecond, 3 * time.Second, []float64{0.5, 1, 2, 3}},
	} {
		got := Lockout{BaseDelay: tc.base, MaxDelay: tc.max}.Delays()
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("Delays(%v, %v) = %v, want %v", tc.base, tc.max, got, tc.want)
		}
	}
	if d := (Lockout{}).WithDefaults(); d != DefaultLockout {
		t.Fatalf("WithDefaults of zero = %+v", d)
	}
}

func TestIdentifierHash(t *testing.T) {
	if string(IdentifierHash(" Ada@Example.COM ")) != string(IdentifierHash("ada@example.com")) {
		t.Fatal("case and spaces change the identifier")
	}
	if string(IdentifierHash("ada")) == string(ReauthIdentifierHash("ada")) {
		t.Fatal("a login and a re-authentication share a key")
	}
}
