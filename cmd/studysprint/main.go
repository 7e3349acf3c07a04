// Command studysprint is the StudySprint service: `serve` runs the HTTP API,
// `migrate up|down|status|dump` manages the schema with the migrations embedded
// in the binary, `seed` fills a database with generated study history,
// `version` prints the build version.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/studysprint/studysprint/api"
	"github.com/studysprint/studysprint/dbgen"
	"github.com/studysprint/studysprint/internal/auth"
	"github.com/studysprint/studysprint/internal/config"
	"github.com/studysprint/studysprint/internal/database"
	"github.com/studysprint/studysprint/internal/koreader"
	"github.com/studysprint/studysprint/internal/logbuf"
	"github.com/studysprint/studysprint/internal/pdfinfo"
	"github.com/studysprint/studysprint/internal/storage"
	"github.com/studysprint/studysprint/internal/study"
	"github.com/studysprint/studysprint/internal/sweeper"
	"github.com/studysprint/studysprint/internal/textindex"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `usage: studysprint <command>

commands:
  serve                  run the HTTP API (creates and migrates the database unless MIGRATE_ON_START=false)
  migrate up             create the database if needed and apply pending migrations
  migrate down           roll back the newest migration
  migrate status         list applied and pending migrations (exit 1 when some are pending)
  migrate dump [FILE]    write the schema dump (default sql/schema.sql; needs pg_dump)
  reindex-text           extract every PDF's text again (after changing SEARCH_LANGUAGES)
  seed [flags]           fill the database with generated users and years of study history
                         (seed -h lists the flags)
  version                print the version

Configuration comes from environment variables; see .env.example.
`

