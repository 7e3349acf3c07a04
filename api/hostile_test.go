package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/studysprint/studysprint/api"
	"github.com/studysprint/studysprint/internal/testpdf"
)

// hostileFixture is one account with one object of each kind, so every
// path parameter names something real and handlers run all the way.
type hostileFixture struct {
	tk                        tokens
	password                  string
	topic, pdf, exercise, bmk string
	session, goal             string
}

func (e *env) hostileFixture() hostileFixture {
	e.t.Helper()
	tk, password := e.register()
	f := hostileFixture{tk: tk, password: password}
	f.topic = e.createTopic(tk.AccessToken, map[string]any{"name": "Hostile"}).ID
	f.pdf = e.uploadOK(tk.AccessToken, testpdf.CorpusFile(e.t, "test.pdf"), map[string]string{"topic_id": f.topic}).ID
	var ex, bm struct{ ID string }
	e.do("POST", "/api/v1/pdfs/"+f.pdf+"/exercises", map[string]any{"title": "Ex", "page_start": 1}, withToken(tk.AccessToken)).
		must(e.t, http.StatusCreated).decode(e.t, &ex)
	e.do("POST", "/api/v1/pdfs/"+f.pdf+"/bookmarks", map[string]any{"page": 1, "label": "b"}, withToken(tk.AccessToken)).
		must(e.t, http.StatusCreated).decode(e.t, &bm)
	f.exercise, f.bmk = ex.ID, bm.ID
	var st struct{ ID string }
	e.do("POST", "/api/v1/study-sessions", map[string]any{"pdf_id": f.pdf}, withToken(tk.AccessToken)).must(e.t, http.StatusCreated).decode(e.t, &st)
	f.session = st.ID
	var g struct{ ID string }
	e.do("POST", "/api/v1/goals", map[string]any{"kind": "finish_topic_by", "topic_id": f.topic, "deadline": time.Now().AddDate(1, 0, 0).Format("2006-01-02")}, withToken(tk.AccessToken)).
		must(e.t, http.StatusCreated).decode(e.t, &g)
	f.goal = g.ID
	return f
}

// concrete fills the path parameters of an operation's path.
func (f hostileFixture) concrete(path string) string {
	id := f.topic
	switch {
	case strings.HasPrefix(path, "/api/v1/pdfs/"), strings.HasPrefix(path, "/api/v1/estimates/pdfs/"):
		id = f.pdf
	case strings.HasPrefix(path, "/api/v1/exercises/"):
		id = f.exercise
	case strings.HasPrefix(path, "/api/v1/bookmarks/"):
		id = f.bmk
	case strings.HasPrefix(path, "/api/v1/study-sessions/"):
		id = f.session
	case strings.HasPrefix(path, "/api/v1/goals/"):
		id = f.goal
	case strings.HasPrefix(path, "/api/v1/auth/sessions/"):
		id = "00000000-0000-4000-8000-000000000000"
	}
	r := strings.NewReplacer("{id}", id, "{n}", "1", "{file}", "index.css")
	return r.Replace(path)
}

// sample is a plausible value for a schema: what a client would send.
func sample(s *openapi3.Schema, name string, f hostileFixture) any {
	switch {
	case len(s.Enum) > 0:
		return s.Enum[0]
	case s.Type.Is("object"):
		obj := map[string]any{}
		for k, p := range s.Properties {
			obj[k] = sample(p.Value, k, f)
		}
		return obj
	case s.Type.Is("array"):
		return []any{}
	case s.Type.Is("integer"):
		if s.Min != nil && *s.Min > 1 {
			return int(*s.Min)
		}
		return 1
	case s.Type.Is("number"):
		return 1.5
	case s.Type.Is("boolean"):
		return false
	}
	switch s.Format {
	case "uuid":
		if name == "topic_id" || name == "parent_id" {
			return f.topic
		}
		return f.pdf
	case "date":
		return "2027-01-31"
	case "date-time":
		return time.Now().UTC().Format(time.RFC3339)
	case "email", "idn-email":
		return "hostile@example.com"
	}
	if name == "color" {
		return "#112233"
	}
	return "text"
}

// hostileStrings are the string values a hostile client sends, as raw JSON
// text (the second one is not valid UTF-8, so it is not valid JSON either).
var hostileStrings = []string{`"nul\u0000inside"`, "\"bad\xff\xfebytes\"", `"\ud800 lone surrogate"`, `"` + strings.Repeat("ü", 5000) + `"`}

// hostileHeaderValues may be sent by a Go client (bytes 0x80-0xff pass).
var hostileHeaderValues = []string{"\xff\xfe\xfd", "ok \x80\x81 \xc3", strings.Repeat("\xe2\x82", 200)}

var hostileHeaders = []string{"User-Agent", "X-Request-ID", "Authorization", "Content-Type", "Accept", "Range", "If-None-Match",
	"If-Range", "If-Modified-Since", "Origin", "X-Forwarded-For", "Accept-Language", "Cookie"}

