package safetext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestValid(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"", true}, {"plain", true}, {"zwölf ✓", true}, {"tab\there", true},
		{"nul\x00", false}, {"\xff", false}, {"bad \xc3", false}, {"\xed\xa0\x80", false},
	} {
		if got := Valid(tc.in); got != tc.want {
			t.Errorf("Valid(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestHasControl(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"Linear algebra", false}, {"Übung 3 – Ü", false}, {"", false},
		{"a\tb", true}, {"a\nb", true}, {"\x00", true}, {"\x7f", true}, {"\u0085", true},
		{"\ufffd", true}, {"\xff", true},
	} {
		if got := HasControl(tc.in); got != tc.want {
			t.Errorf("HasControl(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestHeader(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"curl/8.5.0", 512, "curl/8.5.0"},
		{"Mozilla\xff/5.0", 512, "Mozilla/5.0"},
		{"a\x00b\x01c\x7fd", 512, "abcd"},
		{"zwölf", 3, "zw"},
		{strings.Repeat("é", 300), 512, strings.Repeat("é", 256)},
		{"\xff\xfe", 10, ""},
	} {
		got := Header(tc.in, tc.max)
		if got != tc.want {
			t.Errorf("Header(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
		if !Valid(got) || HasControl(got) || len(got) > tc.max {
			t.Errorf("Header(%q) = %q is not safe", tc.in, got)
		}
	}
}

func FuzzHeader(f *testing.F) {
	for _, s := range []string{"", "curl", "a\x00b", "\xff\xfe", "zwölf", "\u0085x"} {
		f.Add(s, 16)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		n = max(0, n%1024)
		got := Header(s, n)
		if len(got) > n || !utf8.ValidString(got) || HasControl(got) {
			t.Fatalf("Header(%q, %d) = %q", s, n, got)
		}
	})
}

func TestParseID(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"0b5e1f9a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", true},
		{"0B5E1F9A-3C4D-4E5F-8A9B-0C1D2E3F4A5B", true},
		{"{0b5e1f9a-3c4d-4e5f-8a9b-0c1d2e3f4a5b}", false},
		{"urn:uuid:0b5e1f9a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", false},
		{"0b5e1f9a3c4d4e5f8a9b0c1d2e3f4a5b", false},
		{"0b5e1f9a-3c4d-4e5f-8a9b-0c1d2e3f4a5", false},
		{"0b5e1f9a-3c4d-4e5f-8a9b-0c1d2e3f4a5g", false},
		{"", false},
	} {
		if _, ok := ParseID(tc.in); ok != tc.ok {
			t.Errorf("ParseID(%q) ok = %v, want %v", tc.in, ok, tc.ok)
		}
	}
}
