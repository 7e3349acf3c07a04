package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestMalformedBodies sends well over a hundred broken bodies to the JSON
// endpoints: bad JSON, wrong types, missing, unknown and null fields, huge
// strings, wrong content types. Every answer is a 4xx in the error shape
// (the validating transport checks the shape); never a 5xx.
func TestMalformedBodies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.register()

	type tc struct {
		name        string
		body        string
		contentType string
		want        int // 0: any 4xx
	}
	var cases []tc
	add := func(name, body string, want int) { cases = append(cases, tc{name: name, body: body, want: want}) }

	syntax := []string{
		`{`, `}`, `{"email":}`, `{"email" "x"}`, `{"email":"x",}`, `{'email':'x'}`, `{email:"x"}`, `nul`, `tru`,
		`{"email":"x"`, `{"email":"\x"}`, `{"email":"\u12"}`, `{"a":1}}`, `[`, `]`, `{"email":NaN}`, `{"email":Infinity}`,
		"{\"email\":\"a\x00b\"}", `{"email":01}`, `{"email":1e}`, `{"email":-}`, `{"email":"x"}garbage`, `{} {}`, `{}[]`,
		`{"email":"x"} {"email":"y"}`, "\xff\xfe{}", `{"email":"x",,"password":"y"}`, `/* comment */ {}`,
		strings.Repeat("[", 20000) + strings.Repeat("]", 20000),
		`{"a":` + strings.Repeat(`{"a":`, 20000) + `1` + strings.Repeat(`}`, 20001),
	}
	for i, s := range syntax {
		add(fmt.Sprintf("syntax %d", i), s, http.StatusBadRequest)
	}
	for _, s := range []string{`null`, `[]`, `"string"`, `123`, `true`, `[{"email":"a@b.co"}]`} {
		add("top-level "+s, s, 0)
	}
	add("empty body", ``, http.StatusBadRequest)
	add("whitespace body", "   \n\t ", http.StatusBadRequest)

	// body builds a registration object with one field replaced by a raw JSON value.
	body := func(field, raw string) string {
		base := [][2]string{{"email", `"t@example.com"`}, {"username", `"typer"`}, {"password", `"a-good-password"`}}
		var parts []string
		replaced := false
		for _, kv := range base {
			if kv[0] == field {
				kv[1], replaced = raw, true
			}
			parts = append(parts, quote(kv[0])+":"+kv[1])
		}
		if !replaced {
			parts = append(parts, quote(field)+":"+raw)
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	fields := []string{"email", "username", "password", "full_name", "timezone"}
	for _, f := range fields {
		for _, v := range []string{`1`, `1.5`, `-7`, `true`, `false`, `[]`, `["a"]`, `{}`, `{"x":"y"}`} {
			add("type "+f+"="+v, body(f, v), http.StatusBadRequest)
		}
		add("1MB "+f, body(f, `"`+strings.Repeat("a", 1_000_000)+`"`), 0)
		add("duplicate "+f, strings.TrimSuffix(body(f, `"x@example.com"`), "}")+`,`+quote(f)+`:"y@example.com"}`, http.StatusBadRequest)
		add("case-folded "+f, body(strings.ToUpper(f), `"x"`), http.StatusBadRequest)
	}
	for _, f := range []string{"email", "username", "password"} {
		add("null "+f, body(f, `null`), http.StatusUnprocessableEntity)
	}
	add("nested duplicate", `{"email":"a@example.com","username":"nested","password":"a-good-password","full_name":{"a":1,"a":2}}`, http.StatusBadRequest)
	add("all null", `{"email":null,"username":null,"password":null}`, http.StatusUnprocessableEntity)
	add("missing all", `{}`, http.StatusUnprocessableEntity)
	add("missing email", `{"username":"nomail","password":"a-good-password"}`, http.StatusUnprocessableEntity)
	add("missing username", `{"email":"nouser@example.com","password":"a-good-password"}`, http.StatusUnprocessableEntity)
	add("missing password", `{"email":"nopw@example.com","username":"nopw"}`, http.StatusUnprocessableEntity)
	for _, u := range []string{"is_admin", "password_hash", "id", "Email2", "__proto__", "constructor", ""} {
		add("unknown field "+u, `{"email":"u@example.com","username":"unknown","password":"a-good-password",`+quote(u)+`:true}`, http.StatusBadRequest)
	}
	add("2MB body", `{"email":"`+strings.Repeat("a", 2<<20)+`"}`, http.StatusRequestEntityTooLarge)
	add("invalid utf8 in string", "{\"email\":\"\xff\xfe@example.com\",\"username\":\"utf\",\"password\":\"a-good-password\"}", http.StatusBadRequest)
	add("lone surrogate", `{"email":"a@example.com","username":"surrogate","password":"a-good-password","full_name":"\ud800"}`, 0)
	add("escaped NUL in email", `{"email":"a\u0000@example.com","username":"nulbyte","password":"a-good-password"}`, 0)

	for _, ct := range []string{"", "text/plain", "application/xml", "multipart/form-data; boundary=x", "application/json; charset=latin1", "application/jsonx", "json", ";;;"} {
		cases = append(cases, tc{name: "content type " + ct, body: `{"email":"ct@example.com","username":"ctype","password":"a-good-password"}`, contentType: ct, want: http.StatusUnsupportedMediaType})
	}

	endpoints := []string{"/api/v1/auth/register", "/api/v1/auth/login"}
	total := 0
	for _, ep := range endpoints {
		for _, c := range cases {
			if ep == "/api/v1/auth/login" && (strings.HasPrefix(c.name, "content type ") && c.contentType == "") {
				continue
			}
			total++
			t.Run(ep+"/"+c.name, func(t *testing.T) {
				ct := c.contentType
				if ct == "" && !strings.HasPrefix(c.name, "content type") {
					ct = "application/json"
				}
				r := e.do("POST", ep, rawBody(c.body), withHeader("Content-Type", ct))
				if r.Status < 400 || r.Status >= 500 {
					t.Fatalf("status %d, want 4xx; body %.300s", r.Status, r.Body)
				}
				// The login endpoint answers 401 to well-formed bodies with wrong or
				// missing credentials, which is the right 4xx there.
				if c.want != 0 && r.Status != c.want && !(ep == "/api/v1/auth/login" && (r.Status == 401 || r.Status == 422)) {
					t.Fatalf("status %d, want %d; body %.300s", r.Status, c.want, r.Body)
				}
				r.errorBody(t)
			})
		}
	}
	if total < 100 {
		t.Fatalf("only %d malformed bodies; the issue asks for a hundred", total)
	}
}

func quote(s string) string { return `"` + s + `"` }

// TestNullOnlyWhereNullable (issue 9, finding 12): null is refused (422
// naming the field) for a field the document does not mark nullable, in
// POST and PATCH bodies alike; it is taken where it means something (a
// topic's parent_id and target_date, a PDF's topic_id).
func TestNullOnlyWhereNullable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, field := range []string{"full_name", "timezone"} {
		r := e.do("POST", "/api/v1/auth/register", rawBody(`{"email":"opt@example.com","username":"optional","password":"a-good-password","`+field+`":null}`))
		if r.must(t, http.StatusUnprocessableEntity).errorBody(t).Fields[field] != "must not be null" {
			t.Fatalf("%s: %s", field, r.Body)
		}
	}
	tk, _ := e.register()
	auth := withToken(tk.AccessToken)
	for _, body := range []string{`{"full_name":null}`, `{"username":null}`} {
		e.do("PATCH", "/api/v1/auth/me", rawBody(body), auth).must(t, http.StatusUnprocessableEntity)
	}
	for _, body := range []string{`{"theme":null}`, `{"page_min_seconds":null}`} {
		e.do("PATCH", "/api/v1/auth/preferences", rawBody(body), auth).must(t, http.StatusUnprocessableEntity)
	}
	var topic struct{ ID string }
	e.do("POST", "/api/v1/topics", rawBody(`{"name":"Root","parent_id":null}`), auth).must(t, http.StatusCreated).decode(t, &topic)
	e.do("PATCH", "/api/v1/topics/"+topic.ID, rawBody(`{"target_date":null,"parent_id":null}`), auth).must(t, http.StatusOK)
	r := e.do("PATCH", "/api/v1/topics/"+topic.ID, rawBody(`{"name":null}`), auth).must(t, http.StatusUnprocessableEntity)
	if r.errorBody(t).Fields["name"] != "must not be null" {
		t.Fatalf("name null: %s", r.Body)
	}
}

