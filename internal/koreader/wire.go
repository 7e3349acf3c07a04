package koreader

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The child writes one JSON object a line: every book, then every visit,
// then an end record with the counts (or, at any point, an error record,
// which is the last line):
//
//	{"book":{"id":1,"title":"…","authors":"…","pages":200,"md5":"…"}}
//	{"visit":[id_book,page,start_time,duration,total_pages]}
//	{"end":{"books":1,"visits":1,"null_book":0,"max_rss_kb":14000}}
//	{"error":{"reason":"corrupt","detail":"…"}}
//
// The parent decodes it as a stream and trusts none of it: every value is
// checked again (a hostile file could have taken the child over).
type record struct {
	Book  *wireBook  `json:"book,omitempty"`
	Visit []int64    `json:"visit,omitempty"`
	End   *wireEnd   `json:"end,omitempty"`
	Error *wireError `json:"error,omitempty"`
}

type wireBook struct {
	ID      int64  `json:"id"`
	Title   string `json:"title"`
	Authors string `json:"authors"`
	Pages   int64  `json:"pages"`
	MD5     string `json:"md5"`
}

type wireEnd struct {
	Books  int64 `json:"books"`
	Visits int64 `json:"visits"`
	// NullBook counts the visits whose id_book is NULL (not sent).
	NullBook int64 `json:"null_book"`
	// MaxRSSKB is the child's peak resident memory (VmHWM; its rusage
	// would include the parent's, which it shares until exec).
	MaxRSSKB int64 `json:"max_rss_kb"`
}

type wireError struct {
	Reason Reason `json:"reason"`
	Detail string `json:"detail"`
}

// appendVisit appends a visit record to b (the child writes millions; the
// encoder's reflection would be most of its time).
func appendVisit(b []byte, bookID, page, start, duration, total int64) []byte {
	b = append(b, `{"visit":[`...)
	for i, x := range [5]int64{bookID, page, start, duration, total} {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, x, 10)
	}
	return append(b, "]}\n"...)
}

// maxLine bounds one line of the child's output (a book line with its
// title and authors cut to 1000 characters, each escaped, stays far below).
const maxLine = 64 << 10

// decodeStream reads the child's output line by line into Statistics,
// skipping and counting insane visits, and returns the child's peak memory
// as it reports it. It returns an *Error for the child's verdict and for
// the limits it enforces itself, and another error when the stream is cut
// short or malformed.
func decodeStream(r io.Reader, maxRows int64, now time.Time) (Statistics, int64, error) {
	st := Statistics{Skipped: map[SkipReason]int{}}
	index := map[int64]int{}
	var books, visits int64
	addVisit := func(x [5]int64) error {
		if visits++; visits > maxRows {
			return refuse(ReasonTooLarge, "more than %d visits", maxRows)
		}
		v := Visit{BookID: x[0], Page: clampPage(x[1]), StartTime: x[2], Duration: x[3], TotalPages: clampPage(x[4])}
		i, ok := index[v.BookID]
		if !ok {
			st.Skipped[SkipNoBook]++
			return nil
		}
		if reason := CheckVisit(v, now); reason != "" {
			st.Skipped[reason]++
			return nil
		}
		st.Books[i].Visits = append(st.Books[i].Visits, v)
		st.Visits++
		return nil
	}
	br := bufio.NewReaderSize(r, maxLine)
	for {
		line, err := br.ReadSlice('\n')
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			return Statistics{}, 0, fmt.Errorf("reader output: a line longer than %d bytes", maxLine)
		case errors.Is(err, io.EOF) && len(line) == 0:
			return Statistics{}, 0, errors.New("reader output ended without its end record")
		case errors.Is(err, io.EOF):
			return Statistics{}, 0, errors.New("reader output: a line cut short")
		case err != nil:
			return Statistics{}, 0, fmt.Errorf("reader output: %w", err)
		}
		if x, ok := parseVisitLine(line); ok {
			if err := addVisit(x); err != nil {
				return Statistics{}, 0, err
			}
			continue
		}
		var rec record
		if err := json.Unmarshal(line, &rec); err != nil {
			return Statistics{}, 0, fmt.Errorf("reader output: %w", err)
		}
		switch {
		case rec.Error != nil:
			if !slices.Contains(Reasons, rec.Error.Reason) {
				return Statistics{}, 0, fmt.Errorf("reader output: unknown reason %q", rec.Error.Reason)
			}
			return Statistics{}, 0, &Error{Reason: rec.Error.Reason, Detail: cleanText(rec.Error.Detail)}
		case rec.Book != nil:
			if visits > 0 {
				return Statistics{}, 0, errors.New("reader output: a book after the visits")
			}
			if books++; books > maxRows {
				return Statistics{}, 0, refuse(ReasonTooLarge, "more than %d books", maxRows)
			}
			b := rec.Book
			if _, dup := index[b.ID]; dup {
				return Statistics{}, 0, fmt.Errorf("reader output: book %d twice", b.ID)
			}
			index[b.ID] = len(st.Books)
			st.Books = append(st.Books, Book{
				ID:      b.ID,
				Title:   cleanText(b.Title),
				Authors: cleanText(b.Authors),
				Pages:   int(min(max(b.Pages, 0), maxPages)),
				MD5:     cleanMD5(b.MD5),
			})
		case rec.Visit != nil:
			if len(rec.Visit) != 5 {
				return Statistics{}, 0, fmt.Errorf("reader output: a visit of %d values", len(rec.Visit))
			}
			if err := addVisit([5]int64(rec.Visit)); err != nil {
				return Statistics{}, 0, err
			}
		case rec.End != nil:
			e := rec.End
			if e.Books != books || e.Visits != visits || e.NullBook < 0 {
				return Statistics{}, 0, fmt.Errorf("reader output: end record %+v after %d books and %d visits", *e, books, visits)
			}
			if e.NullBook > maxRows-visits {
				return Statistics{}, 0, refuse(ReasonTooLarge, "more than %d visits", maxRows)
			}
			if e.NullBook > 0 {
				st.Skipped[SkipNoBook] += int(e.NullBook)
			}
			if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
				return Statistics{}, 0, errors.New("reader output: data after the end record")
			}
			slices.SortFunc(st.Books, func(a, b Book) int { return cmp.Compare(a.ID, b.ID) })
			return st, max(e.MaxRSSKB, 0), nil
		default:
			return Statistics{}, 0, errors.New("reader output: a record of no known kind")
		}
	}
}

