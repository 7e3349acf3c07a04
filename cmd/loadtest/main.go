// Command loadtest is the load benchmark behind `make loadtest`: it makes a
// fresh database, seeds it, starts bin/studysprint and a floor server as
// child processes on loopback, drives them with a closed-loop load
// generator and prints a table (and, unless -short, rewrites its section of
// BENCHMARKS.md). `loadtest floor` is the floor server itself.
package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/studysprint/studysprint/internal/loadtest"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(args) > 0 && args[0] == "floor" {
		return floor(ctx, args[1:], stderr)
	}
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: loadtest [flags]    (or: loadtest floor -addr A -database-url U)\n\nscenarios: %s\n\nflags:\n", strings.Join(loadtest.Scenarios, ", "))
		fs.PrintDefaults()
	}
	adminURL := os.Getenv("PG_ADMIN_URL")
	if adminURL == "" {
		adminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	o := loadtest.Options{}
	fs.StringVar(&o.ServerBin, "server", "bin/studysprint", "the server binary (make build)")
	fs.StringVar(&o.AdminURL, "admin-url", adminURL, "a database on the PostgreSQL server to use, for DROP/CREATE DATABASE (PG_ADMIN_URL)")
	fs.StringVar(&o.DBName, "db", "studysprint_loadtest", "the database the run drops, creates and seeds")
	fs.BoolVar(&o.Keep, "keep", false, "keep the database and the work directory with the servers' logs")
	fs.BoolVar(&o.Short, "short", false, "a few seconds per scenario on a tiny seed: checks the harness works (CI); never writes BENCHMARKS.md, judges no target")
	fs.DurationVar(&o.Window.Duration, "duration", 20*time.Second, "measured time per scenario (-short: 2s)")
	fs.DurationVar(&o.Window.Warmup, "warmup", 2*time.Second, "unmeasured load before each scenario's window (-short: 500ms)")
	fs.DurationVar(&o.BcryptWarmup, "bcrypt-warmup", 4*time.Second, "warmup of register and the login flood (-short: 500ms)")
	fs.IntVar(&o.Clients, "clients", 16, "closed-loop clients of the read, search and events scenarios and the floor's me (-short: 4)")
	fs.IntVar(&o.Chains, "chains", 32, "refresh chains, one user each (-short: 4)")
	fs.IntVar(&o.BcryptClients, "bcrypt-clients", 64, "clients of register and the login flood (-short: 8)")
	fs.Float64Var(&o.FloodMeRate, "flood-me-rate", 50, "GET /auth/me per second during the login flood (-short: 20)")
	fs.DurationVar(&o.BcryptTime, "bcrypt-time", 5*time.Second, "how long raw bcrypt is measured (-short: 1s)")
	fs.IntVar(&o.SeedUsers, "seed-users", 32, "seeded read users, at least -chains (-short: 4)")
	fs.IntVar(&o.SeedDays, "seed-days", 60, "days of seeded history (-short: 3)")
	fs.IntVar(&o.FloodUsers, "flood-users", 256, "seeded users the login flood logs in (-short: 16)")
	scenarios := fs.String("scenarios", "", "comma-separated scenarios to run (default all)")
	var serverEnv listFlag
	fs.Var(&serverEnv, "server-env", "KEY=VALUE for the server's environment, repeatable (e.g. BCRYPT_CONCURRENCY=2)")
	bench := fs.String("benchmarks", "", "BENCHMARKS.md to rewrite the loadtest section of (empty: print only; refused with -short)")
	command := fs.String("command", "", "the command line shown in BENCHMARKS.md (default: this one)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "loadtest: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if o.Short {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		short := map[string]func(){
			"duration": func() { o.Window.Duration = 2 * time.Second }, "warmup": func() { o.Window.Warmup = 500 * time.Millisecond },
			"bcrypt-warmup": func() { o.BcryptWarmup = 500 * time.Millisecond }, "clients": func() { o.Clients = 4 },
			"chains": func() { o.Chains = 4 }, "bcrypt-clients": func() { o.BcryptClients = 8 },
			"flood-me-rate": func() { o.FloodMeRate = 20 }, "bcrypt-time": func() { o.BcryptTime = time.Second },
			"seed-users": func() { o.SeedUsers = 4 }, "seed-days": func() { o.SeedDays = 3 }, "flood-users": func() { o.FloodUsers = 16 },
		}
		for name, apply := range short {
			if !set[name] {
				apply()
			}
		}
		if *bench != "" {
			fmt.Fprintln(stderr, "loadtest: -short never writes BENCHMARKS.md (drop -benchmarks)")
			return 2
		}
	}
	if *scenarios != "" {
		o.Only = map[string]bool{}
		for _, s := range strings.Split(*scenarios, ",") {
			if s = strings.TrimSpace(s); s != "" {
				o.Only[s] = true
			}
		}
	}
	o.ServerEnv = serverEnv
	o.Progress = stderr
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "loadtest: %v\n", err)
		return 1
	}
	o.Self = self
	if o.ServerBin, err = filepath.Abs(o.ServerBin); err != nil {
		fmt.Fprintf(stderr, "loadtest: %v\n", err)
		return 1
	}
	if err := o.Validate(); err != nil {
		fmt.Fprintf(stderr, "loadtest: %v\n", err)
		return 2
	}
	if *command == "" {
		*command = "loadtest " + strings.Join(args, " ")
	}

	rep, err := loadtest.Run(ctx, o)
	if err != nil {
		fmt.Fprintf(stderr, "loadtest: %v\n", err)
		return 1
	}
	md := rep.Markdown(*command)
	fmt.Fprintln(stdout, md)
	if *bench != "" {
		doc, err := os.ReadFile(*bench)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(stderr, "loadtest: %v\n", err)
			return 1
		}
		out, err := loadtest.ReplaceSection(string(doc), md)
		if err == nil {
			err = os.WriteFile(*bench, []byte(out), 0o644)
		}
		if err != nil {
			fmt.Fprintf(stderr, "loadtest: %s: %v\n", *bench, err)
			return 1
		}
		fmt.Fprintf(stderr, "loadtest: rewrote the loadtest section of %s\n", *bench)
	}
	if o.Short {
		// The harness check: every scenario that ran answered something,
		// and no refresh chain broke.
		var bad []string
		for _, r := range rep.Rows {
			if len(r.Outcome.Latencies) == 0 {
				bad = append(bad, r.Label+" had no successful request")
			}
		}
		if rep.BrokenChains > 0 || rep.PeerBrokenChains > 0 {
			bad = append(bad, fmt.Sprintf("%d broken refresh chains (peer: %d)", rep.BrokenChains, rep.PeerBrokenChains))
		}
		if len(bad) > 0 {
			fmt.Fprintf(stderr, "loadtest -short: %s\n", strings.Join(bad, "; "))
			return 1
		}
	}
	return 0
}

// floor runs the floor server (the harness starts it as a child process).
func floor(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("floor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8090", "listen address")
	dbURL := fs.String("database-url", "", "the seeded database")
	maxConns := fs.Int("max-conns", 20, "pgx pool size (the server's DATABASE_MAX_CONNS default)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	key, err := hex.DecodeString(os.Getenv("LOADTEST_FLOOR_KEY"))
	if err != nil || len(key) < 32 || *dbURL == "" {
		fmt.Fprintln(stderr, "floor: needs -database-url and LOADTEST_FLOOR_KEY (at least 32 bytes, hex)")
		return 2
	}
	if err := loadtest.ServeFloor(ctx, *addr, *dbURL, key, int32(*maxConns)); err != nil {
		fmt.Fprintf(stderr, "floor: %v\n", err)
		return 1
	}
	return 0
}
