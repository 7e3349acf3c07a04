package sim_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/internal/estimate"
	"github.com/studysprint/studysprint/internal/estimate/sim"
)

func TestDeterministic(t *testing.T) {
	a := sim.Generate(sim.Config{Seed: 7, Students: 3, PDFs: 5})
	b := sim.Generate(sim.Config{Seed: 7, Students: 3, PDFs: 5})
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed gave different logs")
	}
	c := sim.Generate(sim.Config{Seed: 8, Students: 3, PDFs: 5})
	if reflect.DeepEqual(a[0].Student.ID, c[0].Student.ID) {
		t.Fatal("another seed gave the same student")
	}
	// A student's stream does not depend on how many students follow.
	d := sim.Generate(sim.Config{Seed: 7, Students: 1, PDFs: 5})
	if !reflect.DeepEqual(a[0], d[0]) {
		t.Fatal("the first student changed with the number of students")
	}
}

// TestSessions checks every session is what a reader app could send.
func TestSessions(t *testing.T) {
	logs := sim.Generate(sim.Config{Seed: 1, Students: 6, PDFs: 8})
	for _, l := range logs {
		st := l.Student
		exercises := map[uuid.UUID]sim.Exercise{}
		for _, e := range st.Exercises {
			exercises[e.ID] = e
		}
		var prevEnd time.Time
		for _, s := range l.Sessions {
			if s.StartAt.Before(prevEnd) {
				t.Fatalf("session %s starts at %s before the previous one ended (%s)", s.ID, s.StartAt, prevEnd)
			}
			if len(s.Events) == 0 || s.Events[len(s.Events)-1].Type != sim.EventStop {
				t.Fatalf("session %s does not end with a stop", s.ID)
			}
			pdf, ok := st.PDF(s.PDF)
			if !ok {
				t.Fatalf("session %s on an unknown PDF", s.ID)
			}
			if s.Exercise != uuid.Nil {
				if ex, ok := exercises[s.Exercise]; !ok || int(s.StartPage) != ex.PageStart {
					t.Fatalf("exercise session %s: unknown exercise or not on its first page", s.ID)
				}
			} else if s.StartPage < 1 || int(s.StartPage) > pdf.PageCount() {
				t.Fatalf("session %s starts on page %d of %d", s.ID, s.StartPage, pdf.PageCount())
			}
			last, paused := s.StartAt, false
			for i, e := range s.Events {
				if e.At.Before(last) {
					t.Fatalf("session %s: event %d goes back in time", s.ID, i)
				}
				if !e.At.Equal(e.At.Round(time.Millisecond)) || !s.StartAt.Equal(s.StartAt.Round(time.Millisecond)) {
					t.Fatalf("session %s: times finer than a millisecond (%s)", s.ID, e.At)
				}
				gap := e.At.Sub(last)
				// While the app is in front and not paused, heartbeats come every 30–60 s.
				if !paused && gap > 60*time.Second+time.Millisecond && gap < 330*time.Second {
					t.Fatalf("session %s: a %s gap without events that is neither reading nor away", s.ID, gap)
				}
				switch e.Type {
				case sim.EventPage:
					if s.Exercise != uuid.Nil || e.Page < 1 || int(e.Page) > pdf.PageCount() {
						t.Fatalf("session %s: page event %d of %d", s.ID, e.Page, pdf.PageCount())
					}
					paused = false
				case sim.EventPause:
					paused = true
				case sim.EventResume:
					paused = false
				case sim.EventHeartbeat, sim.EventStop:
				default:
					t.Fatalf("unknown event type %q", e.Type)
				}
				if e.Type == sim.EventStop && i != len(s.Events)-1 {
					t.Fatalf("session %s: events after the stop", s.ID)
				}
				last = e.At
			}
			prevEnd = last
		}
	}
}

// TestLibrary checks the generated library covers what the estimator must
// handle: every style, scans without text, figure pages, exercises.
func TestLibrary(t *testing.T) {
	logs := sim.Generate(sim.Config{Seed: 1, Students: 20, PDFs: 8})
	styles := map[sim.Style]int{}
	var textPages, noText, exercises int
	difficulties := map[int]bool{}
	for _, l := range logs {
		if n := len(l.Student.Topics); n < 2 || n > 3 {
			t.Fatalf("%d topics", n)
		}
		for _, p := range l.Student.PDFs {
			styles[p.Style]++
			if (p.Style == sim.StyleProblems) != (p.Kind == estimate.KindExercise) {
				t.Fatalf("style %s with kind %s", p.Style, p.Kind)
			}
			for _, w := range p.Words {
				switch {
				case p.Style == sim.StyleScan:
					if w >= 0 {
						t.Fatal("a scan page with words")
					}
				case w < 0:
					noText++ // figure-only and blank pages
				default:
					textPages++
				}
			}
			if got := len(p.Pages()); got != p.PageCount() || p.Pages()[got-1].Page != int32(got) {
				t.Fatal("Pages does not list every page")
			}
		}
		for _, e := range l.Student.Exercises {
			exercises++
			difficulties[e.Difficulty] = true
			p, ok := l.Student.PDF(e.PDF)
			if !ok || p.Kind != estimate.KindStudy || e.PageStart < 1 || e.PageEnd < e.PageStart || e.PageEnd > p.PageCount() {
				t.Fatalf("exercise %+v on a bad range", e)
			}
		}
	}
	for _, s := range []sim.Style{sim.StyleTextbook, sim.StyleNotes, sim.StylePaper, sim.StyleScan, sim.StyleProblems} {
		if styles[s] == 0 {
			t.Errorf("no %s in 160 PDFs", s)
		}
	}
	if noText == 0 || textPages < 10*noText {
		t.Errorf("%d text pages, %d without text", textPages, noText)
	}
	if exercises < 40 || len(difficulties) != 5 {
		t.Errorf("%d exercises, difficulties %v", exercises, difficulties)
	}
}

