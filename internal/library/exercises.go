package library

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/studysprint/studysprint/internal/safetext"
)

// ExerciseStatus is where an exercise stands (exercises_status_check).
type ExerciseStatus string

// Exercise statuses.
const (
	StatusTodo       ExerciseStatus = "todo"
	StatusInProgress ExerciseStatus = "in_progress"
	StatusDone       ExerciseStatus = "done"
)

// ExerciseStatuses lists them in workflow order; a test keeps the list equal
// to the CHECK constraint.
var ExerciseStatuses = []ExerciseStatus{StatusTodo, StatusInProgress, StatusDone}

// Valid reports whether st is a status.
func (st ExerciseStatus) Valid() bool { return slices.Contains(ExerciseStatuses, st) }

// Exercise field and transition errors.
var (
	ErrExerciseTitle      = errors.New("must be 1-200 characters")
	ErrExerciseDifficulty = errors.New("must be between 1 and 5")
	ErrScore              = errors.New("must be between 0 and 100")
	ErrStatusByPatch      = errors.New("must be todo or in_progress; use /complete to mark it done")
	ErrNotDone            = errors.New("the exercise is not done")
)

// NormalizeExerciseTitle trims and checks an exercise title.
func NormalizeExerciseTitle(s string) (string, error) {
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n < 1 || n > 200 || safetext.HasControl(s) {
		return "", ErrExerciseTitle
	}
	return s, nil
}

// NormalizeExerciseDescription trims a description (may be empty).
func NormalizeExerciseDescription(s string) (string, error) {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > 5000 || !safetext.Valid(s) {
		return "", errors.New("must be at most 5000 characters")
	}
	return s, nil
}

// CheckDifficulty bounds difficulty to 1..5.
func CheckDifficulty(d int) error {
	if d < 1 || d > 5 {
		return ErrExerciseDifficulty
	}
	return nil
}

// CheckScore bounds a score to 0..100.
func CheckScore(s int) error {
	if s < 0 || s > 100 {
		return ErrScore
	}
	return nil
}

// PageRange is an inclusive range of pages.
type PageRange struct{ Start, End int }

// CheckRange validates a range against a PDF of pageCount pages and returns
// a message per offending end ("start", "end"), empty when valid.
func CheckRange(r PageRange, pageCount int) map[string]string {
	out := map[string]string{}
	if r.Start < 1 || r.Start > pageCount {
		out["start"] = fmt.Sprintf("must be between 1 and %d (the PDF's pages)", pageCount)
	}
	if r.End < 1 || r.End > pageCount {
		out["end"] = fmt.Sprintf("must be between 1 and %d (the PDF's pages)", pageCount)
	} else if r.End < r.Start {
		out["end"] = "must not be before the first page"
	}
	return out
}

// CheckPatchStatus allows PATCH to move between todo and in_progress only;
// done has its own endpoint (it records the time and the score).
func CheckPatchStatus(to ExerciseStatus) error {
	if to == StatusTodo || to == StatusInProgress {
		return nil
	}
	if to.Valid() {
		return ErrStatusByPatch
	}
	return errors.New("must be one of todo, in_progress, done")
}

// CheckReopen allows reopening only a done exercise.
func CheckReopen(from ExerciseStatus) error {
	if from != StatusDone {
		return ErrNotDone
	}
	return nil
}
