package database

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/amacneil/dbmate/v2/pkg/dbmate"
	_ "github.com/amacneil/dbmate/v2/pkg/driver/postgres" // registers the postgres driver
	"github.com/jackc/pgx/v5"
	"github.com/lib/pq"

	"github.com/studysprint/studysprint/sql/migrations"
)

// migrationLockKey is the pg_advisory_lock key that serialises migrations
// when several instances start at once ("studysprint" in ASCII, truncated).
const migrationLockKey int64 = 0x7374756479737072

// Migrator applies the embedded dbmate migrations to one database.
type Migrator struct {
	url *url.URL
	// Log receives dbmate's progress lines.
	Log io.Writer
	// WaitTimeout bounds how long to wait for the server to accept connections.
	WaitTimeout time.Duration
}

// NewMigrator returns a migrator for the database at databaseURL.
func NewMigrator(databaseURL string, log io.Writer) (*Migrator, error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", errors.Unwrap(err))
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return nil, fmt.Errorf("database url must start with postgres:// (got %q)", u.Scheme+"://")
	}
	if log == nil {
		log = io.Discard
	}
	return &Migrator{url: u, Log: log, WaitTimeout: 60 * time.Second}, nil
}

func (m *Migrator) dbmate() *dbmate.DB {
	db := dbmate.New(m.url)
	db.FS = migrations.FS
	db.MigrationsDir = []string{"."}
	db.AutoDumpSchema = false
	db.Log = m.Log
	db.WaitBefore = true
	db.WaitInterval = 500 * time.Millisecond
	db.WaitTimeout = m.WaitTimeout
	db.Strict = false
	return db
}

// CreateAndMigrate waits for the server, creates the database when it does not
// exist and applies every pending migration. Concurrent callers (several
// instances starting together) are serialised by an advisory lock.
func (m *Migrator) CreateAndMigrate(ctx context.Context) error {
	db := m.dbmate()
	drv, err := db.Driver() // waits for the server
	if err != nil {
		return err
	}
	exists, err := drv.DatabaseExists()
	if err != nil {
		return fmt.Errorf("check database: %w", err)
	}
	if !exists {
		if err := drv.CreateDatabase(); err != nil {
			// Another instance created it first: 42P04 duplicate_database, or
			// 23505 on pg_database's name index when both raced inside CREATE.
			var pqErr *pq.Error
			if !errors.As(err, &pqErr) || (pqErr.Code != "42P04" && pqErr.Code != "23505") {
				return fmt.Errorf("create database: %w", err)
			}
		}
	}
	return m.withLock(ctx, db.Migrate)
}

// Up applies pending migrations (the database must exist).
func (m *Migrator) Up(ctx context.Context) error {
	return m.withLock(ctx, m.dbmate().Migrate)
}

// Down rolls back the newest applied migration.
func (m *Migrator) Down(ctx context.Context) error {
	return m.withLock(ctx, m.dbmate().Rollback)
}

// DownAll rolls back every applied migration.
func (m *Migrator) DownAll(ctx context.Context) error {
	return m.withLock(ctx, func() error {
		db := m.dbmate()
		for {
			err := db.Rollback()
			if errors.Is(err, dbmate.ErrNoRollback) {
				return nil
			}
			if err != nil {
				return err
			}
		}
	})
}

// Status prints applied and pending migrations to Log and returns the number
// still pending.
func (m *Migrator) Status() (int, error) {
	return m.dbmate().Status(false)
}

// Dump writes the schema (pg_dump plus the applied versions) to file. The
// server and pg_dump version lines are dropped so the committed dump does not
// change with PostgreSQL minor releases.
func (m *Migrator) Dump(file string) error {
	db := m.dbmate()
	db.SchemaFile = file
	if err := db.DumpSchema(); err != nil {
		return err
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var out []string
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if strings.HasPrefix(line, "-- Dumped from database version") || strings.HasPrefix(line, "-- Dumped by pg_dump version") {
			continue
		}
		out = append(out, line)
	}
	return os.WriteFile(file, []byte(strings.Join(out, "")), 0o644)
}

func (m *Migrator) withLock(ctx context.Context, fn func() error) error {
	if err := m.dbmate().Wait(); err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, m.url.String())
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrationLockKey); err != nil {
		return fmt.Errorf("take migration lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLockKey) //nolint:errcheck // closing the connection releases it anyway
	return fn()
}
