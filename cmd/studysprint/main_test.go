package main

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/studysprint/studysprint/internal/testdb"
)

func TestVersionAndUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"version"}, &out, &errOut); code != 0 || strings.TrimSpace(out.String()) == "" {
		t.Fatalf("version: %d %q", code, out.String())
	}
	if code := run(nil, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "usage") {
		t.Fatalf("no args: %d %q", code, errOut.String())
	}
	if code := run([]string{"frobnicate"}, &out, &errOut); code != 2 {
		t.Fatalf("unknown command: %d", code)
	}
}

// TestBadConfigNamesTheVariable: serve refuses to start and says which variable is wrong.
func TestBadConfigNamesTheVariable(t *testing.T) {
	t.Setenv("BCRYPT_COST", "99")
	t.Setenv("JWT_ACCESS_TTL", "soon")
	var out, errOut bytes.Buffer
	if code := run([]string{"serve"}, &out, &errOut); code != 2 {
		t.Fatalf("exit %d", code)
	}
	for _, name := range []string{"BCRYPT_COST", "JWT_ACCESS_TTL"} {
		if !strings.Contains(errOut.String(), name) {
			t.Fatalf("message does not name %s: %s", name, errOut.String())
		}
	}
}

// TestServeGracefulShutdown runs the real serve command: it migrates a fresh
// database, generates a key under DATA_DIR, serves, and on SIGTERM lets an
// in-flight request (a slow bcrypt login) finish before exiting 0.
func TestServeGracefulShutdown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dataDir := t.TempDir()
	t.Setenv("HTTP_ADDR", addr)
	t.Setenv("DATABASE_URL", testdb.EmptyURL(t))
	t.Setenv("DATA_DIR", dataDir)
	t.Setenv("BCRYPT_COST", "12") // a login takes long enough to be in flight
	t.Setenv("LOG_LEVEL", "warn")
	t.Setenv("SHUTDOWN_TIMEOUT", "20s")

	var out, errOut bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run([]string{"serve"}, &out, &errOut) }()

	base := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(base + "/health/db")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not come up: %v\n%s", err, errOut.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "keys", "jwt-signing-key.pem")); err != nil {
		t.Fatalf("no generated key: %v", err)
	}
	if !strings.Contains(errOut.String(), "JWT_SIGNING_KEY_FILE is not set") {
		t.Fatalf("no warning about the generated key: %s", errOut.String())
	}

	inflight := make(chan int, 1)
	go func() {
		res, err := http.Post(base+"/api/v1/auth/register", "application/json",
			strings.NewReader(`{"email":"grace@example.com","username":"grace","password":"graceful-shutdown-1"}`))
		if err != nil {
			inflight <- -1
			return
		}
		res.Body.Close()
		inflight <- res.StatusCode
	}()
	time.Sleep(150 * time.Millisecond) // the request is now hashing its password
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if status := <-inflight; status != http.StatusCreated {
		t.Fatalf("in-flight request got %d during shutdown", status)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d: %s", code, errOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	if _, err := http.Get(base + "/health"); err == nil {
		t.Fatal("still accepting connections after shutdown")
	}
}
