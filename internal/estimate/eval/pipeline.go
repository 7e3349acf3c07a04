package eval

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/internal/estimate"
	"github.com/studysprint/studysprint/internal/estimate/sim"
)

// Pipeline is the timer path: it turns a student's sessions into what the
// timer stores. Run calls Feed many times per student, each time with the
// sessions that came next (in time order); each call returns the student's
// cumulative observations so far — what page_stats (and the exercise
// sessions) hold at that moment.
type Pipeline interface {
	Feed(ctx context.Context, student sim.Student, sessions []sim.Session) (Observed, error)
}

// Observed is what the timer derived for one student.
type Observed struct {
	Pages     []estimate.Obs // one per page with counted reading, every PDF
	Exercises []ExerciseTime // one per exercise with timer time
}

// ExerciseTime is the timer's active time on one exercise.
type ExerciseTime struct {
	Exercise uuid.UUID
	Seconds  float64
	LastAt   time.Time
}
