package export

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
)

// Version is the export format's version, written in every export.
const Version = 1

// jsonSink writes one JSON object: "export" (format, version, time, user)
// and then a key per table, an object for a single-row table and an array
// otherwise.
type jsonSink struct {
	w      *bufio.Writer
	buf    bytes.Buffer
	single bool
	n      int
}

func newJSONSink(w io.Writer, at time.Time, userID uuid.UUID) *jsonSink {
	s := &jsonSink{w: bufio.NewWriterSize(w, 64<<10)}
	fmt.Fprintf(s.w, `{"export":{"format":"studysprint","version":%d,"exported_at":%q,"user_id":%q}`, Version, at.Format(time.RFC3339), userID)
	return s
}

func (s *jsonSink) begin(table string, single bool) error {
	s.single, s.n = single, 0
	_, err := fmt.Fprintf(s.w, ",\n%q:", table)
	if err == nil && !single {
		err = s.w.WriteByte('[')
	}
	return err
}

func (s *jsonSink) row(doc []byte) error {
	s.buf.Reset()
	if err := json.Compact(&s.buf, doc); err != nil {
		return fmt.Errorf("export: a row is not JSON: %w", err)
	}
	if s.n > 0 {
		if err := s.w.WriteByte(','); err != nil {
			return err
		}
	}
	if !s.single && s.n%100 == 0 {
		if err := s.w.WriteByte('\n'); err != nil {
			return err
		}
	}
	s.n++
	_, err := s.w.Write(s.buf.Bytes())
	return err
}

func (s *jsonSink) end() error {
	switch {
	case s.single && s.n == 0:
		_, err := s.w.WriteString("null")
		return err
	case !s.single:
		return s.w.WriteByte(']')
	}
	return nil
}

func (s *jsonSink) close() error {
	if _, err := s.w.WriteString("}\n"); err != nil {
		return err
	}
	return s.w.Flush()
}

// csvSink writes a zip with one CSV file per table: a header of the
// columns, then a row per row. Nulls are empty cells; nested JSON (a
// session's rules, an event's detail) is written as compact JSON text. A
// table without rows is an empty file.
type csvSink struct {
	z      *zip.Writer
	at     time.Time
	csv    *csv.Writer
	header []string
	cells  []string
}

func newCSVSink(w io.Writer, at time.Time) *csvSink {
	return &csvSink{z: zip.NewWriter(w), at: at}
}

func (s *csvSink) begin(table string, _ bool) error {
	f, err := s.z.CreateHeader(&zip.FileHeader{Name: table + ".csv", Method: zip.Deflate, Modified: s.at})
	if err != nil {
		return err
	}
	s.csv, s.header = csv.NewWriter(f), nil
	return nil
}

func (s *csvSink) row(doc []byte) error {
	keys, cells, err := flatten(doc, s.cells[:0])
	if err != nil {
		return err
	}
	s.cells = cells
	if s.header == nil {
		s.header = keys
		if err := s.csv.Write(keys); err != nil {
			return err
		}
	} else if len(keys) != len(s.header) {
		return fmt.Errorf("export: a row has %d columns, the header %d", len(keys), len(s.header))
	}
	return s.csv.Write(cells)
}

func (s *csvSink) end() error {
	s.csv.Flush()
	return s.csv.Error()
}

func (s *csvSink) close() error { return s.z.Close() }

// flatten reads a JSON object's keys and values in order, each value as a
// CSV cell: a string as itself, null as empty, anything else as its JSON.
func flatten(doc []byte, cells []string) (keys, out []string, err error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, nil, fmt.Errorf("export: a row is not a JSON object")
	}
	var compact bytes.Buffer
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		key, _ := t.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, err
		}
		keys = append(keys, key)
		cells = append(cells, cell(raw, &compact))
	}
	return keys, cells, nil
}

func cell(raw json.RawMessage, compact *bytes.Buffer) string {
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return ""
	case raw[0] == '"':
		var s string
		_ = json.Unmarshal(raw, &s) // raw came from the decoder: a valid string
		return s
	default:
		compact.Reset()
		if err := json.Compact(compact, raw); err != nil {
			return string(raw)
		}
		return compact.String()
	}
}
