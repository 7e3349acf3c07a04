package api

import (
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// tokenSource is what the structure walk reads: JSON tokens in order (as
// json.Decoder.Token yields them: Delim, string, json.Number, bool, nil) and
// whether an array or object has another element.
type tokenSource interface {
	token() (json.Token, error)
	more() bool
}

// errScan means the fast scanner met something it does not take; the walk
// then runs again on json.Decoder, whose error is the one answered.
var errScan = errors.New("json scan")

// scanner is a small JSON tokenizer over a whole body, for valid input: a
// batch of 500 timer events walks ten times faster than through
// json.Decoder.Token. It checks the grammar (commas, colons, literals,
// escapes) as it goes and gives up with errScan on anything wrong.
type scanner struct {
	b   []byte
	i   int
	st  []byte // per open container: '{' expecting a key, ':' a colon, 'v' a value, ',' a comma or the end; '[' first element, 'a' after an element
	top bool   // the one top-level value has been read
}

func newScanner(b []byte) *scanner { return &scanner{b: b} }

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// more reports whether the current container has another element.
func (s *scanner) more() bool {
	s.ws()
	return s.i < len(s.b) && s.b[s.i] != ']' && s.b[s.i] != '}'
}

func (s *scanner) token() (json.Token, error) {
	s.ws()
	n := len(s.st)
	var state byte
	if n > 0 {
		state = s.st[n-1]
	}
	// Separators between elements.
	switch state {
	case ':':
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return nil, errScan
		}
		s.i++
		s.st[n-1] = 'v'
		s.ws()
		state = 'v'
	case ',', 'a':
		if s.i < len(s.b) && s.b[s.i] == ',' {
			s.i++
			s.ws()
			if state == ',' {
				state = '{'
				s.st[n-1] = '{'
			} else {
				state = '['
				s.st[n-1] = 'e' // an element must follow
			}
		}
	}
	if s.i >= len(s.b) {
		if n == 0 && s.top {
			return nil, errEOF
		}
		return nil, errScan
	}
	c := s.b[s.i]
	if n == 0 && s.top {
		return nil, errScan // a second top-level value
	}
	// Closing brackets.
	if c == '}' || c == ']' {
		if n == 0 {
			return nil, errScan
		}
		want := byte('}')
		if state == '[' || state == 'a' || state == 'e' {
			want = ']'
		}
		if c != want || state == 'e' || state == 'v' || state == ':' {
			return nil, errScan
		}
		if state == '{' && s.i > 0 && s.prevNonWS() == ',' {
			return nil, errScan // {"a":1,}
		}
		s.i++
		s.st = s.st[:n-1]
		s.afterValue()
		return json.Delim(c), nil
	}
	if state == '{' {
		// A key.
		if c != '"' {
			return nil, errScan
		}
		str, err := s.str()
		if err != nil {
			return nil, err
		}
		s.st[n-1] = ':'
		return str, nil
	}
	if state == ',' || state == 'a' {
		return nil, errScan // a value without its comma
	}
	// A value.
	switch {
	case c == '{' || c == '[':
		s.i++
		if c == '{' {
			s.st = append(s.st, '{')
		} else {
			s.st = append(s.st, '[')
		}
		return json.Delim(c), nil
	case c == '"':
		str, err := s.str()
		if err != nil {
			return nil, err
		}
		s.afterValue()
		return str, nil
	case c == 't' || c == 'f' || c == 'n':
		for _, lit := range []string{"true", "false", "null"} {
			if len(s.b)-s.i >= len(lit) && string(s.b[s.i:s.i+len(lit)]) == lit {
				s.i += len(lit)
				s.afterValue()
				switch lit {
				case "true":
					return true, nil
				case "false":
					return false, nil
				}
				return nil, nil
			}
		}
		return nil, errScan
	case c == '-' || (c >= '0' && c <= '9'):
		start := s.i
		for s.i < len(s.b) && (s.b[s.i] == '-' || s.b[s.i] == '+' || s.b[s.i] == '.' || s.b[s.i] == 'e' || s.b[s.i] == 'E' || (s.b[s.i] >= '0' && s.b[s.i] <= '9')) {
			s.i++
		}
		num := string(s.b[start:s.i])
		if !validNumber(num) {
			return nil, errScan
		}
		s.afterValue()
		return json.Number(num), nil
	}
	return nil, errScan
}

// errEOF ends the token stream after the one top-level value.
var errEOF = errors.New("json scan: end")

func (s *scanner) prevNonWS() byte {
	for j := s.i - 1; j >= 0; j-- {
		switch s.b[j] {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return s.b[j]
	}
	return 0
}

// afterValue moves the enclosing container past a value.
func (s *scanner) afterValue() {
	n := len(s.st)
	if n == 0 {
		s.top = true
		return
	}
	switch s.st[n-1] {
	case 'v':
		s.st[n-1] = ','
	case '[', 'e', 'a':
		s.st[n-1] = 'a'
	}
}

// str reads a JSON string at s.i (at its opening quote) and unescapes it.
func (s *scanner) str() (string, error) {
	s.i++ // the quote
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			raw := s.b[start:s.i]
			s.i++
			if !utf8.Valid(raw) {
				return "", errScan // encoding/json would replace bytes: let it
			}
			return string(raw), nil
		case c == '\\':
			return s.escaped(start)
		case c < 0x20:
			return "", errScan
		}
		s.i++
	}
	return "", errScan
}

// escaped finishes a string that holds escapes, from its first backslash.
func (s *scanner) escaped(start int) (string, error) {
	out := append([]byte(nil), s.b[start:s.i]...)
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			if !utf8.Valid(out) {
				return "", errScan
			}
			return string(out), nil
		case c < 0x20:
			return "", errScan
		case c != '\\':
			out = append(out, c)
			s.i++
			continue
		}
		if s.i+1 >= len(s.b) {
			return "", errScan
		}
		e := s.b[s.i+1]
		s.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := s.hex4()
			if !ok {
				return "", errScan
			}
			if utf16.IsSurrogate(r) {
				// A pair, as encoding/json decodes it; a lone half is U+FFFD.
				r2 := rune(-1)
				if s.i+1 < len(s.b) && s.b[s.i] == '\\' && s.b[s.i+1] == 'u' {
					save := s.i
					s.i += 2
					if v, ok := s.hex4(); ok {
						r2 = v
					} else {
						s.i = save
					}
				}
				if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
					r = d
				} else {
					r = utf8.RuneError
					if r2 >= 0 {
						out = utf8.AppendRune(out, utf8.RuneError)
						if !utf16.IsSurrogate(r2) {
							r = r2
						}
					}
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", errScan
		}
	}
	return "", errScan
}

func (s *scanner) hex4() (rune, bool) {
	if s.i+4 > len(s.b) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(s.b[s.i:s.i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	s.i += 4
	return rune(v), true
}

// decoderSource is json.Decoder as a tokenSource: slower, and the source of
// the canonical error messages.
type decoderSource struct{ dec *json.Decoder }

func (d decoderSource) token() (json.Token, error) { return d.dec.Token() }
func (d decoderSource) more() bool                 { return d.dec.More() }

// validNumber is JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func validNumber(n string) bool {
	i := 0
	digits := func() int {
		j := i
		for i < len(n) && n[i] >= '0' && n[i] <= '9' {
			i++
		}
		return i - j
	}
	if i < len(n) && n[i] == '-' {
		i++
	}
	switch {
	case i < len(n) && n[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(n) && n[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(n) && (n[i] == 'e' || n[i] == 'E') {
		i++
		if i < len(n) && (n[i] == '+' || n[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(n)
}
