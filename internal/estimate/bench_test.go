package estimate_test

import (
	"math"
	"testing"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/internal/estimate"
)

// benchInput is a 1,000-page PDF half read, with 2,000 observations of
// history in ten other PDFs (half of them in the same topic).
func benchInput(read int32) estimate.PDFInput {
	r := newReader(20, 10, 0.3)
	var user []estimate.Obs
	var lib []estimate.PDFPages
	for range 10 {
		id := uuid.New()
		user = append(user, r.read(id, 1, 200, varied)...)
		lib = append(lib, estimate.PDFPages{PDF: id, Pages: 220})
	}
	user = newest(user)
	self := uuid.New()
	return estimate.PDFInput{
		Kind:      estimate.KindStudy,
		Read:      r.read(self, 1, read, varied),
		Remaining: remaining(read+1, 1000, varied),
		Topic:     user[:1000],
		User:      user,
		Library:   lib,
	}
}

func BenchmarkForPDF(b *testing.B) {
	for _, bc := range []struct {
		name string
		read int32
	}{{"half_read", 500}, {"not_started", 0}} {
		in := benchInput(bc.read)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				estimate.ForPDF(in)
			}
		})
	}
}

func BenchmarkForExercise(b *testing.B) {
	var hist []estimate.ExerciseObs
	for i := range 500 {
		hist = append(hist, estimate.ExerciseObs{Pages: 1 + i%4, Difficulty: 1 + i%5, Seconds: float64(300 + i), At: day0})
	}
	in := estimate.ExerciseInput{Pages: 3, Difficulty: 4, History: hist}
	b.ReportAllocs()
	for b.Loop() {
		estimate.ForExercise(in)
	}
}

func BenchmarkSum(b *testing.B) {
	parts := make([]estimate.Estimate, 1000)
	for i := range parts {
		parts[i] = estimate.Estimate{RemainingPages: 100, RemainingSeconds: 10000, LowSeconds: 7000, HighSeconds: 13500, Basis: estimate.BasisPDF}
	}
	b.ReportAllocs()
	for b.Loop() {
		estimate.Sum(parts)
	}
}

// BenchmarkMachineReference is 2,000 calls of math.Log: a yardstick for
// reading the other numbers on a loaded or slow machine (an idle 2020s
// x86 core does it in about 10 µs).
func BenchmarkMachineReference(b *testing.B) {
	s := 0.0
	for b.Loop() {
		for i := 1; i <= 2000; i++ {
			s += math.Log(float64(i))
		}
	}
	if s == 0 {
		b.Fatal("no work")
	}
}
