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
	// Pages is page_stats: one per page with counted reading, every PDF.
	// The timer counts the dwells of a session on an exercise on the pages
	// it shows like those of any session.
	Pages     []estimate.Obs
	Exercises []ExerciseTime // one per exercise with timer time
	// Reading is, per PDF and page, the counted seconds of the sessions
	// that were not on an exercise: the time reading the PDF, which is what
	// the estimate of its rest predicts (exercises are estimated on their
	// own), so the actuals are sums of these.
	Reading map[uuid.UUID]map[int32]float64
}

// ExerciseTime is the timer's active time on one exercise.
type ExerciseTime struct {
	Exercise uuid.UUID
	Seconds  float64
	LastAt   time.Time
}
