// Package testpdf gives tests real PDFs (the corpus shipped in pdfcpu's
// module), broken and encrypted variants of them, and synthetic PDFs of any
// size, plus the independent tools (poppler's pdfinfo, qpdf) to check them.
package testpdf

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// RequireTool skips the test when an external tool is missing, or fails it
// under CI (CI=1), where .ci/run installs every tool the tests use.
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed (Debian: apt-get install -y poppler-utils qpdf); CI must have it", name)
	}
	t.Skipf("%s is not installed (Debian: apt-get install -y poppler-utils qpdf); skipping", name)
	return ""
}

var corpusDir = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/pdfcpu/pdfcpu").Output()
	if err != nil {
		return "", fmt.Errorf("go list pdfcpu: %w", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "pkg", "testdata")
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("pdfcpu testdata: %w (run go mod download)", err)
	}
	return dir, nil
})

// Corpus lists the real-world PDFs in pdfcpu's pkg/testdata, sorted.
func Corpus(t testing.TB) []string {
	t.Helper()
	dir, err := corpusDir()
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".pdf") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// CorpusFile is one corpus PDF by base name.
func CorpusFile(t testing.TB, name string) string {
	t.Helper()
	for _, f := range Corpus(t) {
		if filepath.Base(f) == name {
			return f
		}
	}
	t.Fatalf("no corpus file %s", name)
	return ""
}

// PdfinfoPages is the page count poppler's pdfinfo reports.
func PdfinfoPages(t testing.TB, path string) int {
	t.Helper()
	bin := RequireTool(t, "pdfinfo")
	out, err := exec.Command(bin, path).Output()
	if err != nil {
		t.Fatalf("pdfinfo %s: %v", path, err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "Pages:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatalf("pdfinfo pages %q", v)
			}
			return n
		}
	}
	t.Fatalf("pdfinfo printed no page count for %s", path)
	return 0
}

// Encrypt writes an AES-256 encrypted copy of src with qpdf. An empty user
// password gives a file anyone can open (only permissions are restricted).
func Encrypt(t testing.TB, src, userPassword string) string {
	t.Helper()
	bin := RequireTool(t, "qpdf")
	dst := filepath.Join(t.TempDir(), "encrypted-"+filepath.Base(src))
	if out, err := exec.Command(bin, "--encrypt", userPassword, "owner-secret", "256", "--", src, dst).CombinedOutput(); err != nil {
		t.Fatalf("qpdf: %v: %s", err, out)
	}
	return dst
}

// Broken writes damaged variants of src: truncated, bytes flipped, wrong
// magic, no cross-reference section, and so on. Keys name the damage.
func Broken(t testing.TB, src string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	variants := map[string][]byte{
		"truncated-half":    data[:len(data)/2],
		"truncated-head":    data[:min(len(data), 2000)],
		"wrong-magic":       append([]byte("%PDX-"), data[5:]...),
		"no-header":         append([]byte("GIF89a"), data...)[:len(data)],
		"empty":             {},
		"header-only":       []byte("%PDF-1.7\n%%EOF\n"),
		"header-then-zeros": append([]byte("%PDF-1.4\n"), make([]byte, 4096)...),
		"html":              []byte("<!doctype html><html><body>%PDF-1.7 not really</body></html>"),
	}
	if i := strings.LastIndex(string(data), "startxref"); i > 0 {
		variants["no-startxref"] = data[:i]
	}
	flipped := append([]byte(nil), data...)
	for i := 0; i < 400; i++ {
		// Deterministic: every 1/400th of the file past the header.
		flipped[9+(len(flipped)-9)*i/400] ^= 0xA5
	}
	variants["bytes-flipped"] = flipped
	out := map[string]string{}
	for name, b := range variants {
		p := filepath.Join(dir, name+".pdf")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		out[name] = p
	}
	return out
}

