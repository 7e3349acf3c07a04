package loadtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/studysprint/studysprint/internal/config"
	"github.com/studysprint/studysprint/internal/seed"
)

// Row labels of the floor's me load, measured before the server's
// scenarios and again right after the server's me: the machine's speed
// drifts between windows (shared hosts), and me is compared with the mean
// of the two windows around it.
const (
	FloorMe      = "floor: me"
	FloorMeAfter = "floor: me (again, after me)"
)

// Scenario names, in the order they run.
const (
	ScFloorMe      = "floor-me"
	ScFloorRefresh = "floor-refresh"
	ScMe           = "me"
	ScTopics       = "topics"
	ScPages        = "pages"
	// The same two reads with Cache-Control: no-cache: every answer from
	// the database, past the server's read cache.
	ScTopicsUncached = "topics-uncached"
	ScPagesUncached  = "pages-uncached"
	ScEstimates      = "estimates"
	ScAnalytics      = "analytics"
	ScSearch         = "search"
	ScRefresh        = "refresh"
	ScEvents         = "events"
	ScRegister       = "register"
	ScLoginFlood     = "login-flood"
)

// Scenarios lists every scenario in running order.
var Scenarios = []string{
	ScFloorMe, ScFloorRefresh, ScMe, ScTopics, ScPages, ScTopicsUncached, ScPagesUncached, ScEstimates, ScAnalytics, ScSearch,
	ScRefresh, ScEvents, ScRegister, ScLoginFlood,
}

// Options is one load test run.
type Options struct {
	ServerBin string // bin/studysprint
	Self      string // this program, started as `Self floor` for the floor
	AdminURL  string // a PostgreSQL database to connect to for DROP/CREATE DATABASE
	DBName    string // dropped and recreated
	Keep      bool   // keep the database and the work directory (logs) afterwards

	Short         bool
	Window        Window
	BcryptWarmup  time.Duration // warmup of the bcrypt-bound scenarios (their queue fills first)
	Clients       int           // closed-loop clients of the read scenarios, events and the floor
	Chains        int           // refresh chains (distinct users)
	BcryptClients int           // clients of register and the login flood
	FloodMeRate   float64       // requests/s of GET /me during the login flood
	BcryptTime    time.Duration // of the raw bcrypt measurement
	SeedUsers     int
	SeedDays      int
	FloodUsers    int
	Only          map[string]bool // scenarios to run; nil: all
	ServerEnv     []string        // KEY=VALUE overrides for the server

	Progress io.Writer
}

// Validate checks the options that would make the run meaningless.
func (o Options) Validate() error {
	switch {
	case o.Window.Duration <= 0 || o.Window.Warmup < 0:
		return errors.New("duration must be positive and warmup not negative")
	case o.Clients < 1 || o.BcryptClients < 1 || o.Chains < 1:
		return errors.New("clients, bcrypt clients and chains must be at least 1")
	case o.SeedUsers < o.Chains:
		return fmt.Errorf("refresh chains need distinct users: seed users (%d) must be at least chains (%d)", o.SeedUsers, o.Chains)
	case o.FloodUsers < 1 || o.SeedDays < 1:
		return errors.New("flood users and seed days must be at least 1")
	case o.FloodMeRate <= 0:
		return errors.New("flood me rate must be positive")
	}
	for name := range o.Only {
		if !slices.Contains(Scenarios, name) {
			return fmt.Errorf("unknown scenario %q (have %s)", name, strings.Join(Scenarios, ", "))
		}
	}
	for _, kv := range o.ServerEnv {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return fmt.Errorf("server env %q is not KEY=VALUE", kv)
		}
	}
	return nil
}

func (o Options) runs(name string) bool { return o.Only == nil || o.Only[name] }

// SeedPassword is the password of every seeded user.
const SeedPassword = "studysprint-seed"

// Harness state for one run.
type harness struct {
	o   Options
	rep *Report
	// floorMe measures the floor's me load into a row with this label (nil
	// when the floor-me scenario does not run).
	floorMe func(ctx context.Context, label string) error
	work    string
	dbURL   string
	env     []string // the server's environment (also migrate and seed)
	cfg     config.Config
	key     []byte // the floor's HS256 key
	users   []*user
	flood   []string // login names of the flood users (bcrypt at the server's cost)
	nonce   string
	loginAt time.Time
}

