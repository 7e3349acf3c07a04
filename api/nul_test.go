package api_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"
)

// TestNULFindings: each place a NUL once reached PostgreSQL (22021, a 500)
// is now a 4xx naming the field: a bookmark note, ?q= on /topics and
// /pdfs, a login identifier in JSON and in a form, a forged cursor.
func TestNULFindings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	pdf := e.studyPDF(tk.AccessToken, 2)
	auth := withToken(tk.AccessToken)
	forged := base64.RawURLEncoding.EncodeToString([]byte(`{"n":0,"s":"a\u0000b","id":"0b5e1f9a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"}`))
	form := url.Values{"username": {"nul\x00user"}, "password": {"a-good-password"}}.Encode()
	for _, c := range []struct {
		name         string
		method, path string
		body         any
		opts         []reqOpt
		status       int
		field        string
	}{
		{"bookmark note", "POST", "/api/v1/pdfs/" + pdf.ID + "/bookmarks", map[string]any{"page": 1, "note": "a\u0000b"}, []reqOpt{auth}, http.StatusUnprocessableEntity, "note"},
		{"topics q", "GET", "/api/v1/topics?q=%00", nil, []reqOpt{auth}, http.StatusBadRequest, "q"},
		{"pdfs q", "GET", "/api/v1/pdfs?q=%00", nil, []reqOpt{auth}, http.StatusBadRequest, "q"},
		{"login JSON email", "POST", "/api/v1/auth/login", map[string]any{"email": "a\u0000@example.com", "password": "a-good-password"}, nil, http.StatusUnprocessableEntity, "email"},
		{"login JSON username", "POST", "/api/v1/auth/login", map[string]any{"username": "nul\u0000user", "password": "a-good-password"}, nil, http.StatusUnprocessableEntity, "username"},
		{"login form username", "POST", "/api/v1/auth/login", rawBody(form), []reqOpt{withHeader("Content-Type", "application/x-www-form-urlencoded")}, http.StatusUnprocessableEntity, "username"},
		{"forged cursor", "GET", "/api/v1/topics?cursor=" + forged, nil, []reqOpt{auth}, http.StatusBadRequest, "cursor"},
	} {
		r := e.do(c.method, c.path, c.body, c.opts...)
		if r.Status != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, r.Status, c.status, r.Body)
			continue
		}
		if f := r.errorBody(t).Fields; f[c.field] == "" {
			t.Errorf("%s: fields %v do not name %s", c.name, f, c.field)
		}
	}
}
