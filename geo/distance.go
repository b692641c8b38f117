package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// DistanceTo is the geodesic distance in metres from p to geometry g on WGS84 and
// the point of g where it is reached, with PostGIS geography semantics: the edges
// of lines and rings are great-circle arcs, the nearest point of an edge is found
// on the sphere and its distance measured on the ellipsoid (as ST_Distance(
// geography, geography, true) does), a point inside a polygon is at distance 0.
// A nil or empty geometry is infinitely far.
func DistanceTo(p orb.Point, g orb.Geometry) (metres float64, nearest orb.Point) {
	return DistanceWithin(p, g, math.Inf(1))
}

// DistanceWithin is DistanceTo for a caller that only wants g when it lies
// within limit metres: the answer is exact when it is at most limit, and some
// larger value otherwise. Edges of lines that cannot come that near are skipped,
// which makes a nearest-neighbour search over long lines much cheaper.
func DistanceWithin(p orb.Point, g orb.Geometry, limit float64) (metres float64, nearest orb.Point) {
	metres = math.Inf(1)
	consider := func(d float64, at orb.Point) {
		if d < metres {
			metres, nearest = d, at
		}
	}
	switch g := g.(type) {
	case orb.Point:
		return Distance(p, g), g
	case orb.MultiPoint:
		for _, q := range g {
			consider(Distance(p, q), q)
		}
	case orb.LineString:
		if len(g) > 0 {
			at := nearestOnLine(p, g, limit)
			return Distance(p, at), at
		}
	case orb.MultiLineString:
		for _, l := range g {
			if len(l) > 0 {
				at := nearestOnLine(p, l, limit)
				consider(Distance(p, at), at)
			}
		}
	case orb.Ring:
		return DistanceWithin(p, orb.Polygon{g}, limit)
	case orb.Polygon:
		return distanceToPolygon(p, g, limit)
	case orb.MultiPolygon:
		for _, poly := range g {
			consider(distanceToPolygon(p, poly, limit))
		}
	case orb.Collection:
		for _, c := range g {
			consider(DistanceWithin(p, c, limit))
		}
	case orb.Bound:
		return DistanceWithin(p, g.ToPolygon(), limit)
	}
	return metres, nearest
}

// chordBound is a chord of the unit sphere longer than that of any two points
// within metres of each other on WGS84: the angle is taken on the polar radius
// (the smallest) with 1 % to spare for the ellipsoid's flattening.
func chordBound(metres float64) float64 {
	angle := 1.01 * metres / 6356752.314
	if angle >= math.Pi || math.IsInf(metres, 1) || math.IsNaN(metres) {
		return math.Inf(1)
	}
	return 2 * math.Sin(angle/2)
}

func distanceToPolygon(p orb.Point, poly orb.Polygon, limit float64) (float64, orb.Point) {
	if PolygonContains(poly, p) {
		return 0, p
	}
	return DistanceWithin(p, orb.MultiLineString(polygonRings(poly)), limit)
}

func polygonRings(poly orb.Polygon) []orb.LineString {
	out := make([]orb.LineString, len(poly))
	for i, r := range poly {
		out[i] = orb.LineString(r)
	}
	return out
}

// vec3 is a point of the unit sphere, from geodetic lon/lat as PostGIS's
// geography edge functions take them.
type vec3 [3]float64

func toVec(p orb.Point) vec3 {
	sl, cl := math.Sincos(p[1] * rad)
	so, co := math.Sincos(p[0] * rad)
	return vec3{cl * co, cl * so, sl}
}

func (v vec3) point() orb.Point {
	return orb.Point{math.Atan2(v[1], v[0]) / rad, math.Atan2(v[2], hypot(v[0], v[1])) / rad}
}

func (v vec3) dot(w vec3) float64 { return v[0]*w[0] + v[1]*w[1] + v[2]*w[2] }

func (v vec3) cross(w vec3) vec3 {
	return vec3{v[1]*w[2] - v[2]*w[1], v[2]*w[0] - v[0]*w[2], v[0]*w[1] - v[1]*w[0]}
}

func (v vec3) scaled(s float64) vec3 { return vec3{v[0] * s, v[1] * s, v[2] * s} }

func (v vec3) minus(w vec3) vec3 { return vec3{v[0] - w[0], v[1] - w[1], v[2] - w[2]} }

func (v vec3) normalized() (vec3, bool) {
	n := math.Sqrt(v.dot(v))
	if n == 0 {
		return v, false
	}
	return v.scaled(1 / n), true
}

