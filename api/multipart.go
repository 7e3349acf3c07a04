package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/safetext"
)

// Multipart uploads (a PDF, a KOReader database): one file part streamed to
// a spool, a few small text fields, a size limit, a minimum transfer rate.

// uploadFormOverhead is room for the multipart framing and small fields.
const uploadFormOverhead = 64 << 10

// checkMultipart checks an upload's Content-Type (415) and declared length
// (413 beyond limit and the form's overhead) and returns the boundary.
func checkMultipart(req *http.Request, limit int64) (string, error) {
	mt, params, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEMultipartForm || params["boundary"] == "" {
		return "", newError(http.StatusUnsupportedMediaType, "unsupported_media_type", "Content-Type must be multipart/form-data with a file part")
	}
	if req.ContentLength > limit+uploadFormOverhead {
		return "", errTooLarge(limit)
	}
	return params["boundary"], nil
}

// readForm reads an upload's parts: the one "file" part goes to spool, the
// named text fields (each at most once) are returned, anything else is a
// 400 naming it. The body is capped at limit plus the form's overhead and
// paced (UploadTimeout, UploadGrace, UploadMinRate). A form without its
// file is a 422.
func (s *server) readForm(c echo.Context, boundary string, limit int64, fields []string, spool func(*multipart.Part) error) (map[string]string, error) {
	req := c.Request()
	req.Body = newPacedBody(http.MaxBytesReader(c.Response(), req.Body, limit+uploadFormOverhead),
		http.NewResponseController(c.Response()), s.cfg.UploadTimeout, s.cfg.UploadGrace, s.cfg.UploadMinRate)
	vals := map[string]string{}
	spooled := false
	mr := multipart.NewReader(req.Body, boundary)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, uploadReadError(err, limit)
		}
		name := part.FormName()
		switch {
		case name == "file":
			if spooled {
				return nil, errBadRequest("multiple_files", "send one file per request")
			}
			if err := spool(part); err != nil {
				return nil, uploadReadError(err, limit)
			}
			spooled = true
		case slices.Contains(fields, name):
			v, err := formField(part, name)
			if err != nil {
				return nil, uploadReadError(err, limit)
			}
			if _, dup := vals[name]; dup {
				return nil, errBadRequest("duplicate_field", fmt.Sprintf("field %q appears more than once", name))
			}
			vals[name] = v
		default:
			e := errBadRequest("unknown_field", fmt.Sprintf("unknown form field %q", name))
			e.Fields = map[string]string{name: "is not a known field"}
			return nil, e
		}
		part.Close()
	}
	if !spooled {
		return nil, apperr.Field("file", "is required")
	}
	return vals, nil
}

// formValue is a form field's value, nil when it was not sent.
func formValue(vals map[string]string, name string) *string {
	if v, ok := vals[name]; ok {
		return &v
	}
	return nil
}

// formField reads a small text part of a multipart form: at most 4 KiB of
// valid UTF-8 without NUL.
func formField(part *multipart.Part, name string) (string, error) {
	b, err := io.ReadAll(io.LimitReader(part, 4097))
	switch {
	case err != nil:
		return "", err
	case len(b) > 4096:
		return "", apperr.Field(name, "is too long")
	case !safetext.Valid(string(b)):
		return "", apperr.Field(name, "must be valid UTF-8 without NUL characters")
	}
	return string(b), nil
}

// uploadReadError maps what reading an upload body can fail with.
func uploadReadError(err error, limit int64) error {
	var mbe *http.MaxBytesError
	var ne net.Error
	switch {
	case errors.As(err, &mbe):
		return errTooLarge(limit)
	case errors.Is(err, errTooSlow) || (errors.As(err, &ne) && ne.Timeout()):
		return newError(http.StatusRequestTimeout, "upload_too_slow", "the upload arrived too slowly and was cut off; retry on a faster connection")
	}
	if _, ok := apperr.As(err); ok {
		return err
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return he
	}
	if e, ok := err.(*Error); ok {
		return e
	}
	return errBadRequest("malformed_multipart", "the multipart body could not be read")
}

// errTooSlow is what a pacedBody returns once the client fell behind.
var errTooSlow = errors.New("upload below the minimum transfer rate")

// pacedBody enforces a minimum average transfer rate on an upload: after a
// grace period the connection's read deadline trails the bytes received at
// minRate, so a trickling client is cut off even while a Read blocks, and
// the whole upload never takes longer than total. It frees the socket and
// the temporary file a slow-loris upload would hold.
type pacedBody struct {
	io.ReadCloser
	rc       *http.ResponseController
	start    time.Time
	total    time.Duration
	grace    time.Duration
	minRate  int64
	received int64
	fail     error
}

func newPacedBody(body io.ReadCloser, rc *http.ResponseController, total, grace time.Duration, minRate int64) *pacedBody {
	p := &pacedBody{ReadCloser: body, rc: rc, start: time.Now(), total: total, grace: grace, minRate: minRate}
	p.extend()
	return p
}

func (p *pacedBody) deadline() time.Time {
	d := p.start.Add(p.total)
	if p.minRate > 0 {
		paced := p.start.Add(p.grace + time.Duration(float64(p.received)/float64(p.minRate)*float64(time.Second)))
		if paced.Before(d) {
			d = paced
		}
	}
	return d
}

func (p *pacedBody) extend() { _ = p.rc.SetReadDeadline(p.deadline()) }

func (p *pacedBody) Read(b []byte) (int, error) {
	if p.fail != nil {
		return 0, p.fail
	}
	n, err := p.ReadCloser.Read(b)
	p.received += int64(n)
	p.extend()
	var ne net.Error
	if err != nil && errors.As(err, &ne) && ne.Timeout() {
		p.fail = errTooSlow
		return n, p.fail
	}
	return n, err
}
