package tiles_test

import (
	"context"
	"flag"
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/tiles"
)

var allTiles = flag.Bool("alltiles", false, "check every tile of the million points at every zoom, not a sample of 300 per zoom")

// blockCounts counts the points of snap in blocks of 64×64 tile units at zoom z
// (the buffer is one block wide), by projecting every point, without the index.
func blockCounts(snap *catalog.Snapshot, z maptile.Zoom) map[[2]int64]int {
	out := map[[2]int64]int{}
	for i := range snap.Features {
		w := maptile.Fraction(snap.Features[i].Geom.(orb.Point), z)
		x, y := int64(math.Floor(w[0]*tiles.Extent)), int64(math.Floor(w[1]*tiles.Extent))
		out[[2]int64{x >> 6, y >> 6}]++
	}
	return out
}

// sumBlocks adds the counts of the blocks from..to (inclusive) in both axes.
func sumBlocks(blocks map[[2]int64]int, x0, y0, x1, y1 int64) int {
	n := 0
	for x := x0; x <= x1; x++ {
		for y := y0; y <= y1; y++ {
			n += blocks[[2]int64{x, y}]
		}
	}
	return n
}

// tileCount is what a decoded point layer says about its points.
type tileCount struct {
	inside, buffered  int // singles plus cluster counts: in the tile, in the buffered tile
	singles, clusters int
}

func countTile(t *testing.T, data []byte, layer string) tileCount {
	t.Helper()
	var c tileCount
	l := decode(t, data)[layer]
	if l == nil {
		return c
	}
	if l.Extent != tiles.Extent {
		t.Fatalf("extent %d", l.Extent)
	}
	for _, f := range l.Features {
		p, ok := f.Geometry.(orb.Point)
		if !ok {
			t.Fatalf("point layer holds a %s", f.Geometry.GeoJSONType())
		}
		if p[0] < -tiles.Buffer || p[0] >= tiles.Extent+tiles.Buffer || p[1] < -tiles.Buffer || p[1] >= tiles.Extent+tiles.Buffer {
			t.Fatalf("point %v outside the buffered tile", p)
		}
		n := 1
		if v, ok := f.Properties[tiles.CountProperty]; ok {
			n = int(v.(float64))
			if n < 2 {
				t.Fatalf("cluster of %d points", n)
			}
			c.clusters++
		} else {
			if f.ID == nil || f.Properties[tiles.IDProperty] == nil {
				t.Fatalf("single point without its ids: %v %v", f.ID, f.Properties)
			}
			c.singles++
		}
		c.buffered += n
		if p[0] >= 0 && p[0] < tiles.Extent && p[1] >= 0 && p[1] < tiles.Extent {
			c.inside += n
		}
	}
	return c
}

// On a million clustered points, every tile of every zoom 0–14 stays within
// 500 KB, and its single points plus its clusters' point_count add up to the
// points of the tile and of the buffered tile: nothing disappears, nothing is
// counted twice.
func TestMillionPointsFitAndAddUp(t *testing.T) {
	if testing.Short() {
		t.Skip("a million points: not in -short")
	}
	snap := millionPoints(t)
	tiler := tiles.NewTiler(tiles.Options{CacheBytes: 1 << 20})
	for z := maptile.Zoom(0); z <= 14; z++ {
		blocks := blockCounts(snap, z)
		perTile := map[maptile.Tile]int{}
		for b, n := range blocks {
			perTile[maptile.New(uint32(b[0]>>6), uint32(b[1]>>6), z)] += n
		}
		var sizes []int
		var mu sync.Mutex
		work := make(chan maptile.Tile)
		var wg sync.WaitGroup
		for w := 0; w < 2; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for tile := range work {
					tl, _, err := tiler.Tile(context.Background(), []*catalog.Snapshot{snap}, tile)
					if err != nil {
						t.Error(err)
						continue
					}
					if len(tl.Data) > tiles.DefaultMaxBytes {
						t.Errorf("tile %v: %d bytes, above %d", tile, len(tl.Data), tiles.DefaultMaxBytes)
					}
					c := countTile(t, tl.Data, snap.ID())
					bx, by := int64(tile.X)*64, int64(tile.Y)*64
					if want := sumBlocks(blocks, bx, by, bx+63, by+63); c.inside != want {
						t.Errorf("tile %v: %d singles and clustered points in the tile, want %d", tile, c.inside, want)
					}
					if want := sumBlocks(blocks, bx-1, by-1, bx+64, by+64); c.buffered != want {
						t.Errorf("tile %v: %d singles and clustered points in the buffered tile, want %d", tile, c.buffered, want)
					}
					mu.Lock()
					sizes = append(sizes, len(tl.Data))
					mu.Unlock()
				}
			}()
		}
		limit := 300
		if *allTiles {
			limit = len(perTile)
		}
		for _, tile := range sampleTiles(perTile, limit) {
			work <- tile
		}
		close(work)
		wg.Wait()
		slices.Sort(sizes)
		t.Logf("z%-2d %5d of %5d tiles, size median %7d max %7d bytes", z, len(sizes), len(perTile), sizes[len(sizes)/2], sizes[len(sizes)-1])
		if t.Failed() {
			return
		}
	}
}

