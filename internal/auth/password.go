// Package auth holds password hashing and policy, the JWT signing keys, access
// token issue and verification (jwx), and the opaque refresh-token codec.
package auth

import (
	"bufio"
	"context"
	_ "embed"
	"errors"
	"fmt"
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
// `concurrency` bcrypt computations run at once; a caller waits up to maxWait
// for a slot, then gets ErrBusy. A login flood then queues briefly and sheds
// load instead of taking every core from the other endpoints.
type Hasher struct {
	cost    int
	dummy   []byte
	slots   chan struct{}
	maxWait time.Duration
}

// NewHasher returns a Hasher for the given bcrypt cost (4..31) that runs at
// most concurrency computations at once and queues callers for up to maxWait.
func NewHasher(cost, concurrency int, maxWait time.Duration) (*Hasher, error) {
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		return nil, fmt.Errorf("bcrypt cost %d outside %d..%d", cost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	if concurrency < 1 {
		return nil, fmt.Errorf("bcrypt concurrency %d: must be at least 1", concurrency)
	}
	// A hash of a fixed secret at the same cost: verifying against it when an
	// account does not exist takes as long as a real check.
	dummy, err := bcrypt.GenerateFromPassword([]byte("studysprint-timing-equaliser"), cost)
	if err != nil {
		return nil, err
	}
	return &Hasher{cost: cost, dummy: dummy, slots: make(chan struct{}, concurrency), maxWait: maxWait}, nil
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(h.maxWait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-t.C:
		return ErrBusy
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.slots }

// Hash returns the bcrypt hash of password.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if len(password) > MaxPasswordBytes {
		return "", ErrPasswordTooLong
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	b, err := bcrypt.GenerateFromPassword([]byte(password), h.cost)
	return string(b), err
}

// Verify reports whether password matches hash. An empty hash (no such
// account) is checked against a dummy hash so both paths cost the same.
// Passwords over 72 bytes never match (bcrypt would only see a prefix).
func (h *Hasher) Verify(ctx context.Context, hash, password string) (bool, error) {
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	if hash == "" || len(password) > MaxPasswordBytes {
		_ = bcrypt.CompareHashAndPassword(h.dummy, []byte(password[:min(len(password), MaxPasswordBytes)]))
		return false, nil
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil, nil
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
