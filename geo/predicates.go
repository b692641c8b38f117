package geo

import "github.com/paulmach/orb"

// SpatialRelation is one of the eight named spatial predicates of OGC Simple
// Features (and CQL2's S_* functions), evaluated as PostGIS evaluates them.
type SpatialRelation int

// The spatial relations.
const (
	Intersects SpatialRelation = iota
	Disjoint
	Contains
	Within
	Touches
	Crosses
	Overlaps
	Equals
)

var relationNames = [...]string{"intersects", "disjoint", "contains", "within", "touches", "crosses", "overlaps", "equals"}

// String is the lower-case name of the relation, as in ST_Intersects.
func (r SpatialRelation) String() string { return relationNames[r] }

// Holds reports whether the relation holds between a and b (in that order).
func (r SpatialRelation) Holds(a, b *Shape) bool {
	if r == Intersects {
		return shapesIntersect(a, b)
	}
	if r == Disjoint {
		return !shapesIntersect(a, b)
	}
	if !a.bound.Intersects(b.bound) {
		return false // every other relation needs a common point
	}
	return r.Matches(Relate(a, b), a.Dimension(), b.Dimension())
}

func isTrue(d int8) bool { return d >= 0 }

// Matches evaluates the relation on a DE-9IM matrix of geometries of dimensions
// da and db, with the rules of GEOS's IntersectionMatrix.
func (r SpatialRelation) Matches(m IM, da, db int) bool {
	const I, B, E = Interior, Boundary, Exterior
	disjoint := m[I][I] < 0 && m[I][B] < 0 && m[B][I] < 0 && m[B][B] < 0
	switch r {
	case Intersects:
		return !disjoint
	case Disjoint:
		return disjoint
	case Contains:
		return isTrue(m[I][I]) && m[E][I] < 0 && m[E][B] < 0
	case Within:
		return isTrue(m[I][I]) && m[I][E] < 0 && m[B][E] < 0
	case Equals:
		return da == db && isTrue(m[I][I]) && m[I][E] < 0 && m[B][E] < 0 && m[E][I] < 0 && m[E][B] < 0
	case Touches:
		if da == 0 && db == 0 {
			return false
		}
		return m[I][I] < 0 && (isTrue(m[I][B]) || isTrue(m[B][I]) || isTrue(m[B][B]))
	case Crosses:
		switch {
		case da < db && da >= 0:
			return isTrue(m[I][I]) && isTrue(m[I][E])
		case da > db && db >= 0:
			return isTrue(m[I][I]) && isTrue(m[E][I])
		case da == 1 && db == 1:
			return m[I][I] == 0
		}
		return false
	case Overlaps:
		switch {
		case da == db && da != 1:
			return isTrue(m[I][I]) && isTrue(m[I][E]) && isTrue(m[E][I])
		case da == 1 && db == 1:
			return m[I][I] == 1 && isTrue(m[I][E]) && isTrue(m[E][I])
		}
		return false
	}
	return false
}

// shapesIntersect reports whether a and b share a point, without computing the
// whole matrix: two shapes meet when two of their segments meet, when a point or
// line end of one lies on the other, or when one lies inside the other's area.
func shapesIntersect(a, b *Shape) bool {
	if a.dim < 0 || b.dim < 0 || !a.bound.Intersects(b.bound) {
		return false
	}
	for _, p := range a.points {
		if b.Locate(p) != Exterior {
			return true
		}
	}
	for _, p := range b.points {
		if a.Locate(p) != Exterior {
			return true
		}
	}
	small, large := a, b
	if len(small.segs) > len(large.segs) {
		small, large = large, small
	}
	for i := range small.segs {
		sa := &small.segs[i]
		box := segBound(sa)
		hit := false
		large.searchSegs(box, func(j int32) {
			if !hit && intersect(sa.a, sa.b, large.segs[j].a, large.segs[j].b).kind != crossNone {
				hit = true
			}
		})
		if hit {
			return true
		}
	}
	// No boundaries meet: each line or ring of one lies wholly inside or outside
	// the other's areas, so one vertex of it decides.
	return anyVertexInArea(a, b) || anyVertexInArea(b, a)
}

func anyVertexInArea(s, area *Shape) bool {
	if len(area.polys) == 0 {
		return false
	}
	for _, l := range s.lines {
		if area.locateArea(l[0]) != Exterior {
			return true
		}
	}
	for _, r := range s.rings {
		if area.locateArea(r.pts[0]) != Exterior {
			return true
		}
	}
	return false
}

// HoldsPoint evaluates the relation between the point p and s (p first, or s
// first when pointFirst is false) as Holds does, without taking p apart: a
// single point relates to s only by where it lies. ok is false when s is
// made of points and the relation needs more (contains, equals, overlaps).
func (r SpatialRelation) HoldsPoint(p orb.Point, s *Shape, pointFirst bool) (holds, ok bool) {
	if s.dim < 0 {
		return false, false
	}
	if !pointFirst {
		switch r {
		case Contains:
			r = Within
		case Within:
			r = Contains
		}
	}
	loc := Exterior
	if s.bound.Contains(p) {
		loc = s.nodeLabel(p, false)
	}
	switch r {
	case Intersects:
		return loc != Exterior, true
	case Disjoint:
		return loc == Exterior, true
	case Within:
		return loc == Interior, true
	case Touches:
		return s.dim > 0 && loc == Boundary, true
	case Crosses:
		return false, true
	}
	if s.dim > 0 {
		return false, true // contains, equals, overlaps need s as small as a point
	}
	return false, false
}
