package loadtest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	// Field 14 (utime) = 250 ticks, 15 (stime) = 30 ticks; the command name
	// holds a space and a ')' to show the fields are counted from the last one.
	stat := "4242 (my) server) S 1 4242 4242 0 -1 4194560 1523 0 0 0 250 30 0 0 20 0 9 0 123456 1000000 2000 18446744073709551615\n"
	got, err := ParseStatCPU([]byte(stat))
	if err != nil {
		t.Fatal(err)
	}
	if want := 2800 * time.Millisecond; got != want {
		t.Fatalf("cpu = %v, want %v", got, want)
	}
	for _, bad := range []string{"", "4242 server S 1 2 3", "4242 (x) S 1 2", "4242 (x) S 1 4242 4242 0 -1 4194560 1523 0 0 0 -5 30 0"} {
		if _, err := ParseStatCPU([]byte(bad)); err == nil {
			t.Errorf("ParseStatCPU(%q) accepted", bad)
		}
	}
}

func TestParseStatusMemory(t *testing.T) {
	status := "Name:\tstudysprint\nVmPeak:\t 1300000 kB\nVmHWM:\t   30120 kB\nVmRSS:\t   21000 kB\nThreads:\t9\n"
	m, err := ParseStatusMemory([]byte(status))
	if err != nil {
		t.Fatal(err)
	}
	if m.RSS != 21000<<10 || m.HWM != 30120<<10 {
		t.Fatalf("memory = %+v", m)
	}
	for _, bad := range []string{"Name:\tx\n", "VmHWM:\t 1 kB\n", "VmHWM:\t 1 kB\nVmRSS:\t 2 MB\n", "VmHWM:\t x kB\nVmRSS:\t 2 kB\n"} {
		if _, err := ParseStatusMemory([]byte(bad)); err == nil {
			t.Errorf("ParseStatusMemory(%q) accepted", bad)
		}
	}
}

func TestParseCPUModel(t *testing.T) {
	info := "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC   7B13 64-Core Processor\nprocessor\t: 1\nmodel name\t: other\n"
	if got := ParseCPUModel([]byte(info)); got != "AMD EPYC 7B13 64-Core Processor" {
		t.Fatalf("model = %q", got)
	}
	if ParseCPUModel([]byte("processor: 0\n")) != "" {
		t.Fatal("no model name should give \"\"")
	}
}

// TestProcessOfChild reads a real child process: its CPU grows while it
// spins, and the peak meter sees memory it touched after the reset.
func TestProcessOfChild(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	// A shell loop burns CPU; dd grows the RSS of its own process only, so
	// use the shell itself: building a long string makes the shell's RSS grow.
	cmd := exec.Command("sh", "-c", `i=0; s=x; while [ $i -lt 17 ]; do s="$s$s"; i=$((i+1)); done; sleep 2`)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	pid := cmd.Process.Pid
	time.Sleep(300 * time.Millisecond)
	cpu, err := ProcessCPU(pid)
	if err != nil {
		t.Fatal(err)
	}
	if cpu < 0 || cpu > time.Minute {
		t.Fatalf("cpu = %v", cpu)
	}
	mem, err := ProcessMemory(pid)
	if err != nil {
		t.Fatal(err)
	}
	if mem.RSS <= 0 || mem.HWM < mem.RSS {
		t.Fatalf("memory = %+v", mem)
	}
	pm := StartPeak(pid)
	peak, _, err := pm.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if peak <= 0 {
		t.Fatalf("peak = %d", peak)
	}
	if _, err := ProcessCPU(1 << 30); err == nil {
		t.Fatal("a process that does not exist has no CPU time")
	}
	if !strings.Contains(LoadAverage(), ".") {
		t.Fatalf("load average %q", LoadAverage())
	}
}

func TestIsBackendOf(t *testing.T) {
	for cmd, want := range map[string]bool{
		"postgres: postgres studysprint_loadtest 127.0.0.1(51234) idle":           true,
		"postgres: postgres studysprint_loadtest 127.0.0.1(51234) SELECT\x00\x00": true,
		"postgres: app studysprint_loadtest [local] idle in transaction":          true,
		"postgres: postgres studysprint 127.0.0.1(51234) idle":                    false,
		"postgres: postgres studysprint_loadtest_short 127.0.0.1(51234) idle":     false,
		"postgres: checkpointer ":                                                  false,
		"postgres: autovacuum worker studysprint_loadtest":                         false,
		"/usr/lib/postgresql/15/bin/postgres\x00-D\x00/var/lib/postgresql/15/main": false,
		"bin/studysprint\x00serve":                                                 false,
	} {
		if got := IsBackendOf([]byte(cmd), "studysprint_loadtest"); got != want {
			t.Errorf("IsBackendOf(%q) = %v, want %v", cmd, got, want)
		}
	}
}

func TestCPUDelta(t *testing.T) {
	before := map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: time.Second}
	after := map[int]time.Duration{1: 3 * time.Second, 2: 2 * time.Second, 4: 500 * time.Millisecond}
	// pid 1: +2 s, pid 2: +0, pid 3 ended (lost), pid 4 new: +0.5 s.
	if got := CPUDelta(before, after); got != 2500*time.Millisecond {
		t.Fatalf("delta = %v", got)
	}
}
