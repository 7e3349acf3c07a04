package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3 stores objects in a bucket of an S3-compatible service (AWS S3, MinIO,
// Ceph, R2, ...). A PUT is atomic there, so no temporary objects are needed.
type S3 struct {
	client *minio.Client
	bucket string
	prefix string // "" or ends in "/"
}

// NewS3 connects to s3://bucket/prefix?endpoint=host:port&secure=true&region=.
// The bucket is created when it does not exist.
func NewS3(ctx context.Context, u *url.URL, opts Options) (*S3, error) {
	q := u.Query()
	endpoint := q.Get("endpoint")
	if endpoint == "" {
		endpoint = "s3.amazonaws.com"
	}
	secure := true
	if v := q.Get("secure"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("storage url: secure=%q is not true or false", v)
		}
		secure = b
	}
	var creds *credentials.Credentials
	if opts.AccessKeyID != "" {
		creds = credentials.NewStaticV4(opts.AccessKeyID, opts.SecretAccessKey, "")
	} else {
		creds = credentials.NewEnvAWS()
	}
	client, err := minio.New(endpoint, &minio.Options{Creds: creds, Secure: secure, Region: q.Get("region")})
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	bucket := u.Host
	if bucket == "" {
		return nil, errors.New("storage url: s3:// needs a bucket: s3://bucket/prefix")
	}
	prefix := strings.Trim(u.Path, "/")
	if prefix != "" {
		if !ValidKey(prefix) {
			return nil, fmt.Errorf("storage url: invalid prefix %q", prefix)
		}
		prefix += "/"
	}
	s := &S3{client: client, bucket: bucket, prefix: prefix}
	exists, err := client.BucketExists(ctx, bucket)
	if err != nil {
		return nil, fmt.Errorf("storage: bucket %s: %w", bucket, err)
	}
	if !exists {
		if err := client.MakeBucket(ctx, bucket, minio.MakeBucketOptions{Region: q.Get("region")}); err != nil {
			return nil, fmt.Errorf("storage: create bucket %s: %w", bucket, err)
		}
	}
	return s, nil
}

// Name implements Store.
func (s *S3) Name() string { return "s3:" + s.bucket + "/" + s.prefix }

func (s *S3) object(key string) (string, error) {
	if !ValidKey(key) {
		return "", fmt.Errorf("storage: invalid key %q", key)
	}
	return s.prefix + key, nil
}

// PutFile implements Store.
func (s *S3) PutFile(ctx context.Context, key, localPath string) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	_, err = s.client.FPutObject(ctx, s.bucket, name, localPath, minio.PutObjectOptions{ContentType: "application/octet-stream"})
	return err
}

// Put implements Store.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	_, err = s.client.PutObject(ctx, s.bucket, name, r, size, minio.PutObjectOptions{ContentType: "application/octet-stream"})
	return err
}

// Open implements Store.
func (s *S3) Open(ctx context.Context, key string) (Object, error) {
	name, err := s.object(key)
	if err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, name, minio.GetObjectOptions{})
	if err != nil {
		return nil, err
	}
	st, err := obj.Stat()
	if err != nil {
		obj.Close()
		if minio.ToErrorResponse(err).Code == "NoSuchKey" {
			return nil, ErrNotFound
		}
		return nil, err
	}
	return &s3Object{Object: obj, size: st.Size, mod: st.LastModified}, nil
}

type s3Object struct {
	*minio.Object
	size int64
	mod  time.Time
}

func (o *s3Object) Size() int64        { return o.size }
func (o *s3Object) ModTime() time.Time { return o.mod }

// Delete implements Store.
func (s *S3) Delete(ctx context.Context, key string) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	return s.client.RemoveObject(ctx, s.bucket, name, minio.RemoveObjectOptions{})
}

// DeletePrefix implements Store.
func (s *S3) DeletePrefix(ctx context.Context, prefix string) error {
	if !validPrefix(prefix) {
		return fmt.Errorf("storage: invalid prefix %q", prefix)
	}
	objects := s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix + prefix, Recursive: true})
	for rerr := range s.client.RemoveObjects(ctx, s.bucket, objects, minio.RemoveObjectsOptions{}) {
		if rerr.Err != nil {
			return rerr.Err
		}
	}
	return ctx.Err()
}

// List implements Store.
func (s *S3) List(ctx context.Context, prefix string, fn func(Info) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing goroutine when fn fails
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix + prefix, Recursive: true}) {
		if obj.Err != nil {
			return obj.Err
		}
		if err := fn(Info{Key: strings.TrimPrefix(obj.Key, s.prefix), Size: obj.Size, ModTime: obj.LastModified}); err != nil {
			return err
		}
	}
	return nil
}
