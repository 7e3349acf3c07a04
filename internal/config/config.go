// Package config reads the service configuration from environment variables
// with typed defaults. Every problem names the variable that caused it.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/studysprint/studysprint/internal/auth"
)

// Config is the whole service configuration.
type Config struct {
	HTTPAddr              string
	HTTPReadHeaderTimeout time.Duration
	HTTPReadTimeout       time.Duration
	HTTPWriteTimeout      time.Duration
	HTTPIdleTimeout       time.Duration
	ShutdownTimeout       time.Duration

	DatabaseURL      string
	DatabaseMaxConns int
	DBWaitTimeout    time.Duration
	MigrateOnStart   bool

	DataDir string

	StorageURL        string
	S3AccessKeyID     string
	S3SecretAccessKey string
	MaxUploadSize     int64
	UploadTimeout     time.Duration
	UploadGrace       time.Duration
	UploadMinRate     int64
	UploadsPerUser    int
	UploadConcurrency int
	StorageQuota      int64
	PDFParseTimeout   time.Duration
	PDFParseQueueWait time.Duration
	PDFParseMemory    int64
	PDFParseWorkers   int
	OrphanFileGrace   time.Duration

	KOReaderMaxUploadSize   int64
	KOReaderMaxBooks        int
	KOReaderMaxVisits       int64
	KOReaderReadTimeout     time.Duration
	KOReaderReadMemory      int64
	KOReaderReadConcurrency int

	TextWorkers     int
	TextTimeout     time.Duration
	TextMemory      int64
	TextMaxAttempts int
	SearchLanguages [2]string

	JWTIssuer         string
	JWTAudience       string
	JWTSigningKeyFile string
	JWTVerifyKeyFiles []string
	JWTAccessTTL      time.Duration
	JWTRefreshTTL     time.Duration

	SessionMaxLifetime      time.Duration
	RevokedSessionRetention time.Duration
	SecurityEventRetention  time.Duration
	SweepInterval           time.Duration
	StudySweepInterval      time.Duration

	BcryptCost         int
	BcryptConcurrency  int
	BcryptPriority     string
	BcryptQueueTimeout time.Duration

	MetricsAddr  string
	MetricsToken string
	Pprof        bool

	AuthRateLimitPerMinute int
	UserRateLimitPerSecond int
	UserRateLimitBurst     int
	SearchesPerUser        int
	ReadCacheSize          int64
	TrustedProxies         []netip.Prefix
	LoginLockoutFailures   int
	LoginLockoutWindow     time.Duration
	LoginIdentifierCeiling int
	LoginIdentifierWindow  time.Duration
	LoginSlowdownMax       time.Duration
	RateLimitIPv6Prefix    int

	CORSAllowedOrigins []string
	BodyLimit          int64

	LogLevel  slog.Level
	LogFormat string
}

// Defaults used when a variable is unset or empty.
const (
	DefaultHTTPAddr    = ":8080"
	DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/studysprint?sslmode=disable"
	DefaultDataDir     = "./data"
)

// MinMetricsTokenBytes is the shortest METRICS_TOKEN accepted.
const MinMetricsTokenBytes = 16

// MetricsOnMain reports whether /metrics is served on the main listener
// (behind METRICS_TOKEN): only when no separate METRICS_ADDR is set.
func (c Config) MetricsOnMain() bool { return c.MetricsAddr == "" && c.MetricsToken != "" }

// FromEnv reads the configuration from the process environment.
func FromEnv() (Config, error) { return Load(os.LookupEnv) }

