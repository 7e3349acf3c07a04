package pdfinfo_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/studysprint/studysprint/internal/pdfinfo"
	"github.com/studysprint/studysprint/internal/testpdf"
)

func TestMain(m *testing.M) {
	pdfinfo.RunChildIfRequested()
	os.Exit(m.Run())
}

func newInspector(t *testing.T) *pdfinfo.Inspector {
	in, err := pdfinfo.NewInspector(pdfinfo.Limits{Timeout: 30 * time.Second, MemoryBytes: 1 << 30}, 2)
	if err != nil {
		t.Fatal(err)
	}
	in.QueueTimeout = 5 * time.Minute // the corpus test queues every file at once
	return in
}

// TestCorpusPageCounts: every real PDF of the corpus parses in the child
// process, with the page count poppler's pdfinfo reports.
func TestCorpusPageCounts(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("slow: the whole corpus or a real MinIO; make test runs it")
	}
	in := newInspector(t)
	files := testpdf.Corpus(t)
	if len(files) < 50 {
		t.Fatalf("corpus has %d PDFs, want at least 50", len(files))
	}
	var wg sync.WaitGroup
	for _, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			info, _, err := in.Inspect(context.Background(), f, f)
			if err != nil {
				t.Errorf("%s: %v", filepath.Base(f), err)
				return
			}
			if want := testpdf.PdfinfoPages(t, f); info.Pages != want {
				t.Errorf("%s: %d pages, pdfinfo says %d", filepath.Base(f), info.Pages, want)
			}
		}()
	}
	wg.Wait()
}

func TestMetadata(t *testing.T) {
	t.Parallel()
	info, err := pdfinfo.Parse(testpdf.CorpusFile(t, "WaldenFull.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Title != "Walden" || info.Author != "Henry David Thoreau" || info.Pages != 249 {
		t.Fatalf("info = %+v", info)
	}
}

func TestBrokenAndEncrypted(t *testing.T) {
	t.Parallel()
	in := newInspector(t)
	for name, path := range testpdf.Broken(t, testpdf.CorpusFile(t, "go.pdf")) {
		_, _, err := in.Inspect(context.Background(), "", path)
		if !errors.Is(err, pdfinfo.ErrNotPDF) && !errors.Is(err, pdfinfo.ErrInvalid) {
			t.Errorf("%s: err = %v, want not-a-PDF or invalid", name, err)
		}
	}
	locked := testpdf.Encrypt(t, testpdf.CorpusFile(t, "go.pdf"), "user-secret")
	if _, _, err := in.Inspect(context.Background(), "", locked); !errors.Is(err, pdfinfo.ErrEncrypted) {
		t.Fatalf("password-protected PDF: %v", err)
	}
	open := testpdf.Encrypt(t, testpdf.CorpusFile(t, "go.pdf"), "")
	info, _, err := in.Inspect(context.Background(), "", open)
	if err != nil || info.Pages != 23 || !info.Encrypted {
		t.Fatalf("owner-password-only PDF: %+v %v", info, err)
	}
}

// TestChildLimits: a PDF that needs more memory than allowed is refused as
// too heavy, and so is one that takes longer than the timeout; the server
// process is untouched either way.
func TestChildLimits(t *testing.T) {
	t.Parallel()
	big := filepath.Join(t.TempDir(), "big.pdf")
	if err := testpdf.WriteSynthetic(big, 40, 1<<20); err != nil {
		t.Fatal(err)
	}
	tight, err := pdfinfo.NewInspector(pdfinfo.Limits{Timeout: 30 * time.Second, MemoryBytes: 16 << 20}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := tight.Inspect(context.Background(), "", big); !errors.Is(err, pdfinfo.ErrTooHeavy) {
		t.Fatalf("over the memory limit: %v", err)
	}
	slow, err := pdfinfo.NewInspector(pdfinfo.Limits{Timeout: time.Millisecond, MemoryBytes: 1 << 30}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := slow.Inspect(context.Background(), "", big); !errors.Is(err, pdfinfo.ErrTooHeavy) {
		t.Fatalf("over the time limit: %v", err)
	}
	roomy := newInspector(t)
	info, usage, err := roomy.Inspect(context.Background(), "", big)
	if err != nil || info.Pages != 40 {
		t.Fatalf("within limits: %+v %v", info, err)
	}
	t.Logf("40 MiB synthetic PDF: parsed in %v, child peak RSS %d KiB", usage.Wall, usage.MaxRSSKB)
}

func TestCleanText(t *testing.T) {
	cases := map[string]string{
		"  Walden  ":             "Walden",
		"a\x00b\nc\t\td":         "a b c d",
		"\uFEFFTitle":            "Title",
		"bad \xff utf8":          "bad utf8",
		"ééééé":                  "ééé",
		"Microsoft Word - X.DOC": "Microsoft Word - X.DOC",
	}
	for in, want := range cases {
		max := 100
		if in == "ééééé" {
			max = 3
		}
		if got := pdfinfo.CleanText(in, max); got != want {
			t.Errorf("CleanText(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"test.pdf", "empty.pdf", "testRot.pdf", "i277.pdf"} {
		data, err := os.ReadFile(testpdf.CorpusFile(f, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "fuzz.pdf")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		info, err := pdfinfo.Parse(p) // panics inside pdfcpu come back as ErrInvalid
		if err == nil && info.Pages < 1 {
			t.Fatalf("accepted a PDF without pages: %+v", info)
		}
	})
}

// TestTextExtractorLimits: pdftotext runs under the memory and time limits.
func TestTextExtractorLimits(t *testing.T) {
	t.Parallel()
	testpdf.RequireTool(t, "pdftotext")
	src := testpdf.CorpusFile(t, "WaldenFull.pdf")
	ok, err := pdfinfo.NewTextExtractor(pdfinfo.Limits{Timeout: 30 * time.Second, MemoryBytes: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	pages := 0
	if err := ok.Pages(context.Background(), src, func(int, string) error { pages++; return nil }); err != nil || pages != 249 {
		t.Fatalf("within limits: %d pages, %v", pages, err)
	}
	tight, _ := pdfinfo.NewTextExtractor(pdfinfo.Limits{Timeout: 30 * time.Second, MemoryBytes: 2 << 20})
	if err := tight.Pages(context.Background(), src, func(int, string) error { return nil }); err == nil {
		t.Fatal("pdftotext ran within 2 MiB of heap")
	}
	slow, _ := pdfinfo.NewTextExtractor(pdfinfo.Limits{Timeout: time.Millisecond, MemoryBytes: 1 << 30})
	if err := slow.Pages(context.Background(), src, func(int, string) error { return nil }); !errors.Is(err, pdfinfo.ErrTooHeavy) {
		t.Fatalf("over the time limit: %v", err)
	}
}