// WriteSynthetic writes a valid PDF of `pages` pages, each showing an
// uncompressed image of random bytes of about bytesPerPage, so its size is
// about pages*bytesPerPage and nothing compresses it.
func WriteSynthetic(path string, pages, bytesPerPage int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	var off int64
	var offsets []int64
	write := func(s string) {
		n, _ := w.WriteString(s)
		off += int64(n)
	}
	obj := func(body string) {
		offsets = append(offsets, off)
		write(fmt.Sprintf("%d 0 obj\n%s\nendobj\n", len(offsets), body))
	}
	side := 1
	for side*side*3 < bytesPerPage {
		side++
	}
	write("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	var kids strings.Builder
	for i := range pages {
		fmt.Fprintf(&kids, "%d 0 R ", 3+i*3)
	}
	obj(fmt.Sprintf("<< /Type /Pages /Count %d /Kids [%s] >>", pages, kids.String()))
	img := make([]byte, side*side*3)
	const content = "q 612 0 0 792 0 0 cm /Im0 Do Q"
	for i := range pages {
		id := 3 + i*3
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>", id+1, id+2))
		_, _ = rand.Read(img)
		offsets = append(offsets, off)
		write(fmt.Sprintf("%d 0 obj\n<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length %d >>\nstream\n", id+1, side, side, len(img)))
		n, _ := w.Write(img)
		off += int64(n)
		write("\nendstream\nendobj\n")
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
	}
	xref := off
	write(fmt.Sprintf("xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1))
	for _, o := range offsets {
		write(fmt.Sprintf("%010d 00000 n \n", o))
	}
	write(fmt.Sprintf("trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref))
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// WriteTextPDF writes a PDF whose pages hold the given lines of ASCII text
// (Helvetica, one line per row), for tests that need known words on known
// pages. An empty page has no text at all, like a scan. title sets the
// document's Info title when not empty.
func WriteTextPDF(path, title string, pages [][]string) error {
	var objs []string
	add := func(body string) int {
		objs = append(objs, body)
		return len(objs)
	}
	add("<< /Type /Catalog /Pages 2 0 R >>")
	add("") // pages, filled below
	font := add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	var kids []string
	for _, lines := range pages {
		var content strings.Builder
		if len(lines) > 0 {
			content.WriteString("BT /F1 11 Tf 14 TL 56 740 Td\n")
			for _, l := range lines {
				r := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`)
				fmt.Fprintf(&content, "(%s) Tj T*\n", r.Replace(l))
			}
			content.WriteString("ET")
		}
		c := add(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", content.Len(), content.String()))
		p := add(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>", font, c))
		kids = append(kids, fmt.Sprintf("%d 0 R", p))
	}
	objs[1] = fmt.Sprintf("<< /Type /Pages /Count %d /Kids [%s] >>", len(pages), strings.Join(kids, " "))
	info := 0
	if title != "" {
		info = add(fmt.Sprintf("<< /Title (%s) >>", strings.NewReplacer(`(`, `\(`, `)`, `\)`).Replace(title)))
	}
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	trailer := fmt.Sprintf("<< /Size %d /Root 1 0 R", len(objs)+1)
	if info > 0 {
		trailer += fmt.Sprintf(" /Info %d 0 R", info)
	}
	fmt.Fprintf(&b, "trailer\n%s >>\nstartxref\n%d\n%%%%EOF\n", trailer, xref)
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// PdftotextWords is `pdftotext file - | wc -w`: poppler's word count.
func PdftotextWords(t testing.TB, path string) int {
	t.Helper()
	bin := RequireTool(t, "pdftotext")
	out, err := exec.Command(bin, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", path, err)
	}
	return len(strings.Fields(string(out)))
}

// WriteSharedStream writes a PDF of `pages` pages of side×side points that
// all draw one Flate-compressed content stream, whose text content writes
// (Helvetica is font /F1). A content stream of one operator repeated
// compresses about 1000:1 and is decoded again for every page: a small file
// that costs a reader minutes, the shape of a decompression bomb.
func WriteSharedStream(path string, pages, side int, content func(w io.Writer) error) error {
	var z bytes.Buffer
	zw, err := zlib.NewWriterLevel(&z, zlib.BestCompression)
	if err != nil {
		return err
	}
	if err := content(zw); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>", "", // pages, filled below
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", z.Len(), z.Bytes())}
	kids := make([]string, pages)
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", len(objs)+1)
		objs = append(objs, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>", side, side))
	}
	objs[1] = fmt.Sprintf("<< /Type /Pages /Count %d /Kids [%s] >>", pages, strings.Join(kids, " "))
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// Repeat writes s n times to w, for WriteSharedStream.
func Repeat(w io.Writer, s string, n int) error {
	chunk := []byte(strings.Repeat(s, max(1, (64<<10)/max(1, len(s)))))
	per := len(chunk) / max(1, len(s))
	for n > 0 {
		k := min(n, per)
		if _, err := w.Write(chunk[:k*len(s)]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}