type user struct {
	Login, ID string
	Access    string
	PDF       string
	PageCount int32
}

func (h *harness) logf(format string, args ...any) {
	if h.o.Progress != nil {
		fmt.Fprintf(h.o.Progress, "loadtest: "+format+"\n", args...)
	}
}

// Run does the whole load test and returns its report.
func Run(ctx context.Context, o Options) (*Report, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	started := time.Now()
	h := &harness{o: o, rep: &Report{Date: started.UTC(), Short: o.Short, Options: o}}
	h.rep.Machine = readMachine()
	h.rep.LoadBefore = LoadAverage()
	var err error
	if h.work, err = os.MkdirTemp("", "studysprint-loadtest-*"); err != nil {
		return nil, err
	}
	if o.Keep {
		h.logf("work directory (logs) %s", h.work)
	} else {
		defer os.RemoveAll(h.work)
	}
	var nb [4]byte
	_, _ = rand.Read(nb[:])
	h.nonce = hex.EncodeToString(nb[:])
	h.key = make([]byte, 32)
	_, _ = rand.Read(h.key)
	if err := h.prepareDatabase(ctx); err != nil {
		return nil, err
	}
	if !o.Keep {
		defer h.dropDatabase()
	}
	h.rep.BcryptCost = h.cfg.BcryptCost
	h.logf("raw bcrypt at cost %d: %d goroutines for %v", h.cfg.BcryptCost, runtime.GOMAXPROCS(0), o.BcryptTime)
	if h.rep.BcryptCeiling, err = BcryptCeiling(h.cfg.BcryptCost, o.BcryptTime); err != nil {
		return nil, err
	}
	h.logf("bcrypt ceiling %.2f/s", h.rep.BcryptCeiling)
	var floor *child
	if o.runs(ScFloorMe) || o.runs(ScFloorRefresh) {
		if floor, err = h.floorScenarios(ctx); err != nil {
			return nil, err
		}
	}
	err = h.serverScenarios(ctx)
	if floor != nil {
		floor.stop()
	}
	if err != nil {
		return nil, err
	}
	// Measured again with the servers gone: on a shared machine one window
	// can be unlucky, and the ceiling is the better of the two.
	after, err := BcryptCeiling(h.cfg.BcryptCost, o.BcryptTime)
	if err != nil {
		return nil, err
	}
	h.rep.BcryptBefore, h.rep.BcryptAfter = h.rep.BcryptCeiling, after
	h.rep.BcryptCeiling = max(h.rep.BcryptCeiling, after)
	h.logf("bcrypt ceiling %.2f/s before, %.2f/s after", h.rep.BcryptBefore, after)
	h.rep.LoadAfter = LoadAverage()
	h.rep.Elapsed = time.Since(started)
	return h.rep, nil
}

// prepareDatabase drops and recreates the database, migrates and seeds it.
func (h *harness) prepareDatabase(ctx context.Context) error {
	u, err := url.Parse(h.o.AdminURL)
	if err != nil {
		return fmt.Errorf("admin url: %w", err)
	}
	u.Path = "/" + h.o.DBName
	h.dbURL = u.String()
	h.env = serverEnv(os.Environ(), map[string]string{
		"DATABASE_URL": h.dbURL, "DATA_DIR": filepath.Join(h.work, "data"),
		// A load generator on one address for a few accounts is what these
		// abuse limits exist to refuse; they are off, and the floor has none.
		"AUTH_RATE_LIMIT_PER_MINUTE": "0", "USER_RATE_LIMIT_PER_SECOND": "0",
	}, h.o.ServerEnv)
	if h.cfg, err = config.Load(envLookup(h.env)); err != nil {
		return fmt.Errorf("server configuration: %w", err)
	}
	conn, err := pgx.Connect(ctx, h.o.AdminURL)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", h.o.AdminURL, err)
	}
	defer conn.Close(ctx)
	if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&h.rep.Machine.Postgres); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{h.o.DBName}.Sanitize()+" WITH (FORCE)"); err != nil {
		return err
	}
	h.logf("database %s: migrate", h.o.DBName)
	if err := h.runServerBin(ctx, "migrate", "up"); err != nil {
		return err
	}
	days := strconv.Itoa(h.o.SeedDays)
	h.logf("seed %d users × %d days (bcrypt cost 4), %d flood users (cost %d)", h.o.SeedUsers, h.o.SeedDays, h.o.FloodUsers, h.cfg.BcryptCost)
	// The read users' hash is cheap so the harness can log them in quickly;
	// the flood users' hash is at the server's cost, like every real login.
	t := time.Now()
	if err := h.runServerBin(ctx, "seed", "--users", strconv.Itoa(h.o.SeedUsers), "--days", days, "--bcrypt-cost", "4",
		"--password", SeedPassword, "--user-prefix", "seed"); err != nil {
		return err
	}
	if err := h.runServerBin(ctx, "seed", "--users", strconv.Itoa(h.o.FloodUsers), "--days", "1", "--pdfs-per-user", "1",
		"--password", SeedPassword, "--user-prefix", "flood", "--bcrypt-cost", strconv.Itoa(h.cfg.BcryptCost)); err != nil {
		return err
	}
	h.rep.SeedTime = time.Since(t)
	for i := range h.o.FloodUsers {
		h.flood = append(h.flood, seed.Username("flood", i, h.o.FloodUsers))
	}
	return nil
}

