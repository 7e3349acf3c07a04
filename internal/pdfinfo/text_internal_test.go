package pdfinfo

import (
	"bufio"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestSplitPages: pages are cut at form feeds and cleaned, and the reading
// stops with errTooMuchText as soon as the output passes the budget.
func TestSplitPages(t *testing.T) {
	cases := []struct {
		name   string
		in     string
		budget int64
		want   string
		err    error
	}{
		{"pages", "one\ftwo\f", 100, "[1:one 2:two]", nil},
		{"last page without form feed", "one\ftwo", 100, "[1:one 2:two]", nil},
		{"empty pages", "\f\fthree\f", 100, "[1: 2: 3:three]", nil},
		{"cleaned", "a\x00b\xffc\uE000d\uE001e\f", 100, "[1:abcde]", nil},
		{"exactly the budget", "abc\fdef\f", 8, "[1:abc 2:def]", nil},
		{"one byte over", "abc\fdefg\f", 8, "[1:abc]", errTooMuchText},
		{"over on the first page", strings.Repeat("x", 50) + "\f", 10, "[]", errTooMuchText},
		{"multi-byte runes count as bytes", "ééé\f", 5, "[]", errTooMuchText},
	}
	for _, c := range cases {
		var got []string
		err := splitPages(bufio.NewReader(strings.NewReader(c.in)), c.budget, func(page int, text string) error {
			got = append(got, fmt.Sprintf("%d:%s", page, text))
			return nil
		})
		if !errors.Is(err, c.err) || fmt.Sprint(got) != c.want {
			t.Errorf("%s: %v, %v; want %s, %v", c.name, got, err, c.want, c.err)
		}
	}
	stop := errors.New("stop")
	n := 0
	err := splitPages(bufio.NewReader(strings.NewReader("a\fb\fc\f")), 100, func(int, string) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("a failing fn: %d calls, %v", n, err)
	}
}

// TestStderrTail keeps the first line and sees an out-of-memory message at
// the end of a long stream of warnings.
func TestStderrTail(t *testing.T) {
	s := &stderrTail{max: 64}
	fmt.Fprintf(s, "Syntax Error: first problem\n")
	for range 1000 {
		fmt.Fprintf(s, "Syntax Error (970): No font in show\n")
	}
	if s.outOfMemory() {
		t.Fatal("out of memory before the message")
	}
	if n, err := s.Write([]byte("Out of memory\n")); n != 14 || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if !s.outOfMemory() || s.firstLine() != "Syntax Error: first problem" || len(s.head) > 64 || len(s.tail) > 128 {
		t.Fatalf("first line %q, tail %q", s.firstLine(), s.tail)
	}
	big := &stderrTail{max: 16}
	if n, _ := big.Write([]byte(strings.Repeat("x", 100) + "bad_alloc")); n != 109 || !big.outOfMemory() {
		t.Fatalf("one long write: %d, tail %q", n, big.tail)
	}
}
