package loadtest

import (
	"fmt"
	"strings"
)

// The markers around the load benchmark's own section of BENCHMARKS.md.
const (
	SectionBegin = "<!-- loadtest:begin -->"
	SectionEnd   = "<!-- loadtest:end -->"
)

// ReplaceSection returns doc with the text between the markers replaced by
// body (markers kept, each on its own line). Without markers the section is
// appended at the end. Markers out of order, or more than one pair, are an
// error: the file is not touched rather than guessed at.
func ReplaceSection(doc, body string) (string, error) {
	nb, ne := strings.Count(doc, SectionBegin), strings.Count(doc, SectionEnd)
	section := SectionBegin + "\n" + strings.TrimRight(body, "\n") + "\n" + SectionEnd
	switch {
	case nb == 0 && ne == 0:
		if doc != "" && !strings.HasSuffix(doc, "\n") {
			doc += "\n"
		}
		if doc != "" {
			doc += "\n"
		}
		return doc + section + "\n", nil
	case nb != 1 || ne != 1:
		return "", fmt.Errorf("want one %s and one %s, found %d and %d", SectionBegin, SectionEnd, nb, ne)
	}
	b, e := strings.Index(doc, SectionBegin), strings.Index(doc, SectionEnd)
	if e < b {
		return "", fmt.Errorf("%s comes before %s", SectionEnd, SectionBegin)
	}
	return doc[:b] + section + doc[e+len(SectionEnd):], nil
}
