package api_test

import (
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/studysprint/studysprint/internal/auth"
)

// Benchmarks for the auth paths; results and the commands live in BENCHMARKS.md.
//
//	go test -run '^$' -bench . -benchtime 3s ./api/

func benchEnv(b *testing.B, cost int) *env {
	return benchEnvConc(b, cost, runtime.GOMAXPROCS(0))
}

func benchEnvConc(b *testing.B, cost, concurrency int) *env {
	b.Helper()
	hasher, err := auth.NewHasher(cost, concurrency, 2*time.Second)
	if err != nil {
		b.Fatal(err)
	}
	// The real clock: tokens and sessions behave as in production.
	clock := newFakeClock()
	e := newEnvWith(b, envConfig{hasher: hasher, noValidate: true, clock: clock})
	return e
}

func get(b *testing.B, client *http.Client, url, token string) int {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// BenchmarkAuthenticatedRequest is GET /api/v1/auth/me end to end over HTTP:
// token verification (EdDSA), the per-request session check joined with the
// user row, and the JSON answer.
func BenchmarkAuthenticatedRequest(b *testing.B) {
	e := benchEnv(b, 4)
	tk, _ := e.register()
	url := e.srv.URL + "/api/v1/auth/me"
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if s := get(b, e.client, url, tk.AccessToken); s != http.StatusOK {
				b.Fatalf("status %d", s)
			}
		}
	})
}

// BenchmarkLogin is POST /api/v1/auth/login with the right password, at the
// production bcrypt cost (12) and at the minimum (4, which shows everything
// but bcrypt: lockout check, session and refresh token rows, event, JWT).
func BenchmarkLogin(b *testing.B) {
	for _, cost := range []int{4, 12} {
		b.Run(fmt.Sprintf("bcrypt_cost=%d", cost), func(b *testing.B) {
			e := benchEnv(b, cost)
			tk, password := e.register()
			body := fmt.Sprintf(`{"username":%q,"password":%q}`, tk.User.Username, password)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				e.do("POST", "/api/v1/auth/login", rawBody(body)).must(b, http.StatusOK)
			}
		})
	}
}

// BenchmarkLoginWrongPassword compares a wrong password for an existing
// account with a login for an account that does not exist, at cost 12: the
// answers must take the same time (the existing account's failure is
// recorded after the answer is sent).
func BenchmarkLoginWrongPassword(b *testing.B) {
	for _, cost := range []int{4, 12} {
		e := benchEnv(b, cost)
		tk, _ := e.register()
		for _, c := range []struct{ name, username string }{{"existing", tk.User.Username}, {"unknown", "no-such-student"}} {
			b.Run(fmt.Sprintf("bcrypt_cost=%d/%s", cost, c.name), func(b *testing.B) {
				body := fmt.Sprintf(`{"username":%q,"password":"not-the-password"}`, c.username)
				for b.Loop() {
					e.do("POST", "/api/v1/auth/login", rawBody(body)).must(b, http.StatusUnauthorized)
					b.StopTimer()
					e.clock.Advance(2 * time.Minute) // stay clear of the lockout: 10 failures in 15 minutes
					// Let the handler finish recording the failure, so the next
					// request does not wait for it on the same connection: only
					// the time to the answer is measured.
					time.Sleep(5 * time.Millisecond)
					b.StartTimer()
				}
			})
		}
	}
}

// BenchmarkMeUnderLoginFlood: 64 clients hammer /login with wrong passwords
// (unknown accounts, so every attempt costs a full bcrypt at cost 12 and no
// lockout stops them) while one client calls GET /me for another user. It
// reports the /me latency percentiles and what the flood got: answered 401s
// and shed 503s per second, for bcrypt concurrency bounds of all cores (the
// default) and one core fewer.
func BenchmarkMeUnderLoginFlood(b *testing.B) {
	cores := runtime.GOMAXPROCS(0)
	for _, conc := range slices.Compact([]int{cores, max(1, cores-1)}) {
		b.Run(fmt.Sprintf("bcrypt_concurrency=%d", conc), func(b *testing.B) { meUnderLoginFlood(b, conc) })
	}
}

func meUnderLoginFlood(b *testing.B, concurrency int) {
	e := benchEnvConc(b, 12, concurrency)
	tk, _ := e.register()
	meURL := e.srv.URL + "/api/v1/auth/me"

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var unauthorized, busy, other atomic.Int64
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Transport: &http.Transport{}, Timeout: 30 * time.Second}
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/auth/login",
					stringsReader(fmt.Sprintf(`{"username":"flood%d_%d","password":"wrong-password-here"}`, i, n)))
				req.Header.Set("Content-Type", "application/json")
				res, err := client.Do(req)
				if err != nil {
					other.Add(1)
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				switch res.StatusCode {
				case http.StatusUnauthorized:
					unauthorized.Add(1)
				case http.StatusServiceUnavailable:
					busy.Add(1)
				default:
					other.Add(1)
				}
			}
		}()
	}
	time.Sleep(500 * time.Millisecond) // let the flood fill the bcrypt queue

	latencies := make([]time.Duration, 0, 4096)
	start := time.Now()
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		if s := get(b, e.client, meURL, tk.AccessToken); s != http.StatusOK {
			b.Fatalf("/me answered %d during the flood", s)
		}
		latencies = append(latencies, time.Since(t0))
	}
	b.StopTimer()
	elapsed := time.Since(start).Seconds()
	close(stop)
	wg.Wait()

	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[min(len(latencies)-1, int(p*float64(len(latencies))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "me_p50_ms")
	b.ReportMetric(pct(0.99), "me_p99_ms")
	b.ReportMetric(float64(unauthorized.Load())/elapsed, "login_401/s")
	b.ReportMetric(float64(busy.Load())/elapsed, "login_503/s")
	if other.Load() > 0 {
		b.Fatalf("%d flood requests got neither 401 nor 503", other.Load())
	}
}