// sampleTiles returns every tile when there are at most n, else the n/2 tiles
// holding the most points (the ones that test the size bound) and n/2 others
// spread over the rest (every k-th in a fixed order).
func sampleTiles(perTile map[maptile.Tile]int, n int) []maptile.Tile {
	all := make([]maptile.Tile, 0, len(perTile))
	for tile := range perTile {
		all = append(all, tile)
	}
	slices.SortFunc(all, func(a, b maptile.Tile) int {
		if d := perTile[b] - perTile[a]; d != 0 {
			return d
		}
		return int(a.Quadkey()) - int(b.Quadkey())
	})
	if len(all) <= n {
		return all
	}
	out := all[: n/2 : n/2]
	rest := all[n/2:]
	step := len(rest) / (n / 2)
	for k := 0; k < len(rest) && len(out) < n; k += step {
		out = append(out, rest[k])
	}
	return out
}

// A tile of several collections stays within MaxBytes although each layer
// alone nearly fills it: each is encoded again within its share, and in each
// the singles and clusters still add up to the points of the buffered tile.
func TestCombinedTileFits(t *testing.T) {
	const maxBytes = 40_000
	a := snapshotOf(t, "a", 1, clusteredPoints(30000, 5))
	b := snapshotOf(t, "b", 1, clusteredPoints(30000, 6))
	tiler := tiles.NewTiler(tiles.Options{MaxBytes: maxBytes})
	shrunk := 0
	for z := maptile.Zoom(9); z <= 14; z++ {
		tile := maptile.At(orb.Point{towns[0].lon, towns[0].lat}, z)
		one, _, err := tiler.Tile(context.Background(), []*catalog.Snapshot{a}, tile)
		if err != nil {
			t.Fatal(err)
		}
		both, _, err := tiler.Tile(context.Background(), []*catalog.Snapshot{a, b}, tile)
		if err != nil {
			t.Fatal(err)
		}
		if len(one.Data) > maxBytes || len(both.Data) > maxBytes {
			t.Fatalf("z%d: %d bytes alone, %d together, bound %d", z, len(one.Data), len(both.Data), maxBytes)
		}
		if len(one.Data) > maxBytes/2 {
			shrunk++
		}
		for _, snap := range []*catalog.Snapshot{a, b} {
			blocks := blockCounts(snap, z)
			bx, by := int64(tile.X)*64, int64(tile.Y)*64
			if got, want := countTile(t, both.Data, snap.ID()).buffered, sumBlocks(blocks, bx-1, by-1, bx+64, by+64); got != want {
				t.Fatalf("z%d layer %s: %d points in the combined tile, want %d", z, snap.ID(), got, want)
			}
		}
	}
	if shrunk == 0 {
		t.Fatal("no layer filled more than half the bound: the test tests nothing")
	}
}
