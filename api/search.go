package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/apperr"
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
	fe := apperr.Fields{}
	parsed, err := search.Parse(c.QueryParam("q"))
	if err != nil {
		fe.Add("q", err.Error())
	}
	kinds := searchKinds
	if v := c.QueryParam("types"); v != "" {
		kinds = nil
		for _, k := range strings.Split(v, ",") {
			if k = strings.TrimSpace(k); !slices.Contains(searchKinds, k) {
				fe.Add("types", "must be a comma-separated list of topic, pdf, exercise")
				break
			}
			kinds = append(kinds, k)
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	ctx := c.Request().Context()
	userID := principalOf(c).User.ID
	release, ok := s.searches.Enter(userID.String())
	if !ok {
		return errTooMany("too_many_searches", "too many searches at once from this account; wait for one to finish", time.Second)
	}
	defer release()
	langs := s.cfg.SearchLanguages
	query, err := s.renderQuery(ctx, parsed)
	if errors.Is(err, search.ErrEmpty) {
		fe.Add("q", err.Error())
		return fe.Err()
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

//END
