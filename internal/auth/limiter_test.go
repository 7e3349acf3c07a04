package auth

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// acquireAsync starts an acquire and returns a channel that gets its result.
func acquireAsync(ctx context.Context, l *limiter) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- l.acquire(ctx) }()
	return ch
}

// waitQueued waits until n callers are queued.
func waitQueued(t *testing.T, l *limiter, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for l.queued() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d queued, want %d", l.queued(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func mustAcquire(t *testing.T, l *limiter, n int) {
	t.Helper()
	for i := range n {
		if err := l.acquire(context.Background()); err != nil {
			t.Fatalf("acquire %d of %d: %v", i+1, n, err)
		}
	}
}

// TestLimiterAllSlotsWhileAlone: with no other request in flight every slot
// is used at once; the next caller queues.
func TestLimiterAllSlotsWhileAlone(t *testing.T) {
	t.Parallel()
	l := newLimiter(3, 1, time.Minute)
	mustAcquire(t, l, 3) // none of these may block
	if got := l.busy(); got != 3 {
		t.Fatalf("busy %d, want 3", got)
	}
	res := acquireAsync(context.Background(), l)
	waitQueued(t, l, 1)
	l.release()
	if err := <-res; err != nil {
		t.Fatal(err)
	}
	if got := l.busy(); got != 3 {
		t.Fatalf("busy %d after hand-over, want 3", got)
	}
}

