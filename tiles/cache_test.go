package tiles_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/tiles"
)

func mustTile(t *testing.T, tiler *tiles.Tiler, snaps []*catalog.Snapshot, tile maptile.Tile) (*tiles.Tile, bool) {
	t.Helper()
	tl, cached, err := tiler.Tile(context.Background(), snaps, tile)
	if err != nil {
		t.Fatal(err)
	}
	return tl, cached
}

// A new version of a collection changes the key and ETag of its tiles and
// drops every cached tile of the old version, alone or combined with others;
// the other collection's tiles stay.
func TestCacheNewVersionEvicts(t *testing.T) {
	fc := clusteredPoints(5000, 1)
	a1, a2 := snapshotOf(t, "a", 1, fc), snapshotOf(t, "a", 2, fc)
	b1 := snapshotOf(t, "b", 1, clusteredPoints(3000, 2))
	tiler := tiles.NewTiler(tiles.Options{})
	cache := tiler.Cache()
	var tileList []maptile.Tile
	for z := maptile.Zoom(8); z <= 12; z++ {
		tileList = append(tileList, maptile.At(orb.Point{towns[0].lon, towns[0].lat}, z))
	}
	etags := map[maptile.Tile]string{}
	for _, tile := range tileList {
		tl, cached := mustTile(t, tiler, []*catalog.Snapshot{a1}, tile)
		if cached || tl.Empty() {
			t.Fatalf("first request of %v: cached %v, empty %v", tile, cached, tl.Empty())
		}
		etags[tile] = tl.ETag
		if again, cached := mustTile(t, tiler, []*catalog.Snapshot{a1}, tile); !cached || again.ETag != tl.ETag {
			t.Fatalf("second request of %v: cached %v, ETag %s then %s", tile, cached, tl.ETag, again.ETag)
		}
		mustTile(t, tiler, []*catalog.Snapshot{a1, b1}, tile)
	}
	// per tile: a alone, b alone (made for the combined tile), a+b
	if n := cache.Holds("a", 1); n != 2*len(tileList) {
		t.Fatalf("cache holds %d tiles of a version 1, want %d", n, 2*len(tileList))
	}
	tl, cached := mustTile(t, tiler, []*catalog.Snapshot{a2}, tileList[0])
	if cached {
		t.Fatal("version 2 served from the cache")
	}
	if tl.ETag == etags[tileList[0]] {
		t.Fatalf("version 2 has the ETag of version 1: %s", tl.ETag)
	}
	if n := cache.Holds("a", 1); n != 0 {
		t.Fatalf("after version 2, %d tiles of version 1 are still cached", n)
	}
	if n := cache.Holds("b", 1); n != len(tileList) {
		t.Fatalf("b's own tiles were dropped too: %d left, want %d", n, len(tileList))
	}
	if _, cached := mustTile(t, tiler, []*catalog.Snapshot{a1}, tileList[1]); cached {
		t.Fatal("an old version's tile came from the cache")
	}
	if n := cache.Holds("a", 1); n != 0 {
		t.Fatal("a tile of an old version was cached again")
	}
}

// The cache stays within its byte budget, evicting the least recently used.
func TestCacheBudget(t *testing.T) {
	snap := snapshotOf(t, "a", 1, clusteredPoints(20000, 3))
	const budget = 64 << 10
	tiler := tiles.NewTiler(tiles.Options{CacheBytes: budget})
	cache := tiler.Cache()
	center := orb.Point{towns[0].lon, towns[0].lat}
	first := maptile.At(center, 14)
	for z := maptile.Zoom(4); z <= 14; z++ {
		for _, tile := range append(maptile.At(center, z).Siblings(), first) {
			tl, _ := mustTile(t, tiler, []*catalog.Snapshot{snap}, tile)
			tl.Gzip()
			if st := cache.Stats(); st.Bytes > budget {
				t.Fatalf("cache holds %d bytes, budget %d", st.Bytes, budget)
			}
		}
	}
	st := cache.Stats()
	if st.Evictions == 0 || st.Entries == 0 {
		t.Fatalf("no eviction or nothing cached: %+v", st)
	}
	if _, cached := mustTile(t, tiler, []*catalog.Snapshot{snap}, first); !cached {
		t.Fatal("the tile used after every other was evicted")
	}
}

// Many clients asking for the same tiles at once, while a new version arrives,
// each get the bytes of the version they asked for (and tiles are encoded the
// same way every time: stable between requests).
func TestConcurrentRequests(t *testing.T) {
	fc := clusteredPoints(20000, 9)
	versions := []*catalog.Snapshot{snapshotOf(t, "a", 1, fc), snapshotOf(t, "a", 2, clusteredPoints(20000, 10))}
	center := orb.Point{towns[0].lon, towns[0].lat}
	var tileList []maptile.Tile
	for z := maptile.Zoom(6); z <= 13; z++ {
		tileList = append(tileList, maptile.At(center, z).Siblings()...)
	}
	want := map[string][]byte{}
	fresh := tiles.NewTiler(tiles.Options{CacheBytes: 1})
	for _, s := range versions {
		for _, tile := range tileList {
			tl, _ := mustTile(t, fresh, []*catalog.Snapshot{s}, tile)
			want[fmt.Sprint(s.Version(), tile)] = tl.Data
		}
	}
	tiler := tiles.NewTiler(tiles.Options{})
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for k := 0; k < 200; k++ {
				s := versions[min(1, k/100)]
				tile := tileList[(k*7+g)%len(tileList)]
				tl, _, err := tiler.Tile(context.Background(), []*catalog.Snapshot{s}, tile)
				if err != nil {
					errs <- err.Error()
					return
				}
				if !bytes.Equal(tl.Data, want[fmt.Sprint(s.Version(), tile)]) {
					errs <- fmt.Sprintf("version %d tile %v: other bytes than a fresh encoding", s.Version(), tile)
					return
				}
				tl.Gzip()
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}
