package search

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// identity normalises every operand to itself in both configurations.
func identity(p Parsed) Lexicon {
	lex := Lexicon{}
	for _, op := range p.Operands() {
		lex[op] = []string{op, op}
	}
	return lex
}

// parse is Parse, then Render with the identity lexicon.
func parse(q string) (Query, error) {
	p, err := Parse(q)
	if err != nil {
		return Query{}, err
	}
	return p.Render(identity(p))
}

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
		got, err := parse(in)
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
		got, err := parse(in)
		if err != nil || got.Loose != want {
			t.Errorf("Parse(%q).Loose = %q, %v; want %q", in, got.Loose, err, want)
		}
	}
	if q, _ := parse(`"a b"`); !q.HasPhrase {
		t.Error("HasPhrase")
	}
	if q, _ := parse("a b"); q.HasPhrase {
		t.Error("HasPhrase without a phrase")
	}
	for _, in := range []string{"", "   ", "!!! ...", "-only", `""`, "OR", "-the", "-the -a -kernel", `-"the kernel"`} {
		if got, err := Parse(in); !errors.Is(err, ErrEmpty) {
			t.Errorf("Parse(%q) = %+v, %v; want ErrEmpty", in, got, err)
		}
	}
	if _, err := Parse(strings.Repeat("a", 201)); !errors.Is(err, ErrTooLong) {
		t.Errorf("long query: %v", err)
	}
}

func TestOperands(t *testing.T) {
	cases := map[string]string{
		"calculus":                  "['calculus']",
		`the "the end" calc* -the`:  "['the' 'end' 'calc':*]",
		`calc calc* "calc x*" OR y`: "['calc' 'calc':* 'x' 'y']",
	}
	for in, want := range cases {
		p, err := Parse(in)
		if got := fmt.Sprintf("%q", p.Operands()); err != nil || strings.ReplaceAll(got, `"`, "") != want {
			t.Errorf("Operands(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
}

// TestRender: each word matches any of its forms in the two configurations;
// a stop word of one configuration matches as the other has it, so it is
// never silently dropped from one side of the query; a word no
// configuration keeps is left out, and a query left without required words
// is ErrEmpty.
func TestRender(t *testing.T) {
	// simple,english: english drops the, a and of, and stems.
	simpleEnglish := Lexicon{
		"'the'": {"'the'", ""}, "'a'": {"'a'", ""}, "'of'": {"'of'", ""},
		"'qqq'": {"'qqq'", "'qqq'"}, "'kernel'": {"'kernel'", "'kernel'"}, "'zebra'": {"'zebra'", "'zebra'"},
		"'derivatives'": {"'derivatives'", "'deriv'"}, "'partial'": {"'partial'", "'partial'"},
		"'calcul':*": {"'calcul':*", "'calcul':*"}, "'moon'": {"'moon'", "'moon'"}, "'over'": {"'over'", "'over'"},
		"'oreilly'": {"'oreilly'", "'o' <-> 'reilli'"},
	}
	// english alone (SEARCH_LANGUAGES=english): a stop word has no form.
	englishOnly := Lexicon{}
	for op, forms := range simpleEnglish {
		englishOnly[op] = []string{forms[1], forms[1]}
	}
	cases := []struct {
		name, q      string
		lex          Lexicon
		exact, loose string
		phrase       bool
		err          error
	}{
		{"stop word then exclusion", "the -qqq", simpleEnglish, "'the' & !'qqq'", "'the' & !'qqq'", false, nil},
		{"excluded stop word", "-the kernel", simpleEnglish, "!'the' & 'kernel'", "!'the' & 'kernel'", false, nil},
		{"stop word alone", "the", simpleEnglish, "'the'", "'the'", false, nil},
		{"stem and exact word", "derivatives", simpleEnglish, "('derivatives' | 'deriv')", "('derivatives' | 'deriv')", false, nil},
		{"same form once", "kernel calcul*", simpleEnglish, "'kernel' & 'calcul':*", "'kernel' & 'calcul':*", false, nil},
		{"phrase with a stop word", `"over the moon"`, simpleEnglish, "('over' <-> 'the' <-> 'moon')", "('over' & 'the' & 'moon')", true, nil},
		{"negated phrase", `-"partial derivatives" zebra`, simpleEnglish, "!('partial' <-> ('derivatives' | 'deriv')) & 'zebra'", "'zebra'", true, nil},
		{"compound form bracketed", "-oreilly kernel", simpleEnglish, "!('oreilly' | ('o' <-> 'reilli')) & 'kernel'", "!('oreilly' | ('o' <-> 'reilli')) & 'kernel'", false, nil},
		{"OR with a stop word", "the OR zebra", simpleEnglish, "('the' | 'zebra')", "('the' | 'zebra')", false, nil},

		{"one config: stop word left out", "the kernel", englishOnly, "'kernel'", "'kernel'", false, nil},
		{"one config: excluded stop word left out", "-the kernel", englishOnly, "'kernel'", "'kernel'", false, nil},
		{"one config: only a stop word and an exclusion", "the -qqq", englishOnly, "", "", false, ErrEmpty},
		{"one config: only stop words", "the a of", englishOnly, "", "", false, ErrEmpty},
		{"one config: phrase keeps the distance", `"over the moon"`, englishOnly, "('over' <2> 'moon')", "('over' & 'moon')", true, nil},
		{"one config: phrase down to one word", `"the moon"`, englishOnly, "'moon'", "'moon'", false, nil},
		{"one config: OR without a stop word", "the OR zebra", englishOnly, "'zebra'", "'zebra'", false, nil},
		{"unknown operand", "kernel nowhere", simpleEnglish, "'kernel'", "'kernel'", false, nil},
	}
	for _, c := range cases {
		p, err := Parse(c.q)
		if err != nil {
			t.Fatalf("%s: Parse(%q): %v", c.name, c.q, err)
		}
		got, err := p.Render(c.lex)
		if !errors.Is(err, c.err) || got.Exact != c.exact || got.Loose != c.loose || got.HasPhrase != c.phrase {
			t.Errorf("%s: Render(%q) = %+v, %v; want exact %q, loose %q, phrase %v, %v", c.name, c.q, got, err, c.exact, c.loose, c.phrase, c.err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"calculus", `"a b" c*`, "-x OR y", "'; DROP", "\x00\uE000"} {
		f.Add(s)
	}
	distance := regexp.MustCompile(`<[0-9]+>`)
	f.Fuzz(func(t *testing.T, q string) {
		p, err := Parse(q)
		if err != nil {
			return
		}
		// One-letter words are stop words of every configuration, two-letter
		// ones of the second.
		lex := Lexicon{}
		for _, op := range p.Operands() {
			switch n := len([]rune(strings.TrimSuffix(op, ":*"))) - 2; {
			case n == 1:
				lex[op] = []string{"", ""}
			case n == 2:
				lex[op] = []string{op, ""}
			default:
				lex[op] = []string{op, op}
			}
		}
		parsed, err := p.Render(lex)
		if errors.Is(err, ErrEmpty) {
			return
		}
		if err != nil || parsed.Exact == "" || parsed.Loose == "" {
			t.Fatalf("Render(%q) = %+v, %v", q, parsed, err)
		}
		out := parsed.Exact + " & " + parsed.Loose
		// Only quoted letter/digit operands and the operators we write.
		stripped := distance.ReplaceAllString(out, " ")
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
