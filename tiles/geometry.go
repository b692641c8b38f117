package tiles

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/simplify"
)

// LineTolerance is the Douglas–Peucker tolerance of lines and polygon rings, in
// tile units. At 4096 units per tile shown 512 px wide it is a quarter of a
// pixel, half a pixel when the tile is magnified to the next zoom: no visible kink.
const LineTolerance = 2.0

// frame places lon/lat positions in the units of one tile: the world is
// Extent<<z units wide, and the tile's top-left corner is the origin.
type frame struct {
	tile   maptile.Tile
	scale  float64 // world width in tile units, for the inverse projection
	ox, oy int64   // tile origin in world units
}

func newFrame(t maptile.Tile) frame {
	return frame{
		tile:  t,
		scale: float64(int64(Extent) << t.Z),
		ox:    int64(t.X) * Extent,
		oy:    int64(t.Y) * Extent,
	}
}

// world is the Web Mercator position of p in world tile units (y down), by
// orb's projection; multiplying by the power of two Extent is exact.
func (f frame) world(p orb.Point) (float64, float64) {
	w := maptile.Fraction(p, f.tile.Z)
	return w[0] * Extent, w[1] * Extent
}

// cell is the integer world unit holding p: the quantized position of a point.
func (f frame) cell(p orb.Point) (int64, int64) {
	x, y := f.world(p)
	return int64(math.Floor(x)), int64(math.Floor(y))
}

// local is p relative to the tile's corner, unquantized.
func (f frame) local(p orb.Point) orb.Point {
	x, y := f.world(p)
	return orb.Point{x - float64(f.ox), y - float64(f.oy)}
}

// inBuffer reports whether the world unit (x, y) lies in the buffered tile.
func (f frame) inBuffer(x, y int64) bool {
	x, y = x-f.ox, y-f.oy
	return x >= -Buffer && x < Extent+Buffer && y >= -Buffer && y < Extent+Buffer
}

// lonLat is the geographic position of the tile-local unit position (x, y).
func (f frame) lonLat(x, y float64) orb.Point {
	wx, wy := (x+float64(f.ox))/f.scale, (y+float64(f.oy))/f.scale
	lon := wx*360 - 180
	lat := math.Atan(math.Sinh(math.Pi*(1-2*wy))) * 180 / math.Pi
	return orb.Point{lon, lat}
}

// searchBound is the buffered tile in lon/lat, widened by one unit so that no
// feature is missed by rounding; exact selection happens in tile units.
func (f frame) searchBound() orb.Bound {
	nw := f.lonLat(-Buffer-1, -Buffer-1)
	se := f.lonLat(Extent+Buffer+1, Extent+Buffer+1)
	return orb.Bound{Min: orb.Point{nw[0], se[1]}, Max: orb.Point{se[0], nw[1]}}
}

// clipBox is the buffered tile in tile units.
var clipBox = orb.Bound{Min: orb.Point{-Buffer, -Buffer}, Max: orb.Point{Extent + Buffer, Extent + Buffer}}

// shape returns g in tile units: projected, clipped to the buffered tile,
// simplified with tolerance (units), snapped to integers and cleaned; polygons
// wound as the MVT specification says. It returns nil when nothing is left.
func (f frame) shape(g orb.Geometry, tolerance float64) orb.Geometry {
	switch g := g.(type) {
	case orb.Point:
		return f.multiPoint(orb.MultiPoint{g})
	case orb.MultiPoint:
		return f.multiPoint(g)
	case orb.LineString:
		return f.lines(orb.MultiLineString{g}, tolerance)
	case orb.MultiLineString:
		return f.lines(g, tolerance)
	case orb.Ring:
		return f.polygons(orb.MultiPolygon{{g}}, tolerance)
	case orb.Polygon:
		return f.polygons(orb.MultiPolygon{g}, tolerance)
	case orb.MultiPolygon:
		return f.polygons(g, tolerance)
	}
	return nil // collections have no MVT encoding
}

