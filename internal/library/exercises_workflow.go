package library

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/estimate/store"
)

// ExerciseInput is a new exercise on pages of a study PDF; the questions may
// sit in a PDF of kind exercise (its range defaults to the whole PDF).
type ExerciseInput struct {
	Title                              string
	Description                        *string
	Difficulty                         *int
	PageStart                          int
	PageEnd                            *int
	ExercisePDFID                      *uuid.UUID
	ExercisePageStart, ExercisePageEnd *int
}

// CreateExercise validates and attaches an exercise to pages of a study PDF.
func (s *Service) CreateExercise(ctx context.Context, userID, pdfID uuid.UUID, in ExerciseInput) (dbgen.Exercise, error) {
	pdf, err := s.GetPDF(ctx, nil, userID, pdfID)
	if err != nil {
		return dbgen.Exercise{}, err
	}
	if PDFKind(pdf.Pdf.Kind) != KindStudy {
		return dbgen.Exercise{}, apperr.Field("pdf_id", "exercises attach to study PDFs; this one is an exercise PDF")
	}
	params := dbgen.CreateExerciseParams{UserID: userID, PdfID: pdf.Pdf.ID, Difficulty: 3}
	fe := apperr.Fields{}
	params.Title, err = NormalizeExerciseTitle(in.Title)
	fe.Check("title", err)
	if in.Description != nil {
		params.Description, err = NormalizeExerciseDescription(*in.Description)
		fe.Check("description", err)
	}
	if in.Difficulty != nil {
		fe.Check("difficulty", CheckDifficulty(*in.Difficulty))
		params.Difficulty = int16(*in.Difficulty)
	}
	end := in.PageStart
	if in.PageEnd != nil {
		end = *in.PageEnd
	}
	rangeErrors(fe, "page", PageRange{Start: in.PageStart, End: end}, int(pdf.Pdf.PageCount))
	params.PageStart, params.PageEnd = int32(in.PageStart), int32(end)
	link, err := exerciseLink(ctx, s.q, userID, fe, in.ExercisePDFID, in.ExercisePageStart, in.ExercisePageEnd)
	if err != nil {
		return dbgen.Exercise{}, err
	}
	params.ExercisePdfID, params.ExercisePageStart, params.ExercisePageEnd = link.pdfID, link.start, link.end
	if err := fe.Err(); err != nil {
		return dbgen.Exercise{}, err
	}
	params.Now = s.now()
	return s.q.CreateExercise(ctx, params)
}

// rangeErrors adds the field errors of a page range as <prefix>_start and
// <prefix>_end.
func rangeErrors(fe apperr.Fields, prefix string, r PageRange, pageCount int) {
	for end, msg := range CheckRange(r, pageCount) {
		fe.Add(prefix+"_"+end, msg)
	}
}

type exerciseLinkValue struct {
	pdfID      *uuid.UUID
	start, end *int32
}

// exerciseLink validates the optional exercise PDF and its page range (which
// defaults to the whole PDF); errors go to fe.
func exerciseLink(ctx context.Context, q *dbgen.Queries, userID uuid.UUID, fe apperr.Fields, pdfID *uuid.UUID, start, end *int) (exerciseLinkValue, error) {
	if pdfID == nil {
		if start != nil || end != nil {
			fe.Add("exercise_pdf_id", "is required with an exercise page range")
		}
		return exerciseLinkValue{}, nil
	}
	// Another user's PDF is as unknown as a made-up id.
	row, err := q.GetPDF(ctx, dbgen.GetPDFParams{ID: *pdfID, UserID: userID})
	if err != nil {
		if isNoRows(err) {
			fe.Add("exercise_pdf_id", "no such PDF")
			return exerciseLinkValue{}, nil
		}
		return exerciseLinkValue{}, err
	}
	if PDFKind(row.Pdf.Kind) != KindExercise {
		fe.Add("exercise_pdf_id", "must be a PDF uploaded with kind exercise")
		return exerciseLinkValue{}, nil
	}
	r := PageRange{Start: 1, End: int(row.Pdf.PageCount)}
	if start != nil {
		r.Start = *start
		if end == nil {
			r.End = *start
		}
	}
	if end != nil {
		r.End = *end
	}
	rangeErrors(fe, "exercise_page", r, int(row.Pdf.PageCount))
	s32, e32 := int32(r.Start), int32(r.End)
	return exerciseLinkValue{pdfID: pdfID, start: &s32, end: &e32}, nil
}

// ExerciseChange holds the fields to change. Status moves between todo and
// in_progress only (done goes through CompleteExercise); ExercisePDFSet
// with a nil ExercisePDFID unlinks the exercise PDF.
type ExerciseChange struct {
	Title, Description                 *string
	Difficulty                         *int
	PageStart, PageEnd                 *int
	Status                             *string
	ExercisePDFSet                     bool
	ExercisePDFID                      *uuid.UUID
	ExercisePageStart, ExercisePageEnd *int
}

