package geo

import "github.com/paulmach/orb"

// IntersectsBound reports whether geometry g and the closed box b share a point,
// as PostGIS ST_Intersects(g, ST_MakeEnvelope(b)) does: touching the edge counts.
func IntersectsBound(g orb.Geometry, b orb.Bound) bool {
	if !g.Bound().Intersects(b) {
		return false
	}
	switch g := g.(type) {
	case orb.Point:
		return b.Contains(g)
	case orb.MultiPoint:
		for _, p := range g {
			if b.Contains(p) {
				return true
			}
		}
		return false
	case orb.LineString:
		return lineIntersectsBound(g, b)
	case orb.MultiLineString:
		for _, l := range g {
			if lineIntersectsBound(l, b) {
				return true
			}
		}
		return false
	case orb.Ring:
		return polygonIntersectsBound(orb.Polygon{g}, b)
	case orb.Polygon:
		return polygonIntersectsBound(g, b)
	case orb.MultiPolygon:
		for _, p := range g {
			if polygonIntersectsBound(p, b) {
				return true
			}
		}
		return false
	case orb.Collection:
		for _, c := range g {
			if IntersectsBound(c, b) {
				return true
			}
		}
		return false
	case orb.Bound:
		return g.Intersects(b)
	}
	return false
}

func lineIntersectsBound(l orb.LineString, b orb.Bound) bool {
	if len(l) == 1 {
		return b.Contains(l[0])
	}
	for i := 1; i < len(l); i++ {
		if segmentIntersectsBound(l[i-1], l[i], b) {
			return true
		}
	}
	return false
}

// segmentIntersectsBound clips segment p-q against b (Liang–Barsky).
func segmentIntersectsBound(p, q orb.Point, b orb.Bound) bool {
	t0, t1 := 0.0, 1.0
	dx, dy := q[0]-p[0], q[1]-p[1]
	clip := func(den, num float64) bool {
		switch {
		case den == 0:
			return num >= 0
		case den > 0:
			t := num / den
			if t < t0 {
				return false
			}
			t1 = min(t1, t)
		default:
			t := num / den
			if t > t1 {
				return false
			}
			t0 = max(t0, t)
		}
		return t0 <= t1
	}
	return clip(-dx, p[0]-b.Min[0]) && clip(dx, b.Max[0]-p[0]) &&
		clip(-dy, p[1]-b.Min[1]) && clip(dy, b.Max[1]-p[1])
}

func polygonIntersectsBound(p orb.Polygon, b orb.Bound) bool {
	if len(p) == 0 {
		return false
	}
	for _, r := range p {
		if lineIntersectsBound(orb.LineString(r), b) {
			return true
		}
	}
	// No boundary crosses the box: either the box lies inside the polygon (not in a hole)
	// or they are disjoint.
	return PolygonContains(p, b.Min)
}

// PolygonContains reports whether pt lies inside polygon p (inside the exterior
// ring and outside every hole), by ray casting.
func PolygonContains(p orb.Polygon, pt orb.Point) bool {
	if len(p) == 0 || !ringContains(p[0], pt) {
		return false
	}
	for _, hole := range p[1:] {
		if ringContains(hole, pt) {
			return false
		}
	}
	return true
}

func ringContains(r orb.Ring, pt orb.Point) bool {
	in := false
	for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
		a, b := r[i], r[j]
		if (a[1] > pt[1]) != (b[1] > pt[1]) &&
			pt[0] < (b[0]-a[0])*(pt[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}
