package geo

import "github.com/paulmach/orb"

// Copy returns a copy of the index that shares its nodes until either is changed
// (copy-on-write), so a new snapshot can be derived from an old one cheaply.
func (x *Index) Copy() *Index { return &Index{tree: *x.tree.Copy()} }

// Delete removes item i with bounding box b.
func (x *Index) Delete(b orb.Bound, i int32) {
	x.tree.Delete([2]float64(b.Min), [2]float64(b.Max), i)
}
