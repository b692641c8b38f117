package geo

import (
	"fmt"

	"github.com/paulmach/orb"
)

// CheckAreas returns why the polygons of g are not valid in the sense of OGC
// Simple Features, or nil: a ring that crosses or touches itself, a hole that
// crosses its shell or lies outside it, holes that overlap, and polygons of a
// multipolygon whose interiors overlap. GEOS (and so PostGIS) gives
// undefined results or throws on such input, so a filter refuses it. It does
// not test the rarer invalidities (a hole that cuts the interior in two).
func CheckAreas(g orb.Geometry) error {
	switch g := g.(type) {
	case orb.Polygon:
		return checkPolygon(g)
	case orb.MultiPolygon:
		shapes := make([]*Shape, len(g))
		for i, p := range g {
			if err := checkPolygon(p); err != nil {
				return fmt.Errorf("polygon %d: %w", i+1, err)
			}
			shapes[i] = NewShape(p)
			for j := range i {
				if m := Relate(shapes[j], shapes[i]); m[Interior][Interior] >= 0 {
					return fmt.Errorf("polygons %d and %d of the multipolygon overlap", j+1, i+1)
				}
			}
		}
	case orb.Collection:
		for i, c := range g {
			if err := CheckAreas(c); err != nil {
				return fmt.Errorf("geometry %d of the collection: %w", i+1, err)
			}
		}
	}
	return nil
}

func checkPolygon(p orb.Polygon) error {
	for i, r := range p {
		if at, bad := selfIntersection(dedup(r)); bad {
			return fmt.Errorf("ring %d crosses or touches itself at (%v %v)", i+1, at[0], at[1])
		}
	}
	if len(p) < 2 {
		return nil
	}
	shell := NewShape(orb.Polygon{p[0]})
	holes := make([]*Shape, len(p)-1)
	for i, h := range p[1:] {
		holes[i] = NewShape(orb.Polygon{h})
		if !Within.Holds(holes[i], shell) {
			return fmt.Errorf("hole %d is not inside the outer ring", i+1)
		}
		for j := range i {
			if m := Relate(holes[j], holes[i]); m[Interior][Interior] >= 0 {
				return fmt.Errorf("holes %d and %d overlap", j+1, i+1)
			}
		}
	}
	return nil
}

// selfIntersection finds where a closed ring meets itself other than at the
// shared ends of neighbouring segments.
func selfIntersection(r []orb.Point) (orb.Point, bool) {
	n := len(r) - 1 // segments
	s := NewShape(orb.LineString(r))
	for i := range n {
		var at orb.Point
		bad := false
		s.searchSegs(segBound(&s.segs[i]), func(j32 int32) {
			j := int(j32)
			if bad || j <= i {
				return
			}
			x := intersect(r[i], r[i+1], r[j], r[j+1])
			if x.kind == crossNone {
				return
			}
			neighbours := j == i+1 || i == 0 && j == n-1
			if neighbours && x.kind == crossPoint {
				return // the vertex they share
			}
			at, bad = x.p, true
		})
		if bad {
			return at, true
		}
	}
	return orb.Point{}, false
}
