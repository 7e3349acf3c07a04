// Package library holds the pure rules of the topic and PDF library: field
// validation, the hierarchy limits, tree assembly and file naming. No I/O.
package library

import (
	"errors"
	"fmt"
	"math"
	"path"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/studysprint/studysprint/internal/safetext"
)

// MaxTopicDepth is how deep topics nest: a root is at depth 1.
const MaxTopicDepth = 5

// DefaultTopicColor is used when a topic is created without a color.
const DefaultTopicColor = "#4F46E5"

// Field errors; their text is shown next to the field name.
var (
	ErrNameInvalid        = errors.New("must be 1-100 characters")
	ErrDescriptionInvalid = errors.New("must be at most 2000 characters")
	ErrColorInvalid       = errors.New("must be a color like #RRGGBB")
	ErrTitleInvalid       = errors.New("must be 1-300 characters")
	ErrDateInvalid        = errors.New("must be a date like 2026-12-31")
	ErrSortOrderInvalid   = errors.New("must be between -1000000 and 1000000")
	ErrTooDeep            = fmt.Errorf("would nest topics deeper than %d levels", MaxTopicDepth)
	ErrCycle              = errors.New("would put the topic inside itself")
)

// NormalizeName trims a topic name and checks its length and characters.
func NormalizeName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n < 1 || n > 100 || safetext.HasControl(s) {
		return "", ErrNameInvalid
	}
	return s, nil
}

// NormalizeDescription trims a description (may be empty).
func NormalizeDescription(s string) (string, error) {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > 2000 || !safetext.Valid(s) {
		return "", ErrDescriptionInvalid
	}
	return s, nil
}

var colorRE = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)

// NormalizeColor checks #RRGGBB and stores it upper-case.
func NormalizeColor(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !colorRE.MatchString(s) {
		return "", ErrColorInvalid
	}
	return strings.ToUpper(s), nil
}

// CheckSortOrder bounds sort_order.
func CheckSortOrder(v int32) error {
	if v < -1_000_000 || v > 1_000_000 {
		return ErrSortOrderInvalid
	}
	return nil
}

// ParseDate reads a calendar date (YYYY-MM-DD) between years 1900 and 9999.
func ParseDate(s string) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil || d.Year() < 1900 {
		return time.Time{}, ErrDateInvalid
	}
	return d, nil
}

// NormalizeTitle trims a PDF title and checks it.
func NormalizeTitle(s string) (string, error) {
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n < 1 || n > 300 || safetext.HasControl(s) {
		return "", ErrTitleInvalid
	}
	return s, nil
}

// DefaultTitle picks a PDF's title: the one given, else the PDF's own, else
// the uploaded file's name without its extension, else "Untitled".
func DefaultTitle(given, fromPDF, filename string) string {
	for _, t := range []string{given, fromPDF, strings.TrimSuffix(cleanFilename(filename), path.Ext(cleanFilename(filename)))} {
		if t = strings.TrimSpace(t); t != "" {
			if utf8.RuneCountInString(t) > 300 {
				t = string([]rune(t)[:300])
			}
			return t
		}
	}
	return "Untitled"
}

// cleanFilename keeps the base name of an uploaded file name, printable only.
func cleanFilename(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(name)
	if name == "." || name == "/" {
		return ""
	}
	var b strings.Builder
	for _, r := range name {
		if unicode.IsPrint(r) && r != utf8.RuneError {
			b.WriteRune(r)
		}
	}
	out := b.String()
	if utf8.RuneCountInString(out) > 255 {
		out = string([]rune(out)[:255])
	}
	return out
}

// CleanFilename is the stored original file name.
func CleanFilename(name string) string { return cleanFilename(name) }

// DownloadFilename is a safe file name for Content-Disposition: the title
// with path and quoting characters replaced, ending in .pdf.
func DownloadFilename(title string) string {
	var b strings.Builder
	for _, r := range title {
		switch {
		case r == '/' || r == '\\' || r == '"' || r == ':' || r == '*' || r == '?' || r == '<' || r == '>' || r == '|':
			b.WriteRune('_')
		case unicode.IsPrint(r) && r != utf8.RuneError:
			b.WriteRune(r)
		}
	}
	name := strings.TrimSpace(b.String())
	if utf8.RuneCountInString(name) > 150 {
		name = string([]rune(name)[:150])
	}
	if name == "" || name == "." || name == ".." {
		name = "document"
	}
	if !strings.HasSuffix(strings.ToLower(name), ".pdf") {
		name += ".pdf"
	}
	return name
}

// CheckPlacement applies the hierarchy rules to putting a subtree of the
// given height (1 for a topic without children) under a parent at
// parentDepth (0 for the root level). parentInSubtree says whether the new
// parent is the topic itself or one of its descendants.
func CheckPlacement(parentDepth, subtreeHeight int, parentInSubtree bool) error {
	if parentInSubtree {
		return ErrCycle
	}
	if parentDepth+subtreeHeight > MaxTopicDepth {
		return ErrTooDeep
	}
	return nil
}

// ProgressPercent is read/total as a percentage with one decimal (the same
// rounding as the SQL round(x, 1) of topic statistics); 0 when total is 0.
func ProgressPercent(read, total int64) float64 {
	if total <= 0 {
		return 0
	}
	return math.Round(1000*float64(min(read, total))/float64(total)) / 10
}

// LikePattern turns a search string into an ILIKE pattern matching it
// anywhere, with the pattern characters % _ \ taken literally.
func LikePattern(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(q) + "%"
}

// Node is a topic in a tree: an id, its parent, and children in order.
type Node[T any] struct {
	Item     T
	Children []*Node[T]
}

// BuildTree arranges items into trees by parent id, keeping the input order
// among siblings. Items whose parent is not in the input become roots.
func BuildTree[T any, K comparable](items []T, id func(T) K, parent func(T) (K, bool)) []*Node[T] {
	nodes := make(map[K]*Node[T], len(items))
	for _, it := range items {
		nodes[id(it)] = &Node[T]{Item: it}
	}
	var roots []*Node[T]
	for _, it := range items {
		n := nodes[id(it)]
		if pid, ok := parent(it); ok {
			if p, found := nodes[pid]; found {
				p.Children = append(p.Children, n)
				continue
			}
		}
		roots = append(roots, n)
	}
	return roots
}

// PDFStorageKey is where a PDF's file is stored.
func PDFStorageKey(userID, pdfID uuid.UUID) string {
	return UserStoragePrefix(userID) + "pdfs/" + pdfID.String() + ".pdf"
}

// UserStoragePrefix is the key prefix of everything a user has stored.
func UserStoragePrefix(userID uuid.UUID) string { return "users/" + userID.String() + "/" }
