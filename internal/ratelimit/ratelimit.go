// Package ratelimit is an in-memory token-bucket limiter per key (a client
// IP), with time passed in so tests control it. Idle keys are forgotten, so
// memory stays bounded under a flood of distinct keys.
package ratelimit

import (
	"math"
	"net/netip"
	"sync"
	"time"
)

// Limiter allows Burst requests at once per key, refilled at Rate per second.
type Limiter struct {
	rate    float64 // tokens per second
	burst   float64
	maxKeys int

	mu      sync.Mutex
	buckets map[string]*bucket
	sweepAt time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// New returns a limiter of perMinute requests per minute per key, with a
// burst of perMinute. maxKeys bounds memory (the idle keys go first; when all
// are busy the map is cleared, failing open rather than growing without end).
func New(perMinute, maxKeys int) *Limiter {
	return NewRate(float64(perMinute)/60, perMinute, maxKeys)
}

// NewRate returns a limiter refilled at perSecond tokens per second with a
// burst of burst tokens per key.
func NewRate(perSecond float64, burst, maxKeys int) *Limiter {
	return &Limiter{
		rate: perSecond, burst: float64(max(1, burst)), maxKeys: maxKeys,
		buckets: make(map[string]*bucket),
	}
}

// Gate bounds how many operations one key runs at once (searches per user,
// say): Enter takes a place or reports that the key already has max.
type Gate struct {
	max int
	mu  sync.Mutex
	n   map[string]int
}

// NewGate returns a gate of max concurrent operations per key.
func NewGate(max int) *Gate { return &Gate{max: max, n: map[string]int{}} }

// Enter takes a place for key; release gives it back. ok is false when the
// key already holds max places.
func (g *Gate) Enter(key string) (release func(), ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.n[key] >= g.max {
		return nil, false
	}
	g.n[key]++
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			defer g.mu.Unlock()
			if g.n[key]--; g.n[key] <= 0 {
				delete(g.n, key)
			}
		})
	}, true
}

// Allow takes one token for key at now. When none is left it reports how
// long until one is.
func (l *Limiter) Allow(key string, now time.Time) (ok bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b, found := l.buckets[key]
	if !found {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = math.Min(l.burst, b.tokens+elapsed*l.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := (1 - b.tokens) / l.rate
	return false, time.Duration(math.Ceil(wait * float64(time.Second)))
}

// sweep forgets buckets that have refilled completely (they behave exactly
// like a fresh key), at most once a minute or when the map is full.
func (l *Limiter) sweep(now time.Time) {
	if len(l.buckets) < l.maxKeys && now.Before(l.sweepAt) {
		return
	}
	l.sweepAt = now.Add(time.Minute)
	full := time.Duration(l.burst / l.rate * float64(time.Second))
	for k, b := range l.buckets {
		if now.Sub(b.last) >= full {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= l.maxKeys {
		clear(l.buckets)
	}
}

// Len is the number of keys tracked (for tests).
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// DefaultIPv6Prefix is how much of an IPv6 address names one client: a /64 is
// what one home connection or one cloud instance gets, and its owner can use
// any address inside it.
const DefaultIPv6Prefix = 64

// Network is the unit clients are counted by: an IPv4 address (/32), or the
// IPv6 prefix of v6Bits bits (IPv4-mapped IPv6 addresses count as IPv4). An
// invalid address gives the zero Prefix.
func Network(a netip.Addr, v6Bits int) netip.Prefix {
	if !a.IsValid() {
		return netip.Prefix{}
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return netip.PrefixFrom(a, 32)
	}
	if v6Bits <= 0 || v6Bits > 128 {
		v6Bits = DefaultIPv6Prefix
	}
	p, _ := a.Prefix(v6Bits)
	return p
}
