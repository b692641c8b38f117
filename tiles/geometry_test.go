package tiles_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/geo"
	"github.com/vn-opendata/geodata/tiles"
)

// toTile projects lon/lat into the units of tile t (unquantized).
func toTile(p orb.Point, t maptile.Tile) orb.Point {
	w := maptile.Fraction(p, t.Z)
	return orb.Point{(w[0] - float64(t.X)) * tiles.Extent, (w[1] - float64(t.Y)) * tiles.Extent}
}

// fromTile is the lon/lat of tile units (x, y) of tile t.
func fromTile(x, y float64, t maptile.Tile) orb.Point {
	n := math.Exp2(float64(t.Z))
	wx, wy := (float64(t.X)+x/tiles.Extent)/n, (float64(t.Y)+y/tiles.Extent)/n
	return orb.Point{wx*360 - 180, math.Atan(math.Sinh(math.Pi*(1-2*wy))) * 180 / math.Pi}
}

// bufferedBound is the lon/lat box of tile t grown (or shrunk) by b units on each side.
func bufferedBound(t maptile.Tile, b float64) orb.Bound {
	nw, se := fromTile(-b, -b, t), fromTile(tiles.Extent+b, tiles.Extent+b, t)
	return orb.Bound{Min: orb.Point{nw[0], se[1]}, Max: orb.Point{se[0], nw[1]}}
}

// tilesCovering lists the tiles of zoom z over bound b.
func tilesCovering(b orb.Bound, z maptile.Zoom) []maptile.Tile {
	lo, hi := maptile.At(orb.Point{b.Min[0], b.Max[1]}, z), maptile.At(orb.Point{b.Max[0], b.Min[1]}, z)
	var out []maptile.Tile
	for x := lo.X; x <= hi.X; x++ {
		for y := lo.Y; y <= hi.Y; y++ {
			out = append(out, maptile.New(x, y, z))
		}
	}
	return out
}

// tiny reports whether a line or polygon spans less than 2 tile units: snapped
// to the unit grid it may vanish (as it would on screen).
func tiny(g orb.Geometry, t maptile.Tile) bool {
	if g.Dimensions() == 0 {
		return false
	}
	b := g.Bound()
	lo, hi := toTile(b.Min, t), toTile(b.Max, t)
	return math.Abs(hi[0]-lo[0]) < 2 && math.Abs(hi[1]-lo[1]) < 2
}

func snapshotBound(s *catalog.Snapshot) orb.Bound {
	b := s.Features[0].Bound
	for _, f := range s.Features {
		b = b.Union(f.Bound)
	}
	return b
}

// checkTiles encodes every tile of zooms over snap and runs check on its layer
// along with the features that surely meet the buffered tile and those that
// may (touching its edge, or smaller than a unit), found by brute force
// without the index.
func checkTiles(t *testing.T, snap *catalog.Snapshot, zooms []maptile.Zoom, check func(tile maptile.Tile, l *mvt.Layer, sure, maybe map[uint64]*catalog.Feature)) {
	t.Helper()
	tiler := tiles.NewTiler(tiles.Options{CacheBytes: 1 << 20})
	for _, z := range zooms {
		for _, tile := range tilesCovering(snapshotBound(snap), z) {
			sure, maybe := map[uint64]*catalog.Feature{}, map[uint64]*catalog.Feature{}
			inner, outer := bufferedBound(tile, tiles.Buffer-1), bufferedBound(tile, tiles.Buffer+1)
			for i := range snap.Features {
				f := &snap.Features[i]
				if geo.IntersectsBound(f.Geom, inner) && !tiny(f.Geom, tile) {
					sure[f.NumID] = f
				}
				if geo.IntersectsBound(f.Geom, outer) {
					maybe[f.NumID] = f
				}
			}
			tl, _, err := tiler.Tile(context.Background(), []*catalog.Snapshot{snap}, tile)
			if err != nil {
				t.Fatal(err)
			}
			if tl.Empty() {
				if len(sure) > 0 {
					t.Fatalf("tile %v is empty, but %d features meet it", tile, len(sure))
				}
				continue
			}
			l := decode(t, tl.Data)[snap.ID()]
			if l == nil || l.Extent != tiles.Extent || l.Version != 2 {
				t.Fatalf("tile %v: layer %s missing or not extent 4096 version 2: %+v", tile, snap.ID(), l)
			}
			check(tile, l, sure, maybe)
		}
	}
}

