// Package pdfinfo checks that bytes are a PDF and reads its page count, title
// and author with pdfcpu.
//
// PDFs come from users, so the parser runs in a child process of our own
// binary (Inspector): a hostile or huge file can take at most its time and
// memory limits, a panic or out-of-memory crash in the parser is a 422 for
// that upload, and the server's own memory never holds the document (pdfcpu
// loads every object of a file into memory).
package pdfinfo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// Info is what StudySprint keeps about a PDF.
type Info struct {
	Pages  int    `json:"pages"`
	Title  string `json:"title"`
	Author string `json:"author"`
	// Encrypted is true for a PDF that is encrypted but opens without a
	// password (an owner password only restricts permissions).
	Encrypted bool `json:"encrypted"`
}

// Why a file is refused.
var (
	ErrNotPDF    = errors.New("the file is not a PDF")
	ErrInvalid   = errors.New("the PDF could not be read")
	ErrEncrypted = errors.New("the PDF is encrypted and needs a password to open")
	ErrTooHeavy  = errors.New("the PDF exceeds the time, memory or text allowed for reading it")
)

// headerWindow is how far into the file the %PDF- header may start (the
// specification lets readers accept junk before it; readers look at 1024 bytes).
const headerWindow = 1024

// HasHeader reports whether the first bytes hold the %PDF- header.
func HasHeader(r io.ReaderAt) bool {
	buf := make([]byte, headerWindow)
	n, err := r.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return false
	}
	return bytes.Contains(buf[:n], []byte("%PDF-"))
}

// Parse reads the PDF at path in this process. The server calls it only
// through an Inspector's child process; tests and the child call it directly.
func Parse(path string) (info Info, err error) {
	f, err := os.Open(path)
	if err != nil {
		return Info{}, err
	}
	defer f.Close()
	if !HasHeader(f) {
		return Info{}, ErrNotPDF
	}
	defer func() {
		if r := recover(); r != nil {
			info, err = Info{}, fmt.Errorf("%w: parser panic: %v", ErrInvalid, r)
		}
	}()
	st, err := f.Stat()
	if err != nil {
		return Info{}, err
	}
	api.DisableConfigDir()
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	conf.Limits = limitsFor(st.Size())
	ctx, err := api.ReadAndValidate(f, conf)
	if err != nil {
		if errors.Is(err, pdfcpu.ErrWrongPassword) || strings.Contains(strings.ToLower(err.Error()), "encrypt") {
			return Info{}, fmt.Errorf("%w (%v)", ErrEncrypted, err)
		}
		return Info{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if ctx.PageCount < 1 {
		return Info{}, fmt.Errorf("%w: the document has no pages", ErrInvalid)
	}
	return Info{
		Pages:     ctx.PageCount,
		Title:     CleanText(ctx.Title, 300),
		Author:    CleanText(ctx.Author, 200),
		Encrypted: ctx.Encrypt != nil,
	}, nil
}

// limitsFor scales pdfcpu's resource limits to the file: no stream can hold
// more bytes than the file, and no honest file declares far more objects than
// it has bytes. A small hostile file then cannot make the parser allocate for
// millions of objects or a gigabyte stream.
func limitsFor(size int64) model.ResourceLimits {
	l := model.DefaultResourceLimits()
	l.MaxStreamBytes = min(l.MaxStreamBytes, size)
	l.MaxDecodeBytes = min(l.MaxDecodeBytes, max(1<<20, 64*size))
	objects := int(min(int64(l.MaxObjectCount), max(10_000, size)))
	l.MaxObjectCount = objects
	l.MaxXRefEntries = objects
	l.MaxObjectStreamCount = min(l.MaxObjectStreamCount, objects)
	l.MaxObjectStreamFirst = min(l.MaxObjectStreamFirst, size)
	return l
}

// CleanText makes metadata safe to store and show: valid UTF-8, no control
// characters, spaces collapsed, at most max runes.
func CleanText(s string, max int) string {
	s = strings.ToValidUTF8(s, "")
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) || r == utf8.RuneError || r == '\uFEFF' {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	out := b.String()
	if utf8.RuneCountInString(out) > max {
		out = string([]rune(out)[:max])
	}
	return strings.TrimSpace(out)
}
