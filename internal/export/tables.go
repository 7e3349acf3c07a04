package export

import (
	"context"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/dbgen"
)

// Excluded lists the user-owned tables an export leaves out, and why. A
// test checks that every table with a user_id column is either read by a
// Table or listed here.
var Excluded = map[string]string{
	"user_refresh_tokens":   "secrets: token hashes",
	"pdf_pages":             "derived from the PDF files (text and word counts), which the user has",
	"pdf_lexemes":           "a search index derived from the PDF files",
	"text_jobs":             "internal work queue of text extraction",
	"text_job_turns":        "internal scheduling state of text extraction",
	"study_session_pages":   "derived: each session's per-page sums of its events (page_stats holds their totals)",
	"study_session_buckets": "derived: each session's 15-minute sums of its events",
	"pdf_reading":           "derived: the per-PDF sums of page_stats, which the export holds",
	"user_study_buckets":    "derived: the per-user sums of study_session_buckets",
	"user_study_days":       "derived: user_study_buckets by local day",
	"library_changes":       "internal: empty between transactions (notes for users.library_version)",
}

// Tables lists the parts of an export, in the order they are written.
func Tables() []Table {
	single := func(name, source string, read func(context.Context, *dbgen.Queries, uuid.UUID) ([]byte, error)) Table {
		return Table{Name: name, Single: true, Sources: []string{source}, read: func(ctx context.Context, q *dbgen.Queries, u uuid.UUID, emit emitFunc) error {
			doc, err := read(ctx, q, u)
			if err != nil {
				return err
			}
			return emit(doc)
		}}
	}
	return []Table{
		single("account", "users", func(ctx context.Context, q *dbgen.Queries, u uuid.UUID) ([]byte, error) {
			return q.ExportAccount(ctx, u)
		}),
		single("preferences", "user_preferences", func(ctx context.Context, q *dbgen.Queries, u uuid.UUID) ([]byte, error) {
			return q.ExportPreferences(ctx, u)
		}),
		{Name: "topics", Sources: []string{"topics"}, read: func(ctx context.Context, q *dbgen.Queries, u uuid.UUID, emit emitFunc) error {
			return keyset(uuid.Nil, func(after uuid.UUID) ([]dbgen.ExportTopicsRow, error) {
				return q.ExportTopics(ctx, dbgen.ExportTopicsParams{UserID: u, AfterID: after, RowLimit: batch})
			}, func(r dbgen.ExportTopicsRow) uuid.UUID { return r.ID }, func(r dbgen.ExportTopicsRow) error { return emit(r.Doc) })
		}},
		{Name: "pdfs", Sources: []string{"pdfs"}, read: func(ctx context.Context, q *dbgen.Queries, u uuid.UUID, emit emitFunc) error {
			return keyset(newest, func(after timeKey) ([]dbgen.ExportPDFsRow, error) {
				return q.ExportPDFs(ctx, dbgen.ExportPDFsParams{UserID: u, AfterAt: after.at, AfterID: after.id, RowLimit: batch})
			}, func(r dbgen.ExportPDFsRow) timeKey { return timeKey{r.CreatedAt, r.ID} }, func(r dbgen.ExportPDFsRow) error { return emit(r.Doc) })
		}},
		{Name: "bookmarks", Sources: []string{"bookmarks"}, read: func(ctx context.Context, q *dbgen.Queries, u uuid.UUID, emit emitFunc) error {
			return keyset(uuid.Nil, func(after uuid.UUID) ([]dbgen.ExportBookmarksRow, error) {
				return q.ExportBookmarks(ctx, dbgen.ExportBookmarksParams{UserID: u, AfterID: after, RowLimit: batch})
			}, func(r dbgen.ExportBookmarksRow) uuid.UUID { return r.ID }, func(r dbgen.ExportBookmarksRow) error { return emit(r.Doc) })
		}},
		{Name: "exercises", Sources: []string{"exercises"}, read: func(ctx context.Context, q *dbgen.Queries, u uuid.UUID, emit emitFunc) error {
			return keyset(newest, func(after timeKey) ([]dbgen.ExportExercisesRow, error) {
				return q.ExportExercises(ctx, dbgen.ExportExercisesParams{UserID: u, AfterAt: after.at, AfterID: after.id, RowLimit: batch})
			}, func(r dbgen.ExportExercisesRow) timeKey { return timeKey{r.CreatedAt, r.ID} }, func(r dbgen.ExportExercisesRow) error { return emit(r.Doc) })
		}},
		{Name: "study_sessions", Sources: []string{"study_sessions"}, read: func(ctx context.Context, q *dbgen.Queries, u uuid.UUID, emit emitFunc) error {
			return eachSession(ctx, q, u, func(r dbgen.ExportStudySessionsRow) error { return emit(r.Doc) })
		}},
		{Name: "study_events", Sources: []string{"study_events"}, read: func(ctx context.Context, q *dbgen.Queries, u uuid.UUID, emit emitFunc) error {
			// Session by session, so each page of events is a range of the
			// primary key (session_id, id).
			return eachSession(ctx, q, u, func(s dbgen.ExportStudySessionsRow) error {
				return keyset(uuid.Nil, func(after uuid.UUID) ([]dbgen.ExportStudyEventsRow, error) {
					return q.ExportStudyEvents(ctx, dbgen.ExportStudyEventsParams{SessionID: s.ID, UserID: u, AfterID: after, RowLimit: batch})
				}, func(r dbgen.ExportStudyEventsRow) uuid.UUID { return r.ID }, func(r dbgen.ExportStudyEventsRow) error { return emit(r.Doc) })
			})
		}},
		{Name: "page_stats", Sources: []string{"page_stats"}, read: func(ctx context.Context, q *dbgen.Queries, u uuid.UUID, emit emitFunc) error {
			type key struct {
				pdf  uuid.UUID
				page int32
			}
			return keyset(key{uuid.Nil, 0}, func(after key) ([]dbgen.ExportPageStatsRow, error) {
				return q.ExportPageStats(ctx, dbgen.ExportPageStatsParams{UserID: u, AfterPdfID: after.pdf, AfterPage: after.page, RowLimit: batch})
			}, func(r dbgen.ExportPageStatsRow) key { return key{r.PdfID, r.Page} }, func(r dbgen.ExportPageStatsRow) error { return emit(r.Doc) })
		}},
		{Name: "goals", Sources: []string{"goals"}, read: func(ctx context.Context, q *dbgen.Queries, u uuid.UUID, emit emitFunc) error {
			return keyset(uuid.Nil, func(after uuid.UUID) ([]dbgen.ExportGoalsRow, error) {
				return q.ExportGoals(ctx, dbgen.ExportGoalsParams{UserID: u, AfterID: after, RowLimit: batch})
			}, func(r dbgen.ExportGoalsRow) uuid.UUID { return r.ID }, func(r dbgen.ExportGoalsRow) error { return emit(r.Doc) })
		}},
		{Name: "estimate_records", Sources: []string{"estimate_records"}, read: func(ctx context.Context, q *dbgen.Queries, u uuid.UUID, emit emitFunc) error {
			return keyset(uuid.Nil, func(after uuid.UUID) ([]dbgen.ExportEstimateRecordsRow, error) {
				return q.ExportEstimateRecords(ctx, dbgen.ExportEstimateRecordsParams{UserID: u, AfterID: after, RowLimit: batch})
			}, func(r dbgen.ExportEstimateRecordsRow) uuid.UUID { return r.ID }, func(r dbgen.ExportEstimateRecordsRow) error { return emit(r.Doc) })
		}},
		{Name: "imports", Sources: []string{"imports"}, read: func(ctx context.Context, q *dbgen.Queries, u uuid.UUID, emit emitFunc) error {
			return keyset(newest, func(after timeKey) ([]dbgen.ExportImportsRow, error) {
				return q.ExportImports(ctx, dbgen.ExportImportsParams{UserID: u, AfterAt: after.at, AfterID: after.id, RowLimit: batch})
			}, func(r dbgen.ExportImportsRow) timeKey { return timeKey{r.StartedAt, r.ID} }, func(r dbgen.ExportImportsRow) error { return emit(r.Doc) })
		}},
		{Name: "devices", Sources: []string{"user_sessions"}, read: func(ctx context.Context, q *dbgen.Queries, u uuid.UUID, emit emitFunc) error {
			return keyset(oldest, func(after timeKey) ([]dbgen.ExportLoginSessionsRow, error) {
				return q.ExportLoginSessions(ctx, dbgen.ExportLoginSessionsParams{UserID: u, AfterAt: after.at, AfterID: after.id, RowLimit: batch})
			}, func(r dbgen.ExportLoginSessionsRow) timeKey { return timeKey{r.CreatedAt, r.ID} }, func(r dbgen.ExportLoginSessionsRow) error { return emit(r.Doc) })
		}},
		{Name: "security_events", Sources: []string{"security_events"}, read: func(ctx context.Context, q *dbgen.Queries, u uuid.UUID, emit emitFunc) error {
			return keyset(newest, func(after timeKey) ([]dbgen.ExportSecurityEventsRow, error) {
				return q.ExportSecurityEvents(ctx, dbgen.ExportSecurityEventsParams{UserID: u, AfterAt: after.at, AfterID: after.id, RowLimit: batch})
			}, func(r dbgen.ExportSecurityEventsRow) timeKey { return timeKey{r.CreatedAt, r.ID} }, func(r dbgen.ExportSecurityEventsRow) error { return emit(r.Doc) })
		}},
	}
}

// eachSession calls fn for every study session of the user, newest first.
func eachSession(ctx context.Context, q *dbgen.Queries, u uuid.UUID, fn func(dbgen.ExportStudySessionsRow) error) error {
	return keyset(newest, func(after timeKey) ([]dbgen.ExportStudySessionsRow, error) {
		return q.ExportStudySessions(ctx, dbgen.ExportStudySessionsParams{UserID: u, AfterAt: after.at, AfterID: after.id, RowLimit: batch})
	}, func(r dbgen.ExportStudySessionsRow) timeKey { return timeKey{r.StartedAt, r.ID} }, fn)
}
