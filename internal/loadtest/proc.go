package loadtest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat:
// 100 on every Linux architecture Go supports (the kernel's ABI, whatever
// CONFIG_HZ is).
const clockTicks = 100

// ParseStatCPU returns utime + stime from the contents of /proc/<pid>/stat.
// The command name (field 2) is in parentheses and may hold spaces and
// parentheses itself, so the fields are counted from the last ')'.
func ParseStatCPU(stat []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("proc stat: no command name")
	}
	// After ") ": state(3) ppid(4) ... utime(14) stime(15).
	fields := strings.Fields(string(stat[i+1:]))
	if len(fields) < 13 {
		return 0, fmt.Errorf("proc stat: %d fields after the command name, want at least 13", len(fields))
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("proc stat: bad time field %q", f)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// ProcessCPU is the user + system CPU time process pid has used so far.
func ProcessCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return ParseStatCPU(b)
}

// Memory is what /proc/<pid>/status says of a process's resident memory.
type Memory struct {
	RSS, HWM int64 // bytes: VmRSS now, VmHWM (the peak since start or the last reset)
}

// ParseStatusMemory reads VmRSS and VmHWM from the contents of /proc/<pid>/status.
func ParseStatusMemory(status []byte) (Memory, error) {
	var m Memory
	var seen int
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return Memory{}, fmt.Errorf("proc status: %s: want \"N kB\", got %q", name, strings.TrimSpace(rest))
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || kb < 0 {
			return Memory{}, fmt.Errorf("proc status: %s: bad size %q", name, f[0])
		}
		if name == "VmRSS" {
			m.RSS = kb << 10
		} else {
			m.HWM = kb << 10
		}
		seen++
	}
	if seen != 2 {
		return Memory{}, errors.New("proc status: VmRSS or VmHWM missing")
	}
	return m, nil
}

// ProcessMemory reads process pid's resident memory.
func ProcessMemory(pid int) (Memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Memory{}, err
	}
	return ParseStatusMemory(b)
}

// ResetPeak sets process pid's VmHWM back to its current RSS (writing 5 to
// clear_refs, Linux 4.0+), so the next VmHWM is the peak since now.
func ResetPeak(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// PeakMeter measures a process's peak RSS over an interval: by resetting
// VmHWM where the kernel lets us, else by sampling VmRSS every 50 ms (which
// can miss a peak shorter than that).
type PeakMeter struct {
	pid     int
	sampled bool
	stop    chan struct{}
	done    sync.WaitGroup
	mu      sync.Mutex
	peak    int64
}

// StartPeak begins measuring process pid's peak RSS.
func StartPeak(pid int) *PeakMeter {
	m := &PeakMeter{pid: pid}
	if ResetPeak(pid) == nil {
		return m
	}
	m.sampled = true
	m.stop = make(chan struct{})
	m.done.Add(1)
	go func() {
		defer m.done.Done()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			m.sample()
			select {
			case <-m.stop:
				return
			case <-t.C:
			}
		}
	}()
	return m
}

func (m *PeakMeter) sample() {
	if mem, err := ProcessMemory(m.pid); err == nil {
		m.mu.Lock()
		m.peak = max(m.peak, mem.RSS)
		m.mu.Unlock()
	}
}

// Stop ends the interval and returns the peak RSS in it, and whether it
// was sampled rather than read from the kernel's high-water mark.
func (m *PeakMeter) Stop() (peak int64, sampled bool, err error) {
	if !m.sampled {
		mem, err := ProcessMemory(m.pid)
		return mem.HWM, false, err
	}
	close(m.stop)
	m.done.Wait()
	m.sample()
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.peak, true, nil
}

// ParseCPUModel returns the first "model name" of /proc/cpuinfo ("" if none).
func ParseCPUModel(cpuinfo []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(cpuinfo))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(name) == "model name" {
			return strings.Join(strings.Fields(value), " ")
		}
	}
	return ""
}

// LoadAverage is the first three fields of /proc/loadavg ("" if unreadable).
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// IsBackendOf reports whether a process command line (/proc/<pid>/cmdline,
// NUL-separated or not) is a PostgreSQL backend serving database db: the
// postmaster retitles its backends "postgres: USER DATABASE HOST(PORT) STATE",
// after "CLUSTER: " when cluster_name is set (Debian sets "15/main").
func IsBackendOf(cmdline []byte, db string) bool {
	s := strings.TrimRight(strings.ReplaceAll(string(cmdline), "\x00", " "), " ")
	rest, ok := strings.CutPrefix(s, "postgres: ")
	if !ok {
		return false
	}
	f := strings.Fields(rest)
	if len(f) > 0 && strings.HasSuffix(f[0], ":") {
		f = f[1:]
	}
	return len(f) >= 3 && f[1] == db
}

// BackendCPU is the CPU time of every PostgreSQL backend serving db, by pid
// (backends of all users: /proc/<pid>/stat is readable by anyone).
func BackendCPU(db string) (map[int]time.Duration, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	out := map[int]time.Duration{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmd, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err != nil || !IsBackendOf(cmd, db) {
			continue
		}
		if cpu, err := ProcessCPU(pid); err == nil {
			out[pid] = cpu
		}
	}
	return out, nil
}

// CPUDelta is the CPU the processes of after used since before (a process
// absent from before started in between and counts from zero; one that
// ended in between is lost).
func CPUDelta(before, after map[int]time.Duration) time.Duration {
	var d time.Duration
	for pid, cpu := range after {
		if c0, ok := before[pid]; ok && c0 <= cpu {
			d += cpu - c0
		} else if !ok {
			d += cpu
		}
	}
	return d
}
