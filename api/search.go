package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/search"
)

type searchPage struct {
	Page    int32  `json:"page"`
	Snippet string `json:"snippet"`
}

type searchItem struct {
	Type          string       `json:"type"`
	ID            uuid.UUID    `json:"id"`
	Title         string       `json:"title"`
	Snippet       string       `json:"snippet"`
	Rank          float64      `json:"rank"`
	PDFID         *uuid.UUID   `json:"pdf_id,omitempty"`
	MatchingPages *int32       `json:"matching_pages,omitempty"`
	Pages         []searchPage `json:"pages,omitempty"`
}

// searchKinds are the types of results, in the ?types= order of the docs.
var searchKinds = []string{"topic", "pdf", "exercise"}

// pagesPerResult caps the matching pages shown under one PDF result.
const pagesPerResult = 5

// search answers ?q= over the caller's topics, PDFs and exercises, best
// first. A PDF matches when its text holds the words anywhere (a phrase must
// be on one page); its result lists the pages where the whole query matches,
// best first, with snippets. Snippets are HTML-escaped text with the matched
// words in <mark>.
func (s *server) search(c echo.Context) error {
	pg, err := parsePage(c, "ns")
	if err != nil {
		return err
	}
	fe := fieldErrors{}
	parsed, err := search.Parse(c.QueryParam("q"))
	if err != nil {
		fe.add("q", err.Error())
	}
	kinds := searchKinds
	if v := c.QueryParam("types"); v != "" {
		kinds = nil
		for _, k := range strings.Split(v, ",") {
			if k = strings.TrimSpace(k); !containsString(searchKinds, k) {
				fe.add("types", "must be a comma-separated list of topic, pdf, exercise")
				break
			}
			kinds = append(kinds, k)
		}
	}
	if err := fe.err(); err != nil {
		return err
	}
	ctx := c.Request().Context()
	userID := principalOf(c).User.ID
	langs := s.cfg.SearchLanguages
	query, err := s.renderQuery(ctx, parsed)
	if errors.Is(err, search.ErrEmpty) {
		fe.add("q", err.Error())
		return fe.err()
	}
	if err != nil {
		return err
	}
	params := dbgen.SearchLibraryParams{
		UserID: userID, Exact: query.Exact, Loose: query.Loose, HasPhrase: query.HasPhrase,
		Lang1: langs[0], Lang2: langs[1], Kinds: kinds, RowLimit: pg.fetch(),
	}
	if pg.after != nil {
		params.AfterRank, params.AfterKind, params.AfterID = pg.after.N, pg.after.S, &pg.after.ID
	}
	rows, err := s.q.SearchLibrary(ctx, params)
	if err != nil {
		return err
	}
	rows, next := pageOf(pg, rows, func(r dbgen.SearchLibraryRow) cursor {
		return cursor{N: &r.RankKey, S: &r.Kind, ID: r.ID}
	})

	items := make([]searchItem, len(rows))
	var pdfIDs []uuid.UUID
	byPDF := map[uuid.UUID]*searchItem{}
	for i, r := range rows {
		items[i] = searchItem{Type: r.Kind, ID: r.ID, Title: r.Title, Rank: r.Rank}
		switch r.Kind {
		case "pdf":
			var zero int32
			items[i].MatchingPages = &zero
			items[i].Snippet = escapeSnippet(r.Detail) // the author
			pdfIDs = append(pdfIDs, r.ID)
			byPDF[r.ID] = &items[i]
		case "exercise":
			items[i].PDFID = r.PdfID
			items[i].Snippet = search.HighlightHTML(r.Snippet)
		default:
			items[i].Snippet = search.HighlightHTML(r.Snippet)
		}
	}
	if len(pdfIDs) > 0 {
		pages, err := s.q.SearchPDFPages(ctx, dbgen.SearchPDFPagesParams{
			UserID: userID, PdfIds: pdfIDs, Query: query.Exact, Lang1: langs[0], PerPdf: pagesPerResult,
		})
		if err != nil {
			return err
		}
		for _, p := range pages {
			if it := byPDF[p.PdfID]; it != nil {
				n := p.MatchingPages
				it.MatchingPages = &n
				it.Pages = append(it.Pages, searchPage{Page: p.Page, Snippet: search.HighlightHTML(p.Snippet)})
			}
		}
	}
	return c.JSON(http.StatusOK, listResponse[searchItem]{Items: items, NextCursor: next})
}

// renderQuery normalises the query's words in both search configurations
// and builds the tsquery from them (see package search).
func (s *server) renderQuery(ctx context.Context, parsed search.Parsed) (search.Query, error) {
	langs := s.cfg.SearchLanguages
	rows, err := s.q.NormalizeSearchOperands(ctx, dbgen.NormalizeSearchOperandsParams{
		Operands: parsed.Operands(), Lang1: langs[0], Lang2: langs[1],
	})
	if err != nil {
		return search.Query{}, err
	}
	lex := search.Lexicon{}
	for _, r := range rows {
		lex[r.Operand] = []string{r.Lang1, r.Lang2}
	}
	return parsed.Render(lex)
}

func escapeSnippet(s string) string { return search.HighlightHTML(search.StripMarkers(s)) }

type pageResponse struct {
	Page        int32       `json:"page"`
	WordCount   *int32      `json:"word_count"`
	SecondsRead int32       `json:"seconds_read"`
	BookmarkIDs []uuid.UUID `json:"bookmark_ids"`
	ExerciseIDs []uuid.UUID `json:"exercise_ids"`
}

// listPDFPages answers each page of a PDF: its word count (null before
// extraction and for pages without text), reading time, and the bookmarks
// on it and exercises covering it. Cursor pagination by page number.
func (s *server) listPDFPages(c echo.Context) error {
	pg, err := parsePage(c, "n")
	if err != nil {
		return err
	}
	pdf, err := s.loadPDF(c)
	if err != nil {
		return err
	}
	from := int32(1)
	if pg.after != nil {
		if last := *pg.after.N; last < 1 || last >= int64(pdf.Pdf.PageCount) || pg.after.ID != pdf.Pdf.ID {
			e := errBadRequest("invalid_cursor", "the cursor is not one this list returned")
			e.Fields = map[string]string{"cursor": "is not valid"}
			return e
		}
		from = int32(*pg.after.N) + 1
	}
	to := min(pdf.Pdf.PageCount, from+int32(pg.limit)-1)
	items := []pageResponse{}
	if from <= pdf.Pdf.PageCount {
		rows, err := s.q.ListPDFPages(c.Request().Context(), dbgen.ListPDFPagesParams{
			PdfID: pdf.Pdf.ID, UserID: pdf.Pdf.UserID, FromPage: from, ToPage: to,
		})
		if err != nil {
			return err
		}
		for _, r := range rows {
			items = append(items, pageResponse{Page: r.Page, WordCount: r.WordCount, SecondsRead: r.SecondsRead, BookmarkIDs: r.BookmarkIds, ExerciseIDs: r.ExerciseIds})
		}
	}
	var next *string
	if to < pdf.Pdf.PageCount {
		n := int64(to)
		next = encodeCursor(cursor{N: &n, ID: pdf.Pdf.ID})
	}
	return c.JSON(http.StatusOK, map[string]any{"text_status": pdf.Pdf.TextStatus, "items": items, "next_cursor": next})
}
