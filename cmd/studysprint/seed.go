package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"text/tabwriter"
	"time"

	"github.com/studysprint/studysprint/internal/config"
	"github.com/studysprint/studysprint/internal/database"
	"github.com/studysprint/studysprint/internal/seed"
)

// seedCommand runs `studysprint seed`: flags, a migrated database, the run
// and its report (a table, or JSON with --json).
func seedCommand(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := seed.Options{Languages: cfg.SearchLanguages}
	fs.IntVar(&o.Users, "users", 10, "users to create (the first one studies every day)")
	fs.IntVar(&o.Days, "days", 90, "days of history, ending at --until")
	fs.IntVar(&o.PDFsPerUser, "pdfs-per-user", 12, "PDFs per user (a third at the start, the rest added over the history)")
	fs.Uint64Var(&o.Seed, "seed", 1, "random seed: the same seed, --until, --users and --days give the same history")
	fs.StringVar(&o.Prefix, "user-prefix", "seed", "usernames are PREFIX-001, …, emails PREFIX-001@example.com; another prefix adds users beside existing ones")
	fs.StringVar(&o.Password, "password", "studysprint-seed", "every seeded user's password")
	fs.IntVar(&o.BcryptCost, "bcrypt-cost", cfg.BcryptCost, "bcrypt cost of the one password hash all users share; BCRYPT_COST by default, so their logins cost what real ones do")
	until := fs.String("until", "", "end of the history, RFC 3339 or YYYY-MM-DD (default: now)")
	fs.DurationVar(&o.Heartbeat, "heartbeat", 30*time.Second, "the reader app's heartbeat interval (more events per session when shorter)")
	fs.IntVar(&o.Workers, "workers", 2*runtime.NumCPU(), "users written at once (twice the cores measured fastest; see BENCHMARKS.md)")
	fs.BoolVar(&o.Vacuum, "vacuum", true, "VACUUM (ANALYZE) the seeded tables at the end")
	fs.BoolVar(&o.DryRun, "dry-run", false, "generate and derive everything, write nothing (row counts and generator speed)")
	dbURL := fs.String("database-url", cfg.DatabaseURL, "the database to seed; DATABASE_URL by default")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return exitCode(2)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "seed: unexpected argument %q\n", fs.Arg(0))
		return exitCode(2)
	}
	o.Until = time.Now()
	if *until != "" {
		t, err := time.Parse(time.RFC3339, *until)
		if err != nil {
			t, err = time.Parse(time.DateOnly, *until)
		}
		if err != nil {
			fmt.Fprintf(stderr, "seed: --until %q is neither RFC 3339 nor YYYY-MM-DD\n", *until)
			return exitCode(2)
		}
		o.Until = t
	}
	if err := o.Validate(); err != nil {
		fmt.Fprintf(stderr, "seed: %v\n", err)
		return exitCode(2)
	}
	o.Log = log

	var rep seed.Report
	var err error
	if o.DryRun {
		rep, err = seed.Run(ctx, nil, o)
	} else {
		pool, perr := database.Open(ctx, *dbURL, database.PoolOptions{MaxConns: int32(o.Workers + 1)})
		if perr != nil {
			return perr
		}
		defer pool.Close()
		v, verr := database.SchemaVersion(ctx, pool)
		switch {
		case verr != nil && !errors.Is(verr, database.ErrNotMigrated):
			return verr
		case verr != nil || v != database.LatestMigration():
			return fmt.Errorf("the database is not migrated to %s: run `studysprint migrate up` first", database.LatestMigration())
		}
		rep, err = seed.Run(ctx, pool, o)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(seedJSON(rep))
	}
	printSeedReport(stdout, rep, o)
	return nil
}

// seedJSON is the --json report.
func seedJSON(r seed.Report) map[string]any {
	return map[string]any{
		"users": r.Users, "password": r.Password, "rows": r.Rows, "total_rows": r.TotalRows(),
		"load_seconds": r.Load.Seconds(), "vacuum_seconds": r.Vacuum.Seconds(),
		"rows_per_second": int64(float64(r.TotalRows()) / r.Load.Seconds()),
	}
}

func printSeedReport(w io.Writer, r seed.Report, o seed.Options) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "table\trows\t")
	for _, t := range seed.Tables {
		fmt.Fprintf(tw, "%s\t%d\t\n", t, r.Rows[t])
	}
	fmt.Fprintf(tw, "total\t%d\t\n", r.TotalRows())
	_ = tw.Flush()
	secs := r.Load.Seconds()
	fmt.Fprintf(w, "\nloaded in %.1f s: %.0f rows/s, %.0f study_events/s", secs, float64(r.TotalRows())/secs, float64(r.Rows["study_events"])/secs)
	if r.Vacuum > 0 {
		fmt.Fprintf(w, "; VACUUM (ANALYZE) %.1f s", r.Vacuum.Seconds())
	}
	if o.DryRun {
		fmt.Fprint(w, " (dry run: nothing written)")
	}
	fmt.Fprintln(w)
	last := r.Users[len(r.Users)-1]
	fmt.Fprintf(w, "users: %s (%s) … %s; the first studies every day\n", r.Users[0].Username, r.Users[0].Email, last.Username)
	fmt.Fprintf(w, "password: %s\n", r.Password)
}
