package geo

import (
	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// Index is an R-tree over feature positions (int32 indexes into a snapshot's
// feature slice) keyed by their bounding boxes in lon/lat degrees.
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
