package readcache

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestGetMatchesVersionOnly(t *testing.T) {
	c := New(1 << 20)
	if _, ok := c.Get("k", 0); ok {
		t.Fatal("hit on an empty cache")
	}
	c.Put("k", 3, []byte("three"))
	if b, ok := c.Get("k", 3); !ok || string(b) != "three" {
		t.Fatalf("Get(k, 3) = %q, %v", b, ok)
	}
	for _, v := range []int64{2, 4} {
		if b, ok := c.Get("k", v); ok {
			t.Fatalf("Get(k, %d) hit %q: kept at 3", v, b)
		}
	}
	if _, ok := c.Get("other", 3); ok {
		t.Fatal("hit under another key")
	}
}

func TestPutNeverGoesBack(t *testing.T) {
	c := New(1 << 20)
	c.Put("k", 5, []byte("five"))
	c.Put("k", 4, []byte("four")) // a slower request of an older version
	if _, ok := c.Get("k", 4); ok {
		t.Fatal("the older answer replaced the newer one")
	}
	if b, _ := c.Get("k", 5); string(b) != "five" {
		t.Fatalf("Get(k, 5) = %q", b)
	}
	c.Put("k", 6, []byte("six!"))
	if b, _ := c.Get("k", 6); string(b) != "six!" {
		t.Fatalf("Get(k, 6) = %q", b)
	}
	if n, size := c.Stats(); n != 1 || size != int64(len("k")+len("six!")+entryOverhead) {
		t.Fatalf("Stats = %d, %d after replacing the body", n, size)
	}
}

func TestBudgetEvictsLeastRecentlyUsed(t *testing.T) {
	body := []byte(strings.Repeat("x", 100))
	cost := int64(2+len(body)) + entryOverhead
	c := New(3 * cost) // room for exactly three entries
	c.maxEntry = cost  // (an eighth of so small a budget would refuse them all)
	c.Put("k1", 1, body)
	c.Put("k2", 1, body)
	c.Put("k3", 1, body)
	if _, ok := c.Get("k1", 1); !ok { // k1 is now the most recent; k2 the least
		t.Fatal("k1 missing before the budget was reached")
	}
	c.Put("k4", 1, body)
	if _, ok := c.Get("k2", 1); ok {
		t.Fatal("k2, the least recently used, survived")
	}
	for _, k := range []string{"k1", "k3", "k4"} {
		if _, ok := c.Get(k, 1); !ok {
			t.Fatalf("%s evicted instead of k2", k)
		}
	}
	if n, size := c.Stats(); n != 3 || size != 3*cost {
		t.Fatalf("Stats = %d entries, %d bytes; want 3, %d", n, size, 3*cost)
	}
}

func TestOversizedAnswerNotKept(t *testing.T) {
	c := New(8 * 1024)
	c.Put("big", 1, make([]byte, 1024)) // over an eighth of the budget with its overhead
	if _, ok := c.Get("big", 1); ok {
		t.Fatal("an answer over an eighth of the budget was kept")
	}
	c.Put("small", 1, make([]byte, 512))
	if _, ok := c.Get("small", 1); !ok {
		t.Fatal("a small answer was not kept")
	}
}

func TestNilCacheIsOff(t *testing.T) {
	var c *Cache = New(0)
	if c != nil {
		t.Fatal("New(0) is not nil")
	}
	c.Put("k", 1, []byte("x"))
	if _, ok := c.Get("k", 1); ok {
		t.Fatal("a nil cache hit")
	}
	if n, size := c.Stats(); n != 0 || size != 0 {
		t.Fatalf("Stats of nil = %d, %d", n, size)
	}
}

// TestConcurrentUse runs under -race: readers and writers of overlapping
// keys, with the budget forcing evictions throughout.
func TestConcurrentUse(t *testing.T) {
	c := New(64 * 1024)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				k := fmt.Sprintf("k%d", (g*7+i)%50)
				v := int64(i % 5)
				if b, ok := c.Get(k, v); ok && len(b) != 100+int(v) {
					t.Errorf("Get(%s, %d) returned a body of %d bytes, kept for another version", k, v, len(b))
					return
				}
				c.Put(k, v, make([]byte, 100+int(v)))
			}
		}()
	}
	wg.Wait()
	if _, size := c.Stats(); size > 64*1024 {
		t.Fatalf("size %d over the budget", size)
	}
}
