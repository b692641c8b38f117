package geo

import (
	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// Shape is a geometry taken apart for topology: its points, lines and polygons,
// the segments of its lines and rings with the side of each ring segment the
// polygon's interior lies on, and an index over the segments. A Shape is
// immutable once built, so one prepared filter literal serves many requests.
type Shape struct {
	points []orb.Point
	lines  []orb.LineString // consecutive duplicates removed, ≥ 2 distinct points
	polys  []shapePolygon
	rings  []shapeRing
	segs   []segment
	bound  orb.Bound
	dim    int8 // -1 empty, 0 points, 1 lines, 2 areas
	bdim   int8 // dimension of the boundary: 1 with areas, 0 with line ends on it (mod 2), else -1
	index  *rtree.RTreeG[int32]
	// nodes are the points GEOS makes nodes of in the geometry's own graph:
	// points (interior), line ends (boundary or interior by the mod-2 rule)
	// and the first point of each ring (boundary), labelled in the order the
	// geometry lists them, later labels overriding earlier ones as in GEOS.
	nodes map[orb.Point]Location
}

type shapePolygon struct {
	first, n int // its rings are Shape.rings[first:first+n], the shell first
	bound    orb.Bound
}

type shapeRing struct {
	pts []orb.Point // closed, consecutive duplicates removed
}

// segment is one segment of a line or of a polygon ring.
type segment struct {
	a, b   orb.Point
	comp   int32 // the line (line segments) or the polygon (ring segments)
	ring   int32 // ring segments: index in Shape.rings; -1 for line segments
	leftIn bool  // ring segments: the polygon's interior lies left of a→b
}

func (sg *segment) isRing() bool { return sg.ring >= 0 }

// indexThreshold is the segment count above which a Shape indexes its segments.
const indexThreshold = 32

// NewShape prepares g for spatial predicates. Degenerate parts (lines of one
// distinct point, rings of fewer than three distinct points) are kept as points
// or dropped, so that every Shape is well formed.
func NewShape(g orb.Geometry) *Shape {
	s := &Shape{dim: -1, bdim: -1, nodes: map[orb.Point]Location{}}
	s.add(g)
	s.bound = shapeBound(s)
	if len(s.polys) > 0 {
		s.bdim = 1
	} else {
		for _, l := range s.lines {
			if s.nodes[l[0]] == Boundary || s.nodes[l[len(l)-1]] == Boundary {
				s.bdim = 0
			}
		}
	}
	if len(s.segs) > indexThreshold {
		s.index = &rtree.RTreeG[int32]{}
		for i, sg := range s.segs {
			s.index.Insert(minPt(sg.a, sg.b), maxPt(sg.a, sg.b), int32(i))
		}
	}
	return s
}

// Dimension is the dimension of the shape: 0 points, 1 lines, 2 areas, -1 empty.
func (s *Shape) Dimension() int { return int(s.dim) }

// Bound is the bounding box of the shape.
func (s *Shape) Bound() orb.Bound { return s.bound }

func (s *Shape) add(g orb.Geometry) {
	switch g := g.(type) {
	case orb.Point:
		s.addPoint(g)
	case orb.MultiPoint:
		for _, p := range g {
			s.addPoint(p)
		}
	case orb.LineString:
		s.addLine(g)
	case orb.MultiLineString:
		for _, l := range g {
			s.addLine(l)
		}
	case orb.Ring:
		s.addPolygon(orb.Polygon{g})
	case orb.Polygon:
		s.addPolygon(g)
	case orb.MultiPolygon:
		for _, p := range g {
			s.addPolygon(p)
		}
	case orb.Collection:
		for _, c := range g {
			s.add(c)
		}
	case orb.Bound:
		s.addPolygon(g.ToPolygon())
	}
}

func (s *Shape) addPoint(p orb.Point) {
	s.points = append(s.points, p)
	s.dim = max(s.dim, 0)
	s.nodes[p] = Interior
}

// addLineEnd counts a line end at p: an odd number of ends makes a boundary point.
func (s *Shape) addLineEnd(p orb.Point) {
	if loc, ok := s.nodes[p]; ok && loc == Boundary {
		s.nodes[p] = Interior
		return
	}
	s.nodes[p] = Boundary
}

func dedup(ps []orb.Point) []orb.Point {
	out := make([]orb.Point, 0, len(ps))
	for i, p := range ps {
		if i == 0 || p != ps[i-1] {
			out = append(out, p)
		}
	}
	return out
}

func (s *Shape) addLine(l orb.LineString) {
	ps := dedup(l)
	switch len(ps) {
	case 0:
		return
	case 1:
		s.addPoint(ps[0])
		return
	}
	li := int32(len(s.lines))
	s.lines = append(s.lines, orb.LineString(ps))
	s.dim = max(s.dim, 1)
	s.addLineEnd(ps[0])
	s.addLineEnd(ps[len(ps)-1])
	for i := 1; i < len(ps); i++ {
		s.segs = append(s.segs, segment{a: ps[i-1], b: ps[i], comp: li, ring: -1})
	}
}

func (s *Shape) addPolygon(p orb.Polygon) {
	var rings [][]orb.Point
	for i, r := range p {
		ps := dedup(r)
		if len(ps) > 0 && ps[0] != ps[len(ps)-1] {
			ps = append(ps, ps[0])
		}
		if len(ps) < 4 {
			if i == 0 {
				return // a collapsed shell: no area
			}
			continue
		}
		rings = append(rings, ps)
	}
	if len(rings) == 0 {
		return
	}
	pi := int32(len(s.polys))
	s.polys = append(s.polys, shapePolygon{first: len(s.rings), n: len(rings), bound: orb.LineString(rings[0]).Bound()})
	for ri, r := range rings {
		ccw := ringIsCCW(r)
		leftIn := ccw // the shell's interior is left of a counter-clockwise shell
		if ri > 0 {
			leftIn = !ccw // a hole's outside is the polygon's interior
		}
		rn := int32(len(s.rings))
		s.rings = append(s.rings, shapeRing{pts: r})
		s.nodes[r[0]] = Boundary
		for i := 1; i < len(r); i++ {
			s.segs = append(s.segs, segment{a: r[i-1], b: r[i], comp: pi, ring: rn, leftIn: leftIn})
		}
	}
	s.dim = 2
}

func shapeBound(s *Shape) orb.Bound {
	first := true
	var b orb.Bound
	extend := func(p orb.Point) {
		if first {
			b = orb.Bound{Min: p, Max: p}
			first = false
			return
		}
		b = b.Extend(p)
	}
	for _, p := range s.points {
		extend(p)
	}
	for _, sg := range s.segs {
		extend(sg.a)
		extend(sg.b)
	}
	return b
}

func minPt(a, b orb.Point) [2]float64 { return [2]float64{min(a[0], b[0]), min(a[1], b[1])} }
func maxPt(a, b orb.Point) [2]float64 { return [2]float64{max(a[0], b[0]), max(a[1], b[1])} }

// searchSegs calls fn with the index of every segment whose box meets b.
func (s *Shape) searchSegs(b orb.Bound, fn func(i int32)) {
	if s.index != nil {
		s.index.Search([2]float64(b.Min), [2]float64(b.Max), func(_, _ [2]float64, i int32) bool {
			fn(i)
			return true
		})
		return
	}
	for i, sg := range s.segs {
		if sg.a[0] < b.Min[0] && sg.b[0] < b.Min[0] || sg.a[0] > b.Max[0] && sg.b[0] > b.Max[0] ||
			sg.a[1] < b.Min[1] && sg.b[1] < b.Min[1] || sg.a[1] > b.Max[1] && sg.b[1] > b.Max[1] {
			continue
		}
		fn(int32(i))
	}
}

func segBound(sg *segment) orb.Bound {
	return orb.Bound{Min: orb.Point(minPt(sg.a, sg.b)), Max: orb.Point(maxPt(sg.a, sg.b))}
}
