package config

import (
	"log/slog"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

func lookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

func TestDefaults(t *testing.T) {
	c, err := Load(lookup(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != ":8080" || c.DatabaseURL != DefaultDatabaseURL || c.DataDir != "./data" ||
		c.JWTAccessTTL != 15*time.Minute || c.BcryptCost != 12 || !c.MigrateOnStart ||
		c.BodyLimit != 1<<20 || c.LogLevel != slog.LevelInfo || c.LogFormat != "json" {
		t.Fatalf("defaults: %+v", c)
	}
	if want := max(2, runtime.GOMAXPROCS(0)); c.TextWorkers != want {
		t.Fatalf("TEXT_WORKERS default %d, want %d (at least two: one PDF at its limits must leave a worker)", c.TextWorkers, want)
	}
	if c.BcryptConcurrency != runtime.GOMAXPROCS(0) || c.BcryptPriority != "low" {
		t.Fatalf("bcrypt defaults: concurrency %d priority %q, want every core at low priority", c.BcryptConcurrency, c.BcryptPriority)
	}
	if c.MetricsAddr != "" || c.MetricsToken != "" || c.Pprof || c.MetricsOnMain() {
		t.Fatalf("metrics are off by default: %+v", c)
	}
	if p, gen := c.SigningKeyPath(); !gen || !strings.HasPrefix(p, "data/") {
		t.Fatalf("key path %q generated=%v", p, gen)
	}
}

func TestOverrides(t *testing.T) {
	c, err := Load(lookup(map[string]string{
		"HTTP_ADDR": "127.0.0.1:9000", "JWT_ACCESS_TTL": "5m", "BCRYPT_COST": "10", "MIGRATE_ON_START": "false",
		"BODY_LIMIT": "512KiB", "LOG_LEVEL": "debug", "LOG_FORMAT": "TEXT",
		"CORS_ALLOWED_ORIGINS": "https://a.example.com, http://localhost:5173/", "JWT_SIGNING_KEY_FILE": "/etc/key.pem",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:9000" || c.JWTAccessTTL != 5*time.Minute || c.BcryptCost != 10 || c.MigrateOnStart ||
		c.BodyLimit != 512<<10 || c.LogLevel != slog.LevelDebug || c.LogFormat != "text" ||
		len(c.CORSAllowedOrigins) != 2 || c.CORSAllowedOrigins[1] != "http://localhost:5173" {
		t.Fatalf("overrides: %+v", c)
	}
	if p, gen := c.SigningKeyPath(); gen || p != "/etc/key.pem" {
		t.Fatalf("key path %q generated=%v", p, gen)
	}
	c, err = Load(lookup(map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.7, ::1", "JWT_VERIFY_KEY_FILES": "a.pem,b.pem", "AUTH_RATE_LIMIT_PER_MINUTE": "0"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.TrustedProxies) != 3 || c.TrustedProxies[1].String() != "192.168.1.7/32" || c.TrustedProxies[2].String() != "::1/128" ||
		len(c.JWTVerifyKeyFiles) != 2 || c.AuthRateLimitPerMinute != 0 {
		t.Fatalf("lists: %+v", c)
	}
}

// TestDocsListEveryVariable: .env.example and the README name exactly the
// variables the service reads.
func TestDocsListEveryVariable(t *testing.T) {
	names := Names()
	if len(names) < 20 {
		t.Fatalf("only %d variables recorded", len(names))
	}
	example, err := os.ReadFile("../../.env.example")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	inExample := map[string]bool{}
	for _, line := range strings.Split(string(example), "\n") {
		if name, _, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			inExample[strings.TrimSpace(name)] = true
		}
	}
	known := map[string]bool{}
	for _, n := range names {
		known[n] = true
		if !inExample[n] {
			t.Errorf(".env.example does not list %s", n)
		}
		if !strings.Contains(string(readme), "`"+n+"`") {
			t.Errorf("README.md does not document %s", n)
		}
	}
	for n := range inExample {
		if !known[n] {
			t.Errorf(".env.example lists %s, which the service does not read", n)
		}
	}
}

// TestErrorsNameTheVariable: every bad value fails Load with a message that
// starts with the variable's name, and all problems are reported at once.
func TestErrorsNameTheVariable(t *testing.T) {
	bad := map[string]string{
		"JWT_ACCESS_TTL":             "fifteen",
		"BCRYPT_COST":                "3",
		"MIGRATE_ON_START":           "maybe",
		"BODY_LIMIT":                 "lots",
		"LOG_LEVEL":                  "loud",
		"LOG_FORMAT":                 "xml",
		"DATABASE_URL":               "mysql://root@localhost/db",
		"CORS_ALLOWED_ORIGINS":       "not a url",
		"DATABASE_MAX_CONNS":         "0",
		"HTTP_READ_TIMEOUT":          "-1s",
		"JWT_REFRESH_TTL":            "1s",
		"TRUSTED_PROXIES":            "10.0.0.0/8, not-an-ip",
		"SESSION_MAX_LIFETIME":       "1h",
		"BCRYPT_CONCURRENCY":         "0",
		"AUTH_RATE_LIMIT_PER_MINUTE": "-5",
		"METRICS_TOKEN":              "too-short",
		"METRICS_ADDR":               "9090",
		"PPROF":                      "true", // without METRICS_ADDR
		"BCRYPT_PRIORITY":            "high",
	}
	for name, value := range bad {
		t.Run(name, func(t *testing.T) {
			_, err := Load(lookup(map[string]string{name: value}))
			if err == nil || !strings.HasPrefix(err.Error(), name+": ") {
				t.Fatalf("%s=%q: err = %v", name, value, err)
			}
		})
	}
	delete(bad, "SESSION_MAX_LIFETIME") // compared with JWT_REFRESH_TTL, itself bad here
	delete(bad, "PPROF")                // METRICS_ADDR is set (if bad) in the joined case
	_, err := Load(lookup(bad))
	for name := range bad {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Fatalf("joined error misses %s: %v", name, err)
		}
	}
}

func TestParseSize(t *testing.T) {
	cases := map[string]int64{"1": 1, "1024": 1024, "1KiB": 1024, "1kb": 1024, "200MiB": 200 << 20, "2 GiB": 2 << 30, "10B": 10, "3M": 3 << 20}
	for in, want := range cases {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1", "1.5MB", "MB", "1TB", "9999999999GiB", "0x10"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) accepted", in)
		}
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"1", "1KiB", "200MiB", "2 GiB", "", "-1", "9999999999999GiB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err == nil && (n <= 0 || n > 1<<50) {
			t.Fatalf("ParseSize(%q) = %d", s, n)
		}
	})
}

// TestMetricsModes: where /metrics is served, and the PPROF rule.
func TestMetricsModes(t *testing.T) {
	token := strings.Repeat("t", MinMetricsTokenBytes)
	for _, c := range []struct {
		env    map[string]string
		onMain bool
		err    string
	}{
		{env: nil},
		{env: map[string]string{"METRICS_TOKEN": token}, onMain: true},
		{env: map[string]string{"METRICS_ADDR": "127.0.0.1:9090"}},
		{env: map[string]string{"METRICS_ADDR": "127.0.0.1:9090", "METRICS_TOKEN": token}},
		{env: map[string]string{"METRICS_ADDR": "127.0.0.1:9090", "PPROF": "true"}},
		{env: map[string]string{"PPROF": "true"}, err: "PPROF: needs METRICS_ADDR"},
		{env: map[string]string{"PPROF": "true", "METRICS_TOKEN": token}, err: "PPROF: needs METRICS_ADDR"},
		{env: map[string]string{"METRICS_TOKEN": token[1:]}, err: "METRICS_TOKEN: must be at least 16 bytes"},
	} {
		cfg, err := Load(lookup(c.env))
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%v: err %v, want %q", c.env, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", c.env, err)
			continue
		}
		if cfg.MetricsOnMain() != c.onMain {
			t.Errorf("%v: on main listener %v, want %v", c.env, cfg.MetricsOnMain(), c.onMain)
		}
	}
}