// TestHostileInputEveryRoute (issue 9): invalid UTF-8, NUL, lone surrogates
// and oversize text in every string field of every JSON body, invalid bytes
// in every header, and bad escapes in every query parameter, on every route
// of the document: never a 5xx, and every answer matches the document (the
// env's client validates each one).
func TestHostileInputEveryRoute(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("several thousand requests")
	}
	e := newEnv(t)
	doc, err := api.OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	f := e.hostileFixture()
	fresh := func() {
		if e.do("GET", "/api/v1/auth/me", nil, withToken(f.tk.AccessToken)).Status != http.StatusOK {
			f = e.hostileFixture() // the previous request ended the session or the account
		}
	}
	requests := 0
	check := func(what string, r response) {
		t.Helper()
		requests++
		if r.Status >= 500 {
			t.Errorf("%s: %d %.300s", what, r.Status, r.Body)
		}
	}
	paths := doc.Paths.InMatchingOrder()
	sort.Strings(paths)
	// Operations that end the session or the account go last.
	sort.SliceStable(paths, func(i, j int) bool {
		return !strings.Contains(paths[i], "/auth/") && strings.Contains(paths[j], "/auth/")
	})
	for _, path := range paths {
		for method, op := range doc.Paths.Value(path).Operations() {
			fresh()
			target := f.concrete(path)
			auth := withToken(f.tk.AccessToken)
			name := method + " " + path
			if op.RequestBody != nil {
				if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil {
					base, _ := sample(mt.Schema.Value, "", f).(map[string]any)
					for field, prop := range mt.Schema.Value.Properties {
						if !prop.Value.Type.Is("string") {
							continue
						}
						for _, hs := range hostileStrings {
							fresh()
							body := map[string]json.RawMessage{}
							for k, v := range base {
								raw, _ := json.Marshal(v)
								body[k] = raw
							}
							body[field] = json.RawMessage(hs)
							var buf bytes.Buffer
							buf.WriteByte('{')
							first := true
							for k, v := range body {
								if !first {
									buf.WriteByte(',')
								}
								first = false
								fmt.Fprintf(&buf, "%q:", k)
								buf.Write(v)
							}
							buf.WriteByte('}')
							check(name+" "+field, e.do(method, target, buf.Bytes(), withToken(f.tk.AccessToken)))
						}
					}
				}
				if op.RequestBody.Value.Content.Get("application/x-www-form-urlencoded") != nil {
					for _, hs := range []string{"a%00b", "%ff%fe", "%zz"} {
						check(name+" form", e.do(method, target, rawBody("grant_type=password&username="+hs+"&password="+hs),
							withHeader("Content-Type", "application/x-www-form-urlencoded")))
					}
				}
				if mt := op.RequestBody.Value.Content.Get("multipart/form-data"); mt != nil {
					fields := make([]string, 0, len(mt.Schema.Value.Properties))
					for field, prop := range mt.Schema.Value.Properties {
						if prop.Value.Format != "binary" {
							fields = append(fields, field)
						}
					}
					sort.Strings(fields)
					for _, field := range fields {
						for _, v := range []string{"nul\x00inside", "bad\xff\xfe"} {
							check(name+" "+field, e.uploadBytesTo(target, f.tk.AccessToken, "h.pdf", []byte("%PDF-1.4 not really"), map[string]string{field: v}))
						}
					}
				}
			}
			for _, h := range hostileHeaders {
				for _, v := range hostileHeaderValues {
					opts := []reqOpt{withHeader(h, v)}
					if h != "Authorization" {
						opts = append(opts, auth)
					}
					check(name+" header "+h, e.do(method, target, nil, opts...))
					fresh()
					auth = withToken(f.tk.AccessToken)
				}
			}
			params := op.Parameters
			if item := doc.Paths.Value(path); item != nil {
				params = append(params, item.Parameters...)
			}
			for _, p := range params {
				if p.Value.In != "query" {
					continue
				}
				for _, bad := range []string{"%00", "a%ffb", "%zz", "%C0%80"} {
					r := e.do(method, target+"?"+p.Value.Name+"="+bad, nil, auth)
					check(name+" query "+p.Value.Name, r)
					if r.Status != http.StatusBadRequest {
						t.Errorf("%s ?%s=%s: %d, want 400", name, p.Value.Name, bad, r.Status)
					}
				}
			}
		}
	}
	if requests < 1000 {
		t.Fatalf("only %d hostile requests", requests)
	}
	t.Logf("%d hostile requests, no 5xx", requests)
}

// TestProtocolErrorsHaveTheShape (finding 12): what net/http refuses before
// routing — a malformed escape in the path, NUL or control bytes in a
// header — answers in the error shape with a request id.
func TestProtocolErrorsHaveTheShape(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	addr := strings.TrimPrefix(e.srv.URL, "http://")
	for _, raw := range []string{
		"GET /api/v1/pdfs/%zz HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /api/v1/auth/me HTTP/1.1\r\nHost: x\r\nUser-Agent: a\x00b\r\n\r\n",
		"GET /api/v1/auth/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \x01\x02\r\n\r\n",
		"GET /api/v1/topics?q=1 HTTP/1.1\r\nHost: x\r\nX-Request-ID: \x7f\r\n\r\n",
		"GET /health HTTP/1.1\r\nHost: x\r\nX: " + strings.Repeat("a", 2<<20) + "\r\n\r\n",
	} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(conn, raw); err != nil {
			t.Fatal(err)
		}
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("%.60q: %v", raw, err)
		}
		body, _ := io.ReadAll(res.Body)
		conn.Close()
		r := response{Status: res.StatusCode, Header: res.Header, Body: body}
		if r.Status != http.StatusBadRequest && r.Status != http.StatusRequestHeaderFieldsTooLarge {
			t.Fatalf("%.60q: %d", raw, r.Status)
		}
		if ct := res.Header.Get("Content-Type"); ct != "application/json" {
			t.Fatalf("%.60q: Content-Type %q", raw, ct)
		}
		r.errorBody(t) // complete shape, request_id equals X-Request-ID
	}
	// Through the client too: a malformed escape in a query is 400 in the shape.
	tk, _ := e.register()
	u := e.srv.URL + "/api/v1/topics?q=%zz"
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Authorization", "Bearer "+tk.AccessToken)
	res, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("?q=%%zz: %d", res.StatusCode)
	}
}
