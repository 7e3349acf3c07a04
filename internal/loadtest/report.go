package loadtest

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Machine is where a run happened.
type Machine struct {
	Cores    int
	CPU      string
	MemTotal int64 // bytes
	Kernel   string
	Go       string
	Postgres string
}

func readMachine() Machine {
	m := Machine{Cores: runtime.NumCPU(), Go: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		m.CPU = ParseCPUModel(b)
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				f := strings.Fields(rest)
				if len(f) == 2 {
					kb, _ := strconv.ParseInt(f[0], 10, 64)
					m.MemTotal = kb << 10
				}
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	return m
}

// Row is one line of the report.
type Row struct {
	Scenario, Label, Request, Target, Clients string
	Outcome                                   Outcome
	Summary                                   Summary
	CPUPer1k                                  float64 // server CPU seconds per 1,000 requests
	DBCPUPer1k                                float64 // the same for the PostgreSQL backends serving the database
	CPUValid                                  bool
	PeakRSS                                   int64
	PeakSampled                               bool
}

// Report is a whole run.
type Report struct {
	Date                  time.Time
	Short                 bool
	Options               Options
	Machine               Machine
	LoadBefore, LoadAfter string
	SeedTime              time.Duration
	Topics, Pages         int // of the first read user: topics listed, pages of its PDF
	IdleRSS, FloorIdleRSS int64
	BcryptCost            int
	BcryptCeiling         float64 // bcrypt checks/s with every core: the better of before and after
	BcryptBefore          float64
	BcryptAfter           float64
	BrokenChains          int
	PeerBrokenChains      int
	Rows                  []Row
	Elapsed               time.Duration
}

func (r *Report) row(label string) *Row {
	for i := range r.Rows {
		if r.Rows[i].Label == label {
			return &r.Rows[i]
		}
	}
	return nil
}

// floorMe is the floor's me throughput and p99 that the server's rows are
// compared with: the mean of its two windows (before the server's scenarios
// and right after me) when both ran, and how to say it.
func (r *Report) floorMe() (rate float64, p99 time.Duration, desc string, ok bool) {
	a, b := r.row(FloorMe), r.row(FloorMeAfter)
	switch {
	case a != nil && b != nil:
		rate = (a.Outcome.PerSecond() + b.Outcome.PerSecond()) / 2
		p99 = (a.Summary.P99 + b.Summary.P99) / 2
		return rate, p99, fmt.Sprintf("%.0f, the floor's mean of %.0f and %.0f", rate, a.Outcome.PerSecond(), b.Outcome.PerSecond()), true
	case a != nil:
		return a.Outcome.PerSecond(), a.Summary.P99, fmt.Sprintf("%.0f", a.Outcome.PerSecond()), true
	case b != nil:
		return b.Outcome.PerSecond(), b.Summary.P99, fmt.Sprintf("%.0f", b.Outcome.PerSecond()), true
	}
	return 0, 0, "", false
}

// Target is one goal of issue 15 and whether this run met it.
type Target struct {
	Name, Measured string
	Met            bool
	Known          bool // false: a scenario it needs did not run
}

// IdleRSSLimit is the idle RSS goal (25 MB, decimal).
const IdleRSSLimit = 25_000_000

// Targets evaluates the goals against the rows.
func (r *Report) Targets() []Target {
	var out []Target
	ratio := func(name, a, b string, min float64) {
		ra, rb := r.row(a), r.row(b)
		t := Target{Name: name}
		if ra != nil && rb != nil && rb.Outcome.PerSecond() > 0 {
			x := ra.Outcome.PerSecond() / rb.Outcome.PerSecond()
			t.Known, t.Met = true, x >= min
			t.Measured = fmt.Sprintf("%.2f × (%.0f vs %.0f req/s)", x, ra.Outcome.PerSecond(), rb.Outcome.PerSecond())
		}
		out = append(out, t)
	}
	{
		me := r.row("me")
		rate, p99, desc, ok := r.floorMe()
		t := Target{Name: "me throughput ≥ 0.8 × the floor's"}
		if me != nil && ok && rate > 0 {
			x := me.Outcome.PerSecond() / rate
			t.Known, t.Met = true, x >= 0.8
			t.Measured = fmt.Sprintf("%.2f × (%.0f vs %s req/s)", x, me.Outcome.PerSecond(), desc)
		}
		out = append(out, t)
		t = Target{Name: "me p99 ≤ 1.5 × the floor's p99"}
		if me != nil && ok && p99 > 0 {
			x := float64(me.Summary.P99) / float64(p99)
			t.Known, t.Met = true, x <= 1.5
			t.Measured = fmt.Sprintf("%.2f × (%s vs %s)", x, fmtDur(me.Summary.P99), fmtDur(p99))
		}
		out = append(out, t)
	}
	for _, read := range []string{"topics", "pages"} {
		ratio(read+" throughput ≥ 0.5 × me's", read, "me", 0.5)
		// The same read past the read cache, for the record: what a
		// request costs when the user's library has just changed.
		if t, un, me := &out[len(out)-1], r.row(read+" (uncached)"), r.row("me"); t.Known && un != nil && me.Outcome.PerSecond() > 0 {
			t.Measured += fmt.Sprintf("; from the read cache. Uncached (`Cache-Control: no-cache`): %.2f × (%.0f req/s)",
				un.Outcome.PerSecond()/me.Outcome.PerSecond(), un.Outcome.PerSecond())
		}
	}
	ratio("refresh ≥ 5 × the stateful-rotation peer", "refresh (rotation)", "floor: refresh (peer)", 5)
	if rr := r.row("refresh (rotation)"); rr != nil {
		out = append(out, Target{Name: "never a broken refresh chain", Known: true, Met: r.BrokenChains == 0,
			Measured: fmt.Sprintf("%d broken in %d refreshes", r.BrokenChains, rr.Outcome.Requests())})
	} else {
		out = append(out, Target{Name: "never a broken refresh chain"})
	}
	out = append(out, Target{Name: "idle RSS < 25 MB", Known: r.IdleRSS > 0, Met: r.IdleRSS > 0 && r.IdleRSS < IdleRSSLimit,
		Measured: fmtMB(r.IdleRSS)})
	share := func(name, label string) Target {
		t := Target{Name: name}
		if rr := r.row(label); rr != nil && r.BcryptCeiling > 0 {
			x := rr.Outcome.PerSecond() / r.BcryptCeiling
			t.Known, t.Met = true, x >= 0.95
			t.Measured = fmt.Sprintf("%.0f %% (%.2f of %.2f/s)", 100*x, rr.Outcome.PerSecond(), r.BcryptCeiling)
			if x > 1 {
				t.Measured += "; above the ceiling: the machine was busier while bcrypt was measured"
			}
		}
		return t
	}
	lo, re := share("login ≥ 95 % of bcrypt's rate (during the flood)", "login (flood)"), share("register ≥ 95 % of bcrypt's rate", "register")
	fm := Target{Name: "me p99 < 50 ms during the 64-client login flood"}
	if rr := r.row("me during the flood"); rr != nil {
		fm.Known, fm.Met = true, rr.Summary.P99 < 50*time.Millisecond && rr.Summary.Count > 0
		fm.Measured = fmtDur(rr.Summary.P99)
		if n := r.row("login (flood)"); n != nil && n.Clients != "64" {
			fm.Measured += " (with " + n.Clients + " login clients, not 64)"
		}
	}
	out = append(out, lo, re, fm, Target{
		Name: "login and register ≥ 95 % and me p99 < 50 ms, together", Known: lo.Known && re.Known && fm.Known,
		Met: lo.Met && re.Met && fm.Met, Measured: "all three above",
	})
	return out
}

func fmtDur(d time.Duration) string {
	switch {
	case d <= 0:
		return "—"
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	case d < time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
}

func fmtMB(b int64) string {
	if b <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f MB", float64(b)/1e6)
}

func fmtRate(x float64) string {
	switch {
	case x >= 100:
		return fmt.Sprintf("%.0f", x)
	case x >= 10:
		return fmt.Sprintf("%.1f", x)
	default:
		return fmt.Sprintf("%.2f", x)
	}
}

// Markdown renders the report: the section between the markers of
// BENCHMARKS.md, also what is printed.
func (r *Report) Markdown(command string) string {
	var b strings.Builder
	o := r.Options
	mode := ""
	if r.Short {
		mode = " — short mode: a check that the harness works, not a measurement"
	}
	fmt.Fprintf(&b, "## The whole service under load: `make loadtest` (%s)%s\n\n", r.Date.Format("2006-01-02 15:04 MST"), mode)
	fmt.Fprintf(&b, "```sh\n%s\n```\n\n", command)
	m := r.Machine
	fmt.Fprintf(&b, "Machine: %d cores (%s), %.0f GiB, Linux %s, %s, PostgreSQL %s on the same host. "+
		"Load average (1, 5, 15 min) %s before the run, %s after; the run took %s.\n\n",
		m.Cores, m.CPU, float64(m.MemTotal)/(1<<30), m.Kernel, m.Go, m.Postgres, r.LoadBefore, r.LoadAfter, r.Elapsed.Round(time.Second))
	overrides := ""
	if len(o.ServerEnv) > 0 {
		overrides = " and, for this run, `" + strings.Join(o.ServerEnv, "`, `") + "`"
	}
	fmt.Fprintf(&b, "Server: `bin/studysprint serve` as a child process on loopback, with the default configuration "+
		"except its address, database and data directory, the two abuse limits off (`AUTH_RATE_LIMIT_PER_MINUTE=0`, "+
		"`USER_RATE_LIMIT_PER_SECOND=0`: one load generator on one address is what they refuse)%s. "+
		"Database: a fresh `%s`, migrated and seeded with `studysprint seed` — %d users × %d days of history "+
		"(%d topics each, the PDF used has %d pages with text) and %d more users with the server's bcrypt cost (%d) for the logins — in %s.\n\n",
		overrides, o.DBName, o.SeedUsers, o.SeedDays, r.Topics, r.Pages, o.FloodUsers, r.BcryptCost, r.SeedTime.Round(100*time.Millisecond))
	fmt.Fprintf(&b, "Load: closed loop (each client sends its next request when the last is answered, one keep-alive connection each) "+
		"from one Go process on the same machine, so the client's CPU competes with the server's; %v warmup (%v for register and the login flood, "+
		"whose bcrypt queue fills first), then %v measured per scenario; requests count when they end inside the window; "+
		"p50/p99 of the successful ones. Server CPU is utime+stime of the server process (`/proc/<pid>/stat`) over the window, "+
		"and PostgreSQL's is that of the backends serving the load test's database (their process title names it; "+
		"background workers and autovacuum not included); peak RSS is VmHWM after resetting it at the window's start (`/proc/<pid>/clear_refs`).\n\n",
		o.Window.Warmup, o.BcryptWarmup, o.Window.Duration)

	floorRate, _, _, _ := r.floorMe()
	peer := r.row("floor: refresh (peer)")
	b.WriteString("| scenario | request | clients | req/s | p50 | p99 | errors | CPU s / 1k req: server | PostgreSQL | peak RSS | compared |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, row := range r.Rows {
		cmp := ""
		switch {
		case row.Label == "login (flood)" || row.Label == "register":
			if r.BcryptCeiling > 0 {
				cmp = fmt.Sprintf("%.0f %% of bcrypt", 100*row.Outcome.PerSecond()/r.BcryptCeiling)
			}
		case row.Label == "refresh (rotation)":
			if peer != nil && peer.Outcome.PerSecond() > 0 {
				cmp = fmt.Sprintf("%.1f × peer", row.Outcome.PerSecond()/peer.Outcome.PerSecond())
			}
		case row.Target == "server" && row.Label != "me during the flood" && !strings.HasPrefix(row.Label, "events"):
			if floorRate > 0 {
				cmp = fmt.Sprintf("%.2f × floor", row.Outcome.PerSecond()/floorRate)
			}
		}
		errs := strconv.Itoa(row.Outcome.ErrorCount())
		if s := row.Outcome.ErrorSummary(); s != "" {
			errs += " (" + s + ")"
		}
		cpu, dbcpu := "—", "—"
		if row.CPUValid {
			cpu, dbcpu = fmt.Sprintf("%.3f", row.CPUPer1k), fmt.Sprintf("%.3f", row.DBCPUPer1k)
		}
		peak := fmtMB(row.PeakRSS)
		if row.PeakSampled {
			peak += " (sampled)"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			row.Label, row.Request, row.Clients, fmtRate(row.Outcome.PerSecond()), fmtDur(row.Summary.P50), fmtDur(row.Summary.P99),
			errs, cpu, dbcpu, peak, cmp)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "Idle RSS one second after start, before any load: server %s, floor %s. "+
		"bcrypt's own rate at cost %d, measured in this run before the servers start and after they stop (%d goroutines, `bcrypt.CompareHashAndPassword`, %v each): "+
		"%.2f/s and %.2f/s; the better, %.2f/s, is the ceiling. "+
		"The login flood row's CPU includes the paced `me` requests beside it; `me during the flood` is paced at %g requests/s over %d users, "+
		"its latency counted from when each request was due.\n\n",
		fmtMB(r.IdleRSS), fmtMB(r.FloorIdleRSS), r.BcryptCost, m.Cores, o.BcryptTime, r.BcryptBefore, r.BcryptAfter, r.BcryptCeiling, o.FloodMeRate, o.SeedUsers)
	b.WriteString("The floor (`bin/loadtest floor`, its own process, measured the same way): net/http, a pgx pool with pgx's defaults " +
		"(20 connections, like the server), an HS256 check written against the standard library, one primary-key `SELECT` of the user row, " +
		"`encoding/json`. Its `me` load is measured twice, before the server's scenarios and again right after the server's `me` " +
		"(the floor stays up, idle, in between): a shared machine's speed drifts from minute to minute, and `me` and the `× floor` column " +
		"are compared with the mean of the two windows. The stateful-rotation peer lives in the floor and is refresh-token rotation the way many tutorials and frameworks do it: " +
		"the token is `selector.verifier`; its row is found by the selector and locked (`SELECT … FOR UPDATE`), the verifier checked against a " +
		"bcrypt hash at cost 10, the row revoked and the new token's row — a new bcrypt hash — inserted in one transaction, then an HS256 access token signed. " +
		"Both refresh scenarios run chains of distinct users, each chain sending its next refresh with the token the last one returned; " +
		"a 401 in a chain is a broken chain.\n\n")

	if r.Short {
		b.WriteString("Short mode: no targets are judged.\n")
		return b.String()
	}
	b.WriteString("| target (issue 15) | measured | verdict |\n|---|---|---|\n")
	for _, t := range r.Targets() {
		verdict := "not measured"
		switch {
		case t.Known && t.Met:
			verdict = "met"
		case t.Known:
			verdict = "**not met**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", t.Name, t.Measured, verdict)
	}
	return b.String()
}
