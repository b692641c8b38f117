package geo

import (
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"
)

// IM is a DE-9IM intersection matrix: IM[a][b] is the dimension of the
// intersection of location a of the first geometry with location b of the
// second: -1 when empty (F), 0, 1 or 2.
type IM [3][3]int8

// String writes the matrix in the usual nine-character form, "212101212".
func (m IM) String() string {
	var b strings.Builder
	for _, row := range m {
		for _, d := range row {
			if d < 0 {
				b.WriteByte('F')
			} else {
				b.WriteByte(byte('0' + d))
			}
		}
	}
	return b.String()
}

func (m *IM) atLeast(a, b Location, d int8) {
	if m[a][b] < d {
		m[a][b] = d
	}
}

// Relate computes the DE-9IM matrix of a and b as PostGIS (GEOS) does for
// valid geometries: lines have the mod-2 boundary, polygons their rings,
// points no boundary. It nodes the segments of a against those of b with exact
// orientation tests and labels every piece between nodes: its location in the
// other geometry and, for polygon rings, the locations on its two sides.
func Relate(a, b *Shape) IM {
	var m IM
	for i := range m {
		for j := range m[i] {
			m[i][j] = -1
		}
	}
	m[Exterior][Exterior] = 2
	if a.dim < 0 || b.dim < 0 || !a.bound.Intersects(b.bound) {
		m[Interior][Exterior] = a.dim
		m[Boundary][Exterior] = a.bdim
		m[Exterior][Interior] = b.dim
		m[Exterior][Boundary] = b.bdim
		return m
	}
	r := relater{a: a, b: b, im: &m}
	r.node()
	r.labelNodes()
	r.labelPieces(a, b, r.cutsA, false)
	r.labelPieces(b, a, r.cutsB, true)
	if r.proper {
		r.properIntersectionIM()
	}
	r.isolatedEdges(a, b, r.cutsA, false)
	r.isolatedEdges(b, a, r.cutsB, true)
	return m
}

// isolatedEdges adds what GEOS concludes about a line or ring of own that
// meets no segment of other: it locates the whole of it by its first point,
// and when other is a collection of points and lines or polygons, a point of
// other there makes the whole line or ring "interior" to other. For other
// shapes this agrees with the labelling; for such collections it is GEOS's
// answer, which PostGIS gives and Match must too.
func (r *relater) isolatedEdges(own, other *Shape, cs map[int32]*cuts, ownIsB bool) {
	if other.dim < 1 || len(other.points) == 0 {
		return
	}
	type edgeKey struct{ ring, line int32 }
	touched := map[edgeKey]bool{}
	for i := range cs {
		sg := &own.segs[i]
		if sg.isRing() {
			touched[edgeKey{sg.ring, -1}] = true
		} else {
			touched[edgeKey{-1, sg.comp}] = true
		}
	}
	edge := func(first orb.Point, k edgeKey) {
		if touched[k] || other.Locate(first) != Interior || other.locateArea(first) != Exterior {
			return
		}
		if k.ring < 0 {
			r.set(Interior, Interior, 1, ownIsB)
			return
		}
		r.set(Boundary, Interior, 1, ownIsB)
		r.set(Interior, Interior, 2, ownIsB)
		r.set(Exterior, Interior, 2, ownIsB)
	}
	for i, l := range own.lines {
		edge(l[0], edgeKey{-1, int32(i)})
	}
	for i, rg := range own.rings {
		edge(rg.pts[0], edgeKey{int32(i), -1})
	}
}

// properIntersectionIM adds what GEOS infers from a proper crossing of two
// segments and the dimensions alone. For single geometries it adds nothing
// the labelling has not found; for collections of points, lines and polygons
// it is GEOS's answer (a crossing of two lines in collections that also hold
// polygons counts as a crossing of areas), which PostGIS gives and Match must too.
func (r *relater) properIntersectionIM() {
	set := func(pattern string) {
		for i, c := range pattern {
			if c != 'F' {
				r.im.atLeast(Location(i/3), Location(i%3), int8(c-'0'))
			}
		}
	}
	switch da, db := r.a.dim, r.b.dim; {
	case da == 2 && db == 2:
		set("212101212")
	case da == 2 && db == 1:
		set("FFF0FFFF2")
		if r.properInterior {
			set("1FFFFF1FF")
		}
	case da == 1 && db == 2:
		set("F0FFFFFF2")
		if r.properInterior {
			set("1F1FFFFFF")
		}
	case da == 1 && db == 1 && r.properInterior:
		set("0FFFFFFFF")
	}
}

// relater holds the noding of one pair of shapes.
type relater struct {
	a, b         *Shape
	im           *IM
	cutsA, cutsB map[int32]*cuts    // per segment index
	exact        map[orb.Point]bool // where segments of a and b meet at a vertex of either
	proper       bool               // two segments cross inside both
	// properInterior: such a crossing is no boundary node of either graph
	properInterior bool
}

