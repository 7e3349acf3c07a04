// Package logbuf batches log lines into fewer writes: the access log is one
// line per request, and writing each one on its own was a system call per
// request (about 5 % of the server's CPU for GET /auth/me under load,
// BENCHMARKS.md). Lines wait at most the flush interval (a timer armed by
// the first line after a flush: none runs while the server is idle); a
// warning or an error is written at once together with everything before it
// (Handler), and Close writes the rest.
package logbuf

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// Writer buffers writes to an io.Writer and flushes them at most interval
// after the first unflushed write, when the buffer fills, on Flush and on
// Close. No timer runs while nothing waits. Safe for concurrent use.
type Writer struct {
	mu       sync.Mutex
	buf      *bufio.Writer
	err      error // the first write error, returned from then on
	interval time.Duration
	timer    *time.Timer // armed while buffered lines wait
	armed    bool
	closed   bool
}

// New returns a Writer over w with a buffer of size bytes whose lines wait
// at most interval.
func New(w io.Writer, size int, interval time.Duration) *Writer {
	b := &Writer{buf: bufio.NewWriterSize(w, size), interval: interval}
	b.timer = time.AfterFunc(time.Hour, b.timed)
	b.timer.Stop()
	return b
}

func (b *Writer) timed() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.armed = false
	b.flushLocked()
}

// Write keeps p for the next flush (or writes it through when it is larger
// than the buffer). After Close it writes p directly.
func (b *Writer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.buf.Write(p)
	if err != nil {
		b.err = err
		return n, err
	}
	switch {
	case b.closed:
		err = b.flushLocked()
	case !b.armed && b.buf.Buffered() > 0:
		b.armed = true
		b.timer.Reset(b.interval)
	}
	return n, err
}

// Flush writes what is buffered.
func (b *Writer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.flushLocked()
}

func (b *Writer) flushLocked() error {
	if b.err != nil {
		return b.err
	}
	if err := b.buf.Flush(); err != nil {
		b.err = err
		return err
	}
	return nil
}

// Close flushes; later writes go straight through.
func (b *Writer) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	b.timer.Stop()
	b.armed = false
	return b.flushLocked()
}

// Handler wraps a slog.Handler that writes to w so that every record at
// level or above flushes w after it is written: warnings and errors are
// never held back, nor is anything logged before them.
func Handler(h slog.Handler, w *Writer, level slog.Level) slog.Handler {
	return &flushing{Handler: h, w: w, level: level}
}

type flushing struct {
	slog.Handler
	w     *Writer
	level slog.Level
}

func (f *flushing) Handle(ctx context.Context, r slog.Record) error {
	err := f.Handler.Handle(ctx, r)
	if r.Level >= f.level {
		if ferr := f.w.Flush(); err == nil {
			err = ferr
		}
	}
	return err
}

func (f *flushing) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &flushing{Handler: f.Handler.WithAttrs(attrs), w: f.w, level: f.level}
}

func (f *flushing) WithGroup(name string) slog.Handler {
	return &flushing{Handler: f.Handler.WithGroup(name), w: f.w, level: f.level}
}
