package tiles

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb/maptile"
	"golang.org/x/sync/singleflight"

	"github.com/vn-opendata/geodata/catalog"
)

// Tile is an encoded vector tile of one or more layers. It is immutable but for
// its compressed form, made once on first use.
type Tile struct {
	Data []byte // the uncompressed MVT; empty when no layer has a feature
	ETag string // strong entity tag of Data; "-gz" is appended for the gzip form

	key      string
	versions []collectionVersion
	cache    *Cache
	gzOnce   sync.Once
	gz       atomic.Pointer[[]byte]
}

type collectionVersion struct {
	collection string
	version    int64
}

// Empty reports whether the tile has no feature in any layer.
func (t *Tile) Empty() bool { return len(t.Data) == 0 }

// Gzip returns the tile gzip-compressed.
func (t *Tile) Gzip() []byte {
	t.gzOnce.Do(func() {
		b := gzipBytes(t.Data)
		t.gz.Store(&b)
	})
	b := *t.gz.Load()
	if t.cache != nil {
		t.cache.charge(t, len(b))
	}
	return b
}

// gzipWriters are reused: a gzip writer allocates most of a megabyte.
var gzipWriters = sync.Pool{New: func() any { return gzip.NewWriter(nil) }}

// gzipBytes compresses b (writes to a bytes.Buffer do not fail).
func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(&buf)
	zw.Write(b)
	zw.Close()
	gzipWriters.Put(zw)
	return buf.Bytes()
}

func (t *Tile) olderThan(id string, version int64) bool {
	for _, v := range t.versions {
		if v.collection == id && v.version < version {
			return true
		}
	}
	return false
}

// Tiler makes tiles from snapshots and keeps them in its cache. It is safe for
// concurrent use; a tile asked for by many clients at once is encoded once.
type Tiler struct {
	opts        Options
	fingerprint string
	cache       *Cache
	flight      singleflight.Group // tiles being encoded
	analyses    singleflight.Group // layer infos being made

	mu    sync.Mutex
	infos map[string]versionedInfo // collection id → layer info of its newest version
}

type versionedInfo struct {
	version int64
	info    *layerInfo
}

// NewTiler returns a tiler with its own cache; zero options take their defaults.
func NewTiler(opts Options) *Tiler {
	opts = opts.withDefaults()
	b, _ := json.Marshal(opts) // plain data always marshals
	h := fnv.New64a()
	h.Write(b)
	return &Tiler{
		opts:        opts,
		fingerprint: fmt.Sprintf("%x", h.Sum64()),
		cache:       NewCache(opts.CacheBytes),
		infos:       map[string]versionedInfo{},
	}
}

// Options returns the tiler's options with defaults filled in.
func (t *Tiler) Options() Options { return t.opts }

// Cache returns the tiler's cache.
func (t *Tiler) Cache() *Cache { return t.cache }

// Tile returns the tile of snaps (one layer each, in this order) at tile, from
// the cache when it holds it (cached is then true).
func (t *Tiler) Tile(ctx context.Context, snaps []*catalog.Snapshot, tile maptile.Tile) (result *Tile, cached bool, err error) {
	for _, s := range snaps {
		t.cache.observe(s.ID(), s.Version())
	}
	key := tileKey(snaps, tile)
	if c, ok := t.cache.get(key); ok {
		return c, true, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	// The work is shared by every request waiting for this tile: one client
	// going away must not fail the others, so it runs without cancellation.
	shared := context.WithoutCancel(ctx)
	v, err, _ := t.flight.Do(key, func() (any, error) {
		data, err := t.encode(shared, snaps, tile)
		if err != nil {
			return nil, err
		}
		made := t.newTile(key, snaps, data)
		t.cache.add(made)
		return made, nil
	})
	if err != nil {
		return nil, false, err
	}
	return v.(*Tile), false, nil
}

func (t *Tiler) newTile(key string, snaps []*catalog.Snapshot, data []byte) *Tile {
	h := fnv.New64a()
	h.Write([]byte(t.fingerprint))
	h.Write([]byte(key))
	tl := &Tile{Data: data, ETag: fmt.Sprintf(`"%x"`, h.Sum64()), key: key, cache: t.cache}
	for _, s := range snaps {
		tl.versions = append(tl.versions, collectionVersion{s.ID(), s.Version()})
	}
	return tl
}

// tileKey names a tile: its position and the versions of its collections.
func tileKey(snaps []*catalog.Snapshot, tile maptile.Tile) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d/%d/%d", tile.Z, tile.X, tile.Y)
	for _, s := range snaps {
		fmt.Fprintf(&b, ":%s@%d", s.ID(), s.Version())
	}
	return b.String()
}

// encode makes the tile's bytes. A tile of several collections is the
// concatenation of their one-layer tiles (MVT layers are independent messages),
// which the cache shares with the collections' own tilesets; when together
// they exceed MaxBytes, each layer is encoded again within its share.
func (t *Tiler) encode(ctx context.Context, snaps []*catalog.Snapshot, tile maptile.Tile) ([]byte, error) {
	if len(snaps) == 1 {
		return t.encodeLayer(snaps[0], tile, t.opts.MaxBytes), nil
	}
	parts := make([][]byte, len(snaps))
	total := 0
	for i, s := range snaps {
		one, _, err := t.Tile(ctx, snaps[i:i+1], tile)
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", s.ID(), err)
		}
		parts[i] = one.Data
		total += len(one.Data)
	}
	if total > t.opts.MaxBytes {
		for i, s := range snaps {
			share := int(int64(t.opts.MaxBytes) * int64(len(parts[i])) / int64(total))
			if len(parts[i]) <= share {
				continue
			}
			parts[i] = t.encodeLayer(s, tile, share)
		}
	}
	return bytes.Join(parts, nil), nil
}

func (t *Tiler) encodeLayer(snap *catalog.Snapshot, tile maptile.Tile, budget int) []byte {
	return gather(snap, t.info(snap), tile).encodeLayer(budget)
}

// info returns the layer info of snap's version, made once per version (a
// million points take a second to index) without holding up other collections.
func (t *Tiler) info(snap *catalog.Snapshot) *layerInfo {
	t.mu.Lock()
	vi, ok := t.infos[snap.ID()]
	t.mu.Unlock()
	if ok && vi.version == snap.Version() {
		return vi.info
	}
	key := snap.ID() + "@" + strconv.FormatInt(snap.Version(), 10)
	v, _, _ := t.analyses.Do(key, func() (any, error) {
		return analyse(snap, t.opts.layer(snap.ID())), nil
	})
	info := v.(*layerInfo)
	t.mu.Lock()
	defer t.mu.Unlock()
	if vi, ok := t.infos[snap.ID()]; !ok || vi.version < snap.Version() {
		t.infos[snap.ID()] = versionedInfo{snap.Version(), info}
	}
	return info
}
