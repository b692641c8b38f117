package filter

import "github.com/paulmach/orb"

// BBox returns a box that holds every feature the filter can select, taken
// from the spatial conditions of its top-level conjunction that compare the
// feature geometry with a literal (all S_* functions but S_DISJOINT need a
// common point). ok is false when the filter limits no area. When the boxes of
// several conditions do not meet, Min lies beyond Max and no feature matches.
// The caller searches its R-tree with the box first, then calls Match.
func (x *Expr) BBox() (b orb.Bound, ok bool) {
	var walk func(e *expr)
	walk = func(e *expr) {
		if e.op == "and" {
			for _, a := range e.args {
				walk(a)
			}
			return
		}
		if !spatialOps[e.op] || e.op == "s_disjoint" {
			return
		}
		for i, lit := range e.args {
			other := e.args[1-i]
			if lit.shape == nil || other.op != OpProperty {
				continue
			}
			lb := lit.shape.Bound()
			if !ok {
				b, ok = lb, true
				return
			}
			b = orb.Bound{
				Min: orb.Point{max(b.Min[0], lb.Min[0]), max(b.Min[1], lb.Min[1])},
				Max: orb.Point{min(b.Max[0], lb.Max[0]), min(b.Max[1], lb.Max[1])},
			}
			return
		}
	}
	walk(x.check)
	return b, ok
}
