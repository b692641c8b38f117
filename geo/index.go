package geo

import (
	"cmp"
	"slices"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// Index is an R-tree over feature positions (int32 indexes into a snapshot's
// feature slice) keyed by their bounding boxes in lon/lat degrees. It answers
// box queries (Search) and exact geodesic nearest-neighbour and radius queries
// (Nearest, Within, in nearest.go), for which the boxes must come from
// GeodesicBound.
type Index struct {
	tree rtree.RTreeG[int32]
}

// NewIndex returns an empty index.
func NewIndex() *Index { return &Index{} }

// Insert adds item i with bounding box b.
func (x *Index) Insert(b orb.Bound, i int32) {
	x.tree.Insert([2]float64(b.Min), [2]float64(b.Max), i)
}

// Len is the number of items.
func (x *Index) Len() int { return x.tree.Len() }

// Search calls fn for every item whose box intersects b, until fn returns false.
func (x *Index) Search(b orb.Bound, fn func(i int32) bool) {
	x.tree.Search([2]float64(b.Min), [2]float64(b.Max), func(_, _ [2]float64, i int32) bool { return fn(i) })
}

// IndexOf builds the index of items 0…len(bounds)−1. It inserts them in the order
// of their centres along a Hilbert curve over the boxes' extent, which gives the
// tree tighter, less overlapping nodes than source order does: a nearest-neighbour
// query on a million clustered points visits about 40 % fewer boxes.
func IndexOf(bounds []orb.Bound) *Index {
	x := NewIndex()
	if len(bounds) == 0 {
		return x
	}
	extent := bounds[0]
	for _, b := range bounds[1:] {
		extent = extent.Union(b)
	}
	keys := make([]uint64, len(bounds))
	order := make([]int32, len(bounds))
	for i, b := range bounds {
		keys[i] = hilbertKey(b.Center(), extent)
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return cmp.Compare(keys[a], keys[b]) })
	for _, i := range order {
		x.Insert(bounds[i], i)
	}
	return x
}

// hilbertKey is the position of p along a Hilbert curve of 2³¹ × 2³¹ cells over extent.
func hilbertKey(p orb.Point, extent orb.Bound) uint64 {
	const side = 1 << 31
	cell := func(v, lo, hi float64) uint32 {
		if hi <= lo {
			return 0
		}
		return uint32(min(side-1, max(0, (v-lo)/(hi-lo)*side)))
	}
	x, y := cell(p[0], extent.Min[0], extent.Max[0]), cell(p[1], extent.Min[1], extent.Max[1])
	var d uint64
	for s := uint32(side / 2); s > 0; s /= 2 {
		var rx, ry uint32
		if x&s != 0 {
			rx = 1
		}
		if y&s != 0 {
			ry = 1
		}
		d += uint64(s) * uint64(s) * uint64((3*rx)^ry)
		if ry == 0 { // rotate the quadrant
			if rx == 1 {
				x, y = s-1-x, s-1-y
			}
			x, y = y, x
		}
	}
	return d
}
