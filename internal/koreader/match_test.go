package koreader

import (
	"slices"
	"testing"

	"github.com/google/uuid"
)

func TestNormalizeTitle(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Calculus", "calculus"},
		{"  Calculus,  Volume 1!  ", "calculusvolume1"},
		{"calculus_volume-1.pdf", "calculusvolume1"},
		{"Calculus Volume 1.PDF", "calculusvolume1"},
		{"Report.pdf.pdf", "reportpdf"},
		{"pdf", "pdf"},
		{".pdf", ""},
		{"", ""},
		{"—«»…", ""},
		{"Straße", "strasse"},
		{"STRASSE", "strasse"},
		{"Ｆｕｌｌｗｉｄｔｈ １２３", "fullwidth123"}, // NFKC
		{"ﬁnance", "finance"},             // ligature
		{"Cafe\u0301", "café"},            // decomposed é composes
		{"Café", "café"},                  // accents stay
		{"Ελληνικά: Μέρος Α'", "ελληνικάμέροσα"}, // final sigma folds
		{"ΜΈΡΟΣ", "μέροσ"},
		{"深度 工作", "深度工作"},
		{"हिन्दी", "हिन्दी"}, // combining marks stay
		{"C++ & C#", "cc"},
		{"tab\tnew\nline", "tabnewline"},
	}
	for _, tt := range tests {
		if got := NormalizeTitle(tt.in); got != tt.want {
			t.Errorf("NormalizeTitle(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMatch(t *testing.T) {
	t.Parallel()
	id := func(n byte) uuid.UUID { return uuid.UUID{15: n} }
	visits := func(total ...int) []Visit {
		var vs []Visit
		for i, n := range total {
			vs = append(vs, Visit{Page: 1, StartTime: int64(1e9 + i), Duration: 10, TotalPages: n})
		}
		return vs
	}
	const md5A, md5B = "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"
	type want struct {
		pdf    byte // 0: unmatched
		by     MatchedBy
		reason UnmatchedReason
	}
	tests := []struct {
		name  string
		books []Book
		pdfs  []Candidate
		want  []want
	}{
		{
			name:  "by md5, case-insensitive, whatever the title",
			books: []Book{{ID: 1, Title: "Other", MD5: "0123456789ABCDEF0123456789ABCDEF", Visits: visits(10)}},
			pdfs:  []Candidate{{ID: id(1), PartialMD5: md5A, Title: "x", PageCount: 500}},
			want:  []want{{pdf: 1, by: ByMD5}},
		},
		{
			name:  "by title within 10 %",
			books: []Book{{ID: 1, Title: "Calculus, Vol. 1", Pages: 110, Visits: visits(110)}},
			pdfs:  []Candidate{{ID: id(1), Title: "calculus vol 1.pdf", PageCount: 100}},
			want:  []want{{pdf: 1, by: ByTitle}},
		},
		{
			name:  "by title: page count over 10 % off",
			books: []Book{{ID: 1, Title: "Calculus", Pages: 111, Visits: visits(111)}},
			pdfs:  []Candidate{{ID: id(1), Title: "Calculus", PageCount: 100}},
			want:  []want{{reason: UnmatchedPageCountDiffers}},
		},
		{
			name:  "no pages in book: max total_pages of its visits",
			books: []Book{{ID: 1, Title: "Novel", Visits: visits(280, 300, 290)}},
			pdfs:  []Candidate{{ID: id(1), Title: "Novel", PageCount: 310}},
			want:  []want{{pdf: 1, by: ByTitle}},
		},
		{
			name:  "no page count known at all",
			books: []Book{{ID: 1, Title: "Novel", Visits: visits(0)}},
			pdfs:  []Candidate{{ID: id(1), Title: "Novel", PageCount: 310}},
			want:  []want{{reason: UnmatchedPageCountDiffers}},
		},
		{
			name:  "nothing alike",
			books: []Book{{ID: 1, Title: "Walden", MD5: md5B, Pages: 10, Visits: visits(10)}},
			pdfs:  []Candidate{{ID: id(1), Title: "Calculus", PartialMD5: md5A, PageCount: 10}},
			want:  []want{{reason: UnmatchedNoPDF}},
		},
		{
			name:  "no visits: no match, even with the same md5",
			books: []Book{{ID: 1, Title: "Walden", MD5: md5A, Pages: 10}, {ID: 2, Title: "Walden", Pages: 10, Visits: visits(10)}},
			pdfs:  []Candidate{{ID: id(1), Title: "Walden", PartialMD5: md5A, PageCount: 10}},
			want:  []want{{reason: UnmatchedNoVisits}, {pdf: 1, by: ByTitle}},
		},
		{
			name: "md5 matches come before title matches",
			books: []Book{
				{ID: 1, Title: "Walden", Pages: 100, Visits: visits(100)},
				{ID: 2, Title: "Something Else", MD5: md5A, Pages: 100, Visits: visits(100)},
			},
			pdfs: []Candidate{{ID: id(1), Title: "Walden", PartialMD5: md5A, PageCount: 100}},
			want: []want{{reason: UnmatchedPDFTaken}, {pdf: 1, by: ByMD5}},
		},
		{
			name: "two books, one md5: the lower id wins, the other falls back to title",
			books: []Book{
				{ID: 7, Title: "Walden (copy)", MD5: md5A, Pages: 100, Visits: visits(100)},
				{ID: 3, Title: "Walden", MD5: md5A, Pages: 100, Visits: visits(100)},
			},
			pdfs: []Candidate{
				{ID: id(1), Title: "Walden", PartialMD5: md5A, PageCount: 100},
				{ID: id(2), Title: "Walden (copy)", PageCount: 100},
			},
			want: []want{{pdf: 2, by: ByTitle}, {pdf: 1, by: ByMD5}},
		},
		{
			name: "two books, one md5, one PDF: pdf_already_matched",
			books: []Book{
				{ID: 1, Title: "A", MD5: md5A, Pages: 100, Visits: visits(100)},
				{ID: 2, Title: "B", MD5: md5A, Pages: 100, Visits: visits(100)},
			},
			pdfs: []Candidate{{ID: id(1), Title: "A", PartialMD5: md5A, PageCount: 100}},
			want: []want{{pdf: 1, by: ByMD5}, {reason: UnmatchedPDFTaken}},
		},
		{
			name:  "one md5, two PDFs (uploaded twice): the lower PDF id",
			books: []Book{{ID: 1, MD5: md5A, Visits: visits(5)}},
			pdfs:  []Candidate{{ID: id(9), PartialMD5: md5A}, {ID: id(4), PartialMD5: md5A}},
			want:  []want{{pdf: 4, by: ByMD5}},
		},
		{
			name: "title tie: closest page count wins",
			books: []Book{
				{ID: 1, Title: "Notes", Pages: 100, Visits: visits(100)},
				{ID: 2, Title: "Notes", Pages: 104, Visits: visits(104)},
			},
			pdfs: []Candidate{{ID: id(1), Title: "Notes", PageCount: 105}},
			want: []want{{reason: UnmatchedPDFTaken}, {pdf: 1, by: ByTitle}},
		},
		{
			name: "title tie with equal distance: lower book id, then lower PDF id",
			books: []Book{
				{ID: 5, Title: "Notes", Pages: 100, Visits: visits(100)},
				{ID: 4, Title: "Notes", Pages: 100, Visits: visits(100)},
			},
			pdfs: []Candidate{{ID: id(8), Title: "Notes", PageCount: 100}, {ID: id(3), Title: "Notes", PageCount: 100}},
			want: []want{{pdf: 8, by: ByTitle}, {pdf: 3, by: ByTitle}},
		},
		{
			name: "each PDF once: a second book of the same title with another page count",
			books: []Book{
				{ID: 1, Title: "Notes", Pages: 100, Visits: visits(100)},
				{ID: 2, Title: "Notes", Pages: 300, Visits: visits(300)},
			},
			pdfs: []Candidate{{ID: id(1), Title: "Notes", PageCount: 100}},
			want: []want{{pdf: 1, by: ByTitle}, {reason: UnmatchedPageCountDiffers}},
		},
		{
			name:  "an empty title matches nothing",
			books: []Book{{ID: 1, Title: "?!", Pages: 10, Visits: visits(10)}},
			pdfs:  []Candidate{{ID: id(1), Title: "", PageCount: 10}},
			want:  []want{{reason: UnmatchedNoPDF}},
		},
		{
			name:  "an empty md5 matches nothing",
			books: []Book{{ID: 1, Title: "A", Pages: 10, Visits: visits(10)}},
			pdfs:  []Candidate{{ID: id(1), Title: "B", PageCount: 10}},
			want:  []want{{reason: UnmatchedNoPDF}},
		},
		{
			name:  "no PDFs",
			books: []Book{{ID: 1, Title: "A", MD5: md5A, Visits: visits(10)}},
			want:  []want{{reason: UnmatchedNoPDF}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Match(tt.books, tt.pdfs)
			if len(got) != len(tt.books) {
				t.Fatalf("%d results for %d books", len(got), len(tt.books))
			}
			for i, w := range tt.want {
				g := got[i]
				if g.BookID != tt.books[i].ID {
					t.Errorf("result %d is for book %d, want %d", i, g.BookID, tt.books[i].ID)
				}
				var wantPDF uuid.UUID
				if w.pdf != 0 {
					wantPDF = id(w.pdf)
				}
				if g.Reason != "" && !slices.Contains(UnmatchedReasons, g.Reason) {
					t.Errorf("book %d: reason %q is not in UnmatchedReasons", g.BookID, g.Reason)
				}
				if g.PDFID != wantPDF || g.By != w.by || g.Reason != w.reason || g.Matched() != (w.by != "") {
					t.Errorf("book %d: %+v, want pdf %d by %q reason %q", g.BookID, g, w.pdf, w.by, w.reason)
				}
			}
			// Each PDF at most once.
			seen := map[uuid.UUID]bool{}
			for _, g := range got {
				if g.Matched() {
					if seen[g.PDFID] {
						t.Errorf("PDF %v matched twice", g.PDFID)
					}
					seen[g.PDFID] = true
				}
			}
			// The order of the PDFs does not change the outcome.
			rev := slices.Clone(tt.pdfs)
			slices.Reverse(rev)
			if again := Match(tt.books, rev); !slices.Equal(again, got) {
				t.Errorf("with the PDFs reversed: %+v, want %+v", again, got)
			}
		})
	}
}

func TestPagesClose(t *testing.T) {
	t.Parallel()
	tests := []struct {
		book, pdf int
		want      bool
	}{
		{100, 100, true}, {110, 100, true}, {90, 100, true}, {111, 100, false}, {89, 100, false},
		{0, 100, false}, {100, 0, false}, {1, 1, true}, {2, 1, false},
	}
	for _, tt := range tests {
		if got := pagesClose(tt.book, tt.pdf); got != tt.want {
			t.Errorf("pagesClose(%d, %d) = %v", tt.book, tt.pdf, got)
		}
	}
}