func (f frame) multiPoint(mp orb.MultiPoint) orb.Geometry {
	var out orb.MultiPoint
	for _, p := range mp {
		x, y := f.cell(p)
		if f.inBuffer(x, y) {
			out = append(out, orb.Point{float64(x - f.ox), float64(y - f.oy)})
		}
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return out
}

func (f frame) lines(mls orb.MultiLineString, tolerance float64) orb.Geometry {
	var out orb.MultiLineString
	for _, l := range mls {
		projected := make(orb.LineString, len(l))
		for i, p := range l {
			projected[i] = f.local(p)
		}
		for _, part := range clip.LineString(clipBox, projected) {
			if tolerance > 0 && len(part) > 2 {
				part = simplify.DouglasPeucker(tolerance).LineString(part)
			}
			if part = snapLine(part); len(part) >= 2 {
				out = append(out, part)
			}
		}
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return out
}

// snapLine rounds to integer units and drops repeated points.
func snapLine(l orb.LineString) orb.LineString {
	out := l[:0]
	for _, p := range l {
		p = orb.Point{math.Round(p[0]), math.Round(p[1])}
		if len(out) > 0 && out[len(out)-1] == p {
			continue
		}
		out = append(out, p)
	}
	return out
}

func (f frame) polygons(mp orb.MultiPolygon, tolerance float64) orb.Geometry {
	var out orb.MultiPolygon
	for _, poly := range mp {
		var kept orb.Polygon
		for i, r := range poly {
			ring := f.ring(r, tolerance)
			if ring == nil {
				if i == 0 {
					break // the exterior vanished: so do its holes
				}
				continue
			}
			// MVT: the exterior has positive area in tile coordinates (clockwise
			// on screen, y down), holes negative.
			if a := ringArea(ring); (i == 0) != (a > 0) {
				ring.Reverse()
			}
			if i > 0 && -ringArea(ring) >= ringArea(kept[0]) {
				kept = nil // a hole covering the whole buffered tile: nothing is left
				break
			}
			kept = append(kept, ring)
		}
		if len(kept) > 0 {
			out = append(out, kept)
		}
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return out
}

// ring projects, clips, simplifies and snaps one ring; nil when it has no area
// left. Simplification and snapping can make a ring cross itself: then it is
// made again without simplification, and the folds snapping left are undone.
func (f frame) ring(r orb.Ring, tolerance float64) orb.Ring {
	projected := make(orb.Ring, len(r))
	for i, p := range r {
		projected[i] = f.local(p)
	}
	clipped := clip.Ring(clipBox, projected)
	if len(clipped) < 4 {
		return nil
	}
	if tolerance > 0 {
		simplified := simplify.DouglasPeucker(tolerance).Ring(slices.Clone(clipped))
		if ring := cleanRing(simplified); ring != nil && simpleRing(ring) {
			return ring
		}
	}
	return makeSimple(cleanRing(clipped))
}

// cleanRing snaps a ring to integer units, drops repeated points, collinear
// points and spikes (a vertex where the ring turns straight back), and closes it.
func cleanRing(r orb.Ring) orb.Ring {
	pts := make([]orb.Point, 0, len(r))
	for _, p := range r {
		p = orb.Point{math.Round(p[0]), math.Round(p[1])}
		if len(pts) > 0 && pts[len(pts)-1] == p {
			continue
		}
		pts = append(pts, p)
	}
	if len(pts) > 1 && pts[0] == pts[len(pts)-1] {
		pts = pts[:len(pts)-1]
	}
	for changed := true; changed && len(pts) >= 3; {
		changed = false
		out := pts[:0:0]
		n := len(pts)
		for i := 0; i < n; i++ {
			a, b, c := pts[(i+n-1)%n], pts[i], pts[(i+1)%n]
			if cross(a, b, c) == 0 {
				changed = true // collinear or a spike: b adds nothing but a degenerate edge
				continue
			}
			out = append(out, b)
		}
		if changed {
			pts = dedupe(out)
		}
	}
	if len(pts) < 3 {
		return nil
	}
	ring := append(orb.Ring(pts), pts[0])
	if ringArea(ring) == 0 {
		return nil
	}
	return ring
}

func dedupe(pts []orb.Point) []orb.Point {
	out := pts[:0]
	for _, p := range pts {
		if len(out) > 0 && out[len(out)-1] == p {
			continue
		}
		out = append(out, p)
	}
	if len(out) > 1 && out[0] == out[len(out)-1] {
		out = out[:len(out)-1]
	}
	return out
}

func cross(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-b[1]) - (b[1]-a[1])*(c[0]-b[0])
}

// ringArea is the surveyor's formula over a closed ring: positive when the ring
// turns clockwise on screen in tile coordinates (y down).
func ringArea(r orb.Ring) float64 {
	var s float64
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s / 2
}