// UpdateExercise validates and applies a change in one transaction.
func (s *Service) UpdateExercise(ctx context.Context, userID, id uuid.UUID, ch ExerciseChange) (dbgen.Exercise, error) {
	var ex dbgen.Exercise
	err := s.inTx(ctx, func(q *dbgen.Queries) error {
		current, err := s.GetExercise(ctx, q, userID, id)
		if err != nil {
			return err
		}
		pdf, err := q.GetPDF(ctx, dbgen.GetPDFParams{ID: current.PdfID, UserID: userID})
		if err != nil {
			return err
		}
		params := dbgen.UpdateExerciseParams{ID: current.ID, UserID: userID}
		fe := apperr.Fields{}
		if ch.Title != nil {
			v, err := NormalizeExerciseTitle(*ch.Title)
			fe.Check("title", err)
			params.Title = &v
		}
		if ch.Description != nil {
			v, err := NormalizeExerciseDescription(*ch.Description)
			fe.Check("description", err)
			params.Description = &v
		}
		if ch.Difficulty != nil {
			fe.Check("difficulty", CheckDifficulty(*ch.Difficulty))
			d := int16(*ch.Difficulty)
			params.Difficulty = &d
		}
		if ch.Status != nil {
			if ExerciseStatus(current.Status) == StatusDone && ExerciseStatus(*ch.Status) != StatusDone {
				fe.Add("status", "the exercise is done; use /reopen first")
			} else {
				fe.Check("status", CheckPatchStatus(ExerciseStatus(*ch.Status)))
			}
			params.Status = ch.Status
		}
		if ch.PageStart != nil || ch.PageEnd != nil {
			r := PageRange{Start: int(current.PageStart), End: int(current.PageEnd)}
			if ch.PageStart != nil {
				r.Start = *ch.PageStart
			}
			if ch.PageEnd != nil {
				r.End = *ch.PageEnd
			}
			rangeErrors(fe, "page", r, int(pdf.Pdf.PageCount))
			ps, pe := int32(r.Start), int32(r.End)
			params.PageStart, params.PageEnd = &ps, &pe
		}
		pdfID, start, end := ch.ExercisePDFID, ch.ExercisePageStart, ch.ExercisePageEnd
		relink := ch.ExercisePDFSet
		if !relink && (start != nil || end != nil) {
			// A new range for the PDF already linked; the other end is kept.
			if current.ExercisePdfID == nil {
				fe.Add("exercise_pdf_id", "is required with an exercise page range")
			} else {
				relink, pdfID = true, current.ExercisePdfID
				start, end = orStored(start, current.ExercisePageStart), orStored(end, current.ExercisePageEnd)
			}
		}
		if relink {
			link, err := exerciseLink(ctx, q, userID, fe, pdfID, start, end)
			if err != nil {
				return err
			}
			params.SetExercisePdf = true
			params.ExercisePdfID, params.ExercisePageStart, params.ExercisePageEnd = link.pdfID, link.start, link.end
		}
		if err := fe.Err(); err != nil {
			return err
		}
		params.Now = s.now()
		ex, err = q.UpdateExercise(ctx, params)
		return err
	})
	return ex, err
}

func orStored(v *int, stored *int32) *int {
	if v != nil || stored == nil {
		return v
	}
	n := int(*stored)
	return &n
}

// CompleteExercise marks the exercise done now, with an optional score
// (completing again updates the score and the time). The first completion
// finishes the exercise's estimate accuracy record, in the same transaction.
func (s *Service) CompleteExercise(ctx context.Context, userID, id uuid.UUID, score *int) (dbgen.Exercise, error) {
	if score != nil {
		if err := CheckScore(*score); err != nil {
			return dbgen.Exercise{}, apperr.Field("score", err.Error())
		}
	}
	now := s.now()
	var sc *int16
	if score != nil {
		v := int16(*score)
		sc = &v
	}
	var ex dbgen.Exercise
	err := s.inTx(ctx, func(q *dbgen.Queries) error {
		current, err := s.GetExercise(ctx, q, userID, id)
		if err != nil {
			return err
		}
		if ex, err = q.SetExerciseStatus(ctx, dbgen.SetExerciseStatusParams{
			ID: current.ID, UserID: userID, Status: string(StatusDone), Score: sc, CompletedAt: &now, Now: now,
		}); err != nil {
			return err
		}
		return store.RecordExerciseDone(ctx, q, userID, current.ID, now)
	})
	return ex, err
}

// ReopenExercise puts a done exercise back to todo, clearing score and time.
func (s *Service) ReopenExercise(ctx context.Context, userID, id uuid.UUID) (dbgen.Exercise, error) {
	current, err := s.GetExercise(ctx, nil, userID, id)
	if err != nil {
		return current, err
	}
	if err := CheckReopen(ExerciseStatus(current.Status)); err != nil {
		return current, apperr.New(apperr.Conflict, "exercise_not_done", "only a done exercise can be reopened")
	}
	return s.q.SetExerciseStatus(ctx, dbgen.SetExerciseStatusParams{
		ID: current.ID, UserID: userID, Status: string(StatusTodo), Now: s.now(),
	})
}

// PageOf checks a page number of a PDF with pageCount pages.
func PageOf(n int, pageCount int32) error {
	if n < 1 || n > int(pageCount) {
		return fmt.Errorf("must be a page of the PDF, 1 to %d", pageCount)
	}
	return nil
}