func main() {
	// The PDF parser and the KOReader statistics reader run as child
	// processes of this binary (see pdfinfo and koreader).
	pdfinfo.RunChildIfRequested()
	koreader.RunChildIfRequested()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, buildVersion())
		return 0
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return 0
	}
	cfg, err := config.FromEnv()
	if err != nil {
		fmt.Fprintf(stderr, "studysprint: bad configuration:\n%v\n", err)
		return 2
	}
	// Log lines go out in batches at most 100 ms late; warnings and errors
	// (and everything before them) at once; the rest when run returns.
	logs := logbuf.New(stderr, 16<<10, 100*time.Millisecond)
	defer logs.Close()
	logger := newLogger(cfg, logs)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	switch args[0] {
	case "serve":
		err = serve(ctx, cfg, logger)
	case "migrate":
		err = migrate(ctx, cfg, args[1:], stdout)
	case "reindex-text":
		err = reindexText(ctx, cfg, stdout)
	case "seed":
		err = seedCommand(ctx, cfg, args[1:], stdout, stderr, logger)
	default:
		fmt.Fprintf(stderr, "studysprint: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	var exit exitCode
	if errors.As(err, &exit) {
		return int(exit)
	}
	if err != nil {
		logger.Error("studysprint failed", "command", args[0], "err", err)
		return 1
	}
	return 0
}

type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit %d", int(e)) }

func newLogger(cfg config.Config, w *logbuf.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var h slog.Handler = slog.NewJSONHandler(w, opts)
	if cfg.LogFormat == "text" {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(logbuf.Handler(h, w, slog.LevelWarn))
}

func buildVersion() string {
	if version != "dev" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return version
}

func migrate(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("migrate needs up, down, status or dump")
	}
	m, err := database.NewMigrator(cfg.DatabaseURL, stdout)
	if err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	m.WaitTimeout = cfg.DBWaitTimeout
	switch args[0] {
	case "up":
		return m.CreateAndMigrate(ctx)
	case "down":
		return m.Down(ctx)
	case "status":
		pending, err := m.Status()
		if err != nil {
			return err
		}
		if pending > 0 {
			return exitCode(1)
		}
		return nil
	case "dump":
		file := "sql/schema.sql"
		if len(args) > 1 {
			file = args[1]
		}
		return m.Dump(file)
	}
	return fmt.Errorf("unknown migrate command %q (want up, down, status or dump)", args[0])
}

// reindexText queues every PDF for text extraction again; running servers'
// workers pick the jobs up.
func reindexText(ctx context.Context, cfg config.Config, stdout io.Writer) error {
	pool, err := database.Open(ctx, cfg.DatabaseURL, database.PoolOptions{MaxConns: 2})
	if err != nil {
		return err
	}
	defer pool.Close()
	var queued int64
	err = database.InTx(ctx, pool, func(q *dbgen.Queries) error {
		if _, err := q.MarkAllTextPending(ctx); err != nil {
			return err
		}
		queued, err = q.RequeueAllTextJobs(ctx, time.Now())
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "queued %d PDFs for text extraction\n", queued)
	return nil
}

func serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	raiseFileLimit(log)
	if cfg.MigrateOnStart {
		m, err := database.NewMigrator(cfg.DatabaseURL, io.Discard)
		if err != nil {
			return fmt.Errorf("DATABASE_URL: %w", err)
		}
		m.WaitTimeout = cfg.DBWaitTimeout
		log.Info("migrating database (MIGRATE_ON_START=true)")
		if err := m.CreateAndMigrate(ctx); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	pool, err := database.Open(ctx, cfg.DatabaseURL, database.PoolOptions{MaxConns: int32(cfg.DatabaseMaxConns)})
	if err != nil {
		return err
	}
	defer pool.Close()

	keys, err := loadKeys(cfg, log)
	if err != nil {
		return err
	}
	hasher, err := newHasher(cfg, log)
	if err != nil {
		return fmt.Errorf("BCRYPT_COST: %w", err)
	}
	defer hasher.Close()
	metrics := api.NewMetrics()
	tokens := auth.NewTokens(keys, cfg.JWTIssuer, cfg.JWTAudience, cfg.JWTAccessTTL, time.Now)
	store, err := storage.Open(ctx, cfg.StorageURL, storage.Options{
		DataDir: cfg.DataDir, AccessKeyID: cfg.S3AccessKeyID, SecretAccessKey: cfg.S3SecretAccessKey,
	})
	if err != nil {
		return fmt.Errorf("STORAGE_URL: %w", err)
	}
	inspector, err := pdfinfo.NewInspector(pdfinfo.Limits{Timeout: cfg.PDFParseTimeout, MemoryBytes: cfg.PDFParseMemory}, cfg.PDFParseWorkers)
	if err != nil {
		return err
	}
	inspector.QueueTimeout = cfg.PDFParseQueueWait
	koreaderReader, err := koreader.NewReader(koreader.Limits{
		Timeout: cfg.KOReaderReadTimeout, MemoryBytes: cfg.KOReaderReadMemory, MaxRows: cfg.KOReaderMaxVisits,
	}, cfg.KOReaderReadConcurrency)
	if err != nil {
		return err
	}
	uploadDir := filepath.Join(cfg.DataDir, "uploads")
	if local, ok := store.(*storage.Local); ok {
		uploadDir = local.UploadDir() // same filesystem: storing an upload is a rename
	}
	log.Info("storage", "backend", store.Name())
	if err := database.CheckTextSearchConfigs(ctx, pool, cfg.SearchLanguages[:]); err != nil {
		return fmt.Errorf("SEARCH_LANGUAGES: %w", err)
	}
	textNudge := make(chan struct{}, 1)
	startTextWorkers(ctx, cfg, log, pool, store, uploadDir, textNudge, metrics.Text)

	handler, err := api.New(api.Config{
		BodyLimit:              cfg.BodyLimit,
		CORSAllowedOrigins:     cfg.CORSAllowedOrigins,
		RefreshTTL:             cfg.JWTRefreshTTL,
		SessionMaxLifetime:     cfg.SessionMaxLifetime,
		AuthRateLimitPerMinute: cfg.AuthRateLimitPerMinute,
		UserRatePerSecond:      float64(cfg.UserRateLimitPerSecond),
		UserRateBurst:          cfg.UserRateLimitBurst,
		SearchesPerUser:        cfg.SearchesPerUser,
		ReadCacheSize:          cfg.ReadCacheSize,
		TrustedProxies:         cfg.TrustedProxies,
		Lockout:                cfg.Lockout(),
		IPv6Prefix:             cfg.RateLimitIPv6Prefix,
		MaxUploadBytes:         cfg.MaxUploadSize,
		UploadTimeout:          cfg.UploadTimeout,
		UploadGrace:            cfg.UploadGrace,
		UploadMinRate:          cfg.UploadMinRate,
		UploadsPerUser:         cfg.UploadsPerUser,
		Uploads:                cfg.UploadConcurrency,
		StorageQuota:           cfg.StorageQuota,
		UploadDir:              uploadDir,
		KOReaderMaxFileBytes:   cfg.KOReaderMaxUploadSize,
		KOReaderMaxBooks:       cfg.KOReaderMaxBooks,
		SearchLanguages:        cfg.SearchLanguages,
		Version:                buildVersion(),
		MetricsToken:           metricsToken(cfg),
	}, api.Deps{
		Pool: pool, Keys: keys, Tokens: tokens, Hasher: hasher, Store: store, Inspector: inspector, KOReader: koreaderReader,
		Logger: log, Now: time.Now, Metrics: metrics,
		TextNudge: func() {
			select {
			case textNudge <- struct{}{}:
			default:
			}
		},
	})
	if err != nil {
		return err
	}

	sweep := &sweeper.Sweeper{
		Q: dbgen.New(pool), Now: time.Now, Log: log,
		RevokedSessionRetention: cfg.RevokedSessionRetention,
		LoginAttemptRetention:   cfg.Lockout().Retention(),
		SecurityEventRetention:  cfg.SecurityEventRetention,
		Store:                   store,
		OrphanGrace:             cfg.OrphanFileGrace,
		UploadDir:               uploadDir,
		Stats:                   metrics.Sweeps,
	}
	sweepCtx, stopSweep := context.WithCancel(ctx)
	defer stopSweep()
	go sweep.Run(sweepCtx, cfg.SweepInterval)
	go sweepStudySessions(sweepCtx, study.NewService(pool, time.Now, log), cfg.StudySweepInterval, log, metrics.StudySweeps)

	srv := &http.Server{
		Addr:              cfg.HTTPAddr,
		Handler:           handler,
		ReadHeaderTimeout: cfg.HTTPReadHeaderTimeout,
		ReadTimeout:       cfg.HTTPReadTimeout,
		WriteTimeout:      cfg.HTTPWriteTimeout,
		IdleTimeout:       cfg.HTTPIdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("HTTP_ADDR: %w", err)
	}
	ln = api.ShapeProtocolErrors(ln, log)
	log.Info("serving", "addr", ln.Addr().String(), "version", buildVersion(), "docs", "/docs")
	// Start-up garbage (the migration run, the bcrypt calibration, config
	// and key parsing) goes back to the kernel now rather than at the
	// scavenger's pace: the idle process holds only what it uses.
	debug.FreeOSMemory()

	errc := make(chan error, 2)
	var metricsSrv *http.Server
	if cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("METRICS_ADDR: %w", err)
		}
		metricsSrv = &http.Server{
			Handler:           metrics.ListenerHandler(cfg.Pprof),
			ReadHeaderTimeout: cfg.HTTPReadHeaderTimeout,
			IdleTimeout:       cfg.HTTPIdleTimeout,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		}
		if !cfg.Pprof {
			metricsSrv.WriteTimeout = 30 * time.Second // a CPU profile or trace runs longer
		}
		log.Info("serving metrics", "addr", mln.Addr().String(), "pprof", cfg.Pprof)
		go func() { errc <- metricsSrv.Serve(mln) }()
	} else if cfg.MetricsOnMain() {
		log.Info("serving /metrics on the main listener behind METRICS_TOKEN")
	}
	if cfg.MetricsAddr != "" && cfg.MetricsToken != "" {
		log.Warn("METRICS_TOKEN is not used: METRICS_ADDR serves /metrics without a token")
	}
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: no new connections, waiting for in-flight requests", "timeout", cfg.ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if metricsSrv != nil {
		_ = metricsSrv.Close()
	}
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("shutdown timed out; closing remaining connections", "err", err)
		_ = srv.Close()
	}
	log.Info("stopped")
	return nil
}

