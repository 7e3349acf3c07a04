package koreader

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// luaPartialMD5 replays KOReader's loop literally, independently of
// PartialMD5: LuaJIT's bit.lshift on 32-bit integers (shift count modulo
// 32), file:seek("set", offset), then file:read(1024), which returns nil
// at the end of the file and ends the loop.
func luaPartialMD5(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lshift := func(x int32, n int) int32 { return int32(uint32(x) << (uint32(n) & 31)) }
	h := md5.New()
	for i := -1; i <= 10; i++ {
		if _, err := f.Seek(int64(lshift(1024, 2*i)), io.SeekStart); err != nil {
			t.Fatal(err)
		}
		sample := make([]byte, 1024)
		n, err := io.ReadFull(f, sample)
		if n == 0 {
			break
		}
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatal(err)
		}
		h.Write(sample[:n])
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestPartialMD5(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		return b
	}
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a1024 := random(1024)
	tests := []struct {
		name string
		path string
		want string // an expectation of its own, where one is easy to state
	}{
		{"0 bytes", write("0", nil), hex.EncodeToString(md5.New().Sum(nil))},
		{"1 byte", write("1", []byte("a")), "0cc175b9c0f1b6a831c399e269772661"},
		{"1023 bytes", write("1023", random(1023)), ""},
		{"1024 bytes", write("1024", a1024), hexMD5(a1024)},
		{"1025 bytes", write("1025", append(append([]byte(nil), a1024...), 'z')), hexMD5(append(append([]byte(nil), a1024...), 'z'))},
		{"5000 bytes", write("5000", random(5000)), ""},
		{"2 MiB", write("2m", random(2<<20)), ""},
		{"sparse, over 1 GiB", sparseFile(t, dir, rng), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PartialMD5File(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if lua := luaPartialMD5(t, tt.path); got != lua {
				t.Errorf("PartialMD5File = %s, KOReader's loop gives %s", got, lua)
			}
			if tt.want != "" && got != tt.want {
				t.Errorf("PartialMD5File = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestPartialMD5Samples pins which bytes count: changing a byte inside a
// sample changes the digest, changing one between samples does not.
func TestPartialMD5Samples(t *testing.T) {
	t.Parallel()
	data := make([]byte, 300_000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	base := mustMD5(t, data)
	for _, tc := range []struct {
		off    int
		counts bool
	}{
		{0, true}, {1023, true}, {1024, true}, {2047, true}, {2048, false}, {4095, false},
		{4096, true}, {16384 + 1023, true}, {16384 + 1024, false}, {65536, true},
		{262144 + 100, true}, {262144 - 1, false},
	} {
		d := append([]byte(nil), data...)
		d[tc.off] ^= 0xff
		if changed := mustMD5(t, d) != base; changed != tc.counts {
			t.Errorf("byte %d: digest changed = %v, want %v", tc.off, changed, tc.counts)
		}
	}
}

func TestPartialMD5ReadError(t *testing.T) {
	t.Parallel()
	if _, err := PartialMD5(failingReader{}, 5000); err == nil {
		t.Fatal("a failing reader gave a digest")
	}
	// A size larger than the data: the sample at 4096 is missing.
	if _, err := PartialMD5(bytesReaderAt(make([]byte, 3000)), 5000); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("short data: err = %v", err)
	}
	if _, err := PartialMD5(bytesReaderAt(nil), -1); err == nil {
		t.Fatal("a negative size gave a digest")
	}
}

// sparseFile makes a file just over 1 GiB without writing it: random
// bytes where the samples are, holes elsewhere.
func sparseFile(t *testing.T, dir string, rng *rand.Rand) string {
	t.Helper()
	p := filepath.Join(dir, "sparse")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const size = 1<<30 + 700 // the last sample, at 1 GiB, is 700 bytes
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	for off := int64(0); off < size; off = max(1024, off*4) {
		b := make([]byte, min(1500, size-off))
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		if _, err := f.WriteAt(b, off); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func hexMD5(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func mustMD5(t *testing.T, b []byte) string {
	t.Helper()
	s, err := PartialMD5(bytesReaderAt(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type bytesReaderAt []byte

func (b bytesReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(b)) {
		return 0, io.EOF
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

type failingReader struct{}

func (failingReader) ReadAt([]byte, int64) (int, error) { return 0, errors.New("disk on fire") }
