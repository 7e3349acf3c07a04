package database_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/database"
	"github.com/studysprint/studysprint/internal/testdb"
)

// TestPreparedQueries: the named query becomes a prepared statement on its
// connection, the others stay unprepared (the pool's default), and results
// are unchanged.
func TestPreparedQueries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.Sized(t, 1) // one connection: pg_prepared_statements is its
	q := dbgen.New(database.PreparedQueries(pool, "GetActiveSessionUser"))
	for range 2 {
		_, err := q.GetActiveSessionUser(ctx, dbgen.GetActiveSessionUserParams{SessionID: uuid.New(), UserID: uuid.New(), Now: time.Now()})
		if !errors.Is(err, pgx.ErrNoRows) {
			t.Fatalf("GetActiveSessionUser: %v, want no rows", err)
		}
		if _, err := q.GetUserByLogin(ctx, "nobody"); !errors.Is(err, pgx.ErrNoRows) {
			t.Fatalf("GetUserByLogin: %v, want no rows", err)
		}
	}
	count := func(name string) int {
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE $1`, "-- name: "+name+" %").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count("GetActiveSessionUser"); n != 1 {
		t.Fatalf("GetActiveSessionUser prepared %d times, want once", n)
	}
	if n := count("GetUserByLogin"); n != 0 {
		t.Fatalf("GetUserByLogin prepared %d times, want never (not named)", n)
	}
}
