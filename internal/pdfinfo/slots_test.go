package pdfinfo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// TestSlotsAreSharedFairly (issue 9, finding 7): one owner holds at most half
// of the parse slots, so another owner's parse starts at once while the
// first owner's extra parses wait; waiting is bounded by QueueTimeout alone.
func TestSlotsAreSharedFairly(t *testing.T) {
	in, err := NewInspector(DefaultLimits, 2)
	if err != nil {
		t.Fatal(err)
	}
	in.QueueTimeout = 50 * time.Millisecond
	ctx := context.Background()
	releaseA, err := in.acquire(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := in.acquire(ctx, "alice"); !errors.Is(err, ErrBusy) {
		t.Fatalf("alice's second parse: %v, want ErrBusy after the queue timeout", err)
	}
	if waited := time.Since(start); waited < 40*time.Millisecond {
		t.Fatalf("gave up after %v, before the queue timeout", waited)
	}
	releaseB, err := in.acquire(ctx, "bob")
	if err != nil {
		t.Fatalf("bob waited behind alice: %v", err)
	}
	// Both slots are taken now: a third owner waits, and gets the slot Alice frees.
	done := make(chan error, 1)
	in.QueueTimeout = 5 * time.Second
	go func() {
		release, err := in.acquire(ctx, "carol")
		if err == nil {
			release()
		}
		done <- err
	}()
	time.Sleep(30 * time.Millisecond)
	releaseA()
	if err := <-done; err != nil {
		t.Fatalf("carol: %v", err)
	}
	releaseB()
	if len(in.owners) != 0 || len(in.slots) != 0 {
		t.Fatalf("leaked: owners %v, %d slots", in.owners, len(in.slots))
	}
	// A caller that goes away stops waiting and holds nothing.
	in.QueueTimeout = time.Second
	r1, _ := in.acquire(ctx, "erin")
	r2, _ := in.acquire(ctx, "frank")
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := in.acquire(cctx, "gina"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait: %v", err)
	}
	r1()
	r2()
	if len(in.owners) != 0 || len(in.slots) != 0 {
		t.Fatalf("leaked after a cancelled wait: owners %v, %d slots", in.owners, len(in.slots))
	}
}

// TestParseGetsItsWholeTimeout (finding 7): the wait for a slot and the parse
// are bounded separately; a queue timeout shorter than any parse does not
// cut a parse that got its slot.
func TestParseGetsItsWholeTimeout(t *testing.T) {
	in, err := NewInspector(Limits{Timeout: time.Minute, MemoryBytes: 1 << 30}, 1)
	if err != nil {
		t.Fatal(err)
	}
	in.QueueTimeout = time.Nanosecond
	path := t.TempDir() + "/tiny.pdf"
	if err := writeMinimalPDF(path); err != nil {
		t.Fatal(err)
	}
	info, usage, err := in.Inspect(context.Background(), "alice", path)
	if err != nil {
		t.Fatalf("parse with a 1 ns queue timeout: %v", err)
	}
	if info.Pages != 1 || usage.Wall < time.Millisecond {
		t.Fatalf("pages %d, wall %v", info.Pages, usage.Wall)
	}
}

// writeMinimalPDF writes a valid one-page PDF with a correct xref table.
func writeMinimalPDF(path string) error {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
	}
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return os.WriteFile(path, []byte(b.String()), 0o600)
}
