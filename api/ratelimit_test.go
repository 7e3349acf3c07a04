package api_test

import (
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestPerUserRateLimit (finding 8): each signed-in account has its own token
// bucket on authenticated routes; past it, 429 with Retry-After, while other
// accounts are not affected; tokens come back with time.
func TestPerUserRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, envConfig{userRate: 2, userBurst: 5})
	greedy, _ := e.register()
	calm, _ := e.register()
	for range 5 {
		e.do("GET", "/api/v1/auth/me", nil, withToken(greedy.AccessToken)).must(t, http.StatusOK)
	}
	r := e.do("GET", "/api/v1/topics", nil, withToken(greedy.AccessToken)).must(t, http.StatusTooManyRequests)
	if r.errorBody(t).Code != "rate_limited" || r.Header.Get("Retry-After") != "1" {
		t.Fatalf("6th request: %s, Retry-After %q", r.Body, r.Header.Get("Retry-After"))
	}
	e.do("GET", "/api/v1/auth/me", nil, withToken(calm.AccessToken)).must(t, http.StatusOK)
	e.clock.Advance(time.Second)
	e.do("GET", "/api/v1/auth/me", nil, withToken(greedy.AccessToken)).must(t, http.StatusOK)
	e.do("GET", "/api/v1/auth/me", nil, withToken(greedy.AccessToken)).must(t, http.StatusOK)
	e.do("GET", "/api/v1/auth/me", nil, withToken(greedy.AccessToken)).must(t, http.StatusTooManyRequests)
}

// TestSearchesPerUser (finding 8): one account runs at most two searches at
// once; a burst of 48 gets some 429 too_many_searches, never a 5xx, and
// another account searches meanwhile.
func TestSearchesPerUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	greedy, _ := e.register()
	calm, _ := e.register()
	e.createTopic(greedy.AccessToken, map[string]any{"name": "Zebra crossing rules", "description": "traffic"})
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for range 48 {
		wg.Go(func() {
			r := e.do("GET", "/api/v1/search?q=zebra", nil, withToken(greedy.AccessToken))
			if r.Status == http.StatusTooManyRequests && (r.errorBody(t).Code != "too_many_searches" || r.Header.Get("Retry-After") == "") {
				t.Errorf("429 without too_many_searches/Retry-After: %s", r.Body)
			}
			mu.Lock()
			statuses[r.Status]++
			mu.Unlock()
		})
	}
	e.do("GET", "/api/v1/search?q=zebra", nil, withToken(calm.AccessToken)).must(t, http.StatusOK)
	wg.Wait()
	if statuses[http.StatusOK] == 0 || statuses[http.StatusTooManyRequests] == 0 || statuses[http.StatusOK]+statuses[http.StatusTooManyRequests] != 48 {
		t.Fatalf("48 concurrent searches answered %v", statuses)
	}
}
