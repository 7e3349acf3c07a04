package auth

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

// BenchmarkVerify: a token seen for the first time (signature and claims
// checked by jwx) and one verified before (answered from the cache).
func BenchmarkVerify(b *testing.B) {
	tokens, _ := newTestTokens(b, time.Now)
	tok, _, err := tokens.Issue(uuid.New(), uuid.New())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("first_time", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := tokens.verify(tok); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := tokens.Verify(tok); err != nil {
				b.Fatal(err)
			}
		}
	})
}
