package account

import (
	"strings"
	"testing"
)

func TestNormalizeEmail(t *testing.T) {
	ok := map[string]string{
		"ada@example.com":         "ada@example.com",
		"  Ada@Example.COM ":      "Ada@Example.COM",
		"a.b+tag@sub.example.org": "a.b+tag@sub.example.org",
		"jürgen@bücher.de":        "jürgen@bücher.de",
	}
	for in, want := range ok {
		if got, err := NormalizeEmail(in); err != nil || got != want {
			t.Errorf("NormalizeEmail(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "ada", "ada@", "@example.com", "ada@example", "ada@@example.com", "Ada <ada@example.com>",
		"ada@example.com (comment)", "ada @example.com", "ada@exa mple.com", "ada@.example.com", "ada@example..com", "ada@example.com.",
		strings.Repeat("a", 65) + "@example.com", strings.Repeat("a", 60) + "@" + strings.Repeat("b", 200) + ".com", "a\x00@example.com",
		"\ufffd@example.com", `"quoted local"@example.com`} {
		if got, err := NormalizeEmail(in); err == nil {
			t.Errorf("NormalizeEmail(%q) accepted as %q", in, got)
		}
	}
}

func TestNormalizeUsername(t *testing.T) {
	for in, want := range map[string]string{"Ada": "ada", "ada_lovelace-1": "ada_lovelace-1", " abc ": "abc", strings.Repeat("z", 32): strings.Repeat("z", 32)} {
		if got, err := NormalizeUsername(in); err != nil || got != want {
			t.Errorf("NormalizeUsername(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "ab", strings.Repeat("z", 33), "ada lovelace", "ada.l", "adä", "ada@x", "ǅa"} {
		if got, err := NormalizeUsername(in); err == nil {
			t.Errorf("NormalizeUsername(%q) accepted as %q", in, got)
		}
	}
}

func TestNormalizeTimezone(t *testing.T) {
	for _, in := range []string{"UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Asia/Kolkata", "Etc/GMT+5"} {
		if got, err := NormalizeTimezone(in); err != nil || got != in {
			t.Errorf("NormalizeTimezone(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "Local", "Mars/Base", "../etc/passwd", "/etc/localtime", "Europe/", strings.Repeat("A", 70)} {
		if got, err := NormalizeTimezone(in); err == nil {
			t.Errorf("NormalizeTimezone(%q) accepted as %q", in, got)
		}
	}
}

func TestNormalizeFullName(t *testing.T) {
	if got, err := NormalizeFullName("  Ada Lovelace "); err != nil || got != "Ada Lovelace" {
		t.Fatalf("got %q, %v", got, err)
	}
	if got, err := NormalizeFullName(strings.Repeat("é", 200)); err != nil || got == "" {
		t.Fatalf("200 runes: %v", err)
	}
	for _, in := range []string{strings.Repeat("é", 201), "Ada\nLovelace", "Ada\u0000", "\ufffd"} {
		if _, err := NormalizeFullName(in); err == nil {
			t.Errorf("NormalizeFullName(%q) accepted", in)
		}
	}
}

// FuzzNormalizeEmail: a normalised address is accepted again unchanged, has
// no spaces or control characters, and fits the database constraint.
func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"ada@example.com", " A@B.co ", "a@b", "Ada <a@b.co>", "\x00@x.y", "a@b..c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := NormalizeEmail(s)
		if err != nil {
			return
		}
		again, err := NormalizeEmail(out)
		if err != nil || again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q, %v", s, out, again, err)
		}
		if len(out) > MaxEmailLength || !strings.Contains(out, "@") || strings.ContainsAny(out, " \t\r\n\x00") {
			t.Fatalf("accepted %q", out)
		}
	})
}
