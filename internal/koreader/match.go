package koreader

import (
	"bytes"
	"cmp"
	"slices"
	"strings"
	"unicode"

	"github.com/google/uuid"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// NormalizeTitle reduces a title to what matching compares: compatibility
// normalized (NFKC), case folded, without punctuation, symbols and white
// space, and without a trailing ".pdf" (KOReader shows a file name when a
// document has no title).
func NormalizeTitle(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 4 && strings.EqualFold(s[len(s)-4:], ".pdf") {
		s = s[:len(s)-4]
	}
	s = cases.Fold().String(norm.NFKC.String(s))
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Candidate is one of the user's PDFs that a book may match.
type Candidate struct {
	ID         uuid.UUID
	PartialMD5 string
	Title      string
	PageCount  int
}

// MatchedBy says how a book was matched to a PDF.
type MatchedBy string

// How a book matched.
const (
	ByMD5   MatchedBy = "md5"
	ByTitle MatchedBy = "title"
)

// UnmatchedReason says why a book was matched to no PDF.
type UnmatchedReason string

// Why a book matched no PDF.
const (
	UnmatchedNoPDF            UnmatchedReason = "no_pdf_with_this_md5_or_title"
	UnmatchedPageCountDiffers UnmatchedReason = "page_count_differs"
	UnmatchedPDFTaken         UnmatchedReason = "pdf_already_matched"
	UnmatchedNoVisits         UnmatchedReason = "no_visits"
)

// UnmatchedReasons lists every UnmatchedReason once.
var UnmatchedReasons = []UnmatchedReason{
	UnmatchedNoPDF, UnmatchedPageCountDiffers, UnmatchedPDFTaken, UnmatchedNoVisits,
}

// MatchResult is the outcome for one book: matched to PDFID (By set), or
// not (Reason set).
type MatchResult struct {
	BookID int64
	PDFID  uuid.UUID
	By     MatchedBy
	Reason UnmatchedReason
}

// Matched reports whether the book was matched to a PDF.
func (m MatchResult) Matched() bool { return m.By != "" }

// pageTolerancePercent is how far a book's page count may be from the
// PDF's, in percent of the PDF's, for a title match.
const pageTolerancePercent = 10

// bookPages is the page count a title match compares: book.pages, or else
// the largest total_pages of the book's visits.
func bookPages(b Book) int {
	if b.Pages > 0 {
		return b.Pages
	}
	return b.MaxTotalPages()
}

// pagesClose reports whether a book's page count is within the tolerance
// of a PDF's.
func pagesClose(book, pdf int) bool {
	if book <= 0 || pdf <= 0 {
		return false
	}
	d := int64(book) - int64(pdf)
	if d < 0 {
		d = -d
	}
	return d*100 <= int64(pdf)*pageTolerancePercent
}

// Match pairs KOReader books with the user's PDFs and gives one result per
// book, in the order of books. A book without visits matches nothing. Then
// books match by partial MD5 (exact, case-insensitive), then by normalized
// title with the page count within 10 %; each PDF is matched at most once:
// MD5 matches first (books in id order, PDFs in id order), then title
// matches by closest page count, then book id, then PDF id.
func Match(books []Book, pdfs []Candidate) []MatchResult {
	out := make([]MatchResult, len(books))
	taken := make([]bool, len(pdfs))
	titles := make([]string, len(pdfs))
	byMD5 := map[string][]int{}
	for j, p := range pdfs {
		titles[j] = NormalizeTitle(p.Title)
		if md5 := normalizeMD5(p.PartialMD5); md5 != "" {
			byMD5[md5] = append(byMD5[md5], j)
		}
	}
	for _, idx := range byMD5 {
		slices.SortFunc(idx, func(a, b int) int { return compareUUID(pdfs[a].ID, pdfs[b].ID) })
	}

	order := make([]int, len(books))
	for i := range books {
		order[i] = i
		out[i].BookID = books[i].ID
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(books[a].ID, books[b].ID) })

	// Pass 1: partial MD5.
	var pending []int
	for _, i := range order {
		if len(books[i].Visits) == 0 {
			out[i].Reason = UnmatchedNoVisits
			continue
		}
		matched := false
		for _, j := range byMD5[normalizeMD5(books[i].MD5)] {
			if !taken[j] {
				taken[j] = true
				out[i].PDFID, out[i].By = pdfs[j].ID, ByMD5
				matched = true
				break
			}
		}
		if !matched {
			pending = append(pending, i)
		}
	}

	// Pass 2: title and page count, closest pairs first.
	type pair struct {
		book, pdf int
		diff      int64
	}
	var pairs []pair
	normTitle := make(map[int]string, len(pending))
	for _, i := range pending {
		t := NormalizeTitle(books[i].Title)
		normTitle[i] = t
		if t == "" {
			continue
		}
		n := bookPages(books[i])
		for j := range pdfs {
			if titles[j] == t && pagesClose(n, pdfs[j].PageCount) {
				d := int64(n) - int64(pdfs[j].PageCount)
				pairs = append(pairs, pair{i, j, max(d, -d)})
			}
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		return cmp.Or(cmp.Compare(a.diff, b.diff),
			cmp.Compare(books[a.book].ID, books[b.book].ID),
			cmp.Compare(a.book, b.book),
			compareUUID(pdfs[a.pdf].ID, pdfs[b.pdf].ID))
	})
	done := map[int]bool{}
	for _, p := range pairs {
		if done[p.book] || taken[p.pdf] {
			continue
		}
		done[p.book], taken[p.pdf] = true, true
		out[p.book].PDFID, out[p.book].By = pdfs[p.pdf].ID, ByTitle
	}

	// Reasons for the rest.
	for _, i := range pending {
		if done[i] {
			continue
		}
		switch {
		case len(byMD5[normalizeMD5(books[i].MD5)]) > 0:
			out[i].Reason = UnmatchedPDFTaken
		default:
			out[i].Reason = titleMiss(normTitle[i], bookPages(books[i]), pdfs, titles)
		}
	}
	return out
}

// titleMiss says why a book whose title matched no free PDF went
// unmatched.
func titleMiss(title string, pages int, pdfs []Candidate, titles []string) UnmatchedReason {
	reason := UnmatchedNoPDF
	if title == "" {
		return reason
	}
	for j := range pdfs {
		if titles[j] != title {
			continue
		}
		if pagesClose(pages, pdfs[j].PageCount) {
			return UnmatchedPDFTaken
		}
		reason = UnmatchedPageCountDiffers
	}
	return reason
}

// normalizeMD5 lower-cases a hex digest and trims it.
func normalizeMD5(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func compareUUID(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }
