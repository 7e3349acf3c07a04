package pdfinfo

import (
	"bufio"
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
	"unicode/utf8"
)

// TextExtractor reads the text of each page with poppler's pdftotext, run
// through a child of this binary that applies the memory and CPU limits
// before it becomes pdftotext (exec keeps the limits).
type TextExtractor struct {
	bin    string
	exe    string
	limits Limits
}

// ErrNoExtractor means pdftotext is not installed.
var ErrNoExtractor = errors.New("pdftotext is not installed (Debian: apt-get install poppler-utils)")

// NewTextExtractor finds pdftotext.
func NewTextExtractor(limits Limits) (*TextExtractor, error) {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		return nil, ErrNoExtractor
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	return &TextExtractor{bin: bin, exe: exe, limits: limits}, nil
}

// What one extraction may use, relative to the PDF's page count, so that a
// small file which expands into a huge job (every page drawing one content
// stream of hundreds of MiB) is stopped after seconds instead of holding a
// worker for the whole timeout. Real documents stay far inside: in pdfcpu's
// corpus the most is 7.3 KiB of text and 53 ms of CPU time per page
// (WaldenFull: 2.3 KiB and 1.6 ms per page over 249 pages).
const (
	// TextPerPage is the text allowed per page on average; the total is
	// at least TextMin and at most TextMax.
	TextPerPage = 64 << 10
	TextMin     = 1 << 20
	TextMax     = 128 << 20
	// CPUFloor plus CPUPerPage for each page is pdftotext's CPU time;
	// never more than the timeout.
	CPUFloor   = 5 * time.Second
	CPUPerPage = 100 * time.Millisecond
)

// maxPageText is how much of one page's text is kept in memory (the rest of
// the page is read and counted against the budget, but dropped).
const maxPageText = 4 << 20

// Budget is what the extraction of one PDF may use.
type Budget struct {
	// TextBytes is the most pdftotext may write.
	TextBytes int64
	// CPU is pdftotext's CPU time limit (RLIMIT_CPU, whole seconds).
	CPU time.Duration
}

// BudgetFor is the budget of a PDF of the given page count whose
// extraction has the given wall-clock timeout: TextPerPage and CPUPerPage
// for each page, within the floors, TextMax and the timeout. The CPU time
// is rounded up to whole seconds, as RLIMIT_CPU counts.
func BudgetFor(pages int, timeout time.Duration) Budget {
	pages = max(pages, 1)
	text := min(max(int64(pages)*TextPerPage, TextMin), TextMax)
	cpu := min(CPUFloor+time.Duration(pages)*CPUPerPage, timeout)
	secs := max(1, (cpu+time.Second-1)/time.Second)
	return Budget{TextBytes: text, CPU: secs * time.Second}
}

const execEnv = "STUDYSPRINT_EXEC_LIMITED"

// Pages runs pdftotext on the file of the given page count and calls fn
// with each page's text (pages numbered from 1, in order) as pdftotext
// produces it, so a long document is never held whole. A failing fn stops
// the extraction.
//
// The run is bounded by BudgetFor(pages) and the wall-clock timeout: past
// any bound the child is killed and the error wraps ErrTooHeavy, as it does
// when pdftotext runs out of memory. Trying again would cost as much, so
// callers treat it as final. Other errors (a file pdftotext cannot read,
// ctx ending) do not wrap it.
func (x *TextExtractor) Pages(ctx context.Context, path string, pages int, fn func(page int, text string) error) error {
	budget := BudgetFor(pages, x.limits.Timeout)
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, x.limits.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, x.exe, x.bin, "-enc", "UTF-8", path, "-")
	cmd.Env = []string{
		execEnv + "=1",
		childMemEnv + "=" + strconv.FormatInt(x.limits.MemoryBytes, 10),
		childCPUEnv + "=" + strconv.Itoa(int(budget.CPU/time.Second)),
		"GORACE=atexit_sleep_ms=0",
	}
	stderr := &stderrTail{max: 4096}
	cmd.Stderr = stderr
	cmd.WaitDelay = time.Second
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	readErr := splitPages(bufio.NewReaderSize(stdout, 64<<10), budget.TextBytes, fn)
	if readErr != nil {
		_ = cmd.Process.Kill()
	}
	waitErr := cmd.Wait()
	switch {
	case readErr == nil && waitErr == nil:
		return nil
	case parent.Err() != nil:
		return parent.Err()
	case ctx.Err() != nil:
		return fmt.Errorf("%w: pdftotext took longer than %v", ErrTooHeavy, x.limits.Timeout)
	case readErr != nil:
		if errors.Is(readErr, errTooMuchText) {
			return fmt.Errorf("%w: pdftotext wrote more than %d KiB of text for %d pages", ErrTooHeavy, budget.TextBytes>>10, pages)
		}
		return readErr
	default:
		return x.exitError(cmd.ProcessState, waitErr, stderr, budget, pages)
	}
}

