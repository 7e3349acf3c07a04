package search

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	cases := map[string]string{
		"calculus":                       "'calculus'",
		"Linear   Algebra":               "'linear' & 'algebra'",
		`"exact phrase"`:                 "('exact' <-> 'phrase')",
		"calcul*":                        "'calcul':*",
		`"partial deriv*"`:               "('partial' <-> 'deriv')",
		"integral -improper":             "'integral' & !'improper'",
		"cats OR dogs":                   "('cats' | 'dogs')",
		"cats OR dogs birds":             "('cats' | 'dogs') & 'birds'",
		"e-mail":                         "('e' <-> 'mail')",
		"O'Reilly's":                     "('o' <-> 'reilly' <-> 's')",
		"'; DROP TABLE pdfs; --":         "'drop' & 'table' & 'pdfs'",
		`a:* & b | !c <-> d`:             "'a':* & 'b' & 'c' & 'd'",
		"Ünïcödé ΣΧΟΛΗ":                  "'ünïcödé' & 'σχολη'",
		`"unterminated phrase`:           "('unterminated' <-> 'phrase')",
		"OR leading":                     "'leading'",
		"x* y*":                          "'x':* & 'y':*",
		"42":                             "'42'",
		"-only -negative but one":        "!'only' & !'negative' & 'but' & 'one'",
		"trailing OR":                    "'trailing'",
		"a OR -b":                        "'a' & !'b'",
		strings.Repeat("w ", 40) + "end": strings.TrimSuffix(strings.Repeat("'w' & ", 16), " & "),
	}
	for in, want := range cases {
		got, err := Parse(in)
		if err != nil || got.Exact != want {
			t.Errorf("Parse(%q) = %q, %v; want %q", in, got.Exact, err, want)
		}
	}
	loose := map[string]string{
		`"exact phrase" word`: "('exact' & 'phrase') & 'word'",
		`word -"not this"`:    "'word'",
		`"a b" OR c`:          "(('a' & 'b') | 'c')",
		`x OR -"a b"`:         "'x'",
		"plain words":         "'plain' & 'words'",
	}
	for in, want := range loose {
		got, err := Parse(in)
		if err != nil || got.Loose != want {
			t.Errorf("Parse(%q).Loose = %q, %v; want %q", in, got.Loose, err, want)
		}
	}
	if q, _ := Parse(`"a b"`); !q.HasPhrase {
		t.Error("HasPhrase")
	}
	if q, _ := Parse("a b"); q.HasPhrase {
		t.Error("HasPhrase without a phrase")
	}
	for _, in := range []string{"", "   ", "!!! ...", "-only", `""`, "OR"} {
		if got, err := Parse(in); !errors.Is(err, ErrEmpty) {
			t.Errorf("Parse(%q) = %q, %v; want ErrEmpty", in, got.Exact, err)
		}
	}
	if _, err := Parse(strings.Repeat("a", 201)); !errors.Is(err, ErrTooLong) {
		t.Errorf("long query: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"calculus", `"a b" c*`, "-x OR y", "'; DROP", "\x00\uE000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		parsed, err := Parse(q)
		if err != nil {
			return
		}
		out := parsed.Exact + " & " + parsed.Loose
		// Only quoted letter/digit operands and the operators we write.
		stripped := out
		for _, op := range []string{"<->", ":*", " & ", " | ", "(", ")", "!"} {
			stripped = strings.ReplaceAll(stripped, op, " ")
		}
		for _, f := range strings.Fields(stripped) {
			if len(f) < 3 || f[0] != '\'' || f[len(f)-1] != '\'' || strings.ContainsAny(f[1:len(f)-1], `'\ :&|!()<>`) {
				t.Fatalf("Parse(%q) = %q: unexpected operand %q", q, out, f)
			}
		}
	})
}

func TestCountWords(t *testing.T) {
	cases := map[string]int{
		"":                       0,
		"one":                    1,
		"two words":              2,
		"  spaced\n\tout  text ": 3,
		"well-known — dash • x":  3,
		"3.14 is pi.":            3,
		"Ünïcödé ΣΧΟΛΗ 数学":       3,
		"… — • ·":                0,
		"line\fbreak":            2,
	}
	for in, want := range cases {
		if got := CountWords(in); got != want {
			t.Errorf("CountWords(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestHighlightHTML(t *testing.T) {
	in := "the \uE000<script>\uE001 tag & \uE000more\uE001 text\uE000"
	want := "the <mark>&lt;script&gt;</mark> tag &amp; <mark>more</mark> text<mark></mark>"
	if got := HighlightHTML(in); got != want {
		t.Fatalf("HighlightHTML = %q, want %q", got, want)
	}
	if got := StripMarkers("a\uE000b\uE001c"); got != "abc" {
		t.Fatalf("StripMarkers = %q", got)
	}
}
