package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/api"
)

const metricsToken = "metrics-token-0123456789abcdef"

// scrape reads /metrics from url with the given bearer token ("" for none)
// and returns the status and the body.
func scrape(t testing.TB, client *http.Client, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// series returns the sample lines of a family (name{labels} value).
func series(body, family string) []string {
	var out []string
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, family+"{") || strings.HasPrefix(line, family+" ") {
			out = append(out, line)
		}
	}
	return out
}

// sampleValue is the value of the one sample of family whose labels contain
// every one of labels.
func sampleValue(t *testing.T, body, family string, labels ...string) string {
	t.Helper()
	for _, line := range series(body, family) {
		ok := true
		for _, l := range labels {
			ok = ok && strings.Contains(line, l)
		}
		if ok {
			return line[strings.LastIndexByte(line, ' ')+1:]
		}
	}
	t.Fatalf("no %s sample with %v in:\n%s", family, labels, strings.Join(series(body, family), "\n"))
	return ""
}

// TestMetricsFamilies: after a few requests /metrics exposes every family
// the README lists, with route templates, never raw paths or ids.
func TestMetricsFamilies(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, envConfig{metricsToken: metricsToken})
	tk, _ := e.register()
	pdfID := uuid.New()
	e.do("GET", "/api/v1/pdfs/"+pdfID.String(), nil, withToken(tk.AccessToken)).must(t, http.StatusNotFound)
	e.do("GET", "/api/v1/auth/me", nil, withToken(tk.AccessToken)).must(t, http.StatusOK)
	stray := uuid.New()
	e.do("GET", "/no/such/"+stray.String(), nil).must(t, http.StatusNotFound)
	// Ingestion: two new events, then one of them again.
	pdf := e.studyPDF(tk.AccessToken, 3)
	t0 := e.clock.Now().Add(-10 * time.Minute)
	s := e.startSession(tk.AccessToken, map[string]any{"pdf_id": pdf.ID, "start_page": 1, "started_at": t0.Format(time.RFC3339)})
	first, second := page(2, time.Minute), beat(2*time.Minute)
	e.sendEvents(tk.AccessToken, s.ID, t0, first, second)
	e.sendEvents(tk.AccessToken, s.ID, t0, first)
	// The read cache: a miss, then a hit, of a PDF's pages.
	for range 2 {
		e.do("GET", "/api/v1/pdfs/"+pdf.ID+"/pages", nil, withToken(tk.AccessToken)).must(t, http.StatusOK)
	}

	status, body := scrape(t, e.client, e.srv.URL+"/metrics", metricsToken)
	if status != http.StatusOK {
		t.Fatalf("/metrics: %d %s", status, body)
	}
	for _, family := range []string{
		"studysprint_http_requests_total", "studysprint_http_request_duration_seconds_bucket", "studysprint_http_requests_in_flight",
		"studysprint_db_pool_acquired_connections", "studysprint_db_pool_idle_connections", "studysprint_db_pool_total_connections",
		"studysprint_db_pool_max_connections", "studysprint_db_pool_acquires_total", "studysprint_db_pool_acquire_waits_total",
		"studysprint_db_pool_acquire_wait_seconds_total", "studysprint_db_pool_canceled_acquires_total",
		"studysprint_bcrypt_slots_busy", "studysprint_bcrypt_slots", "studysprint_bcrypt_slots_max", "studysprint_bcrypt_queued",
		"studysprint_bcrypt_queue_waits_total", "studysprint_bcrypt_queue_wait_seconds_total", "studysprint_bcrypt_rejected_total",
		"studysprint_text_queue_jobs", "studysprint_text_pdfs_extracted_total", "studysprint_text_pages_extracted_total",
		"studysprint_text_extraction_failures_total", "studysprint_study_events_total", "studysprint_sweeper_runs_total",
		"studysprint_read_cache_requests_total", "studysprint_read_cache_entries", "studysprint_read_cache_bytes",
		"go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes", "process_cpu_seconds_total",
	} {
		if len(series(body, family)) == 0 {
			t.Errorf("family %s missing", family)
		}
	}

	// Route templates, never ids.
	for _, id := range []string{pdfID.String(), stray.String(), tk.User.ID, s.ID, pdf.ID} {
		if strings.Contains(body, id) {
			t.Errorf("an id is in a label: %s", id)
		}
	}
	if strings.Contains(body, `route="/no/such`) {
		t.Error("an unmatched path became a label")
	}
	if v := sampleValue(t, body, "studysprint_http_requests_total", `route="/api/v1/pdfs/:id"`, `method="GET"`, `status="404"`); v != "1" {
		t.Errorf("GET /api/v1/pdfs/:id 404 counted %s times, want 1", v)
	}
	if v := sampleValue(t, body, "studysprint_http_requests_total", `route="unmatched"`, `method="GET"`, `status="404"`); v != "1" {
		t.Errorf("unmatched counted %s times, want 1", v)
	}
	sampleValue(t, body, "studysprint_http_request_duration_seconds_count", `route="/api/v1/auth/me"`, `method="GET"`)
	sampleValue(t, body, "studysprint_http_requests_total", `route="/api/v1/auth/register"`, `method="POST"`, `status="201"`)

	// The sources are counted, not just declared.
	if v := sampleValue(t, body, "studysprint_study_events_total", `result="accepted"`); v != "2" {
		t.Errorf("accepted events %s, want 2", v)
	}
	if v := sampleValue(t, body, "studysprint_study_events_total", `result="duplicate"`); v != "1" {
		t.Errorf("duplicate events %s, want 1", v)
	}
	if v := sampleValue(t, body, "studysprint_bcrypt_slots_max"); v != "4" {
		t.Errorf("bcrypt slots_max %s, want the test hasher's 4", v)
	}
	if v := sampleValue(t, body, "studysprint_db_pool_acquires_total"); v == "0" {
		t.Error("no pool acquires counted")
	}
	// The upload queued a text job; no worker runs in this test.
	if v := sampleValue(t, body, "studysprint_text_queue_jobs", `state="waiting"`); v != "1" {
		t.Errorf("text queue waiting %s, want 1", v)
	}
	sampleValue(t, body, "studysprint_sweeper_runs_total", `sweeper="retention"`, `result="ok"`)
	for _, result := range []string{"miss", "hit"} {
		if v := sampleValue(t, body, "studysprint_read_cache_requests_total", `route="/api/v1/pdfs/:id/pages"`, `result="`+result+`"`); v != "1" {
			t.Errorf("read cache %s counted %s times, want 1", result, v)
		}
	}
	if v := sampleValue(t, body, "studysprint_read_cache_entries"); v != "1" {
		t.Errorf("read cache entries %s, want 1", v)
	}
}

