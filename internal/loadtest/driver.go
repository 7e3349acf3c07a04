package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Worker is one client of a load: its own goroutine, a shared keep-alive
// connection pool, and whatever state its scenario keeps per client.
type Worker struct {
	ID     int
	Client *http.Client
	Base   string // "http://127.0.0.1:port"
	State  any
}

// Op is one request of a scenario; nil means it succeeded.
type Op func(ctx context.Context, w *Worker) error

// StatusError is an answer with a status the scenario did not expect.
type StatusError struct {
	Code int
	Body string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("status %d: %s", e.Code, strings.TrimSpace(e.Body))
}

// Load is one kind of traffic: Clients workers running Op. With Rate 0 it
// is closed-loop (each worker sends its next request when the last one is
// answered); with Rate > 0 requests are scheduled at that rate and handed
// to the workers, and a latency counts from the scheduled time, so a
// stalled server cannot hide its stall by slowing the client down.
type Load struct {
	Name    string
	Base    string
	Clients int
	Rate    float64
	Op      Op
	// Init prepares each worker before the clock starts (optional).
	Init func(ctx context.Context, w *Worker) error
}

// Window is when requests count: after Warmup, for Duration.
type Window struct {
	Warmup, Duration time.Duration
}

// Outcome is what one Load did within the window: the latencies of the
// requests that succeeded and ended in it, and the failures by kind.
type Outcome struct {
	Name      string
	Clients   int
	Rate      float64
	Window    time.Duration
	Latencies Latencies
	Errors    map[string]int
	FirstErr  map[string]string
}

// Requests counts every request that ended in the window.
func (o Outcome) Requests() int {
	n := len(o.Latencies)
	for _, c := range o.Errors {
		n += c
	}
	return n
}

// ErrorCount is the failed requests in the window.
func (o Outcome) ErrorCount() int { return o.Requests() - len(o.Latencies) }

// PerSecond is the successful requests per second.
func (o Outcome) PerSecond() float64 {
	if o.Window <= 0 {
		return 0
	}
	return float64(len(o.Latencies)) / o.Window.Seconds()
}

