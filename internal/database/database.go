// Package database opens the PostgreSQL pool, creates and migrates the
// database with dbmate (on the migrations embedded in the binary), and runs
// work inside transactions.
package database

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/sql/migrations"
)

// PoolOptions tunes the connection pool.
type PoolOptions struct {
	MaxConns int32
}

// Open creates a connection pool. It does not wait for the server: the pool
// connects lazily and reconnects by itself after the server comes back.
func Open(ctx context.Context, databaseURL string, opts PoolOptions) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err) // pgx masks the password
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	cfg.MaxConnIdleTime = 5 * time.Minute
	cfg.HealthCheckPeriod = 15 * time.Second
	if cfg.ConnConfig.ConnectTimeout == 0 || cfg.ConnConfig.ConnectTimeout > 5*time.Second {
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	if cfg.ConnConfig.RuntimeParams == nil {
		cfg.ConnConfig.RuntimeParams = map[string]string{}
	}
	// Sessions run in UTC so date arithmetic never depends on the server's zone;
	// user time zones are applied explicitly in SQL where they matter.
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	// No JIT compilation: our statements run for milliseconds, and the
	// planner's cost estimate, not the work, decides when PostgreSQL compiles
	// one (jit_above_cost). Measured on the search over 100,000 pages: 31 ms
	// of JIT for a 5 ms query, because a join on per-request values is
	// estimated at thousands of rows (BENCHMARKS.md, search).
	if _, ok := cfg.ConnConfig.RuntimeParams["jit"]; !ok {
		cfg.ConnConfig.RuntimeParams["jit"] = "off"
	}
	if _, ok := cfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		cfg.ConnConfig.RuntimeParams["application_name"] = "studysprint"
	}
	// Every statement is planned with its values (pgx describes it once and
	// caches the description, but the server keeps no prepared plan): a
	// generic plan made while a table was small, say study_events on a fresh
	// database, would otherwise stay in use after it grew, until the next
	// ANALYZE — measured: 14 ms instead of 0.3 ms to find a batch's ids.
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeCacheDescribe
	// google/uuid values are sent and read as binary uuids, not through
	// their text form (driver.Valuer, sql.Scanner), which cost a string per
	// id (registerUUID).
	cfg.AfterConnect = func(_ context.Context, conn *pgx.Conn) error {
		registerUUID(conn.TypeMap())
		return nil
	}
	return pgxpool.NewWithConfig(ctx, cfg)
}

// InTx runs fn inside one transaction: committed when fn returns nil, rolled
// back otherwise (and on panic).
func InTx(ctx context.Context, pool *pgxpool.Pool, fn func(q *dbgen.Queries) error) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return fn(dbgen.New(tx)) })
}

// LatestMigration is the version (timestamp prefix) of the newest embedded
// migration: the schema version a fully migrated database reports.
func LatestMigration() string {
	versions := migrationVersions()
	if len(versions) == 0 {
		return ""
	}
	return versions[len(versions)-1]
}

func migrationVersions() []string {
	entries, err := fs.ReadDir(migrations.FS, ".")
	if err != nil {
		panic(err) // embedded at build time; cannot fail
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		if v, _, ok := strings.Cut(name, "_"); ok {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

// ErrNotMigrated means the database answers but has no schema_migrations table.
var ErrNotMigrated = errors.New("database is not migrated")

// SchemaVersion returns the newest applied migration version.
func SchemaVersion(ctx context.Context, db interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (string, error) {
	var v string
	err := db.QueryRow(ctx, `SELECT coalesce(max(version), '') FROM schema_migrations`).Scan(&v)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P01" { // undefined_table
		return "", ErrNotMigrated
	}
	return v, err
}

// AsPgError returns the PostgreSQL error inside err, or nil.
func AsPgError(err error) *pgconn.PgError {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr
	}
	return nil
}

// PgErrorCode returns the SQLSTATE code and constraint name of a PostgreSQL
// error, or empty strings.
func PgErrorCode(err error) (code, constraint string) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code, pgErr.ConstraintName
	}
	return "", ""
}

// CheckTextSearchConfigs fails unless every name is a text search
// configuration of the database (pg_ts_config).
func CheckTextSearchConfigs(ctx context.Context, pool *pgxpool.Pool, names []string) error {
	var found []string
	rows, err := pool.Query(ctx, `SELECT cfgname::text FROM pg_ts_config WHERE cfgname::text = ANY($1)`, names)
	if err != nil {
		return err
	}
	found, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, n := range names {
		if !slices.Contains(found, n) {
			return fmt.Errorf("%q is not a text search configuration of this database", n)
		}
	}
	return nil
}
