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

// Caps: a page's text is cut at maxPageText bytes, a document's output at
// maxOutput; both far above real documents.
const (
	maxPageText = 4 << 20
	maxOutput   = 1 << 30
)

const execEnv = "STUDYSPRINT_EXEC_LIMITED"

// Pages runs pdftotext on the file and calls fn with each page's text (pages
// numbered from 1, in order) as pdftotext produces it, so a long document is
// never held whole. A failing fn stops the extraction.
func (x *TextExtractor) Pages(ctx context.Context, path string, fn func(page int, text string) error) error {
	ctx, cancel := context.WithTimeout(ctx, x.limits.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, x.exe, x.bin, "-enc", "UTF-8", path, "-")
	cmd.Env = []string{
		execEnv + "=1",
		childMemEnv + "=" + strconv.FormatInt(x.limits.MemoryBytes, 10),
		childCPUEnv + "=" + strconv.Itoa(int(x.limits.Timeout.Seconds())+1),
		"GORACE=atexit_sleep_ms=0",
	}
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{buf: &stderr, max: 4096}
	cmd.WaitDelay = time.Second
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	readErr := splitPages(bufio.NewReaderSize(stdout, 64<<10), fn)
	if readErr != nil {
		_ = cmd.Process.Kill()
	}
	waitErr := cmd.Wait()
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("%w: pdftotext took longer than %v", ErrTooHeavy, x.limits.Timeout)
	case readErr != nil:
		return readErr
	case waitErr != nil:
		msg := strings.TrimSpace(stderr.String())
		if i := strings.IndexByte(msg, '\n'); i > 0 {
			msg = msg[:i]
		}
		return fmt.Errorf("pdftotext: %v: %s", waitErr, msg)
	}
	return nil
}

// splitPages cuts pdftotext output at form feeds (one after each page),
// dropping invalid bytes, NULs (PostgreSQL text cannot hold them) and the
// private-use characters that mark search snippets.
func splitPages(r *bufio.Reader, fn func(page int, text string) error) error {
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
		if total += int64(size); total > maxOutput {
			return fmt.Errorf("%w: more than %d bytes of text", ErrTooHeavy, maxOutput)
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
	if cpu, err := strconv.ParseUint(os.Getenv(childCPUEnv), 10, 64); err == nil && cpu > 0 {
		_ = syscall.Setrlimit(syscall.RLIMIT_CPU, &syscall.Rlimit{Cur: cpu, Max: cpu + 1})
	}
	err := syscall.Exec(os.Args[1], os.Args[1:], []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8"})
	fmt.Fprintf(os.Stderr, "exec %s: %v\n", os.Args[1], err)
	os.Exit(127)
}
