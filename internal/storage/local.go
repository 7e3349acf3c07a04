package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Local stores objects as files under a root directory. Writes go to a
// temporary file in the same filesystem, are fsynced, and renamed into place,
// so a crash never leaves a partial object under its key.
type Local struct {
	root string
}

const localTmpDir = ".tmp"

// NewLocal returns a store rooted at dir, creating it.
func NewLocal(dir string) (*Local, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(abs, localTmpDir), 0o750); err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	return &Local{root: abs}, nil
}

// Name implements Store.
func (l *Local) Name() string { return "local:" + l.root }

func (l *Local) path(key string) (string, error) {
	if !ValidKey(key) {
		return "", fmt.Errorf("storage: invalid key %q", key)
	}
	return filepath.Join(l.root, filepath.FromSlash(key)), nil
}

// PutFile implements Store: a rename when the file is on the same
// filesystem, a copy otherwise.
func (l *Local) PutFile(ctx context.Context, key, localPath string) error {
	dst, err := l.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return err
	}
	f, err := os.Open(localPath)
	if err != nil {
		return err
	}
	syncErr := f.Sync()
	f.Close()
	if syncErr != nil {
		return syncErr
	}
	err = os.Rename(localPath, dst)
	if errors.Is(err, syscall.EXDEV) {
		src, oerr := os.Open(localPath)
		if oerr != nil {
			return oerr
		}
		defer src.Close()
		st, serr := src.Stat()
		if serr != nil {
			return serr
		}
		return l.Put(ctx, key, src, st.Size())
	}
	if err != nil {
		return err
	}
	return syncDir(filepath.Dir(dst))
}

// Put implements Store.
func (l *Local) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	dst, err := l.path(key)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Join(l.root, localTmpDir), "put-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) //nolint:errcheck // gone after a successful rename
	n, err := io.Copy(tmp, &ctxReader{ctx: ctx, r: r})
	if err == nil && size >= 0 && n != size {
		err = fmt.Errorf("storage: wrote %d bytes, expected %d", n, size)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return err
	}
	return syncDir(filepath.Dir(dst))
}

// Open implements Store.
func (l *Local) Open(_ context.Context, key string) (Object, error) {
	p, err := l.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &localObject{File: f, size: st.Size(), mod: st.ModTime()}, nil
}

type localObject struct {
	*os.File
	size int64
	mod  time.Time
}

func (o *localObject) Size() int64        { return o.size }
func (o *localObject) ModTime() time.Time { return o.mod }

// Delete implements Store.
func (l *Local) Delete(_ context.Context, key string) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// DeletePrefix implements Store.
func (l *Local) DeletePrefix(_ context.Context, prefix string) error {
	if !validPrefix(prefix) {
		return fmt.Errorf("storage: invalid prefix %q", prefix)
	}
	return os.RemoveAll(filepath.Join(l.root, filepath.FromSlash(strings.TrimSuffix(prefix, "/"))))
}

// List implements Store.
func (l *Local) List(ctx context.Context, prefix string, fn func(Info) error) error {
	err := filepath.WalkDir(l.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rel, _ := filepath.Rel(l.root, p)
		key := filepath.ToSlash(rel)
		if d.IsDir() {
			if key == localTmpDir {
				return filepath.SkipDir
			}
			// Descend only into directories the prefix can be under.
			if key != "." && !strings.HasPrefix(key+"/", prefix) && !strings.HasPrefix(prefix, key+"/") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil // removed meanwhile
		}
		return fn(Info{Key: key, Size: info.Size(), ModTime: info.ModTime()})
	})
	return err
}

// Path is the file holding the object (for tools that need a file name).
func (l *Local) Path(key string) (string, error) { return l.path(key) }

// UploadDir is a directory on the store's filesystem for files that are
// about to be stored with PutFile (a rename, then).
func (l *Local) UploadDir() string { return filepath.Join(l.root, localTmpDir) }

// SweepTemp removes temporary files older than age (left by a crash mid-write).
func (l *Local) SweepTemp(age time.Duration, now time.Time) (int, error) {
	return sweepDir(filepath.Join(l.root, localTmpDir), age, now)
}

// sweepDir deletes regular files in dir older than age.
func sweepDir(dir string, age time.Duration, now time.Time) (int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return 0, nil
		}
		return 0, err
	}
	n := 0
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() || now.Sub(info.ModTime()) < age {
			continue
		}
		if os.Remove(filepath.Join(dir, e.Name())) == nil {
			n++
		}
	}
	return n, nil
}

// SweepDir is sweepDir for the upload temp directory kept by the API.
func SweepDir(dir string, age time.Duration, now time.Time) (int, error) {
	return sweepDir(dir, age, now)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// ctxReader stops a copy when the context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