// newHasher builds the bcrypt Hasher. With BCRYPT_PRIORITY=low (the
// default) bcrypt runs on BCRYPT_CONCURRENCY threads at nice 19 and the
// process gets one Go P more than it had, so a request always finds a P
// while every core computes bcrypt and the kernel runs it before the
// bcrypt threads. With normal, or where the priority cannot be lowered,
// the bound is adaptive: every slot while no other request is in flight,
// one fewer while one is.
func newHasher(cfg config.Config, log *slog.Logger) (*auth.Hasher, error) {
	low := cfg.BcryptPriority == "low"
	h, err := auth.NewHasherWith(auth.HasherOptions{
		Cost: cfg.BcryptCost, Concurrency: cfg.BcryptConcurrency, MaxWait: cfg.BcryptQueueTimeout,
		Adaptive: !low, LowPriority: low,
	})
	if err != nil {
		return nil, err
	}
	if ok, perr := h.LowPriority(); ok {
		procs := runtime.GOMAXPROCS(0)
		runtime.GOMAXPROCS(procs + 1)
		log.Info("bcrypt on low-priority threads", "concurrency", cfg.BcryptConcurrency, "gomaxprocs", procs+1)
	} else {
		if perr != nil {
			log.Warn("bcrypt threads cannot run at low priority; using the adaptive bound", "err", perr)
		}
		log.Info("bcrypt with an adaptive bound", "concurrency", cfg.BcryptConcurrency)
	}
	return h, nil
}

