package readcache

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestGetMatchesVersionOnly(t *testing.T) {
	c := New(1 << 20)
	if _, ok := c.Get("u", "k", 0); ok {
		t.Fatal("hit on an empty cache")
	}
	c.Put("u", "k", 3, []byte("three"))
	if b, ok := c.Get("u", "k", 3); !ok || string(b) != "three" {
		t.Fatalf("Get(k, 3) = %q, %v", b, ok)
	}
	for _, v := range []int64{2, 4} {
		if b, ok := c.Get("u", "k", v); ok {
			t.Fatalf("Get(k, %d) hit %q: kept at 3", v, b)
		}
	}
	if _, ok := c.Get("u", "other", 3); ok {
		t.Fatal("hit under another key")
	}
}

func TestPutNeverGoesBack(t *testing.T) {
	c := New(1 << 20)
	c.Put("u", "k", 5, []byte("five"))
	c.Put("u", "k", 4, []byte("four")) // a slower request of an older version
	if _, ok := c.Get("u", "k", 4); ok {
		t.Fatal("the older answer replaced the newer one")
	}
	if b, _ := c.Get("u", "k", 5); string(b) != "five" {
		t.Fatalf("Get(k, 5) = %q", b)
	}
	c.Put("u", "k", 6, []byte("six!"))
	if b, _ := c.Get("u", "k", 6); string(b) != "six!" {
		t.Fatalf("Get(k, 6) = %q", b)
	}
	if n, size := c.Stats(); n != 1 || size != int64(len("u\x00k")+len("six!")+entryOverhead) {
		t.Fatalf("Stats = %d, %d after replacing the body", n, size)
	}
}

func TestBudgetEvictsLeastRecentlyUsed(t *testing.T) {
	body := []byte(strings.Repeat("x", 100))
	cost := int64(len("u\x00k1")+len(body)) + entryOverhead
	c := New(3 * cost) // room for exactly three entries
	c.maxEntry = cost  // (an eighth of so small a budget would refuse them all)
	c.Put("u", "k1", 1, body)
	c.Put("u", "k2", 1, body)
	c.Put("u", "k3", 1, body)
	if _, ok := c.Get("u", "k1", 1); !ok { // k1 is now the most recent; k2 the least
		t.Fatal("k1 missing before the budget was reached")
	}
	c.Put("u", "k4", 1, body)
	if _, ok := c.Get("u", "k2", 1); ok {
		t.Fatal("k2, the least recently used, survived")
	}
	for _, k := range []string{"k1", "k3", "k4"} {
		if _, ok := c.Get("u", k, 1); !ok {
			t.Fatalf("%s evicted instead of k2", k)
		}
	}
	if n, size := c.Stats(); n != 3 || size != 3*cost {
		t.Fatalf("Stats = %d entries, %d bytes; want 3, %d", n, size, 3*cost)
	}
}

func TestOversizedAnswerNotKept(t *testing.T) {
	c := New(8 * 1024)
	c.Put("u", "big", 1, make([]byte, 1024)) // over an eighth of the budget with its overhead
	if _, ok := c.Get("u", "big", 1); ok {
		t.Fatal("an answer over an eighth of the budget was kept")
	}
	c.Put("u", "small", 1, make([]byte, 512))
	if _, ok := c.Get("u", "small", 1); !ok {
		t.Fatal("a small answer was not kept")
	}
}

func TestNilCacheIsOff(t *testing.T) {
	var c *Cache = New(0)
	if c != nil {
		t.Fatal("New(0) is not nil")
	}
	c.Put("u", "k", 1, []byte("x"))
	if _, ok := c.Get("u", "k", 1); ok {
		t.Fatal("a nil cache hit")
	}
	if n, size := c.Stats(); n != 0 || size != 0 {
		t.Fatalf("Stats of nil = %d, %d", n, size)
	}
}

// TestConcurrentUse runs under -race: readers and writers of overlapping
// keys of three owners, with the budget and PerOwner forcing evictions
// throughout.
func TestConcurrentUse(t *testing.T) {
	c := New(64 * 1024)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				owner, k := fmt.Sprintf("u%d", g%3), fmt.Sprintf("k%d", (g*7+i)%100) // past PerOwner
				v := int64(i % 5)
				if b, ok := c.Get(owner, k, v); ok && len(b) != 100+int(v) {
					t.Errorf("Get(%s, %d) returned a body of %d bytes, kept for another version", k, v, len(b))
					return
				}
				c.Put(owner, k, v, make([]byte, 100+int(v)))
			}
		}()
	}
	wg.Wait()
	n, size := c.Stats()
	if size > 64*1024 {
		t.Fatalf("size %d over the budget", size)
	}
	if n > 3*PerOwner {
		t.Fatalf("%d entries for 3 owners", n)
	}
}

// TestPerOwnerBound: one owner walking through many URLs evicts their own
// oldest answers, never another owner's.
func TestPerOwnerBound(t *testing.T) {
	c := New(64 << 20)
	c.Put("other", "/topics", 1, []byte("theirs"))
	for i := range 3 * PerOwner {
		c.Put("walker", fmt.Sprintf("/topics?limit=%d", i), 1, []byte("mine"))
	}
	if _, ok := c.Get("other", "/topics", 1); !ok {
		t.Fatal("another owner's answer was evicted")
	}
	kept := 0
	for i := range 3 * PerOwner {
		if _, ok := c.Get("walker", fmt.Sprintf("/topics?limit=%d", i), 1); ok {
			kept++
			if i < 2*PerOwner {
				t.Fatalf("an old answer (%d) survived while newer ones were evicted", i)
			}
		}
	}
	if kept != PerOwner {
		t.Fatalf("the walker kept %d answers, want %d", kept, PerOwner)
	}
	if n, _ := c.Stats(); n != PerOwner+1 {
		t.Fatalf("%d entries, want %d", n, PerOwner+1)
	}
	if _, ok := c.Get("walker", "/topics", 1); ok {
		t.Fatal("keys of different owners collided")
	}
}
