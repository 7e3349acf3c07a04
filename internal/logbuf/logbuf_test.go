package logbuf

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// sink is an io.Writer that counts its writes.
type sink struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
	fail   error
}

func (s *sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return 0, s.fail
	}
	s.writes++
	return s.buf.Write(p)
}

func (s *sink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

func (s *sink) Writes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes
}

func TestLinesAreBatched(t *testing.T) {
	out := &sink{}
	w := New(out, 64<<10, time.Hour) // no timer flush during the test
	log := slog.New(Handler(slog.NewTextHandler(w, nil), w, slog.LevelWarn))
	for i := range 100 {
		log.Info("request", "n", i)
	}
	if out.Writes() != 0 {
		t.Fatalf("%d writes before any flush: info lines were not held", out.Writes())
	}
	log.Warn("slow query")
	if out.Writes() != 1 {
		t.Fatalf("the warning made %d writes, want 1 (the batch)", out.Writes())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 101 || !strings.Contains(lines[0], "n=0") || !strings.Contains(lines[100], "slow query") {
		t.Fatalf("lines out of order or missing: %d lines, first %q, last %q", len(lines), lines[0], lines[len(lines)-1])
	}
	log.Info("after")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out.String(), "msg=after\n") {
		t.Fatalf("Close did not write the last line: %q", out.String())
	}
	log.Info("after close")
	if !strings.Contains(out.String(), "after close") {
		t.Fatal("a line after Close was held")
	}
}

func TestTimerFlushes(t *testing.T) {
	out := &sink{}
	w := New(out, 64<<10, 10*time.Millisecond)
	defer w.Close()
	fmt.Fprintln(w, "one line")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "one line") {
		if time.Now().After(deadline) {
			t.Fatal("the line was never flushed by the timer")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestFullBufferWrites(t *testing.T) {
	out := &sink{}
	w := New(out, 1024, time.Hour)
	defer w.Close()
	line := strings.Repeat("x", 99) + "\n"
	for range 30 { // 3,000 bytes through a 1 KiB buffer
		if _, err := w.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	if n := out.Writes(); n < 2 || n > 3 {
		t.Fatalf("%d writes for 3,000 bytes through a 1 KiB buffer", n)
	}
}

func TestWriteErrorSticks(t *testing.T) {
	out := &sink{fail: errors.New("disk full")}
	w := New(out, 64, time.Hour)
	defer w.Close()
	if _, err := w.Write([]byte(strings.Repeat("y", 100))); err == nil { // larger than the buffer: written through
		t.Fatal("no error from a failing writer")
	}
	out.fail = nil
	if _, err := w.Write([]byte("z")); err == nil || w.Flush() == nil {
		t.Fatal("the error did not stick")
	}
}

// TestConcurrentLines runs under -race: whole lines, none lost.
func TestConcurrentLines(t *testing.T) {
	out := &sink{}
	w := New(out, 4096, time.Millisecond)
	log := slog.New(Handler(slog.NewJSONHandler(w, nil), w, slog.LevelWarn))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				if i%100 == 99 {
					log.Error("boom", "g", g, "i", i)
				} else {
					log.Info("request", "g", g, "i", i)
				}
			}
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4000 {
		t.Fatalf("%d lines, want 4000", len(lines))
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "{") || !strings.HasSuffix(l, "}") {
			t.Fatalf("a torn line: %q", l)
		}
	}
}
