package importer

import (
	"testing"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/internal/apperr"
)

// TestOneImportPerUser: while a user's import runs, another of theirs is a
// 429; other users' are not held up; the slot is free again after.
func TestOneImportPerUser(t *testing.T) {
	t.Parallel()
	s := NewService(Config{}, Deps{})
	u, other := uuid.New(), uuid.New()
	release, err := s.begin(u)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.begin(u); !apperr.IsKind(err, apperr.TooMany) {
		t.Fatalf("second import of the user: %v", err)
	}
	releaseOther, err := s.begin(other)
	if err != nil {
		t.Fatalf("another user's import: %v", err)
	}
	releaseOther()
	release()
	again, err := s.begin(u)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	again()
}