// cuts are the nodes on one segment and the stretches it shares with the other shape.
type cuts struct {
	points []orb.Point
	shared []sharedStretch
}

type sharedStretch struct {
	p, q  orb.Point
	other int32 // the segment of the other shape lying along this stretch
}

func (r *relater) cut(m *map[int32]*cuts, seg int32) *cuts {
	if *m == nil {
		*m = map[int32]*cuts{}
	}
	c := (*m)[seg]
	if c == nil {
		c = &cuts{}
		(*m)[seg] = c
	}
	return c
}

// node intersects every segment of a with the segments of b near it and
// records the nodes on both; a proper crossing is labelled at once by the
// two segments it lies inside, exact intersections later by labelNodes.
func (r *relater) node() {
	r.exact = map[orb.Point]bool{}
	for i := range r.a.segs {
		sa := &r.a.segs[i]
		r.b.searchSegs(segBound(sa), func(j int32) {
			sb := &r.b.segs[j]
			x := intersect(sa.a, sa.b, sb.a, sb.b)
			switch x.kind {
			case crossNone:
				return
			case crossProper:
				r.proper = true
				if r.a.nodes[x.p] != Boundary && r.b.nodes[x.p] != Boundary {
					r.properInterior = true
				}
				r.cut(&r.cutsA, int32(i)).points = append(r.cut(&r.cutsA, int32(i)).points, x.p)
				r.cut(&r.cutsB, j).points = append(r.cut(&r.cutsB, j).points, x.p)
				if orient(sa.a, sa.b, x.p) == 0 && orient(sb.a, sb.b, x.p) == 0 {
					r.exact[x.p] = true // the rounded point is the crossing: label it as a node
				} else {
					r.im.atLeast(segLocation(sa), segLocation(sb), 0)
				}
			case crossPoint:
				r.cut(&r.cutsA, int32(i)).points = append(r.cut(&r.cutsA, int32(i)).points, x.p)
				r.cut(&r.cutsB, j).points = append(r.cut(&r.cutsB, j).points, x.p)
				r.exact[x.p] = true
			case crossOverlap:
				ca, cb := r.cut(&r.cutsA, int32(i)), r.cut(&r.cutsB, j)
				ca.points = append(ca.points, x.p, x.q)
				cb.points = append(cb.points, x.p, x.q)
				ca.shared = append(ca.shared, sharedStretch{p: x.p, q: x.q, other: j})
				cb.shared = append(cb.shared, sharedStretch{p: x.p, q: x.q, other: int32(i)})
				r.exact[x.p], r.exact[x.q] = true, true
			}
		})
	}
}

// segLocation is where the interior of a segment lies in its own shape.
func segLocation(sg *segment) Location {
	if sg.isRing() {
		return Boundary
	}
	return Interior
}

// labelNodes labels the nodes GEOS's relate labels: the exact intersections
// of the two shapes and the nodes of each shape's own graph (points, line
// ends, ring starts), each located in both shapes.
func (r *relater) labelNodes() {
	label := func(p orb.Point) {
		isect := r.exact[p]
		r.im.atLeast(r.a.nodeLabel(p, isect), r.b.nodeLabel(p, isect), 0)
	}
	for p := range r.exact {
		label(p)
	}
	for p := range r.a.nodes {
		if !r.exact[p] {
			label(p)
		}
	}
	for p := range r.b.nodes {
		if _, done := r.a.nodes[p]; !done && !r.exact[p] {
			label(p)
		}
	}
}

// nodeLabel is the location GEOS's relate gives a node at the exact point p
// of shape s; isect tells whether segments of both shapes meet there. A node
// where the other shape meets s's edges takes its label from those edges (an
// odd number of rings: boundary, an even one: interior, lines: interior); a
// node of s's own graph takes its label from the graph; a node of the other
// shape alone is located by the mod-2 rule of Locate. These differ from
// Locate where polygons of a multipolygon touch.
func (s *Shape) nodeLabel(p orb.Point, isect bool) Location {
	const none Location = -1
	loc := none
	segs := s.segmentsAt(p)
	if isect {
		rings, lines := s.edgesAt(segs)
		switch {
		case len(rings)%2 == 1:
			loc = Boundary
		case len(rings) > 0 || len(lines) > 0:
			loc = Interior
		}
	}
	if l, ok := s.nodes[p]; ok {
		loc = l
	}
	if s.selfNode(p, segs) && loc != Boundary {
		loc = Interior
		if rings, _ := s.edgesAt(segs); len(rings) > 0 {
			loc = Boundary
		}
	}
	if loc == none {
		loc = s.Locate(p)
	}
	return loc
}

