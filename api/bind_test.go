package api

import (
	"bytes"
	"encoding/json"
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
