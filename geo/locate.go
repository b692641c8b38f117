package geo

import "github.com/paulmach/orb"

// Location is where a point lies relative to a geometry; the rows and columns
// of a DE-9IM matrix.
type Location int8

// The locations of DE-9IM.
const (
	Interior Location = iota
	Boundary
	Exterior
)

// Locate returns where p lies relative to s, by the rules of GEOS's
// PointLocator that PostGIS uses: a point on the boundaries of an odd number of
// components is on the boundary (the "mod-2" rule, so two lines meeting end to
// end join in their interior), a point in some component's interior or on an
// even, non-zero number of component boundaries is in the interior.
func (s *Shape) Locate(p orb.Point) Location {
	if s.dim < 0 || !s.bound.Contains(p) {
		return Exterior
	}
	isIn := false
	for _, q := range s.points {
		if q == p {
			isIn = true
			break
		}
	}
	onBoundary := 0
	if len(s.lines) > 0 {
		for _, li := range s.linesAt(p) {
			l := s.lines[li]
			if l[0] != l[len(l)-1] && (p == l[0] || p == l[len(l)-1]) {
				onBoundary++
			} else {
				isIn = true
			}
		}
	}
	if len(s.polys) > 0 {
		st := s.ringStates(p)
		for i := range s.polys {
			switch s.locateInPolygon(i, st) {
			case Boundary:
				onBoundary++
			case Interior:
				isIn = true
			}
		}
	}
	switch {
	case onBoundary%2 == 1:
		return Boundary
	case onBoundary > 0 || isIn:
		return Interior
	}
	return Exterior
}

// locateArea returns where p lies relative to the polygons of s alone: inside
// one, on the boundary of one, or outside all (GEOS's SimplePointInAreaLocator).
func (s *Shape) locateArea(p orb.Point) Location {
	if len(s.polys) == 0 || !s.bound.Contains(p) {
		return Exterior
	}
	st := s.ringStates(p)
	for i := range s.polys {
		if loc := s.locateInPolygon(i, st); loc != Exterior {
			return loc
		}
	}
	return Exterior
}

// linesAt returns the lines of s that pass through p, each once.
func (s *Shape) linesAt(p orb.Point) []int32 {
	var out []int32
	s.searchSegs(orb.Bound{Min: p, Max: p}, func(i int32) {
		sg := &s.segs[i]
		if sg.isRing() || !onSegment(p, sg.a, sg.b) {
			return
		}
		for _, l := range out {
			if l == sg.comp {
				return
			}
		}
		out = append(out, sg.comp)
	})
	return out
}

// ringState is what a horizontal ray from a point to the right meets on one ring.
type ringState struct {
	crossings int
	on        bool // the point lies on the ring
}

// ringStates counts, for every ring of s, the crossings of a ray from p to the
// right, as GEOS's RayCrossingCounter does (with exact orientation).
func (s *Shape) ringStates(p orb.Point) []ringState {
	st := make([]ringState, len(s.rings))
	ray := orb.Bound{Min: p, Max: orb.Point{max(s.bound.Max[0], p[0]), p[1]}}
	s.searchSegs(ray, func(i int32) {
		sg := &s.segs[i]
		if !sg.isRing() {
			return
		}
		r := &st[sg.ring]
		if r.on {
			return
		}
		countCrossing(p, sg.a, sg.b, r)
	})
	return st
}

func countCrossing(p, p1, p2 orb.Point, r *ringState) {
	if p1[0] < p[0] && p2[0] < p[0] {
		return // strictly left of the point
	}
	if p == p2 || p == p1 {
		r.on = true
		return
	}
	if p1[1] == p[1] && p2[1] == p[1] { // horizontal segment at the point's height
		if p[0] >= min(p1[0], p2[0]) && p[0] <= max(p1[0], p2[0]) {
			r.on = true
		}
		return
	}
	if (p1[1] > p[1] && p2[1] <= p[1]) || (p2[1] > p[1] && p1[1] <= p[1]) {
		o := orient(p1, p2, p)
		if o == 0 {
			r.on = true
			return
		}
		if p2[1] < p1[1] {
			o = -o
		}
		if o > 0 {
			r.crossings++
		}
	}
}

// locateInPolygon locates a point in polygon i from the ring states of the point.
func (s *Shape) locateInPolygon(i int, st []ringState) Location {
	poly := &s.polys[i]
	shell := st[poly.first]
	switch {
	case shell.on:
		return Boundary
	case shell.crossings%2 == 0:
		return Exterior
	}
	for h := poly.first + 1; h < poly.first+poly.n; h++ {
		switch {
		case st[h].on:
			return Boundary
		case st[h].crossings%2 == 1:
			return Exterior
		}
	}
	return Interior
}
