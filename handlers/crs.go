package handlers

import (
	"fmt"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/geo"
)

// OGC URIs of the coordinate reference systems the handlers name.
const (
	crs84    = geo.CRS84URI
	epsg4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
	epsg3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"
)

// crsCatalog is the list of coordinate reference systems features are served
// in and bounding boxes given in (OGC API – Features Part 2), CRS84 first.
type crsCatalog []*geo.CRS

// servedCRS are the systems of every region: WGS 84 both ways, Web Mercator,
// VN-2000 geographic and its UTM zones; the region's TM-3 zones follow.
var servedCRS = []string{"OGC:CRS84", "EPSG:4326", "EPSG:3857", "EPSG:4756", "EPSG:3405", "EPSG:3406"}

// newCRSCatalog lists the served systems and those of the region profile.
func newCRSCatalog(region *catalog.Region) (crsCatalog, error) {
	names := slices.Clone(servedCRS)
	for _, c := range region.CRS {
		names = append(names, fmt.Sprintf("EPSG:%d", c.EPSG))
	}
	var out crsCatalog
	for _, name := range names {
		c, err := geo.LookupCRS(name)
		if err != nil {
			return nil, fmt.Errorf("region %s: %w", region.ID, err)
		}
		if c.URI() == "" {
			return nil, fmt.Errorf("region %s: %s has no OGC URI", region.ID, name)
		}
		if !slices.ContainsFunc(out, func(o *geo.CRS) bool { return o.URI() == c.URI() }) {
			out = append(out, c)
		}
	}
	return out, nil
}

// uris names the systems by their OGC URIs.
func (cc crsCatalog) uris() []string {
	out := make([]string, len(cc))
	for i, c := range cc {
		out[i] = c.URI()
	}
	return out
}

// param reads a crs or bbox-crs parameter (an OGC URI, or EPSG:n, [EPSG:n], …);
// empty means CRS84. A system outside the list is refused with the list.
func (cc crsCatalog) param(v, name string) (*geo.CRS, error) {
	if v == "" {
		v = crs84
	}
	if c, err := geo.LookupCRS(v); err == nil {
		for _, served := range cc {
			if served.URI() == c.URI() {
				return served, nil
			}
		}
	}
	return nil, badParam(name, "%q is not supported; use one of %s", v, strings.Join(cc.uris(), ", "))
}

// isCRS84Like reports whether c is CRS84 up to axis order (no transformation of
// values), so that lon/lat bounding boxes, and their antimeridian rule, apply.
func isCRS84Like(c *geo.CRS) bool {
	return c.URI() == crs84 || c.URI() == epsg4326
}

// toCRS returns g (CRS84) in system c, axes in c's order.
func toCRS(g orb.Geometry, c *geo.CRS) (orb.Geometry, error) {
	return mapPoints(g, func(p orb.Point) (orb.Point, error) {
		x, y, err := c.FromWGS84(p[0], p[1])
		x, y = c.AxisOrder(x, y)
		return orb.Point{x, y}, err
	})
}

// mapPoints returns a copy of g with every position replaced by fn's.
func mapPoints(g orb.Geometry, fn func(orb.Point) (orb.Point, error)) (orb.Geometry, error) {
	var err error
	points := func(ps []orb.Point) []orb.Point {
		out := make([]orb.Point, len(ps))
		for i, p := range ps {
			var e error
			if out[i], e = fn(p); e != nil && err == nil {
				err = e
			}
		}
		return out
	}
	polygon := func(p orb.Polygon) orb.Polygon {
		out := make(orb.Polygon, len(p))
		for i, r := range p {
			out[i] = points(r)
		}
		return out
	}
	var out orb.Geometry
	switch g := g.(type) {
	case orb.Point:
		p, e := fn(g)
		return p, e
	case orb.MultiPoint:
		out = orb.MultiPoint(points(g))
	case orb.LineString:
		out = orb.LineString(points(g))
	case orb.MultiLineString:
		m := make(orb.MultiLineString, len(g))
		for i, l := range g {
			m[i] = points(l)
		}
		out = m
	case orb.Ring:
		out = orb.Ring(points(g))
	case orb.Polygon:
		out = polygon(g)
	case orb.MultiPolygon:
		m := make(orb.MultiPolygon, len(g))
		for i, p := range g {
			m[i] = polygon(p)
		}
		out = m
	case orb.Collection:
		c := make(orb.Collection, len(g))
		for i, part := range g {
			var e error
			if c[i], e = mapPoints(part, fn); e != nil && err == nil {
				err = e
			}
		}
		out = c
	case orb.Bound:
		return mapPoints(g.ToPolygon(), fn)
	default:
		return g, fmt.Errorf("unsupported geometry %T", g)
	}
	return out, err
}
