// Package search turns what a student types into a PostgreSQL tsquery and
// marks snippets; pure functions, no I/O.
//
// Syntax: words are required (AND); "a phrase" matches words in order;
// word* matches a prefix; -word excludes; OR between two terms accepts
// either. Punctuation inside words splits them (e-mail is the phrase e mail),
// as PostgreSQL's parser does.
//
// A search runs in two steps. Parse reads the query and lists its operands
// (each word, quoted, with :* for a prefix); the database normalises each
// operand in both text search configurations (SEARCH_LANGUAGES); Render
// builds the tsquery from those forms, word by word: a word matches any of
// its forms. A configuration that drops a word (a stop word: english drops
// "the") adds no form, so the word still matches as the other configuration
// has it (simple: the exact word). Normalising the whole query in each
// configuration and joining the two with || instead lets english turn
// "the -qqq" into "!qqq", which matches everything without qqq, and
// "-the kernel" into "kernel". A word that no configuration keeps is left
// out of the query, the way to_tsquery leaves out a stop word.
package search

import (
	"errors"
	"html"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// MaxQueryLength bounds the input, MaxTerms the terms kept.
const (
	MaxQueryLength = 200
	MaxTerms       = 16
)

// ErrEmpty means the query has no searchable words: nothing but excluded
// words, punctuation or words no configuration indexes.
var ErrEmpty = errors.New("has no words to search for")

// ErrTooLong means the query is over MaxQueryLength characters.
var ErrTooLong = errors.New("must be at most 200 characters")

type term struct {
	words  []string // one word, or a phrase
	prefix bool     // last word is a prefix
	negate bool
}

// Parsed is a query read by Parse: an AND of groups, each an OR of terms.
type Parsed struct {
	groups [][]term
}

// Query is a search in tsquery syntax (for text::tsquery, already
// normalised), twice: Exact keeps phrases (words in order, <->); Loose
// turns them into plain AND and leaves out negated phrases. Loose serves
// indexes without word positions (the document-level one), where it finds a
// superset of Exact's matches. HasPhrase reports a phrase of two words or
// more.
type Query struct {
	Exact     string
	Loose     string
	HasPhrase bool
}

// Lexicon holds the normalised forms of each operand of a Parsed query
// (Operands), as tsquery text: one per text search configuration, "" where
// a configuration drops the word.
type Lexicon map[string][]string

// Parse reads q. It fails with ErrTooLong, or ErrEmpty when no word is
// required (a query of excluded words only matches nearly everything).
// Operands hold only letters and digits, so nothing the user types can
// change the syntax.
func Parse(q string) (Parsed, error) {
	if len([]rune(q)) > MaxQueryLength {
		return Parsed{}, ErrTooLong
	}
	var p Parsed
	orNext := false
	for _, tok := range tokenize(q) {
		if tok == "OR" {
			orNext = len(p.groups) > 0
			continue
		}
		t, ok := parseTerm(tok)
		if !ok {
			continue
		}
		if last := len(p.groups) - 1; orNext && !t.negate && !anyNegated(p.groups[last]) {
			p.groups[last] = append(p.groups[last], t)
		} else {
			p.groups = append(p.groups, []term{t})
		}
		orNext = false
		if len(p.groups) >= MaxTerms {
			break
		}
	}
	if !p.positive() {
		return Parsed{}, ErrEmpty
	}
	return p, nil
}

func (p Parsed) positive() bool {
	for _, g := range p.groups {
		if !anyNegated(g) {
			return true
		}
	}
	return false
}

// Operands lists, once each, the operands to normalise: 'word', or
// 'word':* for a prefix.
func (p Parsed) Operands() []string {
	var out []string
	seen := map[string]bool{}
	for _, g := range p.groups {
		for _, t := range g {
			for i := range t.words {
				if op := t.operand(i); !seen[op] {
					seen[op] = true
					out = append(out, op)
				}
			}
		}
	}
	return out
}

// Render builds the query from the normalised forms of its operands. Each
// word becomes the OR of its distinct forms; a word without any is left out
// (a phrase keeps the distance across it), and so is a term or group left
// without words. It fails with ErrEmpty when no required word is left.
func (p Parsed) Render(lex Lexicon) (Query, error) {
	var out Query
	var exact, loose []string
	positive := false
	for _, g := range p.groups {
		var ex, lo []string
		for _, t := range g {
			e, words := t.render(lex, true)
			if words == 0 {
				continue // never matches: an OR does without it, an AND without the exclusion
			}
			l, _ := t.render(lex, false)
			ex = append(ex, e)
			positive = positive || !t.negate
			out.HasPhrase = out.HasPhrase || words > 1
			if !(t.negate && words > 1) {
				lo = append(lo, l)
			}
		}
		if len(ex) == 0 {
			continue
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

// operand is word i as a tsquery operand.
func (t term) operand(i int) string {
	op := "'" + t.words[i] + "'"
	if t.prefix && i == len(t.words)-1 {
		op += ":*"
	}
	return op
}

// render writes the term from the forms of its words and says how many
// words have one. A phrase joins them with <-> (or <N> across words left
// out) when ordered, with & otherwise.
func (t term) render(lex Lexicon, ordered bool) (string, int) {
	var b strings.Builder
	words, gap := 0, 0
	for i := range t.words {
		w := forms(lex[t.operand(i)])
		if w == "" {
			gap++
			continue
		}
		switch {
		case words == 0:
		case !ordered:
			b.WriteString(" & ")
		case gap == 0:
			b.WriteString(" <-> ")
		default:
			b.WriteString(" <" + strconv.Itoa(gap+1) + "> ")
		}
		b.WriteString(w)
		words++
		gap = 0
	}
	s := b.String()
	if words > 1 {
		s = "(" + s + ")"
	}
	if t.negate && words > 0 {
		s = "!" + s
	}
	return s, words
}

// forms is the OR of a word's distinct forms, each bracketed unless it is
// one operand; "" without any.
func forms(alts []string) string {
	var uniq []string
	for _, a := range alts {
		if a = strings.TrimSpace(a); a != "" && !slices.Contains(uniq, a) {
			uniq = append(uniq, a)
		}
	}
	for i, a := range uniq {
		if strings.Contains(a, " ") { // tsquery text puts spaces around its binary operators
			uniq[i] = "(" + a + ")"
		}
	}
	if len(uniq) > 1 {
		return "(" + strings.Join(uniq, " | ") + ")"
	}
	return strings.Join(uniq, "")
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