func (h *harness) dropDatabase() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, h.o.AdminURL)
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{h.o.DBName}.Sanitize()+" WITH (FORCE)")
}

func (h *harness) runServerBin(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, h.o.ServerBin, args...)
	cmd.Env = h.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s", h.o.ServerBin, strings.Join(args, " "), err, tail(out.String(), 2000))
	}
	return nil
}

// serverEnv is base without any variable the server's configuration reads
// (so the run uses the defaults whatever the caller's shell holds), plus
// set, plus the caller's explicit overrides.
func serverEnv(base []string, set map[string]string, overrides []string) []string {
	names := map[string]bool{}
	for _, n := range config.Names() {
		names[n] = true
	}
	var env []string
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if !names[k] {
			env = append(env, kv)
		}
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		env = append(env, k+"="+set[k])
	}
	return append(env, overrides...)
}

func envLookup(env []string) func(string) (string, bool) {
	m := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v // later entries win, as in exec
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// BcryptCeiling is how many bcrypt checks per second this machine does at
// cost with one goroutine per GOMAXPROCS, measured for d: the rate no
// login can beat.
func BcryptCeiling(cost int, d time.Duration) (float64, error) {
	pw := []byte("loadtest-bcrypt-ceiling")
	hash, err := bcrypt.GenerateFromPassword(pw, cost)
	if err != nil {
		return 0, err
	}
	n := runtime.GOMAXPROCS(0)
	rates := make([]float64, n)
	var wg sync.WaitGroup
	start := time.Now()
	for g := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ops := 0
			for {
				_ = bcrypt.CompareHashAndPassword(hash, pw)
				ops++
				if el := time.Since(start); el >= d {
					rates[g] = float64(ops) / el.Seconds()
					return
				}
			}
		}()
	}
	wg.Wait()
	var sum float64
	for _, r := range rates {
		sum += r
	}
	return sum, nil
}

// child is a server process the harness started.
type child struct {
	cmd  *exec.Cmd
	base string
	log  string
	done chan error
}

func (c *child) pid() int { return c.cmd.Process.Pid }

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startChild starts bin and waits until health answers 200.
func (h *harness) startChild(name, bin string, args, env []string) (*child, error) {
	logPath := filepath.Join(h.work, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, err
	}
	c := &child{cmd: cmd, log: logPath, done: make(chan error, 1)}
	go func() { c.done <- cmd.Wait(); logFile.Close() }()
	return c, nil
}