// nearestOnLine is the point of line l nearest to p on the sphere: for every
// edge, its end points and, when it falls inside the edge, the foot of the
// perpendicular great circle through p. Candidates are compared by chord,
// which keeps its precision at short range (a dot product near 1 does not).
//
// Two bounds spare work on long lines. With a finite limit (metres beyond
// which the caller has no use for the line), an edge that latitudes alone put
// farther is skipped before any trigonometry (edgeBeyond). And an edge whose
// chord bound shows it cannot come nearer than the best so far (or than the
// limit) is not projected on: every point x of the arc from a to b has
// |x−a| ≤ |b−a|, so |p−x| ≥ max(|p−a|, |p−b|) − |b−a|.
func nearestOnLine(p orb.Point, l orb.LineString, limit float64) orb.Point {
	if len(l) == 1 {
		return l[0]
	}
	pv := toVec(p)
	bound := chordBound(limit)
	chord := func(v vec3) float64 { d := pv.minus(v); return math.Sqrt(d.dot(d)) }
	best, bestChord := l[0], math.Inf(1)
	var a vec3
	var ca float64
	haveA := false // a and ca are l[i-1]'s
	for i := 1; i < len(l); i++ {
		if edgeBeyond(p, l[i-1], l[i], limit) {
			haveA = false
			continue
		}
		if !haveA {
			a = toVec(l[i-1])
			if ca = chord(a); ca < bestChord {
				best, bestChord = l[i-1], ca
			}
		}
		b := toVec(l[i])
		cb := chord(b)
		if cb < bestChord {
			best, bestChord = l[i], cb
		}
		ab := b.minus(a)
		if max(ca, cb)-math.Sqrt(ab.dot(ab)) <= min(bestChord, bound)+chordSlack {
			if foot, ok := edgeFoot(pv, a, b); ok {
				if c := chord(foot); c < bestChord {
					best, bestChord = foot.point(), c
				}
			}
		}
		a, ca, haveA = b, cb, true
	}
	return best
}

// maxMetresPerDegree bounds the length of a degree of latitude (longest at the
// poles) and of longitude (longest at the equator) on WGS84.
const maxMetresPerDegree = 111700

// edgeBeyond reports whether every point of the edge from a to b is farther
// than limit metres from p, by latitudes alone: a point x of the edge is at
// least d(p, a) − d(a, x) from p, d(p, a) is at least the meridian arc between
// their latitudes, and d(a, x) at most a meridian arc plus a parallel arc
// spanning the edge (with 1 % and a metre to spare for the sphere's arcs).
func edgeBeyond(p, a, b orb.Point, limit float64) bool {
	if math.IsInf(limit, 1) {
		return false
	}
	near := max(math.Abs(a[1]-p[1]), math.Abs(b[1]-p[1])) * minMetresPerDegree
	dLon := math.Abs(a[0] - b[0])
	if dLon > 180 {
		dLon = 360 - dLon
	}
	span := (math.Abs(a[1]-b[1]) + dLon) * maxMetresPerDegree
	return near-1.01*span-1 > limit
}

// chordSlack absorbs rounding in the edge bound of nearestOnLine (on the unit
// sphere: about 6 µm on the ground).
const chordSlack = 1e-12

// edgeFoot is the projection of p on the great circle through a and b, when it
// lies on the shorter arc from a to b.
func edgeFoot(p, a, b vec3) (vec3, bool) {
	n, ok := a.cross(b).normalized()
	if !ok {
		return vec3{}, false // a zero-length edge: its ends count already
	}
	k, ok := p.minus(n.scaled(p.dot(n))).normalized()
	if !ok {
		return vec3{}, false // p is a pole of the edge's great circle: every point is as far
	}
	if a.cross(k).dot(n) < 0 || k.cross(b).dot(n) < 0 {
		return vec3{}, false
	}
	return k, true
}

// GeodesicBound is the lon/lat box of g including the bulge of its edges, which
// are great-circle arcs as in PostGIS geography and can reach beyond the
// latitudes of their end points. The nearest-neighbour index needs it: a box
// distance is a lower bound of the distance to the geometry only when the box
// holds every point of it. Edges crossing the antimeridian are not supported.
func GeodesicBound(g orb.Geometry) orb.Bound {
	b := g.Bound()
	switch g := g.(type) {
	case orb.LineString:
		return extendByArcs(b, g)
	case orb.MultiLineString:
		for _, l := range g {
			b = extendByArcs(b, l)
		}
	case orb.Ring:
		return extendByArcs(b, orb.LineString(g))
	case orb.Polygon:
		for _, r := range g {
			b = extendByArcs(b, orb.LineString(r))
		}
	case orb.MultiPolygon:
		for _, poly := range g {
			b = b.Union(GeodesicBound(poly))
		}
	case orb.Collection:
		for _, c := range g {
			b = b.Union(GeodesicBound(c))
		}
	case orb.Bound:
		return GeodesicBound(g.ToPolygon())
	}
	return b
}

// extendByArcs widens b to the highest and lowest latitude of every edge of l.
func extendByArcs(b orb.Bound, l orb.LineString) orb.Bound {
	for i := 1; i < len(l); i++ {
		a, c := toVec(l[i-1]), toVec(l[i])
		n, ok := a.cross(c).normalized()
		if !ok {
			continue
		}
		// The northernmost point of the great circle, and its antipode the southernmost.
		top, ok := vec3{-n[2] * n[0], -n[2] * n[1], 1 - n[2]*n[2]}.normalized()
		if !ok {
			continue // the equator
		}
		for _, v := range []vec3{top, top.scaled(-1)} {
			if a.cross(v).dot(n) >= 0 && v.cross(c).dot(n) >= 0 {
				lat := v.point()[1]
				b.Min[1], b.Max[1] = min(b.Min[1], lat), max(b.Max[1], lat)
			}
		}
	}
	return b
}
