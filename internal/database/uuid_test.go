package database_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/internal/testdb"
)

// TestUUIDScan: ids read into uuid.UUID, *uuid.UUID (NULL and not) and
// []uuid.UUID come back as sent, in the binary and the text format.
func TestUUIDScan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.Sized(t, 1)
	a, b := uuid.New(), uuid.New()
	for _, sql := range []string{
		`SELECT $1::uuid, $2::uuid, NULL::uuid, ARRAY[$1, $2]::uuid[]`,
		`SELECT $1::text::uuid, $2::uuid, NULL::uuid, ARRAY[$1::uuid, $2::uuid]`,
	} {
		var got uuid.UUID
		var ptr, null *uuid.UUID
		var arr []uuid.UUID
		if err := pool.QueryRow(ctx, sql, a, b).Scan(&got, &ptr, &null, &arr); err != nil {
			t.Fatal(err)
		}
		if got != a || ptr == nil || *ptr != b || null != nil || len(arr) != 2 || arr[0] != a || arr[1] != b {
			t.Fatalf("%s: %v %v %v %v, want %v %v <nil> [%v %v]", sql, got, ptr, null, arr, a, b, a, b)
		}
	}
	// The text format (as a simple-protocol query would read it).
	var s uuid.UUID
	if err := pool.QueryRow(ctx, `SELECT `+"'"+a.String()+"'"+`::uuid`).Scan(&s); err != nil || s != a {
		t.Fatalf("literal: %v %v", s, err)
	}
}
