package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// OpenAPIDocument returns the embedded OpenAPI document, parsed and
// validated (for the tests that check answers against it).
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

// TestOpenAPIJSONFresh: the served openapi.json is openapi.yaml, validated
// and converted. UPDATE_OPENAPI_JSON=1 rewrites it (make generate).
func TestOpenAPIJSONFresh(t *testing.T) {
	t.Parallel()
	doc, err := OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, '\n')
	if os.Getenv("UPDATE_OPENAPI_JSON") == "1" {
		if err := os.WriteFile("openapi.json", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(openapiJSON, want) {
		t.Fatal("api/openapi.json is stale: run make generate")
	}
}
