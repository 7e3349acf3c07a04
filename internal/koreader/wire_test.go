package koreader

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestCleanText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Walden", "Walden"},
		{"  Walden \n\t or Life  in the Woods ", "Walden or Life in the Woods"},
		{"nul\x00byte", "nulbyte"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		{"\u0085next\u00a0line", "next line"},
		{strings.Repeat("é", 600), strings.Repeat("é", 500)},
		{strings.Repeat("a", 999) + "é", strings.Repeat("a", 999)},
		{strings.Repeat("a", 999) + " b", strings.Repeat("a", 999)},
	}
	for _, tt := range tests {
		if got := cleanText(tt.in); got != tt.want {
			t.Errorf("cleanText(%.40q) = %.40q (%d bytes), want %.40q", tt.in, got, len(got), tt.want)
		}
	}
}

func TestParseVisitLine(t *testing.T) {
	t.Parallel()
	x := [5]int64{math.MaxInt64, math.MinInt64, 0, -1, 42}
	line := appendVisit(nil, x[0], x[1], x[2], x[3], x[4])
	got, ok := parseVisitLine(line)
	if !ok || got != x {
		t.Fatalf("parseVisitLine(%q) = %v, %v", line, got, ok)
	}
	for _, bad := range []string{
		`{"visit":[1,2,3,4]}` + "\n",
		`{"visit":[1,2,3,4,5,6]}` + "\n",
		`{"visit":[1,2,3,4,5]}`,
		`{"visit":[1, 2,3,4,5]}` + "\n",
		`{"visit":[01,2,3,4,5]}` + "\n",
		`{"visit":[1,2,3,4,-]}` + "\n",
		`{"visit":[1,2,3,4,9223372036854775808]}` + "\n",
		`{"visit":[1,2,3,4,-9223372036854775809]}` + "\n",
		`{"visit":[1,2,3,4,1e3]}` + "\n",
		`{"visit":[1,2,3,4,]}` + "\n",
		`{"book":{"id":1}}` + "\n",
	} {
		if _, ok := parseVisitLine([]byte(bad)); ok {
			t.Errorf("parseVisitLine(%q) accepted", bad)
		}
	}
}

// TestDecodeStream feeds the parent what a broken or taken-over child
// could send.
func TestDecodeStream(t *testing.T) {
	t.Parallel()
	now := testNow
	start := now.Add(-time.Hour).Unix()
	book := `{"book":{"id":1,"title":"T\u0000itle","authors":"A","pages":-5,"md5":"0123456789ABCDEF0123456789ABCDEF"}}` + "\n"
	visit := string(appendVisit(nil, 1, 2, start, 30, 10))
	end := func(books, visits, null int) string {
		return `{"end":{"books":` + itoa(books) + `,"visits":` + itoa(visits) + `,"null_book":` + itoa(null) + `,"max_rss_kb":9000}}` + "\n"
	}
	t.Run("good", func(t *testing.T) {
		// A visit spelt otherwise than the child does still decodes.
		spaced := `{"visit": [1, 3, ` + itoa(int(start)+60) + `, 30, 10]}` + "\n"
		st, rss, err := decodeStream(strings.NewReader(book+visit+spaced+end(1, 2, 3)), 10, now)
		if err != nil {
			t.Fatal(err)
		}
		b := st.Books[0]
		if b.Title != "Title" || b.Pages != 0 || b.MD5 != "0123456789abcdef0123456789abcdef" || len(b.Visits) != 2 || rss != 9000 {
			t.Errorf("statistics = %+v, rss %d", st, rss)
		}
		if st.Skipped[SkipNoBook] != 3 || st.Visits != 2 {
			t.Errorf("statistics = %+v", st)
		}
	})
	refusals := []struct {
		name, stream string
		want         Reason
	}{
		{"child's verdict", book + `{"error":{"reason":"not_koreader","detail":"no table book"}}` + "\n", ReasonNotKOReader},
		{"too many books", book + strings.Replace(book, `"id":1`, `"id":2`, 1) + book, ReasonTooLarge},
		{"too many visits", book + strings.Repeat(visit, 3), ReasonTooLarge},
		{"too many null-book visits", book + visit + end(1, 1, 2), ReasonTooLarge},
		{"null-book count overflowing", book + visit + `{"end":{"books":1,"visits":1,"null_book":9223372036854775807}}` + "\n", ReasonTooLarge},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := decodeStream(strings.NewReader(tt.stream), 2, now)
			var refused *Error
			if !errors.As(err, &refused) || refused.Reason != tt.want {
				t.Fatalf("err = %v, want %s", err, tt.want)
			}
		})
	}
	broken := map[string]string{
		"empty":                 "",
		"no end record":         book + visit,
		"line cut short":        book + visit[:10],
		"not JSON":              "hello\n",
		"unknown reason":        `{"error":{"reason":"bored"}}` + "\n",
		"book after visits":     book + visit + strings.Replace(book, `"id":1`, `"id":2`, 1) + end(2, 1, 0),
		"book twice":            book + book + end(2, 0, 0),
		"counts do not add up":  book + visit + end(1, 2, 0),
		"negative null count":   book + end(1, 0, -1),
		"data after the end":    book + end(1, 0, 0) + visit,
		"empty record":          "{}\n",
		"a line too long":       `{"book":{"id":1,"title":"` + strings.Repeat("x", maxLine) + `"}}` + "\n",
		"wrong type":            `{"book":{"id":"one"}}` + "\n",
		"visit of wrong length": `{"visit":[1,2,3]}` + "\n" + end(0, 1, 0),
	}
	for name, stream := range broken {
		t.Run(name, func(t *testing.T) {
			_, _, err := decodeStream(strings.NewReader(stream), 2, now)
			var refused *Error
			if err == nil || errors.As(err, &refused) {
				t.Fatalf("err = %v, want a stream error", err)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
