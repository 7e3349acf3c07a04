package koreader

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Limits bound the reading of one statistics file.
type Limits struct {
	// Timeout is the wall-clock limit of the child (it includes the time
	// the parent takes to consume the output); the child is killed after it.
	Timeout time.Duration
	// MemoryBytes caps the child's memory (RLIMIT_DATA, with the Go memory
	// limit a little below it and SQLite's own memory at a quarter of it);
	// at least MinMemoryBytes.
	MemoryBytes int64
	// MaxRows caps the rows of book and of page_stat_data (each); a file
	// with more is refused as too_large.
	MaxRows int64
}

// MinMemoryBytes is the least MemoryBytes a Reader accepts: RLIMIT_DATA
// counts address space, and the Go runtime and the driver reserve some
// 75 MB of it before reading anything.
const MinMemoryBytes = 128 << 20

// DefaultLimits fit a statistics file of a decade of daily reading many
// times over (KOReader writes some 40 bytes a visit; 2 million visits are
// about 80 MiB of SQLite file and some 100 MiB of decoded visits).
var DefaultLimits = Limits{Timeout: 60 * time.Second, MemoryBytes: 512 << 20, MaxRows: 2_000_000}

// Reason says why a statistics file was refused.
type Reason string

// Why a file is refused.
const (
	ReasonNotSQLite   Reason = "not_sqlite"
	ReasonNotKOReader Reason = "not_koreader"
	ReasonCorrupt     Reason = "corrupt"
	ReasonTooLarge    Reason = "too_large"
	ReasonTooHeavy    Reason = "too_heavy"
)

// Reasons lists every Reason once.
var Reasons = []Reason{ReasonNotSQLite, ReasonNotKOReader, ReasonCorrupt, ReasonTooLarge, ReasonTooHeavy}

var reasonText = map[Reason]string{
	ReasonNotSQLite:   "the file is not an SQLite database",
	ReasonNotKOReader: "the database is not KOReader's reading statistics (statistics.sqlite3)",
	ReasonCorrupt:     "the database is damaged and could not be read",
	ReasonTooLarge:    "the database holds more rows than an import accepts",
	ReasonTooHeavy:    "the database exceeds the time or memory allowed for reading it",
}

// Error is a refused statistics file.
type Error struct {
	Reason Reason
	// Detail says what was found wrong (for logs, not for users).
	Detail string
}

func (e *Error) Error() string {
	msg := reasonText[e.Reason]
	if msg == "" {
		msg = string(e.Reason)
	}
	if e.Detail == "" {
		return msg
	}
	return msg + ": " + e.Detail
}

func refuse(r Reason, format string, args ...any) *Error {
	return &Error{Reason: r, Detail: fmt.Sprintf(format, args...)}
}

// ErrBusy means every reading slot stayed taken for the caller's whole wait.
var ErrBusy = errors.New("too many statistics files are being read; try again shortly")

// Reader reads KOReader statistics files in child processes of this
// executable, a bounded number at a time.
type Reader struct {
	exe    string
	limits Limits
	slots  chan struct{}
}

// NewReader returns a Reader that runs at most concurrency children at
// once. The executable must call RunChildIfRequested first thing in main
// (and test binaries in TestMain).
func NewReader(limits Limits, concurrency int) (*Reader, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("koreader: find own executable: %w", err)
	}
	if limits.Timeout <= 0 || limits.MaxRows <= 0 || limits.MemoryBytes < MinMemoryBytes {
		return nil, fmt.Errorf("koreader: limits %+v: timeout and rows must be positive, memory at least %d bytes", limits, MinMemoryBytes)
	}
	return &Reader{exe: exe, limits: limits, slots: make(chan struct{}, max(concurrency, 1))}, nil
}

// Statistics is what a file holds, once its insane rows are skipped.
type Statistics struct {
	// Books are in id order, each with its sane visits (in file order).
	Books []Book
	// Visits counts the visits kept.
	Visits int
	// Skipped counts the visits left out, by reason.
	Skipped map[SkipReason]int
}

