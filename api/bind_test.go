package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// FuzzDecodeJSON: any body either decodes or yields a 4xx *Error; nothing
// panics, and an accepted body means the same to encoding/json (so no
// duplicate or case-folded keys slipped through).
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"email":"a@b.co","username":"abc","password":"pw"}`, `{}`, `{"email":1}`, `{"EMAIL":"x"}`,
		`{"email":"a","email":"b"}`, `{"full_name":{"a":1,"a":2}}`, `[]`, `null`, `{"a":1}`, `{`, `{} {}`,
		strings.Repeat("[", 100), `{"timezone":"\ud800"}`, "{\"email\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got registerRequest
		err := decodeJSON(bytes.NewReader(data), &got)
		if err != nil {
			e, ok := err.(*Error)
			if !ok || e.Status < 400 || e.Status >= 500 {
				t.Fatalf("error %v (%T) for %q", err, err, data)
			}
			return
		}
		var generic map[string]json.RawMessage
		if err := json.Unmarshal(data, &generic); err != nil {
			t.Fatalf("accepted %q, which is not a JSON object: %v", data, err)
		}
		for k := range generic {
			if _, known := jsonFieldNames(&got)[k]; !known {
				t.Fatalf("accepted unknown key %q in %q", k, data)
			}
		}
	})
}

// FuzzScannerMatchesDecoder: on any body the fast scanner's walk either
// gives up (and the decoder's walk answers) or answers exactly what the
// walk over json.Decoder answers.
func FuzzScannerMatchesDecoder(f *testing.F) {
	for _, s := range []string{
		`{"events":[{"id":"0b5e1f9a-3c4d-4e5f-8a9b-0c1d2e3f4a5b","type":"page","page":3,"at":"2026-12-01T08:00:00Z"}]}`,
		`{"events":[]}`, `{"events":null}`, `{"events":[{"id":"x\u0000"}]}`, `{"events":[{"id":"{0b5e1f9a-3c4d-4e5f-8a9b-0c1d2e3f4a5b}"}]}`,
		`{"events":[1,2,]}`, `{"a":1}`, `{"events":[{"type":"\ud800\u0041"}]}`, `{"events":[{"page":01}]}`, `{} {}`, `{"events":[{}],}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ty := reflect.TypeOf(eventsRequest{})
		fast := walkJSON(&jsonWalker{src: newScanner(data)}, ty)
		if errors.Is(fast, errScan) {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		slow := walkJSON(&jsonWalker{src: decoderSource{dec}}, ty)
		if (fast == nil) != (slow == nil) {
			t.Fatalf("%q: scanner %v, decoder %v", data, fast, slow)
		}
		if fast != nil {
			fe, se := toError(fast), toError(slow)
			if fe.Status != se.Status || fe.Code != se.Code || fmt.Sprint(fe.Fields) != fmt.Sprint(se.Fields) {
				t.Fatalf("%q: scanner %v, decoder %v", data, fast, slow)
			}
		}
	})
}
