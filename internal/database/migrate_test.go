package database_test

import (
	"context"
	"io/fs"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/internal/database"
	"github.com/studysprint/studysprint/internal/testdb"
	"github.com/studysprint/studysprint/sql/migrations"
)

// TestMigrationsRoundTrip applies every migration, rolls all of them back to
// an empty schema, and applies them again: every down really undoes its up.
func TestMigrationsRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testdb.EmptyURL(t)
	m, err := database.NewMigrator(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	pool := testdb.PoolFor(t, url)

	tables := func() []string {
		rows, err := pool.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			out = append(out, n)
		}
		return out
	}

	if err := m.Up(ctx); err != nil {
		t.Fatalf("up: %v", err)
	}
	first := tables()
	if len(first) == 0 {
		t.Fatal("no tables after up")
	}
	v, err := database.SchemaVersion(ctx, pool)
	if err != nil || v != database.LatestMigration() {
		t.Fatalf("schema version = %q, %v; want %q", v, err, database.LatestMigration())
	}

	if err := m.DownAll(ctx); err != nil {
		t.Fatalf("down: %v", err)
	}
	if left := tables(); len(left) != 0 {
		t.Fatalf("tables left after rolling everything back: %v", left)
	}
	var types int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
		WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'c') AND t.typrelid = 0`).Scan(&types); err != nil {
		t.Fatal(err)
	}
	if types != 0 {
		t.Fatalf("%d enum/domain/composite types left after rolling everything back", types)
	}

	if err := m.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if again := tables(); len(again) != len(first) {
		t.Fatalf("tables after second up = %v, want %v", again, first)
	}
	// Up is idempotent.
	if err := m.Up(ctx); err != nil {
		t.Fatalf("up on a migrated database: %v", err)
	}
}

func TestLatestMigration(t *testing.T) {
	if v := database.LatestMigration(); len(v) != 14 {
		t.Fatalf("LatestMigration() = %q, want a 14-digit timestamp", v)
	}
}

// TestCreateAndMigrateConcurrently starts "several instances" at once on a
// database that does not exist yet: one creates it, all migrate, none fails.
func TestCreateAndMigrateConcurrently(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	admin := testdb.ServerURL()
	name := "studysprint_create_" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	target := u.String()
	adminPool := testdb.PoolFor(t, admin)
	t.Cleanup(func() {
		if _, err := adminPool.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})

	errs := make(chan error, 4)
	for range 4 {
		go func() {
			m, err := database.NewMigrator(target, nil)
			if err != nil {
				errs <- err
				return
			}
			errs <- m.CreateAndMigrate(ctx)
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatalf("CreateAndMigrate: %v", err)
		}
	}
	pool := testdb.PoolFor(t, target)
	v, err := database.SchemaVersion(ctx, pool)
	if err != nil || v != database.LatestMigration() {
		t.Fatalf("schema version %q, %v", v, err)
	}
	var applied int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM schema_migrations").Scan(&applied); err != nil {
		t.Fatal(err)
	}
	if want := len(mustEntries(t)); applied != want {
		t.Fatalf("%d migrations recorded, want %d", applied, want)
	}
	pool.Close()
}

func mustEntries(t *testing.T) []string {
	entries, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	return entries
}
