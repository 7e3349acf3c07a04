// Package koreader imports reading history from KOReader, the e-reader
// app: its statistics plugin records every page visit in
// statistics.sqlite3 (tables book and page_stat_data).
//
// The package holds everything below the import workflow:
//
//   - PartialMD5, KOReader's document id (util.partialMD5), so that books
//     match the user's PDFs by content;
//   - Reader, which reads an uploaded statistics file in a child process
//     of our own binary under memory, CPU and wall-clock limits, streams
//     books and visits back as JSON lines and refuses hostile or broken
//     files with a Reason (not_sqlite, not_koreader, corrupt, too_large,
//     too_heavy); the parent checks every row again (CheckVisit) and
//     counts the skipped ones by SkipReason;
//   - the pure import rules: NormalizeTitle and Match (books to PDFs),
//     Sessions (visits to reading sessions), MapPage (reflowed page
//     numbers to the PDF's), EventID and Events (the timer events a reader
//     app would have sent, with deterministic ids).
//
// # SQLite driver
//
// The child reads the file with github.com/ncruces/go-sqlite3 (SQLite
// compiled to Wasm and translated to Go by wasm2go; no cgo), opened
// read-only and immutable. It was measured against modernc.org/sqlite
// v1.62.0 (C translated to Go): one small program per driver reading every
// visit through database/sql and writing it as JSON, GOMAXPROCS=1, timed
// by /usr/bin/time, 3 runs each. On 100,000 visits: ncruces 0.19–0.22 s
// and 13.7–13.9 MB peak RSS, modernc 0.21–0.26 s and 16.6–17.1 MB; on
// 2,000,000 visits: ncruces 3.1 s and 14 MB, modernc 3.7–4.2 s and 17 MB.
// Speed and memory are close; the choice rests on isolation. SQLite's C
// code runs in a bounds-checked Wasm memory of its own, capped per
// connection (sqlite3.WithMaxMemory; running out is a clean too_heavy), so
// a memory-safety bug that a crafted file triggers cannot write outside
// it, whereas modernc's translated C works on raw process memory. The
// child uses the driver's own API rather than database/sql (half the time
// again: 100,000 visits in about 0.09 s), and because the driver reports
// an exhausted memory cap by panicking, which database/sql does not
// survive with its locks held.
package koreader
