package api

import (
	"context"
	"crypto/subtle"
	"net/http"
	"net/http/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/auth"
	"github.com/studysprint/studysprint/internal/readcache"
	"github.com/studysprint/studysprint/internal/study"
	"github.com/studysprint/studysprint/internal/sweeper"
	"github.com/studysprint/studysprint/internal/textindex"
)

// unmatchedRoute labels every request that matched no route, so a scan of
// random paths cannot create series.
const unmatchedRoute = "unmatched"

// Metrics is one server's Prometheus registry (never the global default, so
// servers in parallel tests keep their own numbers). The text workers and the
// sweepers, which run outside the HTTP layer, count into Text, Sweeps and
// StudySweeps.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
	cache    *prometheus.CounterVec

	// Text is shared by the server's text workers (textindex.Worker.Stats).
	Text *textindex.Stats
	// Sweeps counts the retention sweeper's runs, StudySweeps the runs of
	// the sweep that ends quiet study sessions.
	Sweeps, StudySweeps *sweeper.Stats

	routes map[routeKey]bool // every route's method and template
}

// NewMetrics returns a registry with the HTTP, text, sweeper, Go runtime and
// process families; New adds the database pool, bcrypt and ingestion ones.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "studysprint_http_requests_total",
			Help: "HTTP requests answered, by route template (unmatched for no route), method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "studysprint_http_request_duration_seconds",
			Help:    "Time from routing to the end of the handler, by route template and method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "method"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "studysprint_http_requests_in_flight",
			Help: "HTTP requests being handled now.",
		}),
		cache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "studysprint_read_cache_requests_total",
			Help: "Reads of cached routes, by route template and result (hit: answered from memory; miss: from the database, then kept; bypass: Cache-Control: no-cache).",
		}, []string{"route", "result"}),
		Text:        &textindex.Stats{},
		Sweeps:      &sweeper.Stats{},
		StudySweeps: &sweeper.Stats{},
	}
	m.reg.MustRegister(m.requests, m.duration, m.inFlight, m.cache,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "studysprint_text_pdfs_extracted_total", Help: "PDFs whose text was extracted and stored.",
		}, func() float64 { return float64(m.Text.PDFs.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "studysprint_text_pages_extracted_total", Help: "Pages whose text was stored (rate() gives pages/s).",
		}, func() float64 { return float64(m.Text.Pages.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "studysprint_text_extraction_failures_total", Help: "Text extraction attempts that failed (retried or final).",
		}, func() float64 { return float64(m.Text.Failures.Load()) }),
	)
	sweeps := prometheus.NewDesc("studysprint_sweeper_runs_total", "Background sweeps run, by sweeper and result (ok, error).", []string{"sweeper", "result"}, nil)
	m.reg.MustRegister(collectorFunc{descs: []*prometheus.Desc{sweeps}, collect: func(ch chan<- prometheus.Metric) {
		for name, s := range map[string]*sweeper.Stats{"retention": m.Sweeps, "study_sessions": m.StudySweeps} {
			runs, failed := s.Runs.Load(), s.Failures.Load()
			ch <- prometheus.MustNewConstMetric(sweeps, prometheus.CounterValue, float64(runs-failed), name, "ok")
			ch <- prometheus.MustNewConstMetric(sweeps, prometheus.CounterValue, float64(failed), name, "error")
		}
	}})
	return m
}

// Registry is the registry /metrics serves.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, ErrorHandling: promhttp.ContinueOnError})
}

// ListenerHandler is what the separate metrics listener (METRICS_ADDR)
// serves: /metrics without a token and, with withPprof, net/http/pprof
// under /debug/pprof/. Nothing else.
func (m *Metrics) ListenerHandler(withPprof bool) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	if withPprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	return mux
}

// watch registers the families whose sources New builds or receives.
func (m *Metrics) watch(pool *pgxpool.Pool, hasher *auth.Hasher, st *study.Service, cache *readcache.Cache, now func() time.Time) {
	m.reg.MustRegister(newPoolCollector(pool), newHasherCollector(hasher), newIngestCollector(st), newTextQueueCollector(pool, now),
		newReadCacheCollector(cache))
}