// TestCanonicalIDsOnly (finding 12): ids in braces, as URNs or without
// dashes name nothing: 404 in the path, 422 in a body or a query.
func TestCanonicalIDsOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	auth := withToken(tk.AccessToken)
	var topic struct{ ID string }
	e.do("POST", "/api/v1/topics", map[string]any{"name": "Canon"}, auth).must(t, http.StatusCreated).decode(t, &topic)
	undashed := strings.ReplaceAll(topic.ID, "-", "")
	for _, id := range []string{"{" + topic.ID + "}", "urn:uuid:" + topic.ID, undashed} {
		e.do("GET", "/api/v1/topics/"+url.PathEscape(id), nil, auth).must(t, http.StatusNotFound)
		r := e.do("POST", "/api/v1/topics", map[string]any{"name": "Child " + id, "parent_id": id}, auth).must(t, http.StatusUnprocessableEntity)
		if r.errorBody(t).Fields["parent_id"] == "" {
			t.Fatalf("parent_id %q not named: %s", id, r.Body)
		}
		e.do("GET", "/api/v1/pdfs?topic_id="+url.QueryEscape(id), nil, auth).must(t, http.StatusUnprocessableEntity)
	}
	e.do("GET", "/api/v1/topics/"+strings.ToUpper(topic.ID), nil, auth).must(t, http.StatusOK)
}

