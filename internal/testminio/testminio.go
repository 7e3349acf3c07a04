// Package testminio starts a real MinIO server on a loopback port for tests
// of the S3 storage backend. .ci/run installs the binary
// (go install github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c);
// elsewhere tests skip with a message saying so.
package testminio

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Server is a running MinIO.
type Server struct {
	Endpoint  string // host:port
	AccessKey string
	SecretKey string
}

// URL is a STORAGE_URL for a bucket on this server.
func (s *Server) URL(bucket string) string {
	return fmt.Sprintf("s3://%s?endpoint=%s&secure=false&region=us-east-1", bucket, s.Endpoint)
}

const installHint = "go install github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c"

// binary finds minio on PATH or in GOPATH/bin.
func binary() string {
	if p, err := exec.LookPath("minio"); err == nil {
		return p
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		p := filepath.Join(strings.TrimSpace(string(out)), "bin", "minio")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// Start runs a MinIO server for the test; it stops when the test ends. When
// no binary is installed the test is skipped (failed under CI=1).
func Start(t testing.TB) *Server {
	t.Helper()
	bin := binary()
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("minio is not installed; CI must install it: %s", installHint)
		}
		t.Skipf("minio is not installed (%s); skipping the S3 backend test", installHint)
	}
	addr, console := freePort(t), freePort(t)
	s := &Server{Endpoint: addr, AccessKey: "studysprint", SecretKey: "studysprint-secret-key"}
	cmd := exec.Command(bin, "server", t.TempDir(), "--address", addr, "--console-address", console, "--quiet")
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+s.AccessKey, "MINIO_ROOT_PASSWORD="+s.SecretKey, "MINIO_BROWSER=off",
		"MINIO_UPDATE=off", "HOME="+t.TempDir())
	logs := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start minio: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get("http://" + addr + "/minio/health/ready")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("minio did not become ready: %v\n%s", err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func freePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
