package database

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/studysprint/studysprint/dbgen"
)

// PreparedQueries wraps db so that the named sqlc queries run as prepared
// statements (pgx's QueryExecModeCacheStatement: parsed once per
// connection, and after five executions PostgreSQL may keep a generic plan)
// instead of the pool's default of planning every execution with its
// values (Open explains why that default). Name only queries whose best
// plan cannot depend on the data — lookups by a unique key — so a plan
// made while a table was small is still the right one after it grew.
//
// sqlc starts every query's text with "-- name: Name :kind", which is what
// is matched; other statements pass through unchanged.
func PreparedQueries(db dbgen.DBTX, names ...string) dbgen.DBTX {
	prefixes := make([]string, len(names))
	for i, n := range names {
		prefixes[i] = "-- name: " + n + " :"
	}
	return &prepared{DBTX: db, prefixes: prefixes}
}

type prepared struct {
	dbgen.DBTX
	prefixes []string
}

func (p *prepared) args(sql string, args []any) []any {
	for _, pre := range p.prefixes {
		if strings.HasPrefix(sql, pre) {
			return append([]any{pgx.QueryExecModeCacheStatement}, args...)
		}
	}
	return args
}

func (p *prepared) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return p.DBTX.Exec(ctx, sql, p.args(sql, args)...)
}

func (p *prepared) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return p.DBTX.Query(ctx, sql, p.args(sql, args)...)
}

func (p *prepared) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return p.DBTX.QueryRow(ctx, sql, p.args(sql, args)...)
}
