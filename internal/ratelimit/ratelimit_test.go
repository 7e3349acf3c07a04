package ratelimit

import (
	"fmt"
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
