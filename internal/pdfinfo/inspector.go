package pdfinfo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Limits bound one parse.
type Limits struct {
	// Timeout is the wall-clock limit; the child is killed after it.
	Timeout time.Duration
	// MemoryBytes caps the child's heap (RLIMIT_DATA, with the Go memory
	// limit a little below it).
	MemoryBytes int64
}

// DefaultLimits fit a 200 MiB PDF, which pdfcpu reads into memory whole.
var DefaultLimits = Limits{Timeout: 60 * time.Second, MemoryBytes: 1 << 30}

// Inspector parses PDFs in child processes of this executable, a bounded
// number at a time, shared fairly: one owner (a user) holds at most half of
// the slots (at least one), so a user with many uploads cannot make everyone
// else wait. Waiting for a slot is bounded by QueueTimeout; once a parse has
// its slot it gets the whole Limits.Timeout.
type Inspector struct {
	exe    string
	limits Limits
	slots  chan struct{}

	// QueueTimeout bounds the wait for a slot (ErrBusy after it).
	QueueTimeout time.Duration
	perOwner     int

	mu     sync.Mutex
	owners map[string]int
}

// ErrBusy means every parse slot stayed taken for the caller's whole wait.
var ErrBusy = errors.New("too many PDFs are being read; try again shortly")

// NewInspector returns an Inspector that runs at most concurrency parses at
// once. The executable must call RunChildIfRequested first thing in main (and
// test binaries in TestMain).
func NewInspector(limits Limits, concurrency int) (*Inspector, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("pdfinfo: find own executable: %w", err)
	}
	if concurrency < 1 {
		concurrency = 1
	}
	return &Inspector{
		exe: exe, limits: limits, slots: make(chan struct{}, concurrency),
		QueueTimeout: 10 * time.Second, perOwner: max(1, concurrency/2), owners: map[string]int{},
	}, nil
}

const (
	childEnv    = "STUDYSPRINT_PDFINFO_CHILD"
	childMemEnv = "STUDYSPRINT_PDFINFO_MEMORY"
	childCPUEnv = "STUDYSPRINT_PDFINFO_CPU_SECONDS"
)

type childResult struct {
	Info  *Info  `json:"info,omitempty"`
	Error string `json:"error,omitempty"` // not_pdf, invalid, encrypted
	// Detail says what the parser found wrong (for logs, not for users).
	Detail string `json:"detail,omitempty"`
}

// Usage is what one parse cost the child.
type Usage struct {
	Wall     time.Duration
	MaxRSSKB int64
}

// Inspect parses the PDF at path in a child process, for owner (whose
// parses share the owner's part of the slots; "" is an owner too).
func (in *Inspector) Inspect(ctx context.Context, owner, path string) (Info, Usage, error) {
	release, err := in.acquire(ctx, owner)
	if err != nil {
		return Info{}, Usage{}, err
	}
	defer release()

	ctx, cancel := context.WithTimeout(ctx, in.limits.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, in.exe, path)
	cmd.Env = []string{
		childEnv + "=1",
		childMemEnv + "=" + strconv.FormatInt(in.limits.MemoryBytes, 10),
		childCPUEnv + "=" + strconv.Itoa(int(in.limits.Timeout.Seconds())+1),
		"GOMAXPROCS=1",
		// Only a race-enabled build (the tests) reads this: without it, its
		// runtime sleeps a second at exit.
		"GORACE=atexit_sleep_ms=0",
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = time.Second
	start := time.Now()
	runErr := cmd.Run()
	usage := Usage{Wall: time.Since(start)}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			usage.MaxRSSKB = ru.Maxrss
		}
	}
	if ctx.Err() != nil {
		return Info{}, usage, fmt.Errorf("%w: no answer within %v", ErrTooHeavy, in.limits.Timeout)
	}
	var res childResult
	if runErr != nil || json.Unmarshal(stdout.Bytes(), &res) != nil {
		// Killed (CPU limit) or crashed (out of memory: the runtime aborts).
		return Info{}, usage, fmt.Errorf("%w: parser exited: %v: %.300s", ErrTooHeavy, runErr, stderr.String())
	}
	switch res.Error {
	case "":
		if res.Info == nil {
			return Info{}, usage, fmt.Errorf("%w: empty answer from the parser", ErrInvalid)
		}
		return *res.Info, usage, nil
	case "not_pdf":
		return Info{}, usage, ErrNotPDF
	case "encrypted":
		return Info{}, usage, fmt.Errorf("%w (%s)", ErrEncrypted, res.Detail)
	default:
		return Info{}, usage, fmt.Errorf("%w: %s", ErrInvalid, res.Detail)
	}
}

// acquire takes one of the owner's share and then a slot, waiting at most
// QueueTimeout in all (or until ctx ends).
func (in *Inspector) acquire(ctx context.Context, owner string) (func(), error) {
	release := func() {
		<-in.slots
		in.dropShare(owner)
	}
	if in.takeShare(owner) {
		select {
		case in.slots <- struct{}{}: // free at once: no timer
			return release, nil
		default:
			in.dropShare(owner)
		}
	}
	wait := time.NewTimer(in.QueueTimeout)
	defer wait.Stop()
	poll := time.NewTicker(20 * time.Millisecond)
	defer poll.Stop()
	for !in.takeShare(owner) {
		select {
		case <-poll.C:
		case <-wait.C:
			return nil, ErrBusy
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	select {
	case in.slots <- struct{}{}:
	case <-wait.C:
		in.dropShare(owner)
		return nil, ErrBusy
	case <-ctx.Done():
		in.dropShare(owner)
		return nil, ctx.Err()
	}
	return release, nil
}

func (in *Inspector) takeShare(owner string) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.owners[owner] >= in.perOwner {
		return false
	}
	in.owners[owner]++
	return true
}

func (in *Inspector) dropShare(owner string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.owners[owner]--; in.owners[owner] <= 0 {
		delete(in.owners, owner)
	}
}

// RunChildIfRequested turns this process into a PDF parsing child when the
// Inspector started it, and exits; otherwise it returns at once. Call it
// first in main and in TestMain of packages whose tests parse PDFs.
func RunChildIfRequested() {
	if os.Getenv(execEnv) == "1" {
		runLimitedExec()
	}
	if os.Getenv(childEnv) != "1" {
		return
	}
	if len(os.Args) != 2 {
		os.Exit(2)
	}
	limitSelf()
	var res childResult
	info, err := Parse(os.Args[1])
	switch {
	case err == nil:
		res.Info = &info
	case errors.Is(err, ErrNotPDF):
		res.Error = "not_pdf"
	case errors.Is(err, ErrEncrypted):
		res.Error, res.Detail = "encrypted", err.Error()
	default:
		res.Error, res.Detail = "invalid", err.Error()
	}
	_ = json.NewEncoder(os.Stdout).Encode(res)
	os.Exit(0)
}

// limitSelf applies the memory and CPU limits to this child process.
func limitSelf() {
	if mem, err := strconv.ParseInt(os.Getenv(childMemEnv), 10, 64); err == nil && mem > 0 {
		debug.SetMemoryLimit(mem * 9 / 10)
		_ = syscall.Setrlimit(syscall.RLIMIT_DATA, &syscall.Rlimit{Cur: uint64(mem), Max: uint64(mem)})
	}
	if cpu, err := strconv.ParseUint(os.Getenv(childCPUEnv), 10, 64); err == nil && cpu > 0 {
		_ = syscall.Setrlimit(syscall.RLIMIT_CPU, &syscall.Rlimit{Cur: cpu, Max: cpu + 1})
	}
}