// parseVisitLine decodes a visit line exactly as appendVisit writes it,
// without reflection (the parent reads millions). Any other spelling is
// left to encoding/json.
func parseVisitLine(line []byte) (x [5]int64, ok bool) {
	const prefix, suffix = `{"visit":[`, "]}\n"
	if len(line) < len(prefix)+len(suffix) || string(line[:len(prefix)]) != prefix ||
		string(line[len(line)-len(suffix):]) != suffix {
		return x, false
	}
	b := line[len(prefix) : len(line)-len(suffix)]
	for i := range x {
		if i > 0 {
			if len(b) == 0 || b[0] != ',' {
				return x, false
			}
			b = b[1:]
		}
		n, rest, ok := parseInt(b)
		if !ok {
			return x, false
		}
		x[i], b = n, rest
	}
	return x, len(b) == 0
}

// parseInt reads a decimal int64 (optional minus, no leading zeros, no
// overflow) from the start of b.
func parseInt(b []byte) (n int64, rest []byte, ok bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	i := 0
	var u uint64
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if i == 19 {
			return 0, nil, false // 19 digits already: another overflows
		}
		u = u*10 + uint64(b[i]-'0')
	}
	if i == 0 || (i > 1 && b[0] == '0') {
		return 0, nil, false
	}
	switch {
	case neg && u <= 1<<63:
		return int64(-u), b[i:], true
	case !neg && u < 1<<63:
		return int64(u), b[i:], true
	}
	return 0, nil, false
}

// maxPages bounds page numbers and page counts taken from a file: far
// above any document, low enough that no later product or sum overflows.
const maxPages = 1 << 30

// clampPage brings a page number or count read from a file into
// [-1, maxPages+1]: out-of-range values stay out of range, without
// overflowing an int anywhere.
func clampPage(x int64) int { return int(min(max(x, -1), maxPages+1)) }

// cleanMD5 keeps a partial MD5 when it is 32 hex digits (lower-cased),
// and drops it otherwise.
func cleanMD5(s string) string {
	s = normalizeMD5(s)
	if len(s) != 32 {
		return ""
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return ""
		}
	}
	return s
}

// maxText bounds the titles and authors kept from a file, in bytes (the
// child cuts them first, the parent again).
const maxText = 1000

// cleanText makes s valid UTF-8 without NUL or other control characters,
// its white space collapsed to single spaces, at most maxText bytes long.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	pending := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			pending = b.Len() > 0
			continue
		}
		if unicode.IsControl(r) {
			continue
		}
		n := utf8.RuneLen(r)
		if pending {
			n++
		}
		if b.Len()+n > maxText {
			break
		}
		if pending {
			b.WriteByte(' ')
			pending = false
		}
		b.WriteRune(r)
	}
	return b.String()
}
