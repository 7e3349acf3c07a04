// Package readcache keeps recent answers of read endpoints in memory, each
// under the version of the data it was computed from, and hands one back
// only to a caller that has read the same version.
//
// The version is users.library_version: the database moves it at the
// commit of every transaction that changed what the cached lists show (see
// the migration that adds it), and the session check reads it with the user row
// on every authenticated request. So a hit costs no extra query and is never
// stale: a change committed before the request's session check has moved
// the version, and the entry no longer matches. Every instance keeps its
// own cache and checks it against the same database.
//
// The cache is bounded in bytes and evicts the least recently used entry,
// and each owner (a user) keeps at most PerOwner entries, so that one user
// walking through many distinct URLs evicts their own answers, not everyone
// else's. A nil *Cache (a budget of 0) stores nothing and never hits.
package readcache

import (
	"container/list"
	"sync"
)

// entryOverhead approximates what one entry costs beyond its key and body
// (the list element, the map slot, the entry struct), so that a budget of
// many tiny answers is not exceeded by their bookkeeping.
const entryOverhead = 128

// PerOwner is the most entries one owner keeps (a user's topic lists and
// the pages of the PDFs they have open, each in a few filters or pages).
const PerOwner = 64

// Cache is a byte-bounded LRU of versioned answers, safe for concurrent use.
type Cache struct {
	mu       sync.Mutex
	budget   int64
	maxEntry int64
	size     int64
	order    *list.List // front: most recently used; values are *entry
	byKey    map[string]*list.Element
	byOwner  map[string]*list.List // each owner's entries, front: most recently used; values are *list.Element of order
}

type entry struct {
	owner, key string
	version    int64
	body       []byte
	mine       *list.Element // this entry in byOwner[owner]
}

// New returns a cache holding at most budget bytes of keys and bodies (nil
// when budget <= 0: caching off). One answer may take at most an eighth of
// the budget; larger ones are not kept.
func New(budget int64) *Cache {
	if budget <= 0 {
		return nil
	}
	return &Cache{budget: budget, maxEntry: budget / 8, order: list.New(), byKey: map[string]*list.Element{}, byOwner: map[string]*list.List{}}
}

// Get returns the body kept under key if it was computed at version.
func (c *Cache) Get(owner, key string, version int64) ([]byte, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[owner+"\x00"+key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*entry)
	if e.version != version {
		return nil, false
	}
	c.order.MoveToFront(el)
	c.byOwner[owner].MoveToFront(e.mine)
	return e.body, true
}

// Put keeps body under owner's key at version. The caller must not change
// body afterwards. An entry at a newer version is not replaced by an older
// one (a slow request finishing after a faster, newer one).
func (c *Cache) Put(owner, key string, version int64, body []byte) {
	if c == nil {
		return
	}
	full := owner + "\x00" + key
	cost := int64(len(full)+len(body)) + entryOverhead
	if cost > c.maxEntry {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[full]; ok {
		e := el.Value.(*entry)
		if e.version > version {
			return
		}
		c.size += int64(len(body) - len(e.body))
		e.version, e.body = version, body
		c.order.MoveToFront(el)
		c.byOwner[owner].MoveToFront(e.mine)
	} else {
		mine := c.byOwner[owner]
		if mine == nil {
			mine = list.New()
			c.byOwner[owner] = mine
		}
		if mine.Len() >= PerOwner {
			c.remove(mine.Back().Value.(*list.Element))
		}
		e := &entry{owner: owner, key: full, version: version, body: body}
		el := c.order.PushFront(e)
		e.mine = mine.PushFront(el)
		c.byKey[full] = el
		c.size += cost
	}
	for c.size > c.budget {
		c.remove(c.order.Back())
	}
}

// remove drops one entry (c.mu held).
func (c *Cache) remove(el *list.Element) {
	e := el.Value.(*entry)
	c.order.Remove(el)
	delete(c.byKey, e.key)
	mine := c.byOwner[e.owner]
	mine.Remove(e.mine)
	if mine.Len() == 0 {
		delete(c.byOwner, e.owner)
	}
	c.size -= int64(len(e.key)+len(e.body)) + entryOverhead
}

// Stats reports the entries held and their cost in bytes.
func (c *Cache) Stats() (entries int, bytes int64) {
	if c == nil {
		return 0, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.byKey), c.size
}
