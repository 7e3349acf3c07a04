package auth

import (
	"sync"
	"time"
)

// verifiedCacheSize bounds the cache of verified tokens (about 200 bytes
// each): one entry per access token in use in the last 15 minutes.
const verifiedCacheSize = 50_000

// verifiedCache remembers the claims of tokens whose signature and claims
// were verified. Keys are the exact token strings, so only a byte-identical
// token hits.
type verifiedCache struct {
	mu      sync.Mutex
	max     int
	entries map[string]Claims
}

func newVerifiedCache(max int) *verifiedCache {
	return &verifiedCache{max: max, entries: make(map[string]Claims)}
}

func (c *verifiedCache) get(token string) (Claims, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.entries[token]
	return v, ok
}

// put stores a verified token; when full, expired entries go first, and if
// none has expired the cache starts over (a miss only costs a verification).
func (c *verifiedCache) put(token string, claims Claims, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		for k, v := range c.entries {
			if now.After(v.ExpiresAt.Add(verifySkew)) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= c.max {
			clear(c.entries)
		}
	}
	c.entries[token] = claims
}

func (c *verifiedCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
