// Package auth holds password hashing and policy, the JWT signing keys, access
// token issue and verification (jwx), and the opaque refresh-token codec.
package auth

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// Password length limits in bytes. bcrypt reads at most 72 bytes; a longer
// password is refused rather than silently truncated.
const (
	MinPasswordBytes = 8
	MaxPasswordBytes = 72
)

// Hasher hashes and verifies passwords with bcrypt at a fixed cost.
type Hasher struct {
	cost  int
	dummy []byte
}

// NewHasher returns a Hasher for the given bcrypt cost (4..31).
func NewHasher(cost int) (*Hasher, error) {
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		return nil, fmt.Errorf("bcrypt cost %d outside %d..%d", cost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	// A hash of a random-looking secret at the same cost: verifying against it
	// when an account does not exist takes as long as a real check.
	dummy, err := bcrypt.GenerateFromPassword([]byte("studysprint-timing-equaliser"), cost)
	if err != nil {
		return nil, err
	}
	return &Hasher{cost: cost, dummy: dummy}, nil
}

// Hash returns the bcrypt hash of password.
func (h *Hasher) Hash(password string) (string, error) {
	if len(password) > MaxPasswordBytes {
		return "", ErrPasswordTooLong
	}
	b, err := bcrypt.GenerateFromPassword([]byte(password), h.cost)
	return string(b), err
}

// Verify reports whether password matches hash. An empty hash (no such
// account) is checked against a dummy hash so both paths cost the same.
func (h *Hasher) Verify(hash, password string) bool {
	if hash == "" {
		_ = bcrypt.CompareHashAndPassword(h.dummy, []byte(password))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
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