// checkFeatures: the tile holds every feature meeting the buffered tile and no
// other, each once, with its number as MVT id and its string id as property,
// and every coordinate inside the buffered tile.
func checkFeatures(t *testing.T, tile maptile.Tile, l *mvt.Layer, sure, maybe map[uint64]*catalog.Feature) {
	t.Helper()
	seen := map[uint64]bool{}
	for _, f := range l.Features {
		id, ok := f.ID.(float64)
		if !ok {
			t.Fatalf("tile %v: feature id %v is not a number", tile, f.ID)
		}
		src := maybe[uint64(id)]
		if src == nil {
			t.Fatalf("tile %v: feature %v does not meet the buffered tile", tile, f.ID)
		}
		if seen[src.NumID] {
			t.Fatalf("tile %v: feature %s twice", tile, src.ID)
		}
		seen[src.NumID] = true
		if f.Properties[tiles.IDProperty] != src.ID {
			t.Fatalf("tile %v: id property %v, want %s", tile, f.Properties[tiles.IDProperty], src.ID)
		}
		for _, p := range points(f.Geometry) {
			if p[0] < -tiles.Buffer || p[0] > tiles.Extent+tiles.Buffer || p[1] < -tiles.Buffer || p[1] > tiles.Extent+tiles.Buffer {
				t.Fatalf("tile %v: feature %s has %v outside the buffered tile", tile, src.ID, p)
			}
		}
	}
	for id, f := range sure {
		if !seen[id] {
			t.Fatalf("tile %v: feature %s meets the buffered tile but is missing", tile, f.ID)
		}
	}
}

func points(g orb.Geometry) []orb.Point {
	var out []orb.Point
	switch g := g.(type) {
	case orb.Point:
		out = append(out, g)
	case orb.MultiPoint:
		out = append(out, g...)
	case orb.LineString:
		out = append(out, g...)
	case orb.MultiLineString:
		for _, l := range g {
			out = append(out, l...)
		}
	case orb.Polygon:
		for _, r := range g {
			out = append(out, r...)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			for _, r := range p {
				out = append(out, r...)
			}
		}
	}
	return out
}

// Lines: every route meeting the buffered tile is there, once; simplified so
// that no original vertex is further from the tile's line than the tolerance
// plus rounding: at the next zoom under 1 px of a 512 px tile.
func TestLineTiles(t *testing.T) {
	for _, file := range []string{"hanoi_gtfs_routes_derived.geojson", "railways_bacgiang_bbox_osm.geojson"} {
		snap := snapshotOf(t, "lines", 1, realData(t, file))
		worst := 0.0
		checkTiles(t, snap, []maptile.Zoom{5, 9, 12, 14}, func(tile maptile.Tile, l *mvt.Layer, sure, maybe map[uint64]*catalog.Feature) {
			checkFeatures(t, tile, l, sure, maybe)
			for _, f := range l.Features {
				src := maybe[uint64(f.ID.(float64))]
				var decoded orb.MultiLineString
				switch g := f.Geometry.(type) {
				case orb.LineString:
					decoded = orb.MultiLineString{g}
				case orb.MultiLineString:
					decoded = g
				default:
					t.Fatalf("a line became a %s", g.GeoJSONType())
				}
				for _, p := range points(src.Geom) {
					q := toTile(p, tile)
					if q[0] < 0 || q[0] > tiles.Extent || q[1] < 0 || q[1] > tiles.Extent {
						continue
					}
					d := math.Inf(1)
					for _, line := range decoded {
						for i := 1; i < len(line); i++ {
							d = min(d, planar.DistanceFromSegment(line[i-1], line[i], q))
						}
					}
					worst = max(worst, d)
				}
			}
		})
		// 2 units of tolerance and up to 0.71 of rounding; doubled at the next
		// zoom, 512/4096 px per unit.
		if px := 2 * worst * 512 / tiles.Extent; px > 1 {
			t.Errorf("%s: a vertex is %.2f units from the tile's line: %.2f px at the next zoom", file, worst, px)
		}
		t.Logf("%s: farthest original vertex %.2f units from the tile's line", file, worst)
	}
}

// Polygons: present as for lines, exterior rings wound clockwise on screen
// (positive area in tile units, as MVT wants), holes the other way, and every
// ring simple: no self-intersection or repeated point.
func TestPolygonTiles(t *testing.T) {
	communes := realData(t, "admin_communes_2025_hanoi_region_osm.geojson")
	communes.Features = append(communes.Features, holedAndHooked()...)
	checkPolygons(t, snapshotOf(t, "communes", 1, communes), []maptile.Zoom{6, 9, 11, 13, 14})
	provinces := realData(t, "admin_provinces_2025_osm.geojson")
	checkPolygons(t, snapshotOf(t, "provinces", 1, provinces), []maptile.Zoom{4, 7, 10, 12})
}

