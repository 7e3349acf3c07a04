package api

import (
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/internal/export"
)

// exportWriteWindow is how long the client may take to read each part of
// an export: the deadline moves on as the export is written, so a large
// history is not cut by HTTP_WRITE_TIMEOUT while a stalled client still is.
const exportWriteWindow = time.Minute

// exportData streams all of the caller's data as JSON or as a zip of CSV
// files; one export at a time per account.
func (s *server) exportData(c echo.Context) error {
	format := export.JSON
	if v := c.QueryParam("format"); v != "" {
		f, err := export.ParseFormat(v)
		if err != nil {
			return err
		}
		format = f
	}
	userID := principalOf(c).User.ID
	release, ok := s.exports.Enter(userID.String())
	if !ok {
		return errTooMany("export_running", "an export of this account is already running; wait for it to finish", 5*time.Second)
	}
	defer release()

	name, ctype := "studysprint-export-"+s.now().UTC().Format("2006-01-02"), "application/json"
	if format == export.CSV {
		name, ctype = name+".zip", "application/zip"
	} else {
		name += ".json"
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, ctype)
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	w := &deadlineWriter{w: c.Response(), rc: http.NewResponseController(c.Response())}
	if err := s.exporter.Write(c.Request().Context(), userID, format, w); err != nil {
		if !c.Response().Committed {
			return err
		}
		// Half an export must not look whole: cut the connection so the
		// client sees a failed transfer, not an early end.
		requestLogger(c).Error("export failed after it started", "err", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}

// deadlineWriter moves the connection's write deadline on as data goes out.
type deadlineWriter struct {
	w    io.Writer
	rc   *http.ResponseController
	last time.Time
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	if now := time.Now(); now.Sub(d.last) > time.Second {
		d.last = now
		_ = d.rc.SetWriteDeadline(now.Add(exportWriteWindow)) // not every writer has one (tests)
	}
	return d.w.Write(p)
}
