package eval

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/internal/estimate"
	"github.com/studysprint/studysprint/internal/estimate/sim"
)

// Reference is the REFERENCE timer pipeline, for tests and development
// only: a small in-memory stand-in for the real one (events -> database ->
// page_stats) that applies the timer's rules as its spec states them:
//
//   - a visit begins at the session's start page, at a page event that
//     changes the page (or follows a pause) and at a resume;
//   - its dwell is the active time until the page changes, a pause or the
//     stop; a gap between two events counts at most IdleThreshold; paused
//     time never counts;
//   - a dwell shorter than PageMin is a skim and counts nothing; a dwell
//     counts at most PageMax;
//   - an exercise session's active time is the exercise's time; its
//     dwells on its start page (and any page it turns to) count in the
//     pages like any other, as the real timer counts them.
//
// It keeps each student's totals across Feed calls, as page_stats does.
// Seconds are rounded to whole seconds per page as page_stats stores them.
type Reference struct {
	IdleThreshold time.Duration // default 300 s
	PageMin       time.Duration // default 5 s
	PageMax       time.Duration // default 900 s
	// NoExerciseDwells leaves the dwells of sessions on exercises out of
	// the pages (the real timer counts them): what the estimator would see
	// if page_stats held reading only. For analysis.
	NoExerciseDwells bool

	students map[uuid.UUID]*refStudent
}

// NewReference is the reference pipeline with the default rules.
func NewReference() *Reference {
	return &Reference{IdleThreshold: 300 * time.Second, PageMin: 5 * time.Second, PageMax: 900 * time.Second}
}

type pageKey struct {
	pdf  uuid.UUID
	page int32
}

type refPage struct {
	seconds     float64
	visits      int
	first, last time.Time
}

type refStudent struct {
	pages     map[pageKey]*refPage
	reading   map[pageKey]float64 // the counted seconds of sessions not on an exercise
	counted   map[uuid.UUID]int   // per PDF: pages with counted reading
	exercises map[uuid.UUID]*ExerciseTime
}

func newRefStudent() *refStudent {
	return &refStudent{pages: map[pageKey]*refPage{}, reading: map[pageKey]float64{}, counted: map[uuid.UUID]int{},
		exercises: map[uuid.UUID]*ExerciseTime{}}
}

// Feed applies the sessions (in time order) and returns the student's
// cumulative observations.
func (r *Reference) Feed(ctx context.Context, student sim.Student, sessions []sim.Session) (Observed, error) {
	if err := ctx.Err(); err != nil {
		return Observed{}, err
	}
	if r.students == nil {
		r.students = map[uuid.UUID]*refStudent{}
	}
	st := r.students[student.ID]
	if st == nil {
		st = newRefStudent()
		r.students[student.ID] = st
	}
	for _, s := range sessions {
		if err := r.apply(st, s); err != nil {
			return Observed{}, err
		}
	}
	return st.observed(student), nil
}

// apply derives one session.
func (r *Reference) apply(st *refStudent, s sim.Session) error {
	idle := r.IdleThreshold.Seconds()
	var (
		last       = s.StartAt
		cur        = s.StartPage
		paused     bool
		visitStart = s.StartAt
		dwell      float64
		active     float64
	)
	closeVisit := func(end time.Time) {
		if cur > 0 && (s.Exercise == uuid.Nil || !r.NoExerciseDwells) && dwell >= r.PageMin.Seconds() {
			k := pageKey{s.PDF, cur}
			p := st.pages[k]
			if p == nil {
				p = &refPage{first: visitStart}
				st.pages[k] = p
				st.counted[s.PDF]++
			}
			secs := math.Min(dwell, r.PageMax.Seconds())
			p.seconds += secs
			if s.Exercise == uuid.Nil {
				st.reading[k] += secs
			}
			p.visits++
			p.last = end
		}
		dwell = 0
	}
	for _, e := range s.Events {
		if e.At.Before(last) {
			return fmt.Errorf("session %s: events out of order at %s", s.ID, e.At)
		}
		if !paused {
			gap := math.Min(e.At.Sub(last).Seconds(), idle)
			active += gap
			dwell += gap
		}
		last = e.At
		switch e.Type {
		case sim.EventPage:
			if paused || e.Page != cur {
				closeVisit(e.At)
				paused, cur, visitStart = false, e.Page, e.At
			}
		case sim.EventHeartbeat:
		case sim.EventPause:
			if !paused {
				closeVisit(e.At)
				paused = true
			}
		case sim.EventResume:
			if paused {
				paused, visitStart, dwell = false, e.At, 0
			}
		case sim.EventStop:
			if !paused {
				closeVisit(e.At)
			}
			r.addExercise(st, s, active, e.At)
			return nil
		default:
			return fmt.Errorf("session %s: unknown event type %q", s.ID, e.Type)
		}
	}
	if !paused {
		closeVisit(last)
	}
	r.addExercise(st, s, active, last)
	return nil
}

func (r *Reference) addExercise(st *refStudent, s sim.Session, active float64, at time.Time) {
	if s.Exercise == uuid.Nil {
		return
	}
	x := st.exercises[s.Exercise]
	if x == nil {
		x = &ExerciseTime{Exercise: s.Exercise}
		st.exercises[s.Exercise] = x
	}
	x.Seconds += active
	x.LastAt = at
}

func (st *refStudent) observed(student sim.Student) Observed {
	words := map[uuid.UUID][]int32{}
	kinds := map[uuid.UUID]estimate.Kind{}
	for _, p := range student.PDFs {
		words[p.ID], kinds[p.ID] = p.Words, p.Kind
	}
	var out Observed
	for k, p := range st.pages {
		w := int32(-1)
		if ws := words[k.pdf]; int(k.page) <= len(ws) {
			w = ws[k.page-1]
		}
		out.Pages = append(out.Pages, estimate.Obs{PDF: k.pdf, Kind: kinds[k.pdf], Page: k.page, Words: w,
			Seconds: math.Round(p.seconds), Visits: p.visits, LastReadAt: p.last})
	}
	slices.SortFunc(out.Pages, func(a, b estimate.Obs) int {
		return cmp.Or(slices.Compare(a.PDF[:], b.PDF[:]), cmp.Compare(a.Page, b.Page))
	})
	for _, x := range st.exercises {
		out.Exercises = append(out.Exercises, *x)
	}
	slices.SortFunc(out.Exercises, func(a, b ExerciseTime) int { return slices.Compare(a.Exercise[:], b.Exercise[:]) })
	out.Reading = map[uuid.UUID]map[int32]float64{}
	for k, secs := range st.reading {
		if out.Reading[k.pdf] == nil {
			out.Reading[k.pdf] = map[int32]float64{}
		}
		out.Reading[k.pdf][k.page] = math.Round(secs)
	}
	return out
}
