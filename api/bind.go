package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// bindJSON decodes a JSON object body into dst strictly: the media type must
// be application/json, unknown fields are refused, and exactly one value may
// be sent. Every problem is a 4xx in the error shape.
func bindJSON(c echo.Context, dst any) error {
	if err := requireMediaType(c, echo.MIMEApplicationJSON); err != nil {
		return err
	}
	return decodeJSON(c.Request().Body, dst)
}

func requireMediaType(c echo.Context, allowed ...string) error {
	mt, err := mediaType(c.Request())
	if err == nil {
		for _, a := range allowed {
			if mt == a {
				return nil
			}
		}
	}
	return newError(http.StatusUnsupportedMediaType, "unsupported_media_type",
		fmt.Sprintf("Content-Type must be %s", strings.Join(allowed, " or ")))
}

func mediaType(r *http.Request) (string, error) {
	ct := r.Header.Get(echo.HeaderContentType)
	if ct == "" {
		return "", errors.New("no content type")
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return "", err
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return "", errors.New("only utf-8 is accepted")
	}
	return mt, nil
}

// maxJSONDepth bounds nesting; no request DTO is deeper than a few levels.
const maxJSONDepth = 32

// decodeJSON reads the whole (size-limited) body and decodes it strictly:
// valid UTF-8, exactly one JSON object, no duplicate keys at any level, no
// keys that differ from a field's name only by case, no unknown fields.
// encoding/json alone would take the last of duplicate keys and match keys
// case-insensitively; a second parser could then see a different object.
func decodeJSON(body io.Reader, dst any) error {
	data, err := io.ReadAll(body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errTooLarge(mbe.Limit)
		}
		return errBadRequest("unreadable_body", "the request body could not be read")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return errBadRequest("empty_body", "the request body is empty; send a JSON object")
	}
	if !utf8.Valid(data) {
		return errBadRequest("malformed_json", "the body is not valid UTF-8")
	}
	if err := checkJSONStructure(data, dst); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	return nil
}

type jsonFrame struct {
	object  bool
	keys    map[string]bool
	wantKey bool // in an object, the next token is a key or the closing brace
}

// checkJSONStructure walks the tokens once: one top-level object, bounded
// depth, no duplicate keys, and top-level keys spelled exactly as dst's json
// tags.
func checkJSONStructure(data []byte, dst any) error {
	known := jsonFieldNames(dst)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return jsonError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errBadRequest("malformed_json", "the body must be a JSON object")
	}
	stack := []*jsonFrame{{object: true, keys: map[string]bool{}, wantKey: true}}
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
	for len(stack) > 0 {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return errBadRequest("malformed_json", "the JSON body ends too early")
		}
		if err != nil {
			return jsonError(err)
		}
		top := stack[len(stack)-1]
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			valueDone()
			continue
		}
		if top.object && top.wantKey {
			key, _ := tok.(string) // the decoder only yields a string here
			if top.keys[key] {
				e := errBadRequest("duplicate_field", fmt.Sprintf("field %q appears more than once", key))
				e.Fields = map[string]string{key: "appears more than once"}
				return e
			}
			top.keys[key] = true
			if len(stack) == 1 && known != nil && !known[key] {
				e := errBadRequest("unknown_field", fmt.Sprintf("unknown field %q", key))
				e.Fields = map[string]string{key: "is not a known field"}
				return e
			}
			top.wantKey = false
			continue
		}
		if d, ok := tok.(json.Delim); ok { // '{' or '['
			if len(stack) >= maxJSONDepth {
				return errBadRequest("malformed_json", fmt.Sprintf("the body nests deeper than %d levels", maxJSONDepth))
			}
			stack = append(stack, &jsonFrame{object: d == '{', keys: map[string]bool{}, wantKey: d == '{'})
			continue
		}
		valueDone()
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errBadRequest("malformed_json", "the body must hold exactly one JSON object")
	}
	return nil
}

// jsonFieldNames returns the exact json names of a struct's fields (nil when
// dst is not a pointer to a struct).
func jsonFieldNames(dst any) map[string]bool {
	t := reflect.TypeOf(dst)
	if t == nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return nil
	}
	t = t.Elem()
	names := make(map[string]bool, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		names[name] = true
	}
	return names
}

func jsonError(err error) error {
	var (
		syntax    *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
		mbe       *http.MaxBytesError
		invalidUM *json.InvalidUnmarshalError
	)
	switch {
	case errors.As(err, &mbe):
		return errTooLarge(mbe.Limit)
	case errors.Is(err, io.EOF):
		return errBadRequest("empty_body", "the request body is empty; send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errBadRequest("malformed_json", "the JSON body ends too early")
	case errors.As(err, &syntax):
		return errBadRequest("malformed_json", fmt.Sprintf("malformed JSON at byte %d", syntax.Offset))
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			e := errBadRequest("malformed_json", "the body must be a JSON object")
			return e
		}
		e := errBadRequest("invalid_type", fmt.Sprintf("field %q must be %s", field, jsonKind(typeErr)))
		e.Fields = map[string]string{field: "must be " + jsonKind(typeErr)}
		return e
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		e := errBadRequest("unknown_field", fmt.Sprintf("unknown field %q", name))
		e.Fields = map[string]string{name: "is not a known field"}
		return e
	case errors.As(err, &invalidUM):
		return errInternal(err)
	}
	return errBadRequest("malformed_json", "the body is not valid JSON")
}

func jsonKind(e *json.UnmarshalTypeError) string { return kindName(e.Type) }

func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return kindName(t.Elem())
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "of type " + t.String()
}

// optional is a JSON field that tells apart absent, null and a value, for
// PATCH bodies where null clears a nullable field.
type optional[T any] struct {
	Set   bool // the field was in the body (null included)
	Value *T   // nil for null
}

func (o *optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Value = nil
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err // a *json.UnmarshalTypeError; the decoder adds the field name
	}
	o.Value = &v
	return nil
}
