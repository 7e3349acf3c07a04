package search

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/ratelimit"
)

// Kinds are the types of results, in the order of the API document.
var Kinds = []string{"topic", "pdf", "exercise"}

// PagesPerResult caps the matching pages listed under one PDF result;
// they are the best by ts_rank among the first RankedPages matching pages
// of the PDF (every matching page when fewer match).
const (
	PagesPerResult = 5
	RankedPages    = 40
)

// Service runs searches over one user's library: it normalises the query
// in both search configurations, ranks topics, PDFs and exercises in SQL,
// and lists the best matching pages of each PDF found.
type Service struct {
	q     dbgen.Querier
	langs [2]string
	gate  *ratelimit.Gate
}

// NewService returns the search workflow over q with the two text search
// configurations pages are indexed with; perUser bounds one user's
// concurrent searches (429 beyond).
func NewService(q dbgen.Querier, langs [2]string, perUser int) *Service {
	return &Service{q: q, langs: langs, gate: ratelimit.NewGate(max(perUser, 1))}
}

// Request is one page of a search.
type Request struct {
	UserID uuid.UUID
	Query  Parsed
	Kinds  []string // a subset of Kinds; all when empty
	Fetch  int32    // rows to read (the page size plus one, to know if more follow)
	// After is the position after which the page starts (nil: the first).
	After *Position
}

// Position is where a result sits in the ranking (the cursor of a page).
type Position struct {
	RankKey int64
	Kind    string
	ID      uuid.UUID
}

// Page is a matching page of a PDF result.
type Page struct {
	Page    int32
	Snippet string // HTML-escaped, matches in <mark>
}

// Result is one hit.
type Result struct {
	Position
	Title   string
	Snippet string // HTML-escaped, matches in <mark>; a PDF's author
	Rank    float64
	// PDFID is an exercise's PDF.
	PDFID *uuid.UUID
	// MatchingPages and Pages are set for a PDF: how many of its pages match
	// the whole query, and the best PagesPerResult of them.
	MatchingPages *int32
	Pages         []Page
}

// Search answers a request, best first. A query with no required word left
// once normalised (only excluded words, or words no configuration indexes)
// is a 422 on q.
func (s *Service) Search(ctx context.Context, req Request) ([]Result, error) {
	release, ok := s.gate.Enter(req.UserID.String())
	if !ok {
		return nil, apperr.Retry(apperr.TooMany, "too_many_searches", "too many searches at once from this account; wait for one to finish", time.Second)
	}
	defer release()
	query, err := s.render(ctx, req.Query)
	if errors.Is(err, ErrEmpty) {
		return nil, apperr.Field("q", err.Error())
	}
	if err != nil {
		return nil, err
	}
	kinds := req.Kinds
	if len(kinds) == 0 {
		kinds = Kinds
	}
	params := dbgen.SearchLibraryParams{
		UserID: req.UserID, Exact: query.Exact, Loose: query.Loose, HasPhrase: query.HasPhrase,
		Lang1: s.langs[0], Lang2: s.langs[1], Kinds: kinds, RowLimit: req.Fetch,
	}
	if a := req.After; a != nil {
		params.AfterRank, params.AfterKind, params.AfterID = &a.RankKey, &a.Kind, &a.ID
	}
	rows, err := s.q.SearchLibrary(ctx, params)
	if err != nil {
		return nil, err
	}
	out := make([]Result, len(rows))
	var pdfIDs []uuid.UUID
	byPDF := map[uuid.UUID]*Result{}
	// The row past the page (Fetch is the page size plus one) only tells
	// that more follow: no pages are listed for it.
	shown := len(rows)
	if req.Fetch > 1 && len(rows) >= int(req.Fetch) {
		shown = int(req.Fetch) - 1
	}
	for i, r := range rows {
		out[i] = Result{Position: Position{RankKey: r.RankKey, Kind: r.Kind, ID: r.ID}, Title: r.Title, Rank: r.Rank}
		switch r.Kind {
		case "pdf":
			var zero int32
			out[i].MatchingPages = &zero
			out[i].Snippet = HighlightHTML(StripMarkers(r.Detail)) // the author
			if i < shown {
				pdfIDs = append(pdfIDs, r.ID)
				byPDF[r.ID] = &out[i]
			}
		case "exercise":
			out[i].PDFID = r.PdfID
			out[i].Snippet = HighlightHTML(r.Snippet)
		default:
			out[i].Snippet = HighlightHTML(r.Snippet)
		}
	}
	if len(pdfIDs) == 0 {
		return out, nil
	}
	pages, err := s.q.SearchPDFPages(ctx, dbgen.SearchPDFPagesParams{
		UserID: req.UserID, PdfIds: pdfIDs, Query: query.Exact, Lang1: s.langs[0], PerPdf: PagesPerResult, RankPages: RankedPages,
	})
	if err != nil {
		return nil, err
	}
	for _, p := range pages {
		if r := byPDF[p.PdfID]; r != nil {
			n := p.MatchingPages
			r.MatchingPages = &n
			r.Pages = append(r.Pages, Page{Page: p.Page, Snippet: HighlightHTML(p.Snippet)})
		}
	}
	return out, nil
}

// render normalises the query's words in both configurations and builds
// the tsquery from them.
func (s *Service) render(ctx context.Context, parsed Parsed) (Query, error) {
	rows, err := s.q.NormalizeSearchOperands(ctx, dbgen.NormalizeSearchOperandsParams{
		Operands: parsed.Operands(), Lang1: s.langs[0], Lang2: s.langs[1],
	})
	if err != nil {
		return Query{}, err
	}
	lex := Lexicon{}
	for _, r := range rows {
		lex[r.Operand] = []string{r.Lang1, r.Lang2}
	}
	return parsed.Render(lex)
}