// exitError says why pdftotext failed: out of CPU time or memory
// (ErrTooHeavy), or anything else (a damaged file).
func (x *TextExtractor) exitError(ps *os.ProcessState, waitErr error, stderr *stderrTail, budget Budget, pages int) error {
	if ps == nil {
		return fmt.Errorf("pdftotext: %v", waitErr)
	}
	used := ps.UserTime() + ps.SystemTime()
	ws, _ := ps.Sys().(syscall.WaitStatus)
	switch {
	case ws.Signaled() && (ws.Signal() == syscall.SIGXCPU || ws.Signal() == syscall.SIGKILL):
		// SIGXCPU at the soft CPU limit, SIGKILL at the hard one (a second
		// later) or from the kernel's OOM killer; this process only kills
		// the child for a bound handled before.
		return fmt.Errorf("%w: pdftotext was stopped (%v) after %.1fs of CPU time, limit %v for %d pages",
			ErrTooHeavy, ws.Signal(), used.Seconds(), budget.CPU, pages)
	case ws.Signaled() && ws.Signal() == syscall.SIGABRT && stderr.outOfMemory():
		return fmt.Errorf("%w: pdftotext ran out of memory (limit %d MiB)", ErrTooHeavy, x.limits.MemoryBytes>>20)
	}
	return fmt.Errorf("pdftotext: %v: %s", waitErr, stderr.firstLine())
}

// errTooMuchText stops splitPages at the text budget.
var errTooMuchText = errors.New("too much text")

// splitPages cuts pdftotext output at form feeds (one after each page),
// dropping invalid bytes, NULs (PostgreSQL text cannot hold them) and the
// private-use characters that mark search snippets. It stops with
// errTooMuchText past budget bytes.
func splitPages(r *bufio.Reader, budget int64, fn func(page int, text string) error) error {
	var page strings.Builder
	var total int64
	n := 0
	for {
		c, size, err := r.ReadRune()
		if errors.Is(err, io.EOF) {
			if page.Len() > 0 {
				return fn(n+1, page.String())
			}
			return nil
		}
		if err != nil {
			return err
		}
		if total += int64(size); total > budget {
			return errTooMuchText
		}
		switch {
		case c == '\f':
			n++
			if err := fn(n, page.String()); err != nil {
				return err
			}
			page.Reset()
		case c == utf8.RuneError, c == 0, c == '\uE000', c == '\uE001':
		case page.Len()+size <= maxPageText:
			page.WriteRune(c)
		}
	}
}

// stderrTail keeps the first and the last max bytes of pdftotext's
// messages: the first line names the problem, the last says out of memory.
type stderrTail struct {
	head, tail []byte
	max        int
}

func (s *stderrTail) Write(p []byte) (int, error) {
	n := len(p)
	if room := s.max - len(s.head); room > 0 {
		s.head = append(s.head, p[:min(len(p), room)]...)
	}
	if len(p) > s.max {
		p = p[len(p)-s.max:]
	}
	s.tail = append(s.tail, p...)
	if len(s.tail) > 2*s.max { // trimmed now and then, not on every write
		s.tail = append(s.tail[:0], s.tail[len(s.tail)-s.max:]...)
	}
	return n, nil
}

func (s *stderrTail) firstLine() string {
	msg := strings.TrimSpace(string(s.head))
	if i := strings.IndexByte(msg, '\n'); i > 0 {
		msg = msg[:i]
	}
	return msg
}

// outOfMemory reports poppler's message for a failed allocation, or the
// C++ runtime's for an uncaught std::bad_alloc.
func (s *stderrTail) outOfMemory() bool {
	return bytes.Contains(s.tail, []byte("Out of memory")) || bytes.Contains(s.tail, []byte("bad_alloc"))
}

// runLimitedExec is the child side: apply limits, then become the program.
func runLimitedExec() {
	if len(os.Args) < 2 {
		os.Exit(2)
	}
	// RLIMIT_DATA (heap and private writable mappings, which is where
	// pdftotext's memory goes) rather than RLIMIT_AS: lowering the address
	// space under what this Go process has already reserved could crash it
	// before the exec.
	if mem, err := strconv.ParseUint(os.Getenv(childMemEnv), 10, 64); err == nil && mem > 0 {
		_ = syscall.Setrlimit(syscall.RLIMIT_DATA, &syscall.Rlimit{Cur: mem, Max: mem})
	}
	// SIGXCPU at the soft limit; SIGKILL a second later should the program
	// catch it.
	if cpu, err := strconv.ParseUint(os.Getenv(childCPUEnv), 10, 64); err == nil && cpu > 0 {
		_ = syscall.Setrlimit(syscall.RLIMIT_CPU, &syscall.Rlimit{Cur: cpu, Max: cpu + 1})
	}
	// A program killed by a limit writes no core file.
	_ = syscall.Setrlimit(syscall.RLIMIT_CORE, &syscall.Rlimit{})
	err := syscall.Exec(os.Args[1], os.Args[1:], []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8"})
	fmt.Fprintf(os.Stderr, "exec %s: %v\n", os.Args[1], err)
	os.Exit(127)
}
