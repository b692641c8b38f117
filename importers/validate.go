package importers

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// ValidateGeometry checks what PostGIS and clients need of a WGS84 geometry:
// finite lon/lat in range, lines of at least two points, closed rings of at least
// four points, no empty parts.
func ValidateGeometry(g orb.Geometry) error {
	switch g := g.(type) {
	case nil:
		return fmt.Errorf("missing geometry")
	case orb.Point:
		return validPoint(g)
	case orb.MultiPoint:
		if len(g) == 0 {
			return fmt.Errorf("empty MultiPoint")
		}
		for _, p := range g {
			if err := validPoint(p); err != nil {
				return err
			}
		}
	case orb.LineString:
		return validLine(g)
	case orb.MultiLineString:
		if len(g) == 0 {
			return fmt.Errorf("empty MultiLineString")
		}
		for _, l := range g {
			if err := validLine(l); err != nil {
				return err
			}
		}
	case orb.Polygon:
		return validPolygon(g)
	case orb.MultiPolygon:
		if len(g) == 0 {
			return fmt.Errorf("empty MultiPolygon")
		}
		for _, p := range g {
			if err := validPolygon(p); err != nil {
				return err
			}
		}
	case orb.Collection:
		if len(g) == 0 {
			return fmt.Errorf("empty GeometryCollection")
		}
		for _, c := range g {
			if err := ValidateGeometry(c); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("unsupported geometry %T", g)
	}
	return nil
}

func validPoint(p orb.Point) error {
	lon, lat := p[0], p[1]
	if math.IsNaN(lon) || math.IsNaN(lat) || math.IsInf(lon, 0) || math.IsInf(lat, 0) {
		return fmt.Errorf("coordinate is not a finite number")
	}
	// slack for the rounding noise of real files (Natural Earth has 180.00000000000006)
	const slack = 1e-9
	if lat < -90-slack || lat > 90+slack {
		if lon >= -90 && lon <= 90 && lat >= -180 && lat <= 180 {
			return fmt.Errorf("latitude %g is out of range; longitude and latitude look swapped", lat)
		}
		return fmt.Errorf("latitude %g is out of range -90..90", lat)
	}
	if lon < -180-slack || lon > 180+slack {
		return fmt.Errorf("longitude %g is out of range -180..180 (projected coordinates? give --crs)", lon)
	}
	return nil
}

func validLine(l orb.LineString) error {
	if len(l) < 2 {
		return fmt.Errorf("a line needs at least 2 points, has %d", len(l))
	}
	for _, p := range l {
		if err := validPoint(p); err != nil {
			return err
		}
	}
	return nil
}

func validPolygon(p orb.Polygon) error {
	if len(p) == 0 {
		return fmt.Errorf("empty Polygon")
	}
	for i, r := range p {
		if len(r) < 4 {
			return fmt.Errorf("ring %d has %d points; a ring needs at least 4", i+1, len(r))
		}
		if r[0] != r[len(r)-1] {
			return fmt.Errorf("ring %d is not closed (first point %v, last %v)", i+1, r[0], r[len(r)-1])
		}
		for _, pt := range r {
			if err := validPoint(pt); err != nil {
				return err
			}
		}
	}
	return nil
}

// GeometryTypes collects the geometry types of a collection and decides the one
// type it is stored as: a single type as is, a mix of a type and its Multi* form
// promoted to Multi*, anything else a GeometryCollection.
type GeometryTypes map[string]bool

// Add records the type of g.
func (t GeometryTypes) Add(g orb.Geometry) { t[g.GeoJSONType()] = true }

// Target is the type every geometry is promoted to.
func (t GeometryTypes) Target() string {
	switch len(t) {
	case 0:
		return ""
	case 1:
		for k := range t {
			return k
		}
	case 2:
		for _, pair := range [][2]string{{"Point", "MultiPoint"}, {"LineString", "MultiLineString"}, {"Polygon", "MultiPolygon"}} {
			if t[pair[0]] && t[pair[1]] {
				return pair[1]
			}
		}
	}
	return "GeometryCollection"
}

// Promote converts g to the target type (single to Multi*, or into a collection).
func Promote(g orb.Geometry, target string) orb.Geometry {
	if g.GeoJSONType() == target {
		return g
	}
	switch g := g.(type) {
	case orb.Point:
		if target == "MultiPoint" {
			return orb.MultiPoint{g}
		}
	case orb.LineString:
		if target == "MultiLineString" {
			return orb.MultiLineString{g}
		}
	case orb.Polygon:
		if target == "MultiPolygon" {
			return orb.MultiPolygon{g}
		}
	}
	return orb.Collection{g}
}