// Load reads the configuration through lookup (os.LookupEnv in production).
func Load(lookup func(string) (string, bool)) (Config, error) {
	e := &reader{lookup: lookup}
	c := Config{
		HTTPAddr:              e.str("HTTP_ADDR", DefaultHTTPAddr),
		HTTPReadHeaderTimeout: e.duration("HTTP_READ_HEADER_TIMEOUT", 5*time.Second),
		HTTPReadTimeout:       e.duration("HTTP_READ_TIMEOUT", 60*time.Second),
		HTTPWriteTimeout:      e.duration("HTTP_WRITE_TIMEOUT", 120*time.Second),
		HTTPIdleTimeout:       e.duration("HTTP_IDLE_TIMEOUT", 120*time.Second),
		ShutdownTimeout:       e.duration("SHUTDOWN_TIMEOUT", 15*time.Second),

		DatabaseURL:      e.str("DATABASE_URL", DefaultDatabaseURL),
		DatabaseMaxConns: e.integer("DATABASE_MAX_CONNS", 20, 1, 1000),
		DBWaitTimeout:    e.duration("DB_WAIT_TIMEOUT", 60*time.Second),
		MigrateOnStart:   e.boolean("MIGRATE_ON_START", true),

		DataDir: e.str("DATA_DIR", DefaultDataDir),

		StorageURL:        e.str("STORAGE_URL", ""),
		S3AccessKeyID:     e.str("S3_ACCESS_KEY_ID", ""),
		S3SecretAccessKey: e.str("S3_SECRET_ACCESS_KEY", ""),
		MaxUploadSize:     e.size("MAX_UPLOAD_SIZE", 200<<20),
		UploadTimeout:     e.duration("UPLOAD_TIMEOUT", 15*time.Minute),
		UploadGrace:       e.duration("UPLOAD_GRACE", 30*time.Second),
		UploadMinRate:     e.size("UPLOAD_MIN_RATE", 8<<10),
		UploadsPerUser:    e.integer("UPLOADS_PER_USER", 2, 1, 64),
		UploadConcurrency: e.integer("UPLOAD_CONCURRENCY", 16, 1, 4096),
		StorageQuota:      e.size("STORAGE_QUOTA", 5<<30),
		PDFParseTimeout:   e.duration("PDF_PARSE_TIMEOUT", 60*time.Second),
		PDFParseQueueWait: e.duration("PDF_PARSE_QUEUE_TIMEOUT", 10*time.Second),
		PDFParseMemory:    e.size("PDF_PARSE_MEMORY", 1<<30),
		PDFParseWorkers:   e.integer("PDF_PARSE_CONCURRENCY", 2, 1, 64),
		OrphanFileGrace:   e.duration("ORPHAN_FILE_GRACE", time.Hour),

		KOReaderMaxUploadSize:   e.size("KOREADER_MAX_UPLOAD_SIZE", 100<<20),
		KOReaderMaxBooks:        e.integer("KOREADER_MAX_BOOKS", 10_000, 1, 1_000_000),
		KOReaderMaxVisits:       int64(e.integer("KOREADER_MAX_VISITS", 2_000_000, 1, 100_000_000)),
		KOReaderReadTimeout:     e.duration("KOREADER_READ_TIMEOUT", 60*time.Second),
		KOReaderReadMemory:      e.size("KOREADER_READ_MEMORY", 512<<20),
		KOReaderReadConcurrency: e.integer("KOREADER_READ_CONCURRENCY", 2, 1, 64),

		// At least two, so that one PDF running into its limits (the worst
		// takes its CPU budget, at most TEXT_TIMEOUT) leaves a worker for
		// everyone else's; claims go round the users (textindex).
		TextWorkers:     e.integer("TEXT_WORKERS", max(2, runtime.GOMAXPROCS(0)), 0, 64),
		TextTimeout:     e.duration("TEXT_TIMEOUT", 120*time.Second),
		TextMemory:      e.size("TEXT_MEMORY", 1<<30),
		TextMaxAttempts: e.integer("TEXT_MAX_ATTEMPTS", 3, 1, 20),
		SearchLanguages: e.languages("SEARCH_LANGUAGES", [2]string{"simple", "english"}),

		JWTIssuer:         e.str("JWT_ISSUER", "studysprint"),
		JWTAudience:       e.str("JWT_AUDIENCE", "studysprint-api"),
		JWTSigningKeyFile: e.str("JWT_SIGNING_KEY_FILE", ""),
		JWTVerifyKeyFiles: e.list("JWT_VERIFY_KEY_FILES"),
		JWTAccessTTL:      e.duration("JWT_ACCESS_TTL", 15*time.Minute),
		JWTRefreshTTL:     e.duration("JWT_REFRESH_TTL", 30*24*time.Hour),

		SessionMaxLifetime:      e.duration("SESSION_MAX_LIFETIME", 90*24*time.Hour),
		RevokedSessionRetention: e.duration("REVOKED_SESSION_RETENTION", 7*24*time.Hour),
		SecurityEventRetention:  e.duration("SECURITY_EVENT_RETENTION", 365*24*time.Hour),
		SweepInterval:           e.duration("SWEEP_INTERVAL", 10*time.Minute),
		StudySweepInterval:      e.duration("STUDY_SWEEP_INTERVAL", time.Minute),

		BcryptCost: e.integer("BCRYPT_COST", 12, 4, 31),
		// Every core, on threads at the lowest priority that the kernel
		// preempts for any other work (BENCHMARKS.md, the login flood).
		BcryptConcurrency:  e.integer("BCRYPT_CONCURRENCY", runtime.GOMAXPROCS(0), 1, 1024),
		BcryptPriority:     e.oneOf("BCRYPT_PRIORITY", "low", "low", "normal"),
		BcryptQueueTimeout: e.duration("BCRYPT_QUEUE_TIMEOUT", 2*time.Second),

		MetricsAddr:  e.str("METRICS_ADDR", ""),
		MetricsToken: e.str("METRICS_TOKEN", ""),
		Pprof:        e.boolean("PPROF", false),

		AuthRateLimitPerMinute: e.integer("AUTH_RATE_LIMIT_PER_MINUTE", 30, 0, 1_000_000),
		UserRateLimitPerSecond: e.integer("USER_RATE_LIMIT_PER_SECOND", 50, 0, 1_000_000),
		UserRateLimitBurst:     e.integer("USER_RATE_LIMIT_BURST", 200, 1, 1_000_000),
		SearchesPerUser:        e.integer("SEARCH_CONCURRENCY_PER_USER", 2, 1, 64),
		ReadCacheSize:          e.size("READ_CACHE_SIZE", 32<<20),
		TrustedProxies:         e.prefixes("TRUSTED_PROXIES"),
		LoginLockoutFailures:   e.integer("LOGIN_LOCKOUT_FAILURES", 10, 1, 1000),
		LoginLockoutWindow:     e.duration("LOGIN_LOCKOUT_WINDOW", 15*time.Minute),
		LoginIdentifierCeiling: e.integer("LOGIN_IDENTIFIER_CEILING", 100, 1, 1_000_000),
		LoginIdentifierWindow:  e.duration("LOGIN_IDENTIFIER_WINDOW", time.Hour),
		LoginSlowdownMax:       e.duration("LOGIN_SLOWDOWN_MAX", 5*time.Minute),
		RateLimitIPv6Prefix:    e.integer("RATE_LIMIT_IPV6_PREFIX", 64, 32, 128),

		CORSAllowedOrigins: e.list("CORS_ALLOWED_ORIGINS"),
		BodyLimit:          e.size("BODY_LIMIT", 1<<20),

		LogLevel:  e.level("LOG_LEVEL", slog.LevelInfo),
		LogFormat: e.oneOf("LOG_FORMAT", "json", "json", "text"),
	}

	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || strings.Trim(u.Path, "/") == "" {
		e.fail("DATABASE_URL", errors.New("must be a postgres:// URL naming a database"))
	}
	if c.JWTAccessTTL < time.Minute || c.JWTAccessTTL > 24*time.Hour {
		e.fail("JWT_ACCESS_TTL", errors.New("must be between 1m and 24h"))
	}
	if c.JWTRefreshTTL < time.Hour || c.JWTRefreshTTL > 365*24*time.Hour {
		e.fail("JWT_REFRESH_TTL", errors.New("must be between 1h and 8760h"))
	}
	if c.SessionMaxLifetime < c.JWTRefreshTTL {
		e.fail("SESSION_MAX_LIFETIME", errors.New("must be at least JWT_REFRESH_TTL"))
	}
	if c.LoginIdentifierCeiling < c.LoginLockoutFailures {
		e.fail("LOGIN_IDENTIFIER_CEILING", errors.New("must be at least LOGIN_LOCKOUT_FAILURES"))
	}
	if c.ReadCacheSize < 0 || c.ReadCacheSize > 16<<30 {
		e.fail("READ_CACHE_SIZE", errors.New("must be between 0 (off) and 16GiB"))
	}
	if c.BodyLimit < 1024 || c.BodyLimit > 64<<20 {
		e.fail("BODY_LIMIT", errors.New("must be between 1KiB and 64MiB"))
	}
	for _, o := range c.CORSAllowedOrigins {
		if o == "*" {
			continue
		}
		if u, err := url.Parse(o); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			e.fail("CORS_ALLOWED_ORIGINS", fmt.Errorf("%q is not an origin like https://app.example.com", o))
		}
	}
	if c.MaxUploadSize > 4<<30 {
		e.fail("MAX_UPLOAD_SIZE", errors.New("must be at most 4GiB"))
	}
	if c.PDFParseMemory < 64<<20 {
		e.fail("PDF_PARSE_MEMORY", errors.New("must be at least 64MiB"))
	}
	if c.KOReaderMaxUploadSize > 4<<30 {
		e.fail("KOREADER_MAX_UPLOAD_SIZE", errors.New("must be at most 4GiB"))
	}
	// The reader's child needs some 75 MB of address space before reading
	// anything (koreader.MinMemoryBytes).
	if c.KOReaderReadMemory < 128<<20 {
		e.fail("KOREADER_READ_MEMORY", errors.New("must be at least 128MiB"))
	}
	if (c.S3AccessKeyID == "") != (c.S3SecretAccessKey == "") {
		e.fail("S3_SECRET_ACCESS_KEY", errors.New("set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither"))
	}
	if c.DataDir == "" {
		e.fail("DATA_DIR", errors.New("must not be empty"))
	}
	if c.Pprof && c.MetricsAddr == "" {
		e.fail("PPROF", errors.New("needs METRICS_ADDR: profiling is only served on the separate metrics listener, never on the main one"))
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < MinMetricsTokenBytes {
		e.fail("METRICS_TOKEN", fmt.Errorf("must be at least %d bytes (generate one with: openssl rand -hex 32)", MinMetricsTokenBytes))
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			e.fail("METRICS_ADDR", fmt.Errorf("%q is not a host:port like 127.0.0.1:9090", c.MetricsAddr))
		}
	}
	if c.JWTIssuer == "" {
		e.fail("JWT_ISSUER", errors.New("must not be empty"))
	}
	if c.JWTAudience == "" {
		e.fail("JWT_AUDIENCE", errors.New("must not be empty"))
	}
	return c, errors.Join(e.errs...)
}

