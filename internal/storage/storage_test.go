package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/studysprint/studysprint/internal/storage"
	"github.com/studysprint/studysprint/internal/testminio"
)

func TestLocal(t *testing.T) {
	t.Parallel()
	s, err := storage.Open(context.Background(), "", storage.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	conformance(t, s)
}

func TestS3MinIO(t *testing.T) {
	t.Parallel()
	m := testminio.Start(t)
	s, err := storage.Open(context.Background(), m.URL("studysprint-test")+"&x=1", storage.Options{AccessKeyID: m.AccessKey, SecretAccessKey: m.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	conformance(t, s)
	// A prefix inside the bucket keeps objects apart.
	u := strings.Replace(m.URL("studysprint-test"), "studysprint-test?", "studysprint-test/tenant-a?", 1)
	prefixed, err := storage.Open(context.Background(), u, storage.Options{AccessKeyID: m.AccessKey, SecretAccessKey: m.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := prefixed.Put(ctx, "k", strings.NewReader("a"), 1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(ctx, "k"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("prefixed object visible without the prefix: %v", err)
	}
	if _, err := s.Open(ctx, "tenant-a/k"); err != nil {
		t.Fatalf("prefixed object not under the prefix: %v", err)
	}
}

// conformance is what every backend must do.
func conformance(t *testing.T, s storage.Store) {
	ctx := context.Background()
	data := bytes.Repeat([]byte("0123456789abcdef"), 70000) // 1.1 MB

	if err := s.Put(ctx, "users/u1/pdfs/a.pdf", bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatal(err)
	}
	obj, err := s.Open(ctx, "users/u1/pdfs/a.pdf")
	if err != nil {
		t.Fatal(err)
	}
	if obj.Size() != int64(len(data)) || obj.ModTime().IsZero() {
		t.Fatalf("size %d modtime %v", obj.Size(), obj.ModTime())
	}
	// Seek and read a range, as Range requests do.
	if _, err := obj.Seek(1000, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	part := make([]byte, 100)
	if _, err := io.ReadFull(obj, part); err != nil || !bytes.Equal(part, data[1000:1100]) {
		t.Fatalf("range read: %v", err)
	}
	if _, err := obj.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	all, err := io.ReadAll(obj)
	if err != nil || !bytes.Equal(all, data) {
		t.Fatalf("full read: %d bytes, %v", len(all), err)
	}
	obj.Close()

	// PutFile from a local file.
	local := filepath.Join(t.TempDir(), "upload.tmp")
	if err := os.WriteFile(local, []byte("%PDF-1.7 small"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.PutFile(ctx, "users/u1/pdfs/b.pdf", local); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "users/u2/pdfs/c.pdf", strings.NewReader("other user"), 10); err != nil {
		t.Fatal(err)
	}

	// A failed write leaves nothing under the key.
	failing := io.MultiReader(strings.NewReader("partial"), iotest.ErrReader(errors.New("client went away")))
	if err := s.Put(ctx, "users/u1/pdfs/broken.pdf", failing, 100); err == nil {
		t.Fatal("a failing reader stored an object")
	}
	if _, err := s.Open(ctx, "users/u1/pdfs/broken.pdf"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("partial object visible: %v", err)
	}

	list := func(prefix string) []string {
		var keys []string
		if err := s.List(ctx, prefix, func(i storage.Info) error {
			if i.ModTime.IsZero() || time.Since(i.ModTime) > time.Hour {
				t.Errorf("%s: modtime %v", i.Key, i.ModTime)
			}
			keys = append(keys, i.Key)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		sort.Strings(keys)
		return keys
	}
	if got := strings.Join(list("users/"), ","); got != "users/u1/pdfs/a.pdf,users/u1/pdfs/b.pdf,users/u2/pdfs/c.pdf" {
		t.Fatalf("list users/ = %s", got)
	}
	if got := strings.Join(list("users/u1/"), ","); got != "users/u1/pdfs/a.pdf,users/u1/pdfs/b.pdf" {
		t.Fatalf("list users/u1/ = %s", got)
	}

	if err := s.Delete(ctx, "users/u1/pdfs/a.pdf"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "users/u1/pdfs/a.pdf"); err != nil {
		t.Fatalf("deleting a missing object: %v", err)
	}
	if _, err := s.Open(ctx, "users/u1/pdfs/a.pdf"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("deleted object: %v", err)
	}
	if err := s.DeletePrefix(ctx, "users/u1/"); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(list("users/"), ","); got != "users/u2/pdfs/c.pdf" {
		t.Fatalf("after DeletePrefix: %s", got)
	}

	for _, bad := range []string{"", "/abs", "../x", "a/../b", "a//b", "a/./b", ".hidden", "a/", "sp ace", "users/u1/\x00"} {
		if err := s.Put(ctx, bad, strings.NewReader("x"), 1); err == nil {
			t.Errorf("key %q accepted", bad)
		}
	}
	if err := s.DeletePrefix(ctx, "users"); err == nil {
		t.Error("a prefix without a trailing slash was accepted")
	}
}

func TestOpenURLs(t *testing.T) {
	dir := t.TempDir()
	for _, u := range []string{"file://" + dir, ""} {
		if _, err := storage.Open(context.Background(), u, storage.Options{DataDir: dir}); err != nil {
			t.Errorf("%q: %v", u, err)
		}
	}
	for _, u := range []string{"ftp://x", "s3://", "file://", "::"} {
		if _, err := storage.Open(context.Background(), u, storage.Options{DataDir: dir}); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
}
