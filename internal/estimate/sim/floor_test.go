package sim

import (
	"flag"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/uuid"
)

var floor = flag.Bool("sim.floor", false, "print the noise floor of the generated textbooks")

// TestFloor measures, from the hidden page contents, how far the true pace
// of the rest of a textbook (per word-equivalent, no page noise, no events)
// is from the true pace of the part read, at each checkpoint: the error
// left to any estimator that knew the past perfectly.
// With speedup false the trend along the book is taken as known too.
func TestFloor(t *testing.T) {
	if !*floor {
		t.Skip("run with -sim.floor")
	}
	for _, v := range []struct {
		cp      float64
		speedup bool
	}{{0.25, true}, {0.5, true}, {0.75, true}, {0.25, false}, {0.5, false}, {0.75, false}} {
		cp := v.cp
		var errs []float64
		for i := range 200 {
			g := &gen{rng: rand.New(rand.NewPCG(9, uint64(i)))}
			r := &reader{spw: 0.3, overhead: 11, figure: 35, topicFactor: map[uuid.UUID]float64{}}
			b := g.book(StyleTextbook, uuid.Nil)
			var past, pastU, fut, futU float64
			var body []int
			for j, p := range b.pages {
				if p.kind == pageBody {
					body = append(body, j)
				}
			}
			cut := int(cp * float64(len(body)))
			for k, j := range body {
				p := b.pages[j]
				truth := r.overhead + r.spw*p.content*p.diff*b.diff + r.figure*p.figure
				if v.speedup {
					truth *= 1 - b.speedup*p.position
				}
				unit := 90 + math.Max(0, float64(p.words)) // what a word model sees
				if k < cut {
					past += truth
					pastU += unit
				} else {
					fut += truth
					futU += unit
				}
			}
			errs = append(errs, math.Abs(math.Log((fut/futU)/(past/pastU))))
		}
		slices.Sort(errs)
		if math.IsNaN(errs[len(errs)/2]) || errs[len(errs)/2] <= 0 {
			t.Fatalf("no floor measured: %v", errs[len(errs)/2])
		}
		t.Logf("speedup %v at %2.0f%%: median |log(pace ahead / pace read)| = %.3f (p75 %.3f)", v.speedup, 100*cp, errs[len(errs)/2], errs[len(errs)*3/4])
	}
}
