// Package migrations holds the dbmate migration files, embedded in the binary.
package migrations

import "embed"

// FS is the directory of dbmate migrations (YYYYMMDDHHMMSS_name.sql).
//
//go:embed *.sql
var FS embed.FS