// Usage is what one read cost the child.
type Usage struct {
	Wall time.Duration
	// MaxRSSKB is the child's peak resident memory as it reports it at the
	// end of a successful read (0 otherwise).
	MaxRSSKB int64
}

// sqliteMagic opens every SQLite 3 database file.
const sqliteMagic = "SQLite format 3\x00"

// Read reads the statistics database at path in a child process. Visits are
// checked against now (CheckVisit). A refused file is an *Error.
func (rd *Reader) Read(ctx context.Context, path string, now time.Time) (Statistics, Usage, error) {
	if err := ctx.Err(); err != nil {
		return Statistics{}, Usage{}, err
	}
	if err := checkMagic(path); err != nil {
		return Statistics{}, Usage{}, err
	}
	select {
	case rd.slots <- struct{}{}:
	case <-ctx.Done():
		return Statistics{}, Usage{}, ErrBusy
	}
	defer func() { <-rd.slots }()

	cctx, cancel := context.WithTimeout(ctx, rd.limits.Timeout)
	defer cancel()
	cmd := exec.CommandContext(cctx, rd.exe, path)
	cmd.Env = []string{
		childEnv + "=1",
		childMemEnv + "=" + strconv.FormatInt(rd.limits.MemoryBytes, 10),
		childCPUEnv + "=" + strconv.Itoa(int(rd.limits.Timeout.Seconds())+1),
		childRowsEnv + "=" + strconv.FormatInt(rd.limits.MaxRows, 10),
		"GOMAXPROCS=1",
		// Only a race-enabled build (the tests) reads this: without it, its
		// runtime sleeps a second at exit.
		"GORACE=atexit_sleep_ms=0",
	}
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{buf: &stderr, max: 4096}
	cmd.WaitDelay = time.Second
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return Statistics{}, Usage{}, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Statistics{}, Usage{}, fmt.Errorf("koreader: start reader: %w", err)
	}
	st, rssKB, decErr := decodeStream(stdout, rd.limits.MaxRows, now)
	if decErr != nil {
		_ = cmd.Process.Kill()
	}
	waitErr := cmd.Wait()
	usage := Usage{Wall: time.Since(start), MaxRSSKB: rssKB}

	var refused *Error
	switch {
	case ctx.Err() != nil:
		return Statistics{}, usage, ctx.Err()
	case cctx.Err() != nil:
		return Statistics{}, usage, refuse(ReasonTooHeavy, "no answer within %v", rd.limits.Timeout)
	case decErr == nil:
		return st, usage, nil
	case errors.As(decErr, &refused):
		// The child's own verdict, or a limit the parent enforced.
		return Statistics{}, usage, refused
	case exitedForLimits(cmd.ProcessState, stderr.String()):
		return Statistics{}, usage, refuse(ReasonTooHeavy, "reader exited: %v: %.300s", waitErr, stderr.String())
	default:
		return Statistics{}, usage, refuse(ReasonCorrupt, "reader failed: %v: %v: %.300s", decErr, waitErr, stderr.String())
	}
}

// checkMagic refuses a file that does not start with SQLite's header,
// before any child is started.
func checkMagic(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, len(sqliteMagic))
	if n, err := io.ReadFull(f, head); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return refuse(ReasonNotSQLite, "%d bytes, shorter than the SQLite header", n)
		}
		return err
	}
	if string(head) != sqliteMagic {
		return refuse(ReasonNotSQLite, "header %q", head)
	}
	return nil
}

// exitedForLimits reports whether the child died of its limits: killed by
// a signal (the CPU limit sends SIGXCPU, the timeout SIGKILL) or out of
// memory (the Go runtime aborts).
func exitedForLimits(ps *os.ProcessState, stderr string) bool {
	if ps != nil {
		if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return true
		}
	}
	return strings.Contains(stderr, "out of memory") || strings.Contains(stderr, "cannot allocate memory")
}

type limitedBuffer struct {
	buf *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.buf.Len(); room > 0 {
		l.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
