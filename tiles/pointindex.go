package tiles

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/vn-opendata/geodata/catalog"
)

// indexLevel is the depth of the point index's Morton keys: sub-tiles of a
// tile at zoom z are taken at level z+6 (64 units wide, the buffer's width),
// which the deepest zoom still allows.
const indexLevel = MaxZoomLimit + 6

// pointIndex orders the points of a snapshot along a Morton (Z-order) curve,
// so the points of any tile, or of any buffer strip, are one contiguous run:
// finding the points of a tile costs a few binary searches, not a walk over an
// R-tree that yields a million items at low zooms.
type pointIndex struct {
	keys []uint64    // Morton keys at indexLevel, ascending
	pos  []orb.Point // Web Mercator fraction of the world (0..1), in key order
	idx  []int32     // feature position in the snapshot, in key order
}

// newPointIndex indexes snap when all its features are single points, else nil.
func newPointIndex(snap *catalog.Snapshot) *pointIndex {
	type item struct {
		key uint64
		pos orb.Point
		i   int32
	}
	items := make([]item, len(snap.Features))
	scale := float64(uint64(1) << indexLevel)
	for i := range snap.Features {
		p, ok := snap.Features[i].Geom.(orb.Point)
		if !ok {
			return nil
		}
		w := maptile.Fraction(p, 0)
		items[i] = item{key: morton(clampUnit(w[0]*scale), clampUnit(w[1]*scale)), pos: w, i: int32(i)}
	}
	slices.SortFunc(items, func(a, b item) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return int(a.i - b.i)
	})
	x := &pointIndex{keys: make([]uint64, len(items)), pos: make([]orb.Point, len(items)), idx: make([]int32, len(items))}
	for k, it := range items {
		x.keys[k], x.pos[k], x.idx[k] = it.key, it.pos, it.i
	}
	return x
}

func clampUnit(v float64) uint32 {
	return uint32(min(max(math.Floor(v), 0), float64(uint32(1)<<indexLevel-1)))
}

// morton interleaves the bits of x and y (x in the even bits).
func morton(x, y uint32) uint64 {
	return spread(x) | spread(y)<<1
}

func spread(v uint32) uint64 {
	x := uint64(v)
	x = (x | x<<16) & 0x0000FFFF0000FFFF
	x = (x | x<<8) & 0x00FF00FF00FF00FF
	x = (x | x<<4) & 0x0F0F0F0F0F0F0F0F
	x = (x | x<<2) & 0x3333333333333333
	x = (x | x<<1) & 0x5555555555555555
	return x
}

// span is a run [from, to) of the point index.
type span struct{ from, to int }

// spans returns the runs of the index holding the points of the buffered tile:
// the tile itself, and strips one sub-tile (Buffer units) wide along its four
// edges and at its four corners.
func (x *pointIndex) spans(t maptile.Tile) []span {
	z := int(t.Z)
	n := int64(1) << z
	var out []span
	add := func(level int, sx, sy int64) {
		if sx < 0 || sy < 0 || sx >= n<<(level-z) || sy >= n<<(level-z) {
			return // beyond the edge of the world
		}
		shift := 2 * uint(indexLevel-level)
		lo := morton(uint32(sx), uint32(sy)) << shift
		from, _ := slices.BinarySearch(x.keys, lo)
		to, _ := slices.BinarySearch(x.keys, lo+1<<shift)
		if to > from {
			out = append(out, span{from, to})
		}
	}
	add(z, int64(t.X), int64(t.Y))
	const sub = Extent / Buffer
	l := z + 6 // sub-tiles of Buffer units
	x0, y0 := int64(t.X)*sub, int64(t.Y)*sub
	for k := int64(0); k < sub; k++ {
		add(l, x0-1, y0+k)
		add(l, x0+sub, y0+k)
		add(l, x0+k, y0-1)
		add(l, x0+k, y0+sub)
	}
	add(l, x0-1, y0-1)
	add(l, x0+sub, y0-1)
	add(l, x0-1, y0+sub)
	add(l, x0+sub, y0+sub)
	return out
}

// each calls fn with the world unit (at the frame's zoom) and the feature
// position of every point of spans.
func (x *pointIndex) each(f frame, spans []span, fn func(wx, wy int64, i int32)) {
	scale := float64(int64(Extent) << f.tile.Z)
	for _, s := range spans {
		for k := s.from; k < s.to; k++ {
			fn(int64(math.Floor(x.pos[k][0]*scale)), int64(math.Floor(x.pos[k][1]*scale)), x.idx[k])
		}
	}
}
