// Package testdb gives each test its own PostgreSQL database, cloned from a
// template migrated with the embedded migrations (github.com/peterldowns/pgtestdb).
// Tests therefore run in parallel and never see each other's rows.
//
// TEST_DATABASE_URL points at the server (default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable).
package testdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"io/fs"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" database/sql driver for pgtestdb
	"github.com/peterldowns/pgtestdb"

	"github.com/studysprint/studysprint/internal/database"
	"github.com/studysprint/studysprint/sql/migrations"
)

// DefaultURL is the server tests use when TEST_DATABASE_URL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// ServerURL is the admin URL of the test server.
func ServerURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// Config is the pgtestdb configuration derived from TEST_DATABASE_URL.
func Config(t testing.TB) pgtestdb.Config {
	t.Helper()
	u, err := url.Parse(ServerURL())
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	pw, _ := u.User.Password()
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	opts := u.Query()
	if opts.Get("sslmode") == "" {
		opts.Set("sslmode", "disable")
	}
	db := u.Path
	if len(db) > 0 && db[0] == '/' {
		db = db[1:]
	}
	if db == "" {
		db = "postgres"
	}
	return pgtestdb.Config{
		DriverName:                "pgx",
		Host:                      u.Hostname(),
		Port:                      port,
		User:                      u.User.Username(),
		Password:                  pw,
		Database:                  db,
		Options:                   opts.Encode(),
		ForceTerminateConnections: true,
	}
}

// Migrator builds pgtestdb templates with our embedded dbmate migrations.
type Migrator struct{}

var hashOnce = sync.OnceValues(func() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		h.Write([]byte(path))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil)), err
})

// Hash identifies the template: it changes whenever a migration changes.
func (Migrator) Hash() (string, error) { return hashOnce() }

// Migrate applies every migration to the template database.
func (Migrator) Migrate(ctx context.Context, _ *sql.DB, conf pgtestdb.Config) error {
	m, err := database.NewMigrator(conf.URL(), nil)
	if err != nil {
		return err
	}
	return m.Up(ctx)
}

// URL creates a fresh migrated database for the test and returns its URL.
// The database is dropped when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	return pgtestdb.Custom(t, Config(t), Migrator{}).URL()
}

// EmptyURL creates a fresh database with no schema at all.
func EmptyURL(t testing.TB) string {
	t.Helper()
	return pgtestdb.Custom(t, Config(t), pgtestdb.NoopMigrator{}).URL()
}

// Pool opens a pool on a fresh migrated database, closed when the test ends.
func Pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	return PoolFor(t, URL(t))
}

// PoolFor opens a pool on databaseURL, closed when the test ends.
func PoolFor(t testing.TB, databaseURL string) *pgxpool.Pool {
	t.Helper()
	return PoolSized(t, databaseURL, 8)
}

// Sized is Pool with a given number of connections (benchmarks use the
// service's default, 20).
func Sized(t testing.TB, maxConns int32) *pgxpool.Pool {
	t.Helper()
	return PoolSized(t, URL(t), maxConns)
}

// PoolSized opens a pool of maxConns connections on databaseURL.
func PoolSized(t testing.TB, databaseURL string, maxConns int32) *pgxpool.Pool {
	t.Helper()
	pool, err := database.Open(context.Background(), databaseURL, database.PoolOptions{MaxConns: maxConns})
	if err != nil {
		t.Fatalf("open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}
