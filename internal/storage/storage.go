// Package storage is the blob store for uploaded files: one small interface,
// a local-filesystem backend (the default) and an S3-compatible one for
// deployments with several server instances. STORAGE_URL chooses.
package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"
)

// Store keeps objects by key. Keys are slash-separated relative paths of
// [A-Za-z0-9._-] segments.
type Store interface {
	// PutFile stores the file at localPath under key, atomically: readers
	// see the whole object or none. The local file may be moved away.
	PutFile(ctx context.Context, key, localPath string) error
	// Put stores size bytes from r under key, atomically.
	Put(ctx context.Context, key string, r io.Reader, size int64) error
	// Open returns the object for reading and seeking, or ErrNotFound.
	Open(ctx context.Context, key string) (Object, error)
	// Delete removes the object; a missing object is not an error.
	Delete(ctx context.Context, key string) error
	// DeletePrefix removes every object whose key starts with prefix, which
	// must end in "/".
	DeletePrefix(ctx context.Context, prefix string) error
	// List calls fn for every object whose key starts with prefix.
	List(ctx context.Context, prefix string, fn func(Info) error) error
	// Name describes the backend for logs.
	Name() string
}

// Object is an open stored object.
type Object interface {
	io.ReadSeekCloser
	Size() int64
	ModTime() time.Time
}

// Info describes a listed object.
type Info struct {
	Key     string
	Size    int64
	ModTime time.Time
}

// ErrNotFound means no object has the key.
var ErrNotFound = errors.New("storage: object not found")

var segmentRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// ValidKey reports whether key is a safe relative key (no "..", no absolute
// paths, no empty segments).
func ValidKey(key string) bool {
	if key == "" || len(key) > 512 || path.Clean(key) != key {
		return false
	}
	for _, seg := range strings.Split(key, "/") {
		if !segmentRE.MatchString(seg) {
			return false
		}
	}
	return true
}

func validPrefix(prefix string) bool {
	return strings.HasSuffix(prefix, "/") && ValidKey(strings.TrimSuffix(prefix, "/"))
}

// Options are what a backend may need beyond its URL.
type Options struct {
	// DataDir is where the default local store lives (DATA_DIR/files).
	DataDir string
	// S3 credentials; empty means the AWS_ACCESS_KEY_ID and
	// AWS_SECRET_ACCESS_KEY environment variables.
	AccessKeyID, SecretAccessKey string
}

// Open returns the store for rawURL:
//
//	""                             local, under DataDir/files
//	file:///var/lib/studysprint    local, under that directory
//	s3://bucket/prefix?endpoint=minio:9000&secure=false&region=us-east-1
func Open(ctx context.Context, rawURL string, opts Options) (Store, error) {
	if rawURL == "" {
		return NewLocal(path.Join(opts.DataDir, "files"))
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("storage url: %w", err)
	}
	switch u.Scheme {
	case "file":
		dir := u.Path
		if u.Host != "" && u.Host != "localhost" {
			dir = u.Host + u.Path // file://./relative or file://data/files
		}
		if dir == "" {
			return nil, errors.New("storage url: file:// needs a directory")
		}
		return NewLocal(dir)
	case "s3":
		return NewS3(ctx, u, opts)
	}
	return nil, fmt.Errorf("storage url: scheme %q is not file or s3", u.Scheme)
}
