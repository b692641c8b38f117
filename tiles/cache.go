package tiles

import (
	"container/list"
	"sync"
)

// Cache is an LRU of encoded tiles bounded by bytes. Keys hold the versions of
// the collections in a tile, so an import changes the key and an old tile can
// never be served; once a newer version is seen, the tiles of older ones are
// dropped at once rather than left to age out.
type Cache struct {
	mu      sync.Mutex
	max     int64
	size    int64
	order   *list.List // front: most recently used *entry
	byKey   map[string]*list.Element
	latest  map[string]int64 // collection id → newest version seen
	hits    int64
	misses  int64
	evicted int64
}

// CacheStats is a snapshot of a cache's counters.
type CacheStats struct {
	Entries   int   `json:"entries"`
	Bytes     int64 `json:"bytes"`
	MaxBytes  int64 `json:"max_bytes"`
	Hits      int64 `json:"hits"`
	Misses    int64 `json:"misses"`
	Evictions int64 `json:"evictions"`
}

// entry is a cached tile and the bytes it is charged for.
type entry struct {
	tile    *Tile
	size    int64
	gzipped bool // the compressed form is charged
}

// NewCache returns an empty cache holding at most maxBytes of tiles.
func NewCache(maxBytes int64) *Cache {
	return &Cache{max: maxBytes, order: list.New(), byKey: map[string]*list.Element{}, latest: map[string]int64{}}
}

// get returns the tile of key and marks it used.
func (c *Cache) get(key string) (*Tile, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[key]
	if !ok {
		c.misses++
		return nil, false
	}
	c.hits++
	c.order.MoveToFront(e)
	return e.Value.(*entry).tile, true
}

// add stores t unless it holds a version older than one already seen.
func (c *Cache) add(t *Tile) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, v := range t.versions {
		if v.version < c.latest[v.collection] {
			return
		}
	}
	if _, ok := c.byKey[t.key]; ok {
		return
	}
	en := &entry{tile: t, size: int64(len(t.Data) + len(t.key))}
	if gz := t.gz.Load(); gz != nil {
		en.size += int64(len(*gz))
		en.gzipped = true
	}
	c.byKey[t.key] = c.order.PushFront(en)
	c.size += en.size
	c.trim()
}

// charge accounts the compressed form of t, made on first use, once.
func (c *Cache) charge(t *Tile, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[t.key]
	if !ok {
		return
	}
	if en := e.Value.(*entry); en.tile == t && !en.gzipped {
		en.gzipped = true
		en.size += int64(n)
		c.size += int64(n)
		c.trim()
	}
}

// observe records that collection id is now at version; tiles of older
// versions of it are dropped.
func (c *Cache) observe(id string, version int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.latest[id]; ok && old >= version {
		return
	}
	c.latest[id] = version
	for e := c.order.Front(); e != nil; {
		next := e.Next()
		if e.Value.(*entry).tile.olderThan(id, version) {
			c.remove(e)
		}
		e = next
	}
}

// Holds counts the cached tiles holding version of collection id.
func (c *Cache) Holds(id string, version int64) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for e := c.order.Front(); e != nil; e = e.Next() {
		for _, v := range e.Value.(*entry).tile.versions {
			if v.collection == id && v.version == version {
				n++
				break
			}
		}
	}
	return n
}

// Stats returns the cache's counters.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Entries: len(c.byKey), Bytes: c.size, MaxBytes: c.max, Hits: c.hits, Misses: c.misses, Evictions: c.evicted}
}

func (c *Cache) trim() {
	for c.size > c.max && c.order.Len() > 0 {
		c.remove(c.order.Back())
	}
}

func (c *Cache) remove(e *list.Element) {
	en := e.Value.(*entry)
	c.order.Remove(e)
	delete(c.byKey, en.tile.key)
	c.size -= en.size
	c.evicted++
}