func (h *harness) waitReady(ctx context.Context, c *child, name, health string) error {
	deadline := time.Now().Add(90 * time.Second)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		select {
		case err := <-c.done:
			b, _ := os.ReadFile(c.log)
			return fmt.Errorf("%s exited before it was ready (%v):\n%s", name, err, tail(string(b), 3000))
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if resp, err := client.Get(c.base + health); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after 90 s (log: %s)", name, c.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends the child with SIGTERM (SIGKILL after 20 s).
func (c *child) stop() {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(20 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// idleRSS waits for the freshly started process to settle and reads its RSS.
func idleRSS(pid int) (int64, error) {
	time.Sleep(time.Second)
	m, err := ProcessMemory(pid)
	return m.RSS, err
}

// measure runs loads against the process pid and adds the rows.
func (h *harness) measure(ctx context.Context, scenario string, pid int, win Window, loads []Load, describe func(i int, o Outcome) Row) ([]Outcome, error) {
	var cpu0, cpu1 time.Duration
	var db0, db1 map[int]time.Duration
	var cpuErr error
	var pm *PeakMeter
	h.logf("%s: %v warmup, %v measured", scenario, win.Warmup, win.Duration)
	outs, err := RunGroup(ctx, loads, win, Hooks{
		Start: func() {
			cpu0, cpuErr = ProcessCPU(pid)
			db0, _ = BackendCPU(h.o.DBName)
			pm = StartPeak(pid)
		},
		End: func() {
			var err error
			if cpu1, err = ProcessCPU(pid); err != nil {
				cpuErr = err
			}
			db1, _ = BackendCPU(h.o.DBName)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", scenario, err)
	}
	peak, sampled, perr := pm.Stop()
	if perr != nil {
		return nil, fmt.Errorf("%s: peak RSS: %w", scenario, perr)
	}
	if cpuErr != nil {
		return nil, fmt.Errorf("%s: CPU: %w", scenario, cpuErr)
	}
	total := 0
	for _, o := range outs {
		total += o.Requests()
	}
	for i, o := range outs {
		r := describe(i, o)
		r.Scenario, r.Outcome, r.Summary = scenario, o, o.Latencies.Summarize()
		r.PeakRSS, r.PeakSampled = peak, sampled
		if i == 0 && total > 0 {
			r.CPUPer1k = (cpu1 - cpu0).Seconds() / (float64(total) / 1000)
			r.DBCPUPer1k = CPUDelta(db0, db1).Seconds() / (float64(total) / 1000)
			r.CPUValid = true
		}
		h.rep.Rows = append(h.rep.Rows, r)
		h.logf("  %-22s %8.1f req/s  p50 %-9v p99 %-9v errors %d %s", r.Label, o.PerSecond(), r.Summary.P50, r.Summary.P99, o.ErrorCount(), o.ErrorSummary())
		for k, msg := range o.FirstErr {
			h.logf("    first %s: %s", k, tail(msg, 300))
		}
	}
	time.Sleep(500 * time.Millisecond) // let the server's deferred work (commits, GC) settle
	return outs, nil
}

// floorScenarios starts the floor and runs its two scenarios; the floor
// stays up (idle) so that its me load can be measured again right after the
// server's (FloorMeAfter); the caller stops it.
func (h *harness) floorScenarios(ctx context.Context) (*child, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(), "LOADTEST_FLOOR_KEY="+hex.EncodeToString(h.key))
	c, err := h.startChild("floor", h.o.Self, []string{"floor", "-addr", addr, "-database-url", h.dbURL}, env)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			c.stop()
		}
	}()
	c.base = "http://" + addr
	if err := h.waitReady(ctx, c, "floor", "/health"); err != nil {
		return nil, err
	}
	if h.rep.FloorIdleRSS, err = idleRSS(c.pid()); err != nil {
		return nil, err
	}
	ids, err := h.userIDs(ctx)
	if err != nil {
		return nil, err
	}
	if h.o.runs(ScFloorMe) {
		now := time.Now()
		tokens := make([]string, len(ids))
		for i, id := range ids {
			tokens[i] = MintHS256(h.key, id, now, 2*time.Hour)
		}
		h.floorMe = func(ctx context.Context, label string) error {
			_, err := h.measure(ctx, ScFloorMe, c.pid(), h.o.Window, []Load{{
				Name: ScFloorMe, Base: c.base, Clients: h.o.Clients,
				Op: func(ctx context.Context, w *Worker) error {
					return Call(ctx, w, http.MethodGet, "/me", tokens[w.ID%len(tokens)], nil, http.StatusOK, nil)
				},
			}}, func(int, Outcome) Row {
				return Row{Label: label, Request: "GET /me (floor)", Target: "floor", Clients: strconv.Itoa(h.o.Clients)}
			})
			return err
		}
		if err := h.floorMe(ctx, FloorMe); err != nil {
			return nil, err
		}
	}
	if h.o.runs(ScFloorRefresh) {
		var broken atomic.Int64
		if _, err := h.measure(ctx, ScFloorRefresh, c.pid(), h.o.Window, []Load{{
			Name: ScFloorRefresh, Base: c.base, Clients: h.o.Chains,
			Init: func(ctx context.Context, w *Worker) error {
				var t peerTokens
				body, _ := json.Marshal(map[string]string{"user_id": ids[w.ID].String()})
				if err := Call(ctx, w, http.MethodPost, "/peer/login", "", body, http.StatusOK, &t); err != nil {
					return err
				}
				w.State = &chain{token: t.RefreshToken, userID: ids[w.ID]}
				return nil
			},
			Op: func(ctx context.Context, w *Worker) error {
				ch := w.State.(*chain)
				var t peerTokens
				body, _ := json.Marshal(map[string]string{"refresh_token": ch.token})
				err := Call(ctx, w, http.MethodPost, "/peer/refresh", "", body, http.StatusOK, &t)
				var se *StatusError
				switch {
				case err == nil:
					ch.token = t.RefreshToken
				case errors.As(err, &se) && se.Code == http.StatusUnauthorized:
					broken.Add(1)
					body, _ := json.Marshal(map[string]string{"user_id": ch.userID.String()})
					if lerr := Call(ctx, w, http.MethodPost, "/peer/login", "", body, http.StatusOK, &t); lerr == nil {
						ch.token = t.RefreshToken
					}
				}
				return err
			},
		}}, func(int, Outcome) Row {
			return Row{Label: "floor: refresh (peer)", Request: "POST /peer/refresh (stateful rotation)", Target: "floor", Clients: strconv.Itoa(h.o.Chains) + " chains"}
		}); err != nil {
			return nil, err
		}
		h.rep.PeerBrokenChains = int(broken.Load())
	}
	ok = true
	return c, nil
}

type chain struct {
	token  string
	userID uuid.UUID
	login  string
}

// userIDs reads the seeded read users' ids (the floor runs before the
// server, so from the database).
func (h *harness) userIDs(ctx context.Context) ([]uuid.UUID, error) {
	conn, err := pgx.Connect(ctx, h.dbURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	ids := make([]uuid.UUID, h.o.SeedUsers)
	for i := range ids {
		var s string
		if err := conn.QueryRow(ctx, "SELECT id::text FROM users WHERE username = $1", seed.Username("seed", i, h.o.SeedUsers)).Scan(&s); err != nil {
			return nil, fmt.Errorf("seeded user %d: %w", i, err)
		}
		ids[i] = uuid.MustParse(s)
	}
	return ids, nil
}

type tokenAnswer struct {
	User struct {
		ID string `json:"id"`
	} `json:"user"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

func login(ctx context.Context, w *Worker, name string) (tokenAnswer, error) {
	var t tokenAnswer
	body, _ := json.Marshal(map[string]string{"username": name, "password": SeedPassword})
	err := Call(ctx, w, http.MethodPost, "/api/v1/auth/login", "", body, http.StatusOK, &t)
	return t, err
}

// setupUsers logs every read user in and finds its biggest PDF.
func (h *harness) setupUsers(ctx context.Context, base string) error {
	w := &Worker{Client: NewClient(1), Base: base}
	defer w.Client.CloseIdleConnections()
	fresh := h.users == nil
	for i := range h.o.SeedUsers {
		if fresh {
			h.users = append(h.users, &user{Login: seed.Username("seed", i, h.o.SeedUsers)})
		}
		u := h.users[i]
		t, err := login(ctx, w, u.Login)
		if err != nil {
			return fmt.Errorf("log in %s: %w", u.Login, err)
		}
		u.ID, u.Access = t.User.ID, t.AccessToken
		if !fresh {
			continue
		}
		var pdfs struct {
			Items []struct {
				ID        string `json:"id"`
				PageCount int32  `json:"page_count"`
			} `json:"items"`
		}
		if err := Call(ctx, w, http.MethodGet, "/api/v1/pdfs?limit=200", u.Access, nil, http.StatusOK, &pdfs); err != nil {
			return fmt.Errorf("%s's PDFs: %w", u.Login, err)
		}
		for _, p := range pdfs.Items {
			if p.PageCount > u.PageCount {
				u.PDF, u.PageCount = p.ID, p.PageCount
			}
		}
		if u.PDF == "" {
			return fmt.Errorf("%s has no PDF with pages", u.Login)
		}
	}
	h.loginAt = time.Now()
	if fresh {
		var topics struct {
			Items []json.RawMessage `json:"items"`
		}
		if err := Call(ctx, w, http.MethodGet, "/api/v1/topics", h.users[0].Access, nil, http.StatusOK, &topics); err != nil {
			return err
		}
		h.rep.Topics = len(topics.Items)
		h.rep.Pages = int(h.users[0].PageCount)
	}
	return nil
}

// searchWords are words the seed puts in page text.
var searchWords = []string{"matrix", "energy", "protein", "algorithm", "empire", "market", "theorem", "entropy"}

func (h *harness) serverScenarios(ctx context.Context) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	env := append(slices.Clone(h.env), "HTTP_ADDR="+addr)
	c, err := h.startChild("server", h.o.ServerBin, []string{"serve"}, env)
	if err != nil {
		return err
	}
	defer c.stop()
	c.base = "http://" + addr
	if err := h.waitReady(ctx, c, "server", "/health/db"); err != nil {
		return err
	}
	if h.rep.IdleRSS, err = idleRSS(c.pid()); err != nil {
		return err
	}
	h.logf("server idle RSS %.1f MB", float64(h.rep.IdleRSS)/1e6)
	if err := h.setupUsers(ctx, c.base); err != nil {
		return err
	}
	pid, base := c.pid(), c.base
	n := len(h.users)
	row := func(label, request string, clients int) func(int, Outcome) Row {
		return func(int, Outcome) Row {
			return Row{Label: label, Request: request, Target: "server", Clients: strconv.Itoa(clients)}
		}
	}
	getWith := func(header http.Header, path func(u *user, w *Worker) string) Op {
		return func(ctx context.Context, w *Worker) error {
			u := h.users[w.ID%n]
			return CallWith(ctx, w, http.MethodGet, path(u, w), u.Access, header, nil, http.StatusOK, nil)
		}
	}
	get := func(path func(u *user, w *Worker) string) Op { return getWith(nil, path) }
	noCache := http.Header{"Cache-Control": {"no-cache"}}
	topics := func(*user, *Worker) string { return "/api/v1/topics" }
	pages := func(u *user, _ *Worker) string { return "/api/v1/pdfs/" + u.PDF + "/pages" }
	reads := []struct {
		name, label, request string
		header               http.Header
		path                 func(u *user, w *Worker) string
	}{
		{ScMe, "me", "GET /api/v1/auth/me", nil, func(*user, *Worker) string { return "/api/v1/auth/me" }},
		{ScTopics, "topics", fmt.Sprintf("GET /api/v1/topics (%d topics)", h.rep.Topics), nil, topics},
		{ScPages, "pages", "GET /api/v1/pdfs/{id}/pages (50 pages)", nil, pages},
		{ScTopicsUncached, "topics (uncached)", fmt.Sprintf("GET /api/v1/topics (%d topics), `Cache-Control: no-cache`", h.rep.Topics), noCache, topics},
		{ScPagesUncached, "pages (uncached)", "GET /api/v1/pdfs/{id}/pages (50 pages), `Cache-Control: no-cache`", noCache, pages},
		{ScEstimates, "estimates/library", "GET /api/v1/estimates/library", nil, func(*user, *Worker) string { return "/api/v1/estimates/library" }},
		{ScAnalytics, "analytics/summary", "GET /api/v1/analytics/summary", nil, func(*user, *Worker) string { return "/api/v1/analytics/summary" }},
	}
	for _, r := range reads {
		if !h.o.runs(r.name) {
			continue
		}
		if err := h.refreshLogins(ctx, base); err != nil {
			return err
		}
		if _, err := h.measure(ctx, r.name, pid, h.o.Window, []Load{{Name: r.name, Base: base, Clients: h.o.Clients, Op: getWith(r.header, r.path)}},
			row(r.label, r.request, h.o.Clients)); err != nil {
			return err
		}
		if r.name == ScMe && h.floorMe != nil {
			if err := h.floorMe(ctx, FloorMeAfter); err != nil {
				return err
			}
		}
	}
	if h.o.runs(ScSearch) {
		if err := h.refreshLogins(ctx, base); err != nil {
			return err
		}
		var seq atomic.Int64
		op := get(func(*user, *Worker) string {
			return "/api/v1/search?q=" + searchWords[int(seq.Add(1))%len(searchWords)]
		})
		if _, err := h.measure(ctx, ScSearch, pid, h.o.Window, []Load{{Name: ScSearch, Base: base, Clients: h.o.Clients, Op: op}},
			row("search", "GET /api/v1/search?q=word (8 words)", h.o.Clients)); err != nil {
			return err
		}
	}
	if h.o.runs(ScRefresh) {
		if err := h.refreshScenario(ctx, pid, base); err != nil {
			return err
		}
	}
	if h.o.runs(ScEvents) {
		if err := h.refreshLogins(ctx, base); err != nil {
			return err
		}
		clients := min(h.o.Clients, n)
		if _, err := h.measure(ctx, ScEvents, pid, h.o.Window, []Load{{Name: ScEvents, Base: base, Clients: clients, Init: h.startStudy, Op: h.postEvents}},
			row("events (batches of 100)", "POST /api/v1/study-sessions/{id}/events", clients)); err != nil {
			return err
		}
	}
	bwin := Window{Warmup: h.o.BcryptWarmup, Duration: h.o.Window.Duration}
	if h.o.runs(ScRegister) {
		var seq atomic.Int64
		op := func(ctx context.Context, w *Worker) error {
			k := seq.Add(1)
			body, _ := json.Marshal(map[string]string{
				"email":    fmt.Sprintf("r%s-%d@example.com", h.nonce, k),
				"username": fmt.Sprintf("r%s_%d", h.nonce, k),
				"password": "Quartz-larch-paced-4417",
			})
			return Call(ctx, w, http.MethodPost, "/api/v1/auth/register", "", body, http.StatusCreated, nil)
		}
		if _, err := h.measure(ctx, ScRegister, pid, bwin, []Load{{Name: ScRegister, Base: base, Clients: h.o.BcryptClients, Op: op}},
			row("register", "POST /api/v1/auth/register", h.o.BcryptClients)); err != nil {
			return err
		}
	}
	if h.o.runs(ScLoginFlood) {
		if err := h.refreshLogins(ctx, base); err != nil {
			return err
		}
		var seq atomic.Int64
		loginOp := func(ctx context.Context, w *Worker) error {
			name := h.flood[int(seq.Add(1))%len(h.flood)]
			_, err := login(ctx, w, name)
			return err
		}
		var meSeq atomic.Int64
		meOp := func(ctx context.Context, w *Worker) error {
			u := h.users[int(meSeq.Add(1))%n]
			return Call(ctx, w, http.MethodGet, "/api/v1/auth/me", u.Access, nil, http.StatusOK, nil)
		}
		meClients := 16
		if _, err := h.measure(ctx, ScLoginFlood, pid, bwin, []Load{
			{Name: "login", Base: base, Clients: h.o.BcryptClients, Op: loginOp},
			{Name: "me", Base: base, Clients: meClients, Rate: h.o.FloodMeRate, Op: meOp},
		}, func(i int, o Outcome) Row {
			if i == 0 {
				return Row{Label: "login (flood)", Request: "POST /api/v1/auth/login", Target: "server", Clients: strconv.Itoa(h.o.BcryptClients)}
			}
			return Row{Label: "me during the flood", Request: "GET /api/v1/auth/me", Target: "server", Clients: fmt.Sprintf("%g/s paced", h.o.FloodMeRate)}
		}); err != nil {
			return err
		}
	}
	return nil
}

// refreshLogins logs the read users in again when their access tokens
// (15 minutes by default) could run out during the next scenario.
func (h *harness) refreshLogins(ctx context.Context, base string) error {
	if time.Since(h.loginAt) < h.cfg.JWTAccessTTL-h.o.Window.Duration-h.o.Window.Warmup-time.Minute {
		return nil
	}
	return h.setupUsers(ctx, base)
}

// refreshScenario: Chains chains, each its own user and session, each
// refreshing one after the other with the token the last refresh gave.
func (h *harness) refreshScenario(ctx context.Context, pid int, base string) error {
	var broken atomic.Int64
	_, err := h.measure(ctx, ScRefresh, pid, h.o.Window, []Load{{
		Name: ScRefresh, Base: base, Clients: h.o.Chains,
		Init: func(ctx context.Context, w *Worker) error {
			name := h.users[w.ID].Login
			t, err := login(ctx, w, name)
			if err != nil {
				return err
			}
			w.State = &chain{token: t.RefreshToken, login: name}
			return nil
		},
		Op: func(ctx context.Context, w *Worker) error {
			ch := w.State.(*chain)
			var t tokenAnswer
			body, _ := json.Marshal(map[string]string{"refresh_token": ch.token})
			err := Call(ctx, w, http.MethodPost, "/api/v1/auth/refresh", "", body, http.StatusOK, &t)
			var se *StatusError
			switch {
			case err == nil:
				ch.token = t.RefreshToken
			case errors.As(err, &se) && se.Code == http.StatusUnauthorized:
				// Every refresh of a chain uses the token the last one gave:
				// a 401 is a broken chain. Start a new one.
				broken.Add(1)
				if t, lerr := login(ctx, w, ch.login); lerr == nil {
					ch.token = t.RefreshToken
				}
			}
			// Anything else (503, a timeout): the same token again.
			return err
		},
	}}, func(int, Outcome) Row {
		return Row{Label: "refresh (rotation)", Request: "POST /api/v1/auth/refresh", Target: "server", Clients: strconv.Itoa(h.o.Chains) + " chains"}
	})
	h.rep.BrokenChains = int(broken.Load())
	return err
}

// study is an events client's running session.
type study struct {
	user    *user
	session string
	last    time.Time
	page    int32
}

// startStudy starts a session for the worker's own user, a minute ago.
func (h *harness) startStudy(ctx context.Context, w *Worker) error {
	u := h.users[w.ID]
	started := time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
	body, _ := json.Marshal(map[string]any{"pdf_id": u.PDF, "started_at": started, "start_page": 1})
	var s struct {
		ID string `json:"id"`
	}
	if err := Call(ctx, w, http.MethodPost, "/api/v1/study-sessions", u.Access, body, http.StatusCreated, &s); err != nil {
		return err
	}
	w.State = &study{user: u, session: s.ID, last: started}
	return nil
}

// ErrRejected is an events batch of which the server refused some events.
var ErrRejected = errors.New("events rejected")

// postEvents sends the next 100 events of the worker's session, spread
// evenly between its last event and now (increasing, never in the future):
// four heartbeats to each page turn.
func (h *harness) postEvents(ctx context.Context, w *Worker) error {
	st := w.State.(*study)
	now := time.Now().UTC().Truncate(time.Microsecond)
	for now.Sub(st.last) < 100*time.Microsecond {
		time.Sleep(time.Millisecond)
		now = time.Now().UTC().Truncate(time.Microsecond)
	}
	span := now.Sub(st.last)
	buf := make([]byte, 0, 100*110)
	buf = append(buf, `{"events":[`...)
	for i := range 100 {
		at := st.last.Add(span * time.Duration(i+1) / 100).Truncate(time.Microsecond)
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"id":"`...)
		buf = append(buf, uuid.NewString()...)
		if i%5 == 4 {
			st.page = st.page%st.user.PageCount + 1
			buf = append(buf, `","type":"page","page":`...)
			buf = strconv.AppendInt(buf, int64(st.page), 10)
		} else {
			buf = append(buf, `","type":"heartbeat"`...)
		}
		buf = append(buf, `,"at":"`...)
		buf = at.AppendFormat(buf, time.RFC3339Nano)
		buf = append(buf, `"}`...)
	}
	buf = append(buf, `]}`...)
	var res struct {
		Accepted []string          `json:"accepted"`
		Rejected []json.RawMessage `json:"rejected"`
	}
	if err := Call(ctx, w, http.MethodPost, "/api/v1/study-sessions/"+st.session+"/events", st.user.Access, buf, http.StatusOK, &res); err != nil {
		return err
	}
	st.last = now
	if len(res.Accepted) != 100 || len(res.Rejected) != 0 {
		return fmt.Errorf("%w: %d accepted, %d rejected (%s)", ErrRejected, len(res.Accepted), len(res.Rejected), firstRaw(res.Rejected))
	}
	return nil
}

func firstRaw(r []json.RawMessage) string {
	if len(r) == 0 {
		return ""
	}
	return string(r[0])
}
