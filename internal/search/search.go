// Package search turns what a student types into a PostgreSQL tsquery and
// marks snippets; pure functions, no I/O.
//
// Syntax: words are required (AND); "a phrase" matches words in order;
// word* matches a prefix; -word excludes; OR between two terms accepts
// either. Punctuation inside words splits them (e-mail is the phrase e mail),
// as PostgreSQL's parser does.
package search

import (
	"errors"
	"html"
	"strings"
	"unicode"
)

// MaxQueryLength bounds the input, MaxTerms the terms kept.
const (
	MaxQueryLength = 200
	MaxTerms       = 16
)

// ErrEmpty means the query has no searchable words.
var ErrEmpty = errors.New("has no words to search for")

// ErrTooLong means the query is over MaxQueryLength characters.
var ErrTooLong = errors.New("must be at most 200 characters")

type term struct {
	words  []string // one word, or a phrase
	prefix bool     // last word is a prefix
	negate bool
}

// Query is a parsed search in tsquery syntax, twice: Exact keeps phrases
// (words in order, <->); Loose turns them into plain AND and leaves out
// negated phrases. Loose serves indexes without word positions (the
// document-level one), where it finds a superset of Exact's matches.
type Query struct {
	Exact     string
	Loose     string
	HasPhrase bool
}

// Parse turns q into tsquery text. Operands are quoted and hold only letters
// and digits, so nothing the user types can change the syntax.
func Parse(q string) (Query, error) {
	if len([]rune(q)) > MaxQueryLength {
		return Query{}, ErrTooLong
	}
	var groups [][]term // AND of ORs
	orNext := false
	for _, tok := range tokenize(q) {
		if tok == "OR" {
			orNext = len(groups) > 0
			continue
		}
		t, ok := parseTerm(tok)
		if !ok {
			continue
		}
		if orNext && !t.negate && !anyNegated(groups[len(groups)-1]) {
			groups[len(groups)-1] = append(groups[len(groups)-1], t)
		} else {
			groups = append(groups, []term{t})
		}
		orNext = false
		if len(groups) >= MaxTerms {
			break
		}
	}
	var out Query
	positive := false
	var exact, loose []string
	for _, g := range groups {
		var ex, lo []string
		for _, t := range g {
			ex = append(ex, t.render(true))
			positive = positive || !t.negate
			out.HasPhrase = out.HasPhrase || len(t.words) > 1
			if !(t.negate && len(t.words) > 1) {
				lo = append(lo, t.render(false))
			}
		}
		exact = append(exact, join(ex))
		if len(lo) == len(ex) { // an OR group with a dropped alternative would narrow the match
			loose = append(loose, join(lo))
		}
	}
	if !positive {
		return Query{}, ErrEmpty
	}
	out.Exact = strings.Join(exact, " & ")
	out.Loose = strings.Join(loose, " & ")
	return out, nil
}

func join(alts []string) string {
	if len(alts) == 1 {
		return alts[0]
	}
	return "(" + strings.Join(alts, " | ") + ")"
}

func anyNegated(g []term) bool {
	for _, t := range g {
		if t.negate {
			return true
		}
	}
	return false
}

// tokenize splits on spaces, keeping "quoted phrases" (with the quotes) whole.
func tokenize(q string) []string {
	var toks []string
	var b strings.Builder
	inQuote := false
	flush := func() {
		if b.Len() > 0 {
			toks = append(toks, b.String())
			b.Reset()
		}
	}
	for _, r := range q {
		switch {
		case r == '"':
			if inQuote {
				b.WriteRune(r)
				flush()
			} else {
				if b.String() != "-" { // -"a phrase" stays one negated token
					flush()
				}
				b.WriteRune(r)
			}
			inQuote = !inQuote
		case unicode.IsSpace(r) && !inQuote:
			flush()
		default:
			b.WriteRune(r)
		}
	}
	flush()
	return toks
}

func parseTerm(tok string) (term, bool) {
	var t term
	if strings.HasPrefix(tok, "-") && len(tok) > 1 {
		t.negate = true
		tok = tok[1:]
	}
	quoted := strings.HasPrefix(tok, `"`)
	tok = strings.Trim(tok, `"`)
	if !quoted && strings.HasSuffix(tok, "*") {
		t.prefix = true
		tok = strings.TrimRight(tok, "*")
	}
	t.words = Words(tok)
	if len(t.words) == 0 {
		return term{}, false
	}
	return t, true
}

// render writes the term; a phrase joins its words with <-> (in order) when
// ordered, with & otherwise.
func (t term) render(ordered bool) string {
	quoted := make([]string, len(t.words))
	for i, w := range t.words {
		quoted[i] = "'" + w + "'"
	}
	if t.prefix {
		quoted[len(quoted)-1] += ":*"
	}
	op := " & "
	if ordered {
		op = " <-> "
	}
	s := strings.Join(quoted, op)
	if len(quoted) > 1 {
		s = "(" + s + ")"
	}
	if t.negate {
		s = "!" + s
	}
	return s
}

// Words splits text into lower-case runs of letters and digits.
func Words(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		out = append(out, strings.ToLower(f))
	}
	return out
}

// CountWords counts whitespace-separated tokens, as `wc -w` does, except
// tokens made only of list bullets, dashes and ellipses: layout, not words.
// Code and formulas count (a reader spends time on "{" and "x²" too).
func CountWords(s string) int {
	n := 0
	for _, f := range strings.Fields(s) {
		if strings.IndexFunc(f, func(r rune) bool { return !isLayout(r) }) >= 0 {
			n++
		}
	}
	return n
}

// isLayout reports list bullets, dashes and ellipses.
func isLayout(r rune) bool {
	switch r {
	case '-', '*', '\u2022', '\u00B7', '\u2023', '\u2043', '\u25AA', '\u25AB', '\u25CF', '\u25CB', '\u25E6', '\u2013', '\u2014', '\u2026', '\uF0B7', '\uF0A7':
		return true
	}
	return false
}

// The markers PostgreSQL's ts_headline puts around matches (private-use
// characters, removed from stored text so they cannot be forged).
const (
	markStart = '\uE000'
	markStop  = '\uE001'
)

// StripMarkers removes the marker characters from text before it is stored.
func StripMarkers(s string) string {
	return strings.Map(func(r rune) rune {
		if r == markStart || r == markStop {
			return -1
		}
		return r
	}, s)
}

// HighlightHTML turns a ts_headline result into safe HTML: the text is
// escaped and the matches are wrapped in <mark>.
func HighlightHTML(snippet string) string {
	var b strings.Builder
	open := false
	start := 0
	for i, r := range snippet {
		if r != markStart && r != markStop {
			continue
		}
		b.WriteString(html.EscapeString(snippet[start:i]))
		start = i + len(string(r))
		switch {
		case r == markStart && !open:
			b.WriteString("<mark>")
			open = true
		case r == markStop && open:
			b.WriteString("</mark>")
			open = false
		}
	}
	b.WriteString(html.EscapeString(snippet[start:]))
	if open {
		b.WriteString("</mark>")
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