// metricsToken is the token /metrics on the main listener needs, or empty
// when it is not served there.
func metricsToken(cfg config.Config) string {
	if cfg.MetricsOnMain() {
		return cfg.MetricsToken
	}
	return ""
}

// sweepStudySessions ends, every interval, the running study sessions that
// nobody has heard from for twice their idle threshold (reading one does
// that too; the sweep makes the statistics right for sessions nobody reads).
func sweepStudySessions(ctx context.Context, svc *study.Service, every time.Duration, log *slog.Logger, stats *sweeper.Stats) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for {
			n, err := svc.SweepQuiet(ctx, 500)
			if ctx.Err() == nil {
				stats.Record(err)
			}
			if err != nil {
				if ctx.Err() == nil {
					log.Warn("study session sweep", "err", err)
				}
				break
			}
			if n > 0 {
				log.Info("ended quiet study sessions", "sessions", n)
			}
			if n < 500 {
				break
			}
		}
	}
}

// raiseFileLimit lifts the soft limit on open files to the hard limit: every
// connection and every upload in flight holds descriptors, and the default
// soft limit (often 1024) is reached long before the machine's.
func raiseFileLimit(log *slog.Logger) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		log.Warn("read the open-file limit", "err", err)
		return
	}
	if lim.Cur < lim.Max {
		old := lim.Cur
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			log.Warn("raise the open-file limit", "from", old, "to", lim.Max, "err", err)
			return
		}
		log.Info("raised the open-file limit", "from", old, "to", lim.Max)
	}
}

// startTextWorkers runs TEXT_WORKERS background text extractors until ctx
// ends. Without pdftotext the service still runs; PDFs stay pending.
func startTextWorkers(ctx context.Context, cfg config.Config, log *slog.Logger, pool *pgxpool.Pool, store storage.Store, tmp string, nudge chan struct{}, stats *textindex.Stats) {
	if cfg.TextWorkers == 0 {
		log.Info("text extraction disabled (TEXT_WORKERS=0)")
		return
	}
	extractor, err := pdfinfo.NewTextExtractor(pdfinfo.Limits{Timeout: cfg.TextTimeout, MemoryBytes: cfg.TextMemory})
	if err != nil {
		log.Warn("text extraction disabled; PDFs keep text_status pending", "err", err)
		return
	}
	for i := range cfg.TextWorkers {
		w := &textindex.Worker{
			Pool: pool, Store: store, Extractor: extractor, Now: time.Now, Log: log.With("worker", "text", "n", i),
			Languages: cfg.SearchLanguages, Lease: cfg.TextTimeout + time.Minute, MaxAttempts: cfg.TextMaxAttempts, TempDir: tmp,
			Stats: stats,
		}
		go w.Run(ctx, 5*time.Second, nudge)
	}
}

// loadKeys reads the signing key (or generates one under DATA_DIR) and the
// retired keys that still verify tokens until those expire.
func loadKeys(cfg config.Config, log *slog.Logger) (*auth.KeySet, error) {
	var verifyOnly []jwk.Key
	for _, f := range cfg.JWTVerifyKeyFiles {
		k, err := auth.LoadKeyFile(f)
		if err != nil {
			return nil, fmt.Errorf("JWT_VERIFY_KEY_FILES: %w", err)
		}
		verifyOnly = append(verifyOnly, k)
	}
	path, generated := cfg.SigningKeyPath()
	if !generated {
		key, err := auth.LoadKeyFile(path)
		if err != nil {
			return nil, fmt.Errorf("JWT_SIGNING_KEY_FILE: %w", err)
		}
		return auth.NewKeySet(key, verifyOnly...)
	}
	key, created, err := auth.LoadOrCreateKeyFile(path)
	if err != nil {
		return nil, fmt.Errorf("JWT signing key under DATA_DIR: %w", err)
	}
	if created {
		log.Warn("JWT_SIGNING_KEY_FILE is not set: generated a new Ed25519 signing key; set JWT_SIGNING_KEY_FILE in production", "path", path, "kid", key.KeyID())
	} else {
		log.Warn("JWT_SIGNING_KEY_FILE is not set: using the key generated earlier under DATA_DIR", "path", path, "kid", key.KeyID())
	}
	return auth.NewKeySet(key, verifyOnly...)
}