// TestMetricsToken: on the main listener /metrics needs METRICS_TOKEN.
func TestMetricsToken(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, envConfig{metricsToken: metricsToken})
	tk, _ := e.register()
	for _, c := range []struct{ name, header string }{
		{"none", ""},
		{"wrong", "Bearer " + strings.Repeat("x", len(metricsToken))},
		{"prefix", "Bearer " + metricsToken[:len(metricsToken)-1]},
		{"longer", "Bearer " + metricsToken + "x"},
		{"not bearer", "Basic " + metricsToken},
		{"an access token", "Bearer " + tk.AccessToken},
	} {
		var opts []reqOpt
		if c.header != "" {
			opts = append(opts, withHeader("Authorization", c.header))
		}
		r := e.do("GET", "/metrics", nil, opts...).must(t, http.StatusUnauthorized)
		if b := r.errorBody(t); b.Code != "invalid_metrics_token" {
			t.Errorf("%s: code %q", c.name, b.Code)
		}
		if strings.Contains(string(r.Body), "studysprint_http") {
			t.Errorf("%s: metrics leaked in a 401", c.name)
		}
	}
	r := e.do("GET", "/metrics", nil, withToken(metricsToken)).must(t, http.StatusOK)
	if !strings.Contains(string(r.Body), "studysprint_http_requests_total") {
		t.Fatalf("with the token: %s", r.Body)
	}
}

// TestMetricsOffByDefault: without a token the main listener has no /metrics.
func TestMetricsOffByDefault(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.do("GET", "/metrics", nil).must(t, http.StatusNotFound)
	e.do("GET", "/metrics", nil, withToken(metricsToken)).must(t, http.StatusNotFound)
	e.do("GET", "/debug/pprof/", nil).must(t, http.StatusNotFound)
}

// TestMetricsListener: the separate listener (METRICS_ADDR) serves the same
// registry without a token, and pprof only when enabled; the main listener
// then has neither.
func TestMetricsListener(t *testing.T) {
	t.Parallel()
	m := api.NewMetrics()
	e := newEnvWith(t, envConfig{metrics: m})
	e.do("GET", "/health", nil).must(t, http.StatusOK)
	e.do("GET", "/metrics", nil).must(t, http.StatusNotFound)

	plain := httptest.NewServer(m.ListenerHandler(false))
	t.Cleanup(plain.Close)
	status, body := scrape(t, plain.Client(), plain.URL+"/metrics", "")
	if status != http.StatusOK {
		t.Fatalf("separate listener: %d %s", status, body)
	}
	if v := sampleValue(t, body, "studysprint_http_requests_total", `route="/health"`, `status="200"`); v != "1" {
		t.Errorf("/health counted %s times on the shared registry, want 1", v)
	}
	sampleValue(t, body, "studysprint_db_pool_acquired_connections")
	if status, _ := scrape(t, plain.Client(), plain.URL+"/debug/pprof/", ""); status != http.StatusNotFound {
		t.Errorf("pprof without PPROF=true: %d", status)
	}
	if status, _ := scrape(t, plain.Client(), plain.URL+"/api/v1/auth/me", ""); status != http.StatusNotFound {
		t.Errorf("the API on the metrics listener: %d", status)
	}

	profiled := httptest.NewServer(m.ListenerHandler(true))
	t.Cleanup(profiled.Close)
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/cmdline", "/debug/pprof/goroutine?debug=1", "/metrics"} {
		if status, body := scrape(t, profiled.Client(), profiled.URL+path, ""); status != http.StatusOK {
			t.Errorf("%s with PPROF=true: %d %.200s", path, status, body)
		}
	}
}
