package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

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

// search answers ?q= over the caller's topics, PDFs and exercises, best
// first (the workflow is search.Service.Search).
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
	var kinds []string
	if v := c.QueryParam("types"); v != "" {
		for _, k := range strings.Split(v, ",") {
			if k = strings.TrimSpace(k); !slices.Contains(search.Kinds, k) {
				fe.Add("types", "must be a comma-separated list of topic, pdf, exercise")
				break
			}
			kinds = append(kinds, k)
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	req := search.Request{UserID: principalOf(c).User.ID, Query: parsed, Kinds: kinds, Fetch: pg.fetch()}
	if a := pg.after; a != nil { // parsePage checked that it has N and S
		req.After = &search.Position{RankKey: *a.N, Kind: *a.S, ID: a.ID}
	}
	results, err := s.searcher.Search(c.Request().Context(), req)
	if err != nil {
		return err
	}
	results, next := pageOf(pg, results, func(r search.Result) cursor {
		return cursor{N: &r.RankKey, S: &r.Kind, ID: r.ID}
	})
	items := make([]searchItem, len(results))
	for i, r := range results {
		items[i] = searchItem{Type: r.Kind, ID: r.ID, Title: r.Title, Snippet: r.Snippet, Rank: r.Rank, PDFID: r.PDFID, MatchingPages: r.MatchingPages}
		for _, p := range r.Pages {
			items[i].Pages = append(items[i].Pages, searchPage{Page: p.Page, Snippet: p.Snippet})
		}
	}
	return c.JSON(http.StatusOK, listResponse[searchItem]{Items: items, NextCursor: next})
}
