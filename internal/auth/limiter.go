package auth

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// limiter bounds how many bcrypt computations run at once. The bound is
// capacity while no other request is in flight and capacity − reserve as soon as one is
// (reserve is 0 for a fixed bound): new computations then wait, running ones
// finish. Waiters are served first come, first served; one that waits
// longer than maxWait gets ErrBusy.
type limiter struct {
	capacity, reserve int
	maxWait           time.Duration

	// others counts requests in flight that are not doing password work
	// (otherBegin, otherDone); waiting mirrors len(queue) for OtherDone's lock-free check.
	others  atomic.Int64
	waiting atomic.Int64

	mu      sync.Mutex
	running int
	queue   []*waiter

	// Counters for /metrics.
	waits    atomic.Uint64 // acquisitions that had to queue
	rejected atomic.Uint64 // ErrBusy answers
	waitNS   atomic.Uint64 // total time spent queueing
}

type waiter struct {
	ready   chan struct{}
	granted bool // under limiter.mu
}

func newLimiter(capacity, reserve int, maxWait time.Duration) *limiter {
	reserve = min(max(reserve, 0), capacity-1)
	return &limiter{capacity: capacity, reserve: reserve, maxWait: maxWait}
}

// bound is how many computations may run now.
func (l *limiter) bound() int {
	if l.reserve > 0 && l.others.Load() > 0 {
		return l.capacity - l.reserve
	}
	return l.capacity
}

func (l *limiter) acquire(ctx context.Context) error {
	l.mu.Lock()
	// waiting goes up before bound() reads others: a concurrent otherDone
	// that brings others to 0 then sees the waiter and grants it.
	l.waiting.Add(1)
	if len(l.queue) == 0 && l.running < l.bound() {
		l.waiting.Add(-1)
		l.running++
		l.mu.Unlock()
		return nil
	}
	w := &waiter{ready: make(chan struct{})}
	l.queue = append(l.queue, w)
	l.mu.Unlock()
	l.waits.Add(1)
	start := time.Now()
	defer func() { l.waitNS.Add(uint64(time.Since(start))) }()

	t := time.NewTimer(l.maxWait)
	defer t.Stop()
	var err error
	select {
	case <-w.ready:
		return nil
	case <-t.C:
		err = ErrBusy
	case <-ctx.Done():
		err = ctx.Err()
	}
	l.mu.Lock()
	if w.granted { // granted just as we gave up
		if err == ErrBusy {
			l.mu.Unlock()
			return nil // the slot is ours after all: use it
		}
		l.running-- // cancelled: hand the slot on
		l.grantLocked()
		l.mu.Unlock()
		return err
	}
	for i, q := range l.queue {
		if q == w {
			l.queue = append(l.queue[:i], l.queue[i+1:]...)
			break
		}
	}
	l.waiting.Add(-1)
	l.mu.Unlock()
	if err == ErrBusy {
		l.rejected.Add(1)
	}
	return err
}

func (l *limiter) release() {
	l.mu.Lock()
	l.running--
	l.grantLocked()
	l.mu.Unlock()
}

// grantLocked starts waiters while the bound allows.
func (l *limiter) grantLocked() {
	for len(l.queue) > 0 && l.running < l.bound() {
		w := l.queue[0]
		l.queue[0] = nil
		l.queue = l.queue[1:]
		l.waiting.Add(-1)
		w.granted = true
		l.running++
		close(w.ready)
	}
}

func (l *limiter) otherBegin() { l.others.Add(1) }

func (l *limiter) otherDone() {
	if l.others.Add(-1) == 0 && l.reserve > 0 && l.waiting.Load() > 0 {
		l.mu.Lock()
		l.grantLocked()
		l.mu.Unlock()
	}
}

func (l *limiter) busy() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.running
}

func (l *limiter) queued() int { return int(l.waiting.Load()) }