// readCache counts one read of a cached route.
func (m *Metrics) readCache(route, result string) { m.cache.WithLabelValues(route, result).Inc() }

// newReadCacheCollector reports what the read cache holds.
func newReadCacheCollector(c *readcache.Cache) prometheus.Collector {
	entries := prometheus.NewDesc("studysprint_read_cache_entries", "Answers held by the read cache now.", nil, nil)
	size := prometheus.NewDesc("studysprint_read_cache_bytes", "Bytes the read cache holds now (bodies, keys and bookkeeping; at most READ_CACHE_SIZE).", nil, nil)
	return collectorFunc{descs: []*prometheus.Desc{entries, size}, collect: func(ch chan<- prometheus.Metric) {
		n, b := c.Stats()
		ch <- prometheus.MustNewConstMetric(entries, prometheus.GaugeValue, float64(n))
		ch <- prometheus.MustNewConstMetric(size, prometheus.GaugeValue, float64(b))
	}}
}

// routeKey names a route by its method and template.
type routeKey struct{ method, path string }

// middleware counts and times every request by its route template.
func (m *Metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		m.inFlight.Inc()
		err := next(c)
		if err != nil {
			c.Error(err) // write the error answer now so its status is counted
		}
		m.inFlight.Dec()
		req := c.Request()
		method := req.Method
		route := c.Path()
		if !m.routes[routeKey{method, route}] {
			route = unmatchedRoute
			if !knownMethod(method) {
				method = "other"
			}
		}
		m.duration.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
		m.requests.WithLabelValues(route, method, strconv.Itoa(c.Response().Status)).Inc()
		return nil
	}
}

func knownMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// requireMetricsToken guards /metrics on the main listener: the bearer
// token must equal METRICS_TOKEN (compared in constant time).
func requireMetricsToken(token string) echo.MiddlewareFunc {
	want := []byte(token)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			got, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), want) != 1 {
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="metrics"`)
				return errUnauthorized("invalid_metrics_token", "a valid metrics bearer token is required")
			}
			return next(c)
		}
	}
}

// collectorFunc is a Collector made of a description and a collect function.
type collectorFunc struct {
	descs   []*prometheus.Desc
	collect func(chan<- prometheus.Metric)
}

func (f collectorFunc) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range f.descs {
		ch <- d
	}
}

func (f collectorFunc) Collect(ch chan<- prometheus.Metric) { f.collect(ch) }

// newPoolCollector reads pgxpool's statistics at each scrape.
func newPoolCollector(pool *pgxpool.Pool) prometheus.Collector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("studysprint_db_pool_"+name, help, nil, nil)
	}
	acquired := d("acquired_connections", "Connections in use by a request or worker now.")
	idle := d("idle_connections", "Idle connections now.")
	total := d("total_connections", "Open connections now (acquired, idle and being opened).")
	maxConns := d("max_connections", "The pool's maximum (DATABASE_MAX_CONNS).")
	acquires := d("acquires_total", "Connections acquired from the pool.")
	waits := d("acquire_waits_total", "Acquires that had to wait for a connection (none was idle).")
	waitTime := d("acquire_wait_seconds_total", "Time acquires spent waiting for a connection.")
	canceled := d("canceled_acquires_total", "Acquires cancelled by their context while waiting.")
	return collectorFunc{
		descs: []*prometheus.Desc{acquired, idle, total, maxConns, acquires, waits, waitTime, canceled},
		collect: func(ch chan<- prometheus.Metric) {
			s := pool.Stat()
			ch <- prometheus.MustNewConstMetric(acquired, prometheus.GaugeValue, float64(s.AcquiredConns()))
			ch <- prometheus.MustNewConstMetric(idle, prometheus.GaugeValue, float64(s.IdleConns()))
			ch <- prometheus.MustNewConstMetric(total, prometheus.GaugeValue, float64(s.TotalConns()))
			ch <- prometheus.MustNewConstMetric(maxConns, prometheus.GaugeValue, float64(s.MaxConns()))
			ch <- prometheus.MustNewConstMetric(acquires, prometheus.CounterValue, float64(s.AcquireCount()))
			ch <- prometheus.MustNewConstMetric(waits, prometheus.CounterValue, float64(s.EmptyAcquireCount()))
			ch <- prometheus.MustNewConstMetric(waitTime, prometheus.CounterValue, s.EmptyAcquireWaitTime().Seconds())
			ch <- prometheus.MustNewConstMetric(canceled, prometheus.CounterValue, float64(s.CanceledAcquireCount()))
		},
	}
}

// newHasherCollector reports the bcrypt slots.
func newHasherCollector(h *auth.Hasher) prometheus.Collector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("studysprint_bcrypt_"+name, help, nil, nil)
	}
	busy := d("slots_busy", "bcrypt computations running now.")
	bound := d("slots", "bcrypt computations allowed to run now (the adaptive bound).")
	capacity := d("slots_max", "The most bcrypt computations at once (BCRYPT_CONCURRENCY).")
	queued := d("queued", "Password checks waiting for a bcrypt slot now.")
	waits := d("queue_waits_total", "Password checks that had to wait for a bcrypt slot.")
	waitTime := d("queue_wait_seconds_total", "Time password checks spent waiting for a bcrypt slot.")
	rejected := d("rejected_total", "Password checks that got no slot within BCRYPT_QUEUE_TIMEOUT (answered 503 server_busy).")
	return collectorFunc{
		descs: []*prometheus.Desc{busy, bound, capacity, queued, waits, waitTime, rejected},
		collect: func(ch chan<- prometheus.Metric) {
			s := h.Stats()
			ch <- prometheus.MustNewConstMetric(busy, prometheus.GaugeValue, float64(s.Busy))
			ch <- prometheus.MustNewConstMetric(bound, prometheus.GaugeValue, float64(s.Bound))
			ch <- prometheus.MustNewConstMetric(capacity, prometheus.GaugeValue, float64(s.Capacity))
			ch <- prometheus.MustNewConstMetric(queued, prometheus.GaugeValue, float64(s.Queued))
			ch <- prometheus.MustNewConstMetric(waits, prometheus.CounterValue, float64(s.Waits))
			ch <- prometheus.MustNewConstMetric(waitTime, prometheus.CounterValue, s.WaitSeconds)
			ch <- prometheus.MustNewConstMetric(rejected, prometheus.CounterValue, float64(s.Rejected))
		},
	}
}

// newIngestCollector reports the study events ingestion answered for.
func newIngestCollector(st *study.Service) prometheus.Collector {
	events := prometheus.NewDesc("studysprint_study_events_total",
		"Study timer events posted, by result (accepted, duplicate, rejected).", []string{"result"}, nil)
	return collectorFunc{descs: []*prometheus.Desc{events}, collect: func(ch chan<- prometheus.Metric) {
		c := st.IngestCounts()
		ch <- prometheus.MustNewConstMetric(events, prometheus.CounterValue, float64(c.Accepted), "accepted")
		ch <- prometheus.MustNewConstMetric(events, prometheus.CounterValue, float64(c.Duplicates), "duplicate")
		ch <- prometheus.MustNewConstMetric(events, prometheus.CounterValue, float64(c.Rejected), "rejected")
	}}
}

// newTextQueueCollector counts the text extraction queue (shared by every
// instance) with one query per scrape, bounded to a second; a failed count
// is left out of the scrape rather than reported as zero.
func newTextQueueCollector(pool *pgxpool.Pool, now func() time.Time) prometheus.Collector {
	depth := prometheus.NewDesc("studysprint_text_queue_jobs",
		"Text extraction jobs in the queue, by state (waiting: due or backing off; running: leased by a worker).", []string{"state"}, nil)
	q := dbgen.New(pool)
	return collectorFunc{descs: []*prometheus.Desc{depth}, collect: func(ch chan<- prometheus.Metric) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		n, err := q.CountTextJobs(ctx, now())
		if err != nil {
			ch <- prometheus.NewInvalidMetric(depth, err)
			return
		}
		ch <- prometheus.MustNewConstMetric(depth, prometheus.GaugeValue, float64(n.Waiting), "waiting")
		ch <- prometheus.MustNewConstMetric(depth, prometheus.GaugeValue, float64(n.Running), "running")
	}}
}
