package loadtest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunGroup(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			time.Sleep(2 * time.Millisecond)
			w.WriteHeader(http.StatusOK)
			return
		}
		if n.Add(1)%4 == 0 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	get := func(path string) Op {
		return func(ctx context.Context, w *Worker) error {
			return Call(ctx, w, http.MethodGet, path, "", nil, http.StatusOK, nil)
		}
	}
	var started, ended atomic.Bool
	inits := atomic.Int64{}
	out, err := RunGroup(context.Background(), []Load{
		{Name: "closed", Base: srv.URL, Clients: 3, Op: get("/"), Init: func(context.Context, *Worker) error { inits.Add(1); return nil }},
		{Name: "paced", Base: srv.URL, Clients: 2, Rate: 200, Op: get("/slow")},
	}, Window{Warmup: 100 * time.Millisecond, Duration: 400 * time.Millisecond}, Hooks{
		Start: func() { started.Store(true) },
		End:   func() { ended.Store(!ended.Load() && started.Load()) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if !started.Load() || !ended.Load() || inits.Load() != 3 {
		t.Fatalf("hooks %v %v, inits %d", started.Load(), ended.Load(), inits.Load())
	}
	closed, paced := out[0], out[1]
	if closed.Name != "closed" || closed.Clients != 3 || closed.Window != 400*time.Millisecond {
		t.Fatalf("closed outcome %+v", closed)
	}
	ok, bad := len(closed.Latencies), closed.Errors["503"]
	if ok < 30 || bad < 10 || closed.ErrorCount() != bad || closed.Requests() != ok+bad {
		t.Fatalf("closed: %d ok, errors %v", ok, closed.Errors)
	}
	// One in four answers is a 503: the share counted must be close to it.
	if share := float64(bad) / float64(ok+bad); share < 0.2 || share > 0.3 {
		t.Fatalf("503 share %.2f, want 0.25", share)
	}
	if closed.ErrorSummary() != "503×"+itoa(bad) {
		t.Fatalf("summary %q", closed.ErrorSummary())
	}
	// 200/s for 0.4 s: about 80 requests, each at least 2 ms from its
	// schedule. Never ahead of the schedule: at most the 100 due by the
	// window's end (warmup included; a busy machine, such as the whole suite
	// under the race detector, falls behind in the warmup and its late
	// requests end inside the window), and it may fall behind.
	if n := len(paced.Latencies); n < 40 || n > 100 {
		t.Fatalf("paced: %d requests in the window, want about 80", n)
	}
	if s := paced.Latencies.Summarize(); s.P50 < 2*time.Millisecond {
		t.Fatalf("paced latencies %+v", s)
	}
	if got := paced.PerSecond(); got < 100 || got > 205 {
		t.Fatalf("paced rate %.1f/s", got)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestErrorKind(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	for err, want := range map[error]string{
		&StatusError{Code: 401}: "401",
		ctx.Err():               "timeout",
		context.Canceled:        "net",
	} {
		if got := ErrorKind(err); got != want {
			t.Errorf("ErrorKind(%v) = %q, want %q", err, got, want)
		}
	}
}
