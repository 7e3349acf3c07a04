package database_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/studysprint/studysprint/internal/account"
	"github.com/studysprint/studysprint/internal/analytics"
	"github.com/studysprint/studysprint/internal/estimate"
	"github.com/studysprint/studysprint/internal/estimate/store"
	"github.com/studysprint/studysprint/internal/koreader/importer"
	"github.com/studysprint/studysprint/internal/library"
	"github.com/studysprint/studysprint/internal/study"
	"github.com/studysprint/studysprint/internal/testdb"
	"github.com/studysprint/studysprint/internal/textindex"
)

// TestPreferenceRangesMatchConstraints keeps the API's ranges and the
// table's CHECK constraints in step: each bound is accepted by the database,
// one past it is refused by the constraint the API maps to that field.
func TestPreferenceRangesMatchConstraints(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.Pool(t)
	var userID string
	if err := pool.QueryRow(ctx, `INSERT INTO users (email, username, password_hash) VALUES ('r@example.com', 'ranges', 'x') RETURNING id`).Scan(&userID); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO user_preferences (user_id, page_min_seconds, page_max_seconds) VALUES ($1, 0, 7200)`, userID); err != nil {
		t.Fatal(err)
	}
	try := func(field string, v int32) error {
		tx, err := pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx) //nolint:errcheck
		// Keep the cross-field page bounds out of the way.
		_, err = tx.Exec(ctx, fmt.Sprintf(`UPDATE user_preferences SET %s = $2 WHERE user_id = $1`, pgx.Identifier{field}.Sanitize()), userID, v)
		return err
	}
	for field, r := range account.PreferenceRanges {
		for _, ok := range []int32{r.Min, r.Max} {
			if err := try(field, ok); err != nil {
				t.Errorf("%s = %d refused by the database: %v", field, ok, err)
			}
		}
		for _, bad := range []int32{r.Min - 1, r.Max + 1} {
			err := try(field, bad)
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.ConstraintName != "user_preferences_"+field+"_check" {
				t.Errorf("%s = %d: want a violation of user_preferences_%s_check, got %v", field, bad, field, err)
			}
		}
	}
}

// TestUserOwnedTablesAreVetted: every table with a user_id column is listed
// in the sqlc vet rule that makes its queries filter by the owner.
func TestUserOwnedTablesAreVetted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.Pool(t)
	cfg, err := os.ReadFile("../../sqlc.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`\\\\b\(([a-z_|]+)\)\\\\b`).FindSubmatch(cfg)
	if m == nil {
		t.Fatal("user-owned-tables rule not found in sqlc.yaml")
	}
	listed := map[string]bool{}
	for _, name := range strings.Split(string(m[1]), "|") {
		listed[name] = true
	}
	rows, err := pool.Query(ctx, `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'user_id' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) == 0 {
		t.Fatal("no user-owned tables found")
	}
	for _, table := range tables {
		if !listed[table] {
			t.Errorf("table %s has user_id but is missing from the user-owned-tables-mention-user-id rule in sqlc.yaml", table)
		}
	}
}

// checkValues returns the values a CHECK constraint of the form
// col IN ('a', 'b') (stored as col = ANY (ARRAY['a'::text, ...])) allows.
func checkValues(t *testing.T, pool interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, constraint string) []string {
	t.Helper()
	var def string
	if err := pool.QueryRow(context.Background(), `SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = $1`, constraint).Scan(&def); err != nil {
		t.Fatalf("%s: %v", constraint, err)
	}
	var out []string
	for _, m := range regexp.MustCompile(`'([^']*)'::text`).FindAllStringSubmatch(def, -1) {
		out = append(out, m[1])
	}
	if len(out) == 0 {
		t.Fatalf("%s is not a list of values: %s", constraint, def)
	}
	sort.Strings(out)
	return out
}

func sortedStrings[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	sort.Strings(out)
	return out
}

// TestEnumsMatchConstraints (issue 10): each enum is defined once in its
// domain package, and the database's CHECK allows exactly those values.
func TestEnumsMatchConstraints(t *testing.T) {
	t.Parallel()
	pool := testdb.Pool(t)
	for constraint, goValues := range map[string][]string{
		"security_events_kind_check":        sortedStrings(account.EventKinds),
		"user_sessions_revoke_reason_check": sortedStrings(account.RevokeReasons),
		"user_preferences_theme_check":      sortedStrings(account.Themes),
		"user_preferences_week_start_check": sortedStrings(account.WeekStarts),
		"pdfs_kind_check":                   sortedStrings(library.PDFKinds),
		"exercises_status_check":            sortedStrings(library.ExerciseStatuses),
		"pdfs_text_status_check":            sortedStrings(textindex.TextStatuses),
		"study_events_type_check":           sortedStrings(study.EventTypes),
		"study_sessions_status_check":       sortedStrings(study.Statuses),
		"study_sessions_ended_reason_check": sortedStrings(study.EndReasons),
		"study_sessions_source_check":       sortedStrings(study.Sources),
		"goals_kind_check":                  sortedStrings(analytics.GoalKinds),
		"estimate_records_subject_check":    sortedStrings(store.Subjects),
		"estimate_records_basis_check":      sortedStrings(estimate.Bases),
		"estimate_records_confidence_check": sortedStrings(estimate.Confidences),
		"imports_source_check":              sortedStrings(importer.Sources),
		"imports_status_check":              sortedStrings(importer.Statuses),
	} {
		if db := checkValues(t, pool, constraint); !slices.Equal(db, goValues) {
			t.Errorf("%s allows %v; the Go list is %v", constraint, db, goValues)
		}
	}
}
