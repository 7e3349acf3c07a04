package api

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"
)

//go:embed openapi.yaml
var openapiYAML []byte

//go:embed docs
var docsFS embed.FS

// OpenAPIDocument returns the embedded OpenAPI document, parsed and validated.
func OpenAPIDocument() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openapiYAML)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	return doc, nil
}

func loadOpenAPI() (jsonDoc, yamlDoc []byte, err error) {
	doc, err := OpenAPIDocument()
	if err != nil {
		return nil, nil, err
	}
	jsonDoc, err = json.Marshal(doc)
	return jsonDoc, openapiYAML, err
}

func (s *server) openapiJSONHandler(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=60")
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, s.openapiJSON)
}

func (s *server) openapiYAMLHandler(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=60")
	return c.Blob(http.StatusOK, "application/yaml", s.openapiYAML)
}

// docsCSP lets the Swagger UI page load its own scripts and styles (and
// nothing from elsewhere) and call this API.
const docsCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"

func (s *server) docsIndex(c echo.Context) error {
	return s.serveDocsFile(c, "index.html")
}

func (s *server) docsAsset(c echo.Context) error {
	name := c.Param("file")
	if name == "index.html" || name != path.Base(name) {
		return errNotFound("file")
	}
	return s.serveDocsFile(c, name)
}

var docsAssets = map[string]bool{
	"index.html": true, "init.js": true, "swagger-ui-bundle.js": true, "swagger-ui.css": true, "favicon-32x32.png": true,
}

func (s *server) serveDocsFile(c echo.Context, name string) error {
	if !docsAssets[name] {
		return errNotFound("file")
	}
	data, err := fs.ReadFile(docsFS, "docs/"+name)
	if err != nil {
		return errNotFound("file")
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", docsCSP)
	h.Set("Cache-Control", "public, max-age=3600")
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = echo.MIMEOctetStream
	}
	return c.Blob(http.StatusOK, ct, data)
}