// TestBehaviour counts, from the events alone, the behaviours the
// generator promises: skims, pauses, gaps past the idle threshold, long
// pages, re-reads of earlier pages.
func TestBehaviour(t *testing.T) {
	logs := sim.Generate(sim.Config{Seed: 2, Students: 10, PDFs: 8})
	var skims, pauses, away, long, rereads, dwells int
	for _, l := range logs {
		for _, s := range l.Sessions {
			if s.Exercise != uuid.Nil {
				continue
			}
			page, since := s.StartPage, s.StartAt
			for _, e := range s.Events {
				switch e.Type {
				case sim.EventPause:
					pauses++
				case sim.EventPage, sim.EventStop:
					d := e.At.Sub(since)
					dwells++
					switch {
					case d < 5*time.Second:
						skims++
					case d > 12*time.Minute:
						long++
					}
					if e.Type == sim.EventPage {
						if e.Page < page-1 {
							rereads++
						}
						page, since = e.Page, e.At
					}
				case sim.EventResume:
					since = e.At
				}
			}
			for i := 1; i < len(s.Events); i++ {
				if s.Events[i].At.Sub(s.Events[i-1].At) > 330*time.Second && s.Events[i-1].Type != sim.EventPause {
					away++
				}
			}
		}
	}
	t.Logf("%d dwells: %d skims, %d pauses, %d gaps past the idle threshold, %d dwells over 12 minutes, %d re-reads", dwells, skims, pauses, away, long, rereads)
	for name, n := range map[string]int{"skims": skims, "pauses": pauses, "gaps past the idle threshold": away, "dwells over 12 minutes": long, "re-reads": rereads} {
		if n < 20 {
			t.Errorf("only %d %s in %d dwells", n, name, dwells)
		}
	}
}

// TestWithout: switching effects off changes the behaviour it names and
// leaves the library alone.
func TestWithout(t *testing.T) {
	cfg := sim.Config{Seed: 2, Students: 4, PDFs: 6}
	full := sim.Generate(cfg)
	cfg.Without = []sim.Effect{sim.EffectPauses, sim.EffectRereads}
	calm := sim.Generate(cfg)
	count := func(logs []sim.Log) (pauses, back int) {
		for _, l := range logs {
			for _, s := range l.Sessions {
				page := s.StartPage
				for _, e := range s.Events {
					switch {
					case e.Type == sim.EventPause && s.Exercise == uuid.Nil:
						pauses++
					case e.Type == sim.EventPage && e.Page < page:
						back++
					}
					if e.Type == sim.EventPage {
						page = e.Page
					}
				}
			}
		}
		return pauses, back
	}
	fp, fb := count(full)
	cp, cb := count(calm)
	// (Going back without re-reads: a chapter read after the next one.)
	if fp == 0 || fb == 0 || cp != 0 || cb*10 > fb {
		t.Fatalf("pauses %d and going back %d in the full world, %d and %d without them", fp, fb, cp, cb)
	}
	for i := range full {
		if !reflect.DeepEqual(full[i].Student, calm[i].Student) {
			t.Fatalf("student %d: the library changed with the behaviour", i)
		}
	}
}

// TestForecast: the futures of a PDF are deterministic for a seed, differ
// between runs, read on from the pages read on that PDF alone, and there
// is nothing left to forecast once every page is read.
func TestForecast(t *testing.T) {
	l := sim.Generate(sim.Config{Seed: 3, Students: 1, PDFs: 4})[0]
	pdf := l.Student.PDFs[0]
	var first time.Time
	for _, s := range l.Sessions {
		if s.PDF == pdf.ID && s.Exercise == uuid.Nil {
			first = s.StartAt
			break
		}
	}
	half := make([]int32, 0, pdf.PageCount()/2)
	for p := int32(1); int(p) <= pdf.PageCount()/2; p++ {
		half = append(half, p)
	}
	at := first.Add(10 * 24 * time.Hour)
	a := l.Forecast(pdf.ID, half, at, 0.6, 5, 7)
	b := l.Forecast(pdf.ID, half, at, 0.6, 5, 7)
	if len(a) != 5 || !reflect.DeepEqual(a, b) {
		t.Fatalf("%d runs, or not deterministic", len(a))
	}
	if reflect.DeepEqual(a[0], a[1]) {
		t.Fatal("two runs gave the same future")
	}
	for _, run := range a {
		if len(run) == 0 {
			t.Fatal("a run without sessions")
		}
		maxPage := int32(0)
		for _, s := range run {
			if s.PDF != pdf.ID || s.Exercise != uuid.Nil || s.StartAt.Before(at) {
				t.Fatalf("a session on another PDF, an exercise, or before the moment: %+v", s)
			}
			for _, e := range s.Events {
				maxPage = max(maxPage, e.Page)
			}
		}
		if int(maxPage) <= pdf.PageCount()/2 {
			t.Fatalf("the future never reads past page %d of %d", maxPage, pdf.PageCount())
		}
	}
	all := make([]int32, pdf.PageCount())
	for i := range all {
		all[i] = int32(i + 1)
	}
	if f := l.Forecast(pdf.ID, all, at, 0.6, 3, 1); len(f) != 3 || len(f[0]) != 0 {
		t.Fatalf("a PDF read to its last page still has a future: %v", f)
	}
}