// segmentsAt lists the segments of s that contain p.
func (s *Shape) segmentsAt(p orb.Point) []int32 {
	var out []int32
	s.searchSegs(orb.Bound{Min: p, Max: p}, func(i int32) {
		if onSegment(p, s.segs[i].a, s.segs[i].b) {
			out = append(out, i)
		}
	})
	return out
}

// edgesAt sorts segments into the distinct rings and lines they belong to.
func (s *Shape) edgesAt(segs []int32) (rings, lines []int32) {
	for _, i := range segs {
		sg := &s.segs[i]
		if sg.isRing() {
			if !slices.Contains(rings, sg.ring) {
				rings = append(rings, sg.ring)
			}
		} else if !slices.Contains(lines, sg.comp) {
			lines = append(lines, sg.comp)
		}
	}
	return rings, lines
}

// selfNode reports whether GEOS's graph of s has a self-intersection node at
// p: two of its rings or lines meet there, or a line passes there twice.
func (s *Shape) selfNode(p orb.Point, segs []int32) bool {
	rings, lines := s.edgesAt(segs)
	if len(rings)+len(lines) >= 2 {
		return true
	}
	if len(lines) != 1 {
		return false
	}
	// One line: its segments at p are one, or two neighbours at a vertex,
	// unless it comes back to p.
	at := segs
	if len(at) > 2 {
		return true
	}
	if len(at) == 2 {
		d := at[1] - at[0]
		if d < 0 {
			d = -d
		}
		l := s.lines[lines[0]]
		closed := l[0] == l[len(l)-1]
		return d != 1 && !(closed && int(d) == len(l)-2)
	}
	return false
}

// labelPieces labels the pieces of the segments of own between nodes: the
// location of each in other, and the locations on both sides where a ring
// bounds an area. Pieces shared with other are labelled once, from a's side.
func (r *relater) labelPieces(own, other *Shape, cs map[int32]*cuts, ownIsB bool) {
	for i := range own.segs {
		sg := &own.segs[i]
		c := cs[int32(i)]
		if c == nil {
			r.labelPiece(own, other, sg, sg.a, sg.b, nil, ownIsB)
			continue
		}
		pts := append([]orb.Point{sg.a, sg.b}, c.points...)
		sortAlong(pts, sg.a, sg.b)
		for k := 1; k < len(pts); k++ {
			p, q := pts[k-1], pts[k]
			if p == q {
				continue
			}
			var with *segment // a ring of other, if one runs along the piece, else a line
			for _, sh := range c.shared {
				if within(p, q, sh.p, sh.q, sg.a, sg.b) && (with == nil || !with.isRing()) {
					with = &other.segs[sh.other]
				}
			}
			if with != nil && ownIsB {
				continue // labelled from the other side
			}
			r.labelPiece(own, other, sg, p, q, with, ownIsB)
		}
	}
}

// labelPiece updates the matrix with one piece p–q of segment sg of own. with is
// the segment of other the piece lies along, or nil.
func (r *relater) labelPiece(own, other *Shape, sg *segment, p, q orb.Point, with *segment, ownIsB bool) {
	mid := orb.Point{p[0] + (q[0]-p[0])/2, p[1] + (q[1]-p[1])/2}
	onOwn := segLocation(sg)
	var onOther Location
	if with != nil {
		onOther = segLocation(with)
	} else {
		onOther = other.locateArea(mid)
	}
	r.set(onOwn, onOther, 1, ownIsB)
	if !sg.isRing() && (with == nil || !with.isRing()) {
		return
	}
	ownL, ownR := sideLocations(own, sg, mid, true)
	var otherL, otherR Location
	switch {
	case with != nil:
		same := dot(sub(with.b, with.a), sub(sg.b, sg.a)) > 0
		otherL, otherR = sideLocations(other, with, mid, same)
	case onOther == Boundary:
		return // on a ring of other without running along it: a numerical corner case
	default:
		otherL, otherR = onOther, onOther
	}
	r.set(ownL, otherL, 2, ownIsB)
	r.set(ownR, otherR, 2, ownIsB)
}

// sideLocations returns the locations left and right of a segment (as directed
// along the piece: same tells whether the piece runs the segment's way).
func sideLocations(s *Shape, sg *segment, mid orb.Point, same bool) (Location, Location) {
	if !sg.isRing() {
		loc := s.locateArea(mid)
		if loc == Boundary {
			loc = Exterior
		}
		return loc, loc
	}
	left, right := Exterior, Interior
	if sg.leftIn {
		left, right = Interior, Exterior
	}
	if !same {
		left, right = right, left
	}
	return left, right
}

func (r *relater) set(own, other Location, d int8, ownIsB bool) {
	if ownIsB {
		r.im.atLeast(other, own, d)
		return
	}
	r.im.atLeast(own, other, d)
}