// Names lists every variable Load reads (the test keeps .env.example and the
// README in step with it).
func Names() []string {
	var names []string
	_, _ = Load(func(name string) (string, bool) {
		names = append(names, name)
		return "", false
	})
	return names
}

// Lockout is the brute-force policy of password checks.
func (c Config) Lockout() auth.Lockout {
	return auth.Lockout{
		MaxFailures: c.LoginLockoutFailures, Window: c.LoginLockoutWindow,
		IdentifierCeiling: c.LoginIdentifierCeiling, IdentifierWindow: c.LoginIdentifierWindow,
		BaseDelay: time.Second, MaxDelay: c.LoginSlowdownMax,
	}.WithDefaults()
}

// SigningKeyPath is where the JWT signing key is read from: the configured
// file, or a key generated under DATA_DIR.
func (c Config) SigningKeyPath() (path string, generated bool) {
	if c.JWTSigningKeyFile != "" {
		return c.JWTSigningKeyFile, false
	}
	return filepath.Join(c.DataDir, "keys", "jwt-signing-key.pem"), true
}

type reader struct {
	lookup func(string) (string, bool)
	errs   []error
}

func (r *reader) fail(name string, err error) {
	r.errs = append(r.errs, fmt.Errorf("%s: %w", name, err))
}