func checkPolygons(t *testing.T, snap *catalog.Snapshot, zooms []maptile.Zoom) {
	rings := 0
	checkTiles(t, snap, zooms, func(tile maptile.Tile, l *mvt.Layer, sure, maybe map[uint64]*catalog.Feature) {
		checkFeatures(t, tile, l, sure, maybe)
		for _, f := range l.Features {
			var polys orb.MultiPolygon
			switch g := f.Geometry.(type) {
			case orb.Polygon:
				polys = orb.MultiPolygon{g}
			case orb.MultiPolygon:
				polys = g
			default:
				t.Fatalf("tile %v: a polygon became a %s", tile, g.GeoJSONType())
			}
			for _, poly := range polys {
				for i, r := range poly {
					rings++
					if a := area(r); (i == 0) != (a > 0) || a == 0 {
						t.Fatalf("tile %v feature %v ring %d: area %g: exterior must be positive, holes negative", tile, f.ID, i, a)
					}
					if err := simple(r); err != nil {
						t.Fatalf("tile %v feature %v ring %d: %v", tile, f.ID, i, err)
					}
				}
			}
		}
	})
	if rings == 0 {
		t.Fatal("no rings checked")
	}
}

// holedAndHooked are two polygons that test clipping: a square with a square
// hole, and a hook (a U) whose two arms cross the edge of tiles.
func holedAndHooked() []*geojson.Feature {
	sq := func(x0, y0, x1, y1 float64) orb.Ring {
		return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
	}
	hole := sq(105.71, 20.91, 105.79, 20.99)
	slices.Reverse(hole)
	holed := geojson.NewFeature(orb.Polygon{sq(105.7, 20.9, 105.8, 21.0), hole})
	holed.ID = "holed"
	hook := geojson.NewFeature(orb.Polygon{{{105.9, 21.1}, {106.1, 21.1}, {106.1, 21.3}, {106.05, 21.3}, {106.05, 21.15}, {105.95, 21.15}, {105.95, 21.3}, {105.9, 21.3}, {105.9, 21.1}}})
	hook.ID = "hook"
	for _, f := range []*geojson.Feature{holed, hook} {
		f.Properties["name"] = fmt.Sprint(f.ID)
	}
	return []*geojson.Feature{holed, hook}
}

// area is the surveyor's formula in tile units (y down).
func area(r orb.Ring) float64 {
	s := 0.0
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s / 2
}

// simple reports a ring that is not closed, repeats a point or crosses or
// touches itself.
func simple(r orb.Ring) error {
	if len(r) < 4 || r[0] != r[len(r)-1] {
		return fmt.Errorf("not a closed ring of at least 3 points: %v", r)
	}
	n := len(r) - 1
	seen := map[orb.Point]bool{}
	for _, p := range r[:n] {
		if seen[p] {
			return fmt.Errorf("point %v twice", p)
		}
		seen[p] = true
	}
	type seg struct {
		i    int
		minX float64
	}
	segs := make([]seg, n)
	for i := range segs {
		segs[i] = seg{i, min(r[i][0], r[i+1][0])}
	}
	slices.SortFunc(segs, func(a, b seg) int { return int(a.minX - b.minX) })
	for a := range segs {
		i := segs[a].i
		maxX := max(r[i][0], r[i+1][0])
		for b := a + 1; b < n && segs[b].minX <= maxX; b++ {
			j := segs[b].i
			adjacent := (i+1)%n == j || (j+1)%n == i
			if adjacent {
				if collinearOverlap(r[i], r[i+1], r[j], r[j+1]) {
					return fmt.Errorf("segments %d and %d fold back on each other", i, j)
				}
				continue
			}
			if segmentsMeet(r[i], r[i+1], r[j], r[j+1]) {
				return fmt.Errorf("segments %d %v-%v and %d %v-%v meet", i, r[i], r[i+1], j, r[j], r[j+1])
			}
		}
	}
	return nil
}

func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

func onSegment(a, b, p orb.Point) bool {
	return min(a[0], b[0]) <= p[0] && p[0] <= max(a[0], b[0]) && min(a[1], b[1]) <= p[1] && p[1] <= max(a[1], b[1])
}

// segmentsMeet reports whether closed segments ab and cd share a point.
func segmentsMeet(a, b, c, d orb.Point) bool {
	o1, o2, o3, o4 := orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
	if ((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0)) {
		return true
	}
	return (o1 == 0 && onSegment(a, b, c)) || (o2 == 0 && onSegment(a, b, d)) ||
		(o3 == 0 && onSegment(c, d, a)) || (o4 == 0 && onSegment(c, d, b))
}

// collinearOverlap reports whether two consecutive segments ab, cd (sharing an
// end) run back over each other.
func collinearOverlap(a, b, c, d orb.Point) bool {
	if orient(a, b, c) != 0 || orient(a, b, d) != 0 {
		return false
	}
	u := orb.Point{b[0] - a[0], b[1] - a[1]}
	v := orb.Point{d[0] - c[0], d[1] - c[1]}
	return u[0]*v[0]+u[1]*v[1] < 0
}
