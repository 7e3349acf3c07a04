package ratelimit

import (
	"fmt"
	"net/netip"
	"testing"
	"time"
)

func TestBurstThenRefill(t *testing.T) {
	l := New(30, 1000)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 30 {
		if ok, _ := l.Allow("1.2.3.4", now); !ok {
			t.Fatalf("request %d refused inside the burst", i+1)
		}
	}
	ok, retry := l.Allow("1.2.3.4", now)
	if ok || retry != 2*time.Second {
		t.Fatalf("31st: ok=%v retry=%v, want refused with 2s (one token per 2s)", ok, retry)
	}
	if ok, _ := l.Allow("5.6.7.8", now); !ok {
		t.Fatal("another key is limited separately")
	}
	if ok, _ := l.Allow("1.2.3.4", now.Add(1999*time.Millisecond)); ok {
		t.Fatal("token back too early")
	}
	if ok, _ := l.Allow("1.2.3.4", now.Add(2*time.Second)); !ok {
		t.Fatal("token not back after 2s")
	}
	// A minute later the bucket is full again.
	later := now.Add(2 * time.Minute)
	for i := range 30 {
		if ok, _ := l.Allow("1.2.3.4", later); !ok {
			t.Fatalf("request %d refused after a full refill", i+1)
		}
	}
}

func TestMemoryBounded(t *testing.T) {
	l := New(30, 100)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 10000 {
		l.Allow(fmt.Sprintf("10.0.%d.%d", i/256, i%256), now)
	}
	if n := l.Len(); n > 100 {
		t.Fatalf("%d keys kept, bound is 100", n)
	}
	// Idle keys are dropped once refilled.
	l.Allow("x", now.Add(5*time.Minute))
	if n := l.Len(); n != 1 {
		t.Fatalf("%d keys after everything went idle", n)
	}
}

func TestNewRate(t *testing.T) {
	l := NewRate(2, 3, 10)
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		if ok, _ := l.Allow("u", now); !ok {
			t.Fatalf("burst request %d refused", i+1)
		}
	}
	ok, retry := l.Allow("u", now)
	if ok || retry != 500*time.Millisecond {
		t.Fatalf("4th: ok=%v retry=%v, want refused for 500ms", ok, retry)
	}
	if ok, _ := l.Allow("u", now.Add(500*time.Millisecond)); !ok {
		t.Fatal("not refilled at 2/s")
	}
}

func TestGate(t *testing.T) {
	g := NewGate(2)
	r1, ok1 := g.Enter("a")
	_, ok2 := g.Enter("a")
	_, ok3 := g.Enter("a")
	_, okB := g.Enter("b")
	if !ok1 || !ok2 || ok3 || !okB {
		t.Fatalf("enter: %v %v %v %v", ok1, ok2, ok3, okB)
	}
	r1()
	r1() // twice is once
	if _, ok := g.Enter("a"); !ok {
		t.Fatal("a place was not given back")
	}
	if _, ok := g.Enter("a"); ok {
		t.Fatal("a double release gave two places back")
	}
}

func TestNetwork(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"192.0.2.7", "192.0.2.7/32"},
		{"::ffff:192.0.2.7", "192.0.2.7/32"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"fe80::1%eth0", "fe80::/64"},
	} {
		if got := Network(netip.MustParseAddr(tc.in), 64).String(); got != tc.want {
			t.Errorf("Network(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
	if got := Network(netip.MustParseAddr("2001:db8:1:2:3::1"), 48).String(); got != "2001:db8:1::/48" {
		t.Errorf("/48: %s", got)
	}
	if Network(netip.Addr{}, 64).IsValid() {
		t.Error("an invalid address gave a network")
	}
}