func (r *reader) raw(name string) (string, bool) {
	v, ok := r.lookup(name)
	v = strings.TrimSpace(v)
	return v, ok && v != ""
}

func (r *reader) str(name, def string) string {
	if v, ok := r.raw(name); ok {
		return v
	}
	return def
}

func (r *reader) duration(name string, def time.Duration) time.Duration {
	v, ok := r.raw(name)
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		r.fail(name, fmt.Errorf("%q is not a positive duration like 30s or 15m", v))
		return def
	}
	return d
}

func (r *reader) integer(name string, def, lo, hi int) int {
	v, ok := r.raw(name)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		r.fail(name, fmt.Errorf("%q is not an integer between %d and %d", v, lo, hi))
		return def
	}
	return n
}

func (r *reader) boolean(name string, def bool) bool {
	v, ok := r.raw(name)
	if !ok {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.fail(name, fmt.Errorf("%q is not true or false", v))
		return def
	}
	return b
}

func (r *reader) oneOf(name, def string, allowed ...string) string {
	v := strings.ToLower(r.str(name, def))
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	r.fail(name, fmt.Errorf("%q is not one of %s", v, strings.Join(allowed, ", ")))
	return def
}

func (r *reader) level(name string, def slog.Level) slog.Level {
	v, ok := r.raw(name)
	if !ok {
		return def
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(v)); err != nil {
		r.fail(name, fmt.Errorf("%q is not one of debug, info, warn, error", v))
		return def
	}
	return l
}

