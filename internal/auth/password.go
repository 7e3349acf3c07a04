// Package auth holds password hashing and policy, the JWT signing keys, access
// token issue and verification (jwx), and the opaque refresh-token codec.
package auth

import (
	"bufio"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Password length limits in bytes. bcrypt reads at most 72 bytes; a longer
// password is refused rather than silently truncated.
const (
	MinPasswordBytes = 8
	MaxPasswordBytes = 72
)

// ErrBusy means every bcrypt slot stayed taken for the whole queue wait: the
// server is flooded with password checks and sheds this one.
var ErrBusy = errors.New("too many password checks in progress")

// Hasher hashes and verifies passwords with bcrypt at a fixed cost. At most
// Concurrency computations run at once; with Adaptive, one slot fewer while
// any other request is in flight (OtherStarted/OtherDone). A caller waits up
// to MaxWait for a slot, then gets ErrBusy: a login flood queues briefly and
// sheds load instead of taking every core from the other endpoints.
type Hasher struct {
	cost  int
	dummy []byte
	lim   *limiter
	// jobs feeds the low-priority bcrypt threads (nil: bcrypt runs on the
	// caller's goroutine).
	jobs chan func()
	// priorityErr is why LowPriority could not be had.
	priorityErr error
}

// LowPriority reports whether bcrypt runs on nice-19 threads; when it was
// asked for and could not be had, err says why (the Hasher then holds one
// slot back while other requests are in flight instead).
func (h *Hasher) LowPriority() (bool, error) { return h.jobs != nil, h.priorityErr }

// HasherOptions configure NewHasherWith.
type HasherOptions struct {
	// Cost is the bcrypt cost (4..31).
	Cost int
	// Concurrency is the most computations at once (at least 1).
	Concurrency int
	// Adaptive holds one of the Concurrency slots back while any request
	// that is not password work is in flight.
	Adaptive bool
	// MaxWait is how long a caller queues for a slot before ErrBusy.
	MaxWait time.Duration
	// LowPriority runs bcrypt on Concurrency dedicated OS threads at the
	// lowest scheduling priority (nice 19), so that the kernel runs every
	// other thread of the machine first. A running computation holds a Go
	// P: give the process GOMAXPROCS above the cores (serve adds one) so
	// other goroutines always find one. Where the priority cannot be set
	// (not Linux) the Hasher falls back to Adaptive; LowPriority reports it.
	LowPriority bool
}

// NewHasher returns a Hasher for the given bcrypt cost (4..31) that runs at
// most concurrency computations at once and queues callers for up to maxWait.
func NewHasher(cost, concurrency int, maxWait time.Duration) (*Hasher, error) {
	return NewHasherWith(HasherOptions{Cost: cost, Concurrency: concurrency, MaxWait: maxWait})
}

// NewHasherWith returns a Hasher configured by o.
func NewHasherWith(o HasherOptions) (*Hasher, error) {
	if o.Cost < bcrypt.MinCost || o.Cost > bcrypt.MaxCost {
		return nil, fmt.Errorf("bcrypt cost %d outside %d..%d", o.Cost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	if o.Concurrency < 1 {
		return nil, fmt.Errorf("bcrypt concurrency %d: must be at least 1", o.Concurrency)
	}
	reserve := 0
	if o.Adaptive {
		reserve = 1
	}
	h := &Hasher{cost: o.Cost, lim: newLimiter(o.Concurrency, reserve, o.MaxWait)}
	if o.LowPriority {
		h.jobs = make(chan func())
		started := make(chan error, o.Concurrency)
		for range o.Concurrency {
			go lowPriorityWorker(h.jobs, started)
		}
		var failed error
		for range o.Concurrency {
			if err := <-started; err != nil {
				failed = err
			}
		}
		if failed != nil {
			// No idle priority here: bcrypt runs on the callers' goroutines,
			// with the adaptive bound instead.
			close(h.jobs)
			h.jobs = nil
			h.lim = newLimiter(o.Concurrency, 1, o.MaxWait)
			h.priorityErr = failed
		}
	}
	// A hash of a fixed secret at the same cost: verifying against it when an
	// account does not exist takes as long as a real check. Made on the
	// caller's thread at normal priority: on a busy machine a nice-19
	// thread can wait many seconds for a core, and start-up must not.
	var err error
	h.dummy, err = bcrypt.GenerateFromPassword([]byte("studysprint-timing-equaliser"), o.Cost)
	if err != nil {
		return nil, err
	}
	return h, nil
}

// lowPriorityWorker runs jobs on a thread of its own at nice 19. The thread
// stays locked (and so dies with the goroutine): its lowered priority cannot
// be raised again without privilege, so no other goroutine may run on it.
// The workers live until Close.
func lowPriorityWorker(jobs <-chan func(), started chan<- error) {
	runtime.LockOSThread()
	started <- lowerThreadPriority()
	for job := range jobs {
		job()
	}
}

// Close stops the low-priority threads (their goroutines exit locked, so the
// runtime ends the threads). The Hasher must not be used afterwards.
func (h *Hasher) Close() {
	if h.jobs != nil {
		close(h.jobs)
	}
}

// run does fn on a low-priority thread, or on this goroutine.
func (h *Hasher) run(fn func()) {
	if h.jobs == nil {
		fn()
		return
	}
	done := make(chan struct{})
	h.jobs <- func() { fn(); close(done) }
	<-done
}

// OtherStarted and OtherDone bracket a request that does no password work;
// while any is in flight an adaptive Hasher holds one slot back. Both are a
// single atomic add unless callers are queueing.
func (h *Hasher) OtherStarted() { h.lim.otherBegin() }

// OtherDone ends what OtherStarted began.
func (h *Hasher) OtherDone() { h.lim.otherDone() }

// HasherStats is a snapshot for monitoring.
type HasherStats struct {
	// Busy is how many computations run now; Queued how many callers wait.
	Busy, Queued int
	// Capacity is the configured maximum, Bound the maximum right now.
	Capacity, Bound int
	// Waits counts calls that had to queue, Rejected those that got ErrBusy.
	Waits, Rejected uint64
	// WaitSeconds is the total time callers spent queueing.
	WaitSeconds float64
}

// Stats reports the slots' use.
func (h *Hasher) Stats() HasherStats {
	return HasherStats{
		Busy: h.lim.busy(), Queued: h.lim.queued(), Capacity: h.lim.capacity, Bound: h.lim.bound(),
		Waits: h.lim.waits.Load(), Rejected: h.lim.rejected.Load(),
		WaitSeconds: time.Duration(h.lim.waitNS.Load()).Seconds(),
	}
}

// Hash returns the bcrypt hash of password.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if len(password) > MaxPasswordBytes {
		return "", ErrPasswordTooLong
	}
	if err := h.lim.acquire(ctx); err != nil {
		return "", err
	}
	defer h.lim.release()
	var b []byte
	var err error
	h.run(func() { b, err = bcrypt.GenerateFromPassword([]byte(password), h.cost) })
	return string(b), err
}

// Verify reports whether password matches hash. An empty hash (no such
// account) is checked against a dummy hash so both paths cost the same.
// Passwords over 72 bytes never match (bcrypt would only see a prefix).
func (h *Hasher) Verify(ctx context.Context, hash, password string) (bool, error) {
	if err := h.lim.acquire(ctx); err != nil {
		return false, err
	}
	defer h.lim.release()
	if hash == "" || len(password) > MaxPasswordBytes {
		h.run(func() {
			_ = bcrypt.CompareHashAndPassword(h.dummy, []byte(password[:min(len(password), MaxPasswordBytes)]))
		})
		return false, nil
	}
	var ok bool
	h.run(func() { ok = bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil })
	return ok, nil
}

// Password policy errors; their text is shown to the user.
var (
	ErrPasswordTooShort  = fmt.Errorf("must be at least %d bytes", MinPasswordBytes)
	ErrPasswordTooLong   = fmt.Errorf("must be at most %d bytes", MaxPasswordBytes)
	ErrPasswordCommon    = errors.New("is too common; choose a less guessable password")
	ErrPasswordIdentical = errors.New("must not be your email address or username")
)

// CheckPassword applies the password policy: 8–72 bytes, not one of the most
// common passwords, and not the account's email, its local part or username.
func CheckPassword(password, email, username string) error {
	switch {
	case len(password) < MinPasswordBytes:
		return ErrPasswordTooShort
	case len(password) > MaxPasswordBytes:
		return ErrPasswordTooLong
	}
	lower := strings.ToLower(password)
	if _, common := commonPasswords()[lower]; common {
		return ErrPasswordCommon
	}
	local, _, _ := strings.Cut(email, "@")
	for _, ident := range []string{email, local, username} {
		if ident != "" && lower == strings.ToLower(ident) {
			return ErrPasswordIdentical
		}
	}
	return nil
}

//go:embed common_passwords.txt
var commonPasswordsText string

var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 16384)
	sc := bufio.NewScanner(strings.NewReader(commonPasswordsText))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		set[line] = struct{}{}
	}
	return set
})

// CommonPasswordCount is the size of the embedded common-password list.
func CommonPasswordCount() int { return len(commonPasswords()) }