// ErrorSummary lists the failures by kind, most frequent first: "503×12, net×1".
func (o Outcome) ErrorSummary() string {
	kinds := make([]string, 0, len(o.Errors))
	for k := range o.Errors {
		kinds = append(kinds, k)
	}
	slices.SortFunc(kinds, func(a, b string) int {
		if o.Errors[a] != o.Errors[b] {
			return o.Errors[b] - o.Errors[a]
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%s×%d", k, o.Errors[k])
	}
	return strings.Join(parts, ", ")
}

// Hooks run exactly when the window opens and closes (the /proc readings).
type Hooks struct {
	Start, End func()
}

// ErrorKind names a failure for the report: the HTTP status, "timeout" or "net".
func ErrorKind(err error) string {
	var se *StatusError
	var ne net.Error
	switch {
	case errors.As(err, &se):
		return strconv.Itoa(se.Code)
	case errors.Is(err, ErrRejected):
		return "rejected"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	default:
		return "net"
	}
}

// NewClient is an HTTP client for a load of n concurrent clients: one
// keep-alive connection each, no compression, a 60 s ceiling per request.
func NewClient(n int) *http.Client {
	return &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			MaxIdleConns:        n + 8,
			MaxIdleConnsPerHost: n + 8,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
	}
}

type record struct {
	lat    Latencies
	errs   map[string]int
	first  map[string]string
	t0, t1 time.Time
}

func (r *record) add(start, end time.Time, err error) {
	if end.Before(r.t0) || end.After(r.t1) {
		return
	}
	if err == nil {
		r.lat = append(r.lat, end.Sub(start))
		return
	}
	k := ErrorKind(err)
	r.errs[k]++
	if _, ok := r.first[k]; !ok {
		r.first[k] = err.Error()
	}
}

// RunGroup runs loads side by side over one window and returns their
// outcomes in order. Workers start together, the window opens after the
// warmup, no request starts after it closes, and RunGroup returns when the
// requests in flight at the close have ended (they do not count).
func RunGroup(ctx context.Context, loads []Load, win Window, hooks Hooks) ([]Outcome, error) {
	type wk struct {
		load int
		w    *Worker
		rec  *record
	}
	var workers []wk
	var clients []*http.Client
	defer func() {
		for _, c := range clients {
			c.CloseIdleConnections()
		}
	}()
	for li, l := range loads {
		if l.Clients < 1 {
			return nil, fmt.Errorf("load %s: needs at least one client", l.Name)
		}
		client := NewClient(l.Clients)
		clients = append(clients, client)
		for i := range l.Clients {
			w := &Worker{ID: i, Client: client, Base: l.Base}
			if l.Init != nil {
				if err := l.Init(ctx, w); err != nil {
					return nil, fmt.Errorf("load %s: client %d: %w", l.Name, i, err)
				}
			}
			workers = append(workers, wk{load: li, w: w, rec: &record{errs: map[string]int{}, first: map[string]string{}}})
		}
	}
	begin := time.Now()
	t0 := begin.Add(win.Warmup)
	t1 := t0.Add(win.Duration)
	for _, w := range workers {
		w.rec.t0, w.rec.t1 = t0, t1
	}

	var wg sync.WaitGroup
	// Paced loads: one scheduler each feeding its workers.
	schedules := make([]chan time.Time, len(loads))
	for li, l := range loads {
		if l.Rate <= 0 {
			continue
		}
		ch := make(chan time.Time, 1<<16)
		schedules[li] = ch
		wg.Add(1)
		go func(rate float64) {
			defer wg.Done()
			defer close(ch)
			interval := time.Duration(float64(time.Second) / rate)
			for i := 0; ; i++ {
				at := begin.Add(time.Duration(i) * interval)
				if at.After(t1) {
					return
				}
				if d := time.Until(at); d > 0 {
					select {
					case <-time.After(d):
					case <-ctx.Done():
						return
					}
				}
				select {
				case ch <- at:
				default: // 65,536 requests behind: count the rest as not sent
				}
			}
		}(l.Rate)
	}
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			op := loads[w.load].Op
			if ch := schedules[w.load]; ch != nil {
				for at := range ch {
					err := op(ctx, w.w)
					w.rec.add(at, time.Now(), err)
				}
				return
			}
			for ctx.Err() == nil {
				start := time.Now()
				if start.After(t1) {
					return
				}
				err := op(ctx, w.w)
				w.rec.add(start, time.Now(), err)
			}
		}()
	}
	hookDone := make(chan struct{})
	go func() {
		defer close(hookDone)
		time.Sleep(time.Until(t0))
		if hooks.Start != nil {
			hooks.Start()
		}
		time.Sleep(time.Until(t1))
		if hooks.End != nil {
			hooks.End()
		}
	}()
	wg.Wait()
	<-hookDone
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	out := make([]Outcome, len(loads))
	for li, l := range loads {
		out[li] = Outcome{Name: l.Name, Clients: l.Clients, Rate: l.Rate, Window: win.Duration, Errors: map[string]int{}, FirstErr: map[string]string{}}
	}
	for _, w := range workers {
		o := &out[w.load]
		o.Latencies = append(o.Latencies, w.rec.lat...)
		for k, n := range w.rec.errs {
			o.Errors[k] += n
			if _, ok := o.FirstErr[k]; !ok {
				o.FirstErr[k] = w.rec.first[k]
			}
		}
	}
	return out, nil
}

// Call sends one request and checks its status. body, when not nil, is sent
// as JSON; out, when not nil, receives the decoded answer; otherwise the
// answer is read and dropped (so the connection is reused).
func Call(ctx context.Context, w *Worker, method, path, token string, body []byte, want int, out any) error {
	return CallWith(ctx, w, method, path, token, nil, body, want, out)
}

// CallWith is Call with extra request headers.
func CallWith(ctx context.Context, w *Worker, method, path, token string, header http.Header, body []byte, want int, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, w.Base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := w.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		_, _ = io.Copy(io.Discard, resp.Body)
		return &StatusError{Code: resp.StatusCode, Body: string(b)}
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return err
		}
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}
