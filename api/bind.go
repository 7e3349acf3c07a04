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
	"sync"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/internal/apperr"
	"github.com/studysprint/studysprint/internal/safetext"
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

// checkJSONStructure walks the tokens once, with the Go type each value is
// decoded into: one top-level object, bounded depth, no duplicate keys, keys
// spelled exactly as the json tags (at every level), and values the decoder
// would take too kindly: a string with NUL (PostgreSQL text cannot hold it),
// null where the field is not nullable (only optional[T] fields are), and an
// id that is not in the canonical 8-4-4-4-12 form. Those are 422s naming the
// field by its path (events[3].id).
func checkJSONStructure(data []byte, dst any) error {
	t := reflect.TypeOf(dst)
	if t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	// The fast scanner takes valid JSON; anything it refuses is walked
	// again through json.Decoder, whose error is the one answered.
	if err := walkJSON(&jsonWalker{src: newScanner(data)}, t); !errors.Is(err, errScan) {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return walkJSON(&jsonWalker{src: decoderSource{dec}}, t)
}

func walkJSON(w *jsonWalker, t reflect.Type) error {
	tok, err := w.src.token()
	if errors.Is(err, errScan) {
		return err
	}
	if err != nil {
		return jsonError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errBadRequest("malformed_json", "the body must be a JSON object")
	}
	if err := w.object(t, "", 1); err != nil {
		return err
	}
	if _, err := w.src.token(); errors.Is(err, errScan) {
		return err
	} else if !errors.Is(err, io.EOF) && !errors.Is(err, errEOF) {
		return errBadRequest("malformed_json", "the body must hold exactly one JSON object")
	}
	return nil
}

type jsonWalker struct{ src tokenSource }

var (
	uuidType     = reflect.TypeOf(uuid.UUID{})
	nullableType = reflect.TypeOf((*nullable)(nil)).Elem()
)

// nullable marks DTO field types that accept JSON null (optional[T]).
type nullable interface{ acceptsNull() }

func (w *jsonWalker) token() (json.Token, error) {
	tok, err := w.src.token()
	if errors.Is(err, errScan) {
		return nil, err
	}
	if errors.Is(err, io.EOF) || errors.Is(err, errEOF) {
		return nil, errBadRequest("malformed_json", "the JSON body ends too early")
	}
	if err != nil {
		return nil, jsonError(err)
	}
	return tok, nil
}

// object walks the members of an object whose '{' was read, for a value of
// type t (nil: any).
func (w *jsonWalker) object(t reflect.Type, path string, depth int) error {
	var fields map[string]reflect.Type
	var elem reflect.Type
	switch {
	case t != nil && t.Kind() == reflect.Struct:
		fields = jsonFields(t)
	case t != nil && t.Kind() == reflect.Map:
		elem = t.Elem()
	}
	seen := map[string]bool{}
	for {
		tok, err := w.token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok && d == '}' {
			return nil
		}
		key, _ := tok.(string) // the decoder only yields a string here
		at := joinPath(path, key)
		if seen[key] {
			e := errBadRequest("duplicate_field", fmt.Sprintf("field %q appears more than once", at))
			e.Fields = map[string]string{at: "appears more than once"}
			return e
		}
		seen[key] = true
		vt := elem
		if fields != nil {
			var known bool
			if vt, known = fields[key]; !known {
				e := errBadRequest("unknown_field", fmt.Sprintf("unknown field %q", at))
				e.Fields = map[string]string{at: "is not a known field"}
				return e
			}
		}
		if err := w.value(vt, at, depth); err != nil {
			return err
		}
	}
}

// value walks one value for type t (nil: any).
func (w *jsonWalker) value(t reflect.Type, path string, depth int) error {
	tok, err := w.token()
	if err != nil {
		return err
	}
	canBeNull := t == nil
	for t != nil && (t.Kind() == reflect.Pointer || isNullable(t)) {
		if isNullable(t) {
			canBeNull = true
			t = t.Field(1).Type.Elem() // optional[T].Value is *T
			continue
		}
		t = t.Elem()
	}
	if t != nil && (t.Kind() == reflect.Interface || t == reflect.TypeOf(json.RawMessage(nil))) {
		canBeNull, t = true, nil
	}
	switch v := tok.(type) {
	case nil:
		if !canBeNull {
			return fieldError(path, "must not be null")
		}
	case string:
		if !safetext.Valid(v) {
			return fieldError(path, "must not contain NUL characters")
		}
		if t == uuidType {
			if _, ok := parseID(v); !ok {
				return fieldError(path, "must be an id like 0b5e1f9a-3c4d-4e5f-8a9b-0c1d2e3f4a5b")
			}
		}
	case json.Delim:
		if depth >= maxJSONDepth {
			return errBadRequest("malformed_json", fmt.Sprintf("the body nests deeper than %d levels", maxJSONDepth))
		}
		if v == '{' {
			return w.object(t, path, depth+1)
		}
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; ; i++ {
			if !w.src.more() {
				_, err := w.token() // ']'
				return err
			}
			if err := w.value(elem, fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func fieldError(path, message string) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Code: apperr.ValidationCode, Message: apperr.ValidationMessage,
		Fields: map[string]string{path: message}}
}

var nullableCache sync.Map // reflect.Type -> bool

// isNullable reports whether t is an optional[T] (cached: asked for every value).
func isNullable(t reflect.Type) bool {
	if v, ok := nullableCache.Load(t); ok {
		return v.(bool)
	}
	v := t.Kind() == reflect.Struct && reflect.PointerTo(t).Implements(nullableType)
	nullableCache.Store(t, v)
	return v
}

// fieldCache holds jsonFields per struct type (a batch of 500 events
// would otherwise reflect over the same struct 500 times).
var fieldCache sync.Map // reflect.Type -> map[string]reflect.Type

// jsonFields maps the exact json names of a struct's fields to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := computeJSONFields(t)
	fieldCache.Store(t, m)
	return m
}

func computeJSONFields(t reflect.Type) map[string]reflect.Type {
	out := make(map[string]reflect.Type, t.NumField())
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
		out[name] = f.Type
	}
	return out
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

func (optional[T]) acceptsNull() {}

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
