package auth

import (
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

func TestLockout(t *testing.T) {
	l := DefaultLockout
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	if locked, _ := l.Check(9, now.Add(-time.Minute), now); locked {
		t.Fatal("9 failures lock")
	}
	locked, retry := l.Check(10, now.Add(-5*time.Minute), now)
	if !locked || retry != 10*time.Minute {
		t.Fatalf("10 failures: %v %v", locked, retry)
	}
	if locked, _ := l.Check(10, now.Add(-15*time.Minute), now); locked {
		t.Fatal("still locked when the oldest failure left the window")
	}
	if got := l.Since(now); !got.Equal(now.Add(-15 * time.Minute)) {
		t.Fatalf("Since = %v", got)
	}
}