func (r *reader) list(name string) []string {
	v, ok := r.raw(name)
	if !ok {
		return nil
	}
	var out []string
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, strings.TrimSuffix(part, "/"))
		}
	}
	return out
}

// languages reads one or two PostgreSQL text search configuration names
// (checked against the database at start).
func (r *reader) languages(name string, def [2]string) [2]string {
	items := r.list(name)
	if len(items) == 0 {
		return def
	}
	if len(items) > 2 {
		r.fail(name, errors.New("name one or two text search configurations, like simple,english"))
		return def
	}
	for _, it := range items {
		if !langRE.MatchString(it) {
			r.fail(name, fmt.Errorf("%q is not a text search configuration name", it))
			return def
		}
	}
	if len(items) == 1 {
		return [2]string{items[0], items[0]}
	}
	return [2]string{items[0], items[1]}
}

var langRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// prefixes parses a comma-separated list of CIDRs or single addresses.
func (r *reader) prefixes(name string) []netip.Prefix {
	var out []netip.Prefix
	for _, item := range r.list(name) {
		p, err := netip.ParsePrefix(item)
		if err != nil {
			a, aerr := netip.ParseAddr(item)
			if aerr != nil {
				r.fail(name, fmt.Errorf("%q is not an IP address or CIDR like 10.0.0.0/8", item))
				continue
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out
}

// size parses a byte count: 1048576, 512KiB, 1MiB, 200MB (KB/MB/GB are taken
// as binary units too, which is what people mean for upload limits).
func (r *reader) size(name string, def int64) int64 {
	v, ok := r.raw(name)
	if !ok {
		return def
	}
	n, err := ParseSize(v)
	if err != nil {
		r.fail(name, err)
		return def
	}
	return n
}

// ParseSize parses a byte count with an optional unit (B, KiB, MiB, GiB, KB, MB, GB).
func ParseSize(v string) (int64, error) {
	s := strings.ToUpper(strings.TrimSpace(v))
	units := []struct {
		suffix string
		mult   int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > (1<<50)/mult {
		return 0, fmt.Errorf("%q is not a size like 1048576, 512KiB or 200MiB", v)
	}
	return n * mult, nil
}
