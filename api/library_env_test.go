package api_test

import (
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
)

// upload posts a PDF as multipart form data, streaming it from disk.
func (e *env) upload(token, path string, fields map[string]string) response {
	e.t.Helper()
	return e.uploadTo("/api/v1/pdfs", token, path, fields)
}

// uploadTo posts a file (the part "file"; none when path is empty) and
// fields as multipart form data to route, streaming the file from disk.
func (e *env) uploadTo(route, token, path string, fields map[string]string) response {
	e.t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := func() error {
			for k, v := range fields {
				if err := mw.WriteField(k, v); err != nil {
					return err
				}
			}
			if path != "" {
				f, err := os.Open(path)
				if err != nil {
					return err
				}
				defer f.Close()
				part, err := mw.CreateFormFile("file", filepath.Base(path))
				if err != nil {
					return err
				}
				if _, err := io.Copy(part, f); err != nil {
					return err
				}
			}
			return mw.Close()
		}()
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequest("POST", e.srv.URL+route, pr)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := e.client.Do(req)
	if err != nil {
		e.t.Fatalf("upload %s: %v", path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: body}
}

// uploadBytes uploads in-memory content under a file name as a PDF.
func (e *env) uploadBytes(token, name string, data []byte, fields map[string]string) response {
	e.t.Helper()
	return e.uploadBytesTo("/api/v1/pdfs", token, name, data, fields)
}

// uploadBytesTo posts in-memory content under a file name to route.
func (e *env) uploadBytesTo(route, token, name string, data []byte, fields map[string]string) response {
	e.t.Helper()
	dir := e.t.TempDir()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		e.t.Fatal(err)
	}
	return e.uploadTo(route, token, p, fields)
}

type pdfJSON struct {
	ID              string  `json:"id"`
	TopicID         *string `json:"topic_id"`
	Kind            string  `json:"kind"`
	Title           string  `json:"title"`
	Author          string  `json:"author"`
	PageCount       int     `json:"page_count"`
	SizeBytes       int64   `json:"size_bytes"`
	SHA256          string  `json:"sha256"`
	CurrentPage     int     `json:"current_page"`
	PagesRead       int     `json:"pages_read"`
	ProgressPercent float64 `json:"progress_percent"`
	StudySeconds    int64   `json:"study_seconds"`
	LastStudiedAt   *string `json:"last_studied_at"`
	OriginalName    string  `json:"original_filename"`
	TextStatus      string  `json:"text_status"`
	WordCount       *int    `json:"word_count"`
}

type topicJSON struct {
	ID              string      `json:"id"`
	ParentID        *string     `json:"parent_id"`
	Name            string      `json:"name"`
	Color           string      `json:"color"`
	Description     string      `json:"description"`
	SortOrder       int         `json:"sort_order"`
	TargetDate      *string     `json:"target_date"`
	ArchivedAt      *string     `json:"archived_at"`
	PDFCount        int         `json:"pdf_count"`
	TotalPages      int64       `json:"total_pages"`
	PagesRead       int64       `json:"pages_read"`
	ProgressPercent float64     `json:"progress_percent"`
	StudySeconds    int64       `json:"study_seconds"`
	LastStudiedAt   *string     `json:"last_studied_at"`
	Children        []topicJSON `json:"children"`
}

func (e *env) createTopic(token string, body map[string]any) topicJSON {
	e.t.Helper()
	var t topicJSON
	e.do("POST", "/api/v1/topics", body, withToken(token)).must(e.t, http.StatusCreated).decode(e.t, &t)
	return t
}

func (e *env) uploadOK(token, path string, fields map[string]string) pdfJSON {
	e.t.Helper()
	var p pdfJSON
	e.upload(token, path, fields).must(e.t, http.StatusCreated).decode(e.t, &p)
	return p
}