func sub(a, b orb.Point) orb.Point { return orb.Point{a[0] - b[0], a[1] - b[1]} }
func dot(a, b orb.Point) float64   { return a[0]*b[0] + a[1]*b[1] }

// sortAlong sorts points lying on segment a–b by their position from a to b.
func sortAlong(pts []orb.Point, a, b orb.Point) {
	d := sub(b, a)
	slices.SortFunc(pts, func(p, q orb.Point) int {
		return cmpAlong(p, q, d)
	})
}

// cmpAlong orders two points of one segment with direction d; it compares
// coordinates, not projections, so it is exact.
func cmpAlong(p, q, d orb.Point) int {
	if math.Abs(d[0]) >= math.Abs(d[1]) {
		c := cmpFloat(p[0], q[0])
		if d[0] < 0 {
			c = -c
		}
		if c != 0 {
			return c
		}
		c = cmpFloat(p[1], q[1])
		if d[1] < 0 {
			c = -c
		}
		return c
	}
	c := cmpFloat(p[1], q[1])
	if d[1] < 0 {
		c = -c
	}
	if c != 0 {
		return c
	}
	c = cmpFloat(p[0], q[0])
	if d[0] < 0 {
		c = -c
	}
	return c
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// within reports whether piece p–q of segment a–b lies inside stretch s–t of it.
func within(p, q, s, t, a, b orb.Point) bool {
	d := sub(b, a)
	lo, hi := s, t
	if cmpAlong(lo, hi, d) > 0 {
		lo, hi = hi, lo
	}
	return cmpAlong(p, lo, d) >= 0 && cmpAlong(q, hi, d) <= 0
}

// Segment intersection kinds.
const (
	crossNone    = iota
	crossPoint   // one point, a vertex of one of the segments: exact
	crossProper  // one point inside both segments: computed, rounded
	crossOverlap // collinear segments sharing the stretch p–q
)

type crossing struct {
	kind int
	p, q orb.Point
}

// intersect intersects segments a0–a1 and b0–b1 (neither of zero length).
func intersect(a0, a1, b0, b1 orb.Point) crossing {
	if max(a0[0], a1[0]) < min(b0[0], b1[0]) || max(b0[0], b1[0]) < min(a0[0], a1[0]) ||
		max(a0[1], a1[1]) < min(b0[1], b1[1]) || max(b0[1], b1[1]) < min(a0[1], a1[1]) {
		return crossing{}
	}
	o1, o2 := orient(a0, a1, b0), orient(a0, a1, b1)
	o3, o4 := orient(b0, b1, a0), orient(b0, b1, a1)
	if o1*o2 > 0 || o3*o4 > 0 {
		return crossing{}
	}
	if o1 == 0 && o2 == 0 && o3 == 0 && o4 == 0 {
		return overlap(a0, a1, b0, b1)
	}
	switch {
	case o1 == 0:
		return crossing{kind: crossPoint, p: b0}
	case o2 == 0:
		return crossing{kind: crossPoint, p: b1}
	case o3 == 0:
		return crossing{kind: crossPoint, p: a0}
	case o4 == 0:
		return crossing{kind: crossPoint, p: a1}
	}
	return crossing{kind: crossProper, p: properPoint(a0, a1, b0, b1)}
}

// overlap intersects two collinear segments.
func overlap(a0, a1, b0, b1 orb.Point) crossing {
	d := sub(a1, a0)
	lo, hi := a0, a1
	if cmpAlong(lo, hi, d) > 0 {
		lo, hi = hi, lo
	}
	blo, bhi := b0, b1
	if cmpAlong(blo, bhi, d) > 0 {
		blo, bhi = bhi, blo
	}
	if cmpAlong(blo, lo, d) > 0 {
		lo = blo
	}
	if cmpAlong(bhi, hi, d) < 0 {
		hi = bhi
	}
	switch c := cmpAlong(lo, hi, d); {
	case c > 0:
		return crossing{}
	case c == 0:
		return crossing{kind: crossPoint, p: lo}
	}
	return crossing{kind: crossOverlap, p: lo, q: hi}
}

// properPoint computes the crossing point of two segments that cross inside
// both, kept within both segments' boxes.
func properPoint(a0, a1, b0, b1 orb.Point) orb.Point {
	da, db := sub(a1, a0), sub(b1, b0)
	den := da[0]*db[1] - da[1]*db[0]
	w := sub(b0, a0)
	t := (w[0]*db[1] - w[1]*db[0]) / den
	p := orb.Point{a0[0] + t*da[0], a0[1] + t*da[1]}
	for k := 0; k < 2; k++ {
		lo := max(min(a0[k], a1[k]), min(b0[k], b1[k]))
		hi := min(max(a0[k], a1[k]), max(b0[k], b1[k]))
		p[k] = min(max(p[k], lo), hi)
	}
	return p
}