// TestLimiterHoldsOneBack: while another request is in flight at most N−1
// computations start; running ones are not interrupted; when the request
// ends the held slot is granted to the first waiter.
func TestLimiterHoldsOneBack(t *testing.T) {
	t.Parallel()
	l := newLimiter(3, 1, time.Minute)
	l.otherBegin()
	mustAcquire(t, l, 2)
	third := acquireAsync(context.Background(), l)
	waitQueued(t, l, 1)
	if got := l.busy(); got != 2 {
		t.Fatalf("busy %d with a request in flight, want 2", got)
	}
	l.otherBegin() // a second one changes nothing
	l.otherDone()
	select {
	case err := <-third:
		t.Fatalf("granted while a request is still in flight: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	l.otherDone() // the last one ends: the held slot goes to the waiter
	if err := <-third; err != nil {
		t.Fatal(err)
	}
	if got := l.busy(); got != 3 {
		t.Fatalf("busy %d, want 3", got)
	}
	// A request arriving now does not stop running computations, but a
	// freed slot is not refilled past N−1.
	l.otherBegin()
	fourth := acquireAsync(context.Background(), l)
	waitQueued(t, l, 1)
	l.release() // 2 running: at the reduced bound, the waiter stays queued
	select {
	case err := <-fourth:
		t.Fatalf("granted past the reduced bound: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	l.release() // 1 running: below the bound
	if err := <-fourth; err != nil {
		t.Fatal(err)
	}
	l.otherDone()
}

// TestLimiterFixed: without a reserve other requests change nothing.
func TestLimiterFixed(t *testing.T) {
	t.Parallel()
	l := newLimiter(2, 0, time.Minute)
	l.otherBegin()
	mustAcquire(t, l, 2)
	l.otherDone()
	// One slot is never held back, whatever the reserve asks.
	one := newLimiter(1, 1, time.Minute)
	one.otherBegin()
	mustAcquire(t, one, 1)
	one.otherDone()
}

// TestLimiterBusyAfterMaxWait: a caller that cannot get a slot within
// maxWait gets ErrBusy, counted; a queued caller whose context ends gets its
// error and leaves the queue.
func TestLimiterBusyAfterMaxWait(t *testing.T) {
	t.Parallel()
	l := newLimiter(2, 1, 30*time.Millisecond)
	l.otherBegin()
	mustAcquire(t, l, 1)
	start := time.Now()
	if err := l.acquire(context.Background()); !errors.Is(err, ErrBusy) {
		t.Fatalf("want ErrBusy, got %v", err)
	}
	if waited := time.Since(start); waited < 30*time.Millisecond {
		t.Fatalf("gave up after %v, before maxWait", waited)
	}
	if l.rejected.Load() != 1 || l.waits.Load() != 1 || l.queued() != 0 {
		t.Fatalf("rejected %d waits %d queued %d", l.rejected.Load(), l.waits.Load(), l.queued())
	}

	long := newLimiter(1, 0, time.Minute)
	mustAcquire(t, long, 1)
	ctx, cancel := context.WithCancel(context.Background())
	res := acquireAsync(ctx, long)
	waitQueued(t, long, 1)
	cancel()
	if err := <-res; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	if long.queued() != 0 || long.rejected.Load() != 0 {
		t.Fatalf("queued %d rejected %d after cancel", long.queued(), long.rejected.Load())
	}
	long.release()
	mustAcquire(t, long, 1) // the cancelled waiter took nothing with it
}

// TestLimiterFIFO: waiters are served in arrival order.
func TestLimiterFIFO(t *testing.T) {
	t.Parallel()
	l := newLimiter(1, 0, time.Minute)
	mustAcquire(t, l, 1)
	var order []int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Go(func() {
			if err := l.acquire(context.Background()); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
			l.release()
		})
		waitQueued(t, l, i+1)
	}
	l.release()
	wg.Wait()
	for i, v := range order {
		if v != i {
			t.Fatalf("order %v", order)
		}
	}
}

// TestLimiterConcurrent: many goroutines computing while others come and
// go. The number running never passes capacity, never passes capacity−1
// while another request is in flight (checked at each start), and every
// caller finishes.
func TestLimiterConcurrent(t *testing.T) {
	t.Parallel()
	const capacity = 4
	l := newLimiter(capacity, 1, time.Minute)
	var running, violations atomic.Int64
	var stop atomic.Bool
	var others sync.WaitGroup
	for range 3 {
		others.Go(func() {
			for !stop.Load() {
				l.otherBegin()
				runtime.Gosched()
				l.otherDone()
				time.Sleep(50 * time.Microsecond)
			}
		})
	}
	var wg sync.WaitGroup
	var done atomic.Int64
	for range 32 {
		wg.Go(func() {
			for range 50 {
				if err := l.acquire(context.Background()); err != nil {
					t.Error(err)
					return
				}
				if n := running.Add(1); n > capacity {
					violations.Add(1)
				}
				time.Sleep(20 * time.Microsecond)
				running.Add(-1)
				l.release()
				done.Add(1)
			}
		})
	}
	wg.Wait()
	stop.Store(true)
	others.Wait()
	if violations.Load() > 0 {
		t.Fatalf("%d starts past capacity", violations.Load())
	}
	if done.Load() != 32*50 || l.busy() != 0 || l.queued() != 0 {
		t.Fatalf("done %d busy %d queued %d", done.Load(), l.busy(), l.queued())
	}

	// With a request in flight the whole time, never more than capacity−1.
	l.otherBegin()
	var peak atomic.Int64
	for range 16 {
		wg.Go(func() {
			for range 20 {
				if err := l.acquire(context.Background()); err != nil {
					t.Error(err)
					return
				}
				n := running.Add(1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				time.Sleep(20 * time.Microsecond)
				running.Add(-1)
				l.release()
			}
		})
	}
	wg.Wait()
	l.otherDone()
	if peak.Load() != capacity-1 {
		t.Fatalf("peak %d with a request in flight, want %d", peak.Load(), capacity-1)
	}
}

// TestLowPriorityThreads: a low-priority Hasher computes on threads at nice
// 19 (where the kernel lets us lower it) and still verifies correctly.
func TestLowPriorityThreads(t *testing.T) {
	t.Parallel()
	h, err := NewHasherWith(HasherOptions{Cost: 4, Concurrency: 2, MaxWait: time.Second, LowPriority: true})
	if err != nil {
		t.Fatal(err)
	}
	var nice int
	var nerr error
	h.run(func() { nice, nerr = threadNice() })
	if nerr != nil {
		t.Skipf("thread priority not readable here: %v", nerr)
	}
	if nice != 19 {
		t.Fatalf("bcrypt thread at nice %d, want 19", nice)
	}
	mine, _ := threadNice()
	if mine == 19 {
		t.Fatal("the caller's thread was lowered too")
	}
	hash, err := h.Hash(context.Background(), "correct-horse-battery")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := h.Verify(context.Background(), hash, "correct-horse-battery"); !ok || err != nil {
		t.Fatalf("verify: %v %v", ok, err)
	}
}