// TestMalformedBodiesEveryEndpoint sends the generic broken bodies to every
// route that reads JSON, authenticated: all get a 4xx in the error shape.
func TestMalformedBodiesEveryEndpoint(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tk, _ := e.register()
	bodies := []string{
		``, `{`, `[]`, `null`, `"x"`, `{"unknown":1}`, `{} {}`, `{"a":1,"a":2}`, "{\"x\":\"\xff\"}",
		strings.Repeat("[", 64) + strings.Repeat("]", 64), `{"refresh_token":1}`, `{"password":[]}`,
		`{"current_password":{},"new_password":true}`, `{"theme":7}`, `{"pomodoro_work_minutes":"x"}`,
		`{"pomodoro_work_minutes":99999999999}`, `{"full_name":null,"username":false}`,
		`{"email":"` + strings.Repeat("e", 2<<20) + `"}`,
	}
	endpoints := []struct{ method, path string }{
		{"POST", "/api/v1/auth/refresh"},
		{"PATCH", "/api/v1/auth/me"},
		{"DELETE", "/api/v1/auth/me"},
		{"POST", "/api/v1/auth/change-password"},
		{"PATCH", "/api/v1/auth/preferences"},
	}
	for _, ep := range endpoints {
		for i, body := range bodies {
			for _, ct := range []string{"application/json", "text/plain"} {
				r := e.do(ep.method, ep.path, rawBody(body), withHeader("Content-Type", ct), withToken(tk.AccessToken))
				if r.Status < 400 || r.Status >= 500 {
					t.Fatalf("%s %s body %d (%s): status %d %.200s", ep.method, ep.path, i, ct, r.Status, r.Body)
				}
				r.errorBody(t)
			}
		}
	}
	// The account survived all of it.
	e.do("GET", "/api/v1/auth/me", nil, withToken(tk.AccessToken)).must(t, http.StatusOK)
}
