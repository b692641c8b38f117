package handlers

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// OGC URIs of the coordinate reference systems served without the crs package.
const (
	crs84     = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
	epsg4326  = "http://www.opengis.net/def/crs/EPSG/0/4326"
	epsg3857  = "http://www.opengis.net/def/crs/EPSG/0/3857"
	epsgURI   = "http://www.opengis.net/def/crs/EPSG/0/"
	webMercR  = 6378137.0
	webMercLa = 85.0511287798066 // latitude where Web Mercator's square world ends
)

// crsSystem is a coordinate reference system features are served in and bounding
// boxes given in (OGC API – Features Part 2). FromWGS84 and ToWGS84 work in the
// system's (east, north) or (lon, lat) order; LatFirst says whether the system's
// axis order puts latitude (or northing) first, as EPSG:4326 does.
type crsSystem interface {
	URI() string
	LatFirst() bool
	FromWGS84(lon, lat float64) (x, y float64, err error)
	ToWGS84(x, y float64) (lon, lat float64, err error)
}

// lookupCRS and supportedCRS are the one seam to the catalogue of coordinate
// systems: CRS84, EPSG:4326 and EPSG:3857 here; geo.LookupCRS and
// geo.SupportedCRS (VN-2000 geographic, UTM and TM-3) once the crs work of
// issue 5 is merged.
func lookupCRS(s string) (crsSystem, error) {
	uri := canonicalCRS(s)
	for _, c := range builtinCRS {
		if c.uri == uri {
			return c, nil
		}
	}
	return nil, fmt.Errorf("unsupported coordinate reference system %q", s)
}

func supportedCRS() []string {
	out := make([]string, len(builtinCRS))
	for i, c := range builtinCRS {
		out[i] = c.uri
	}
	return out
}

// canonicalCRS turns the spellings clients use (OGC URI over http or https,
// EPSG:n, [EPSG:n], OGC:CRS84, urn:ogc:def:crs:EPSG::n) into the OGC URI.
func canonicalCRS(s string) string {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	s = strings.Replace(s, "https://www.opengis.net/", "http://www.opengis.net/", 1)
	upper := strings.ToUpper(s)
	switch {
	case upper == "OGC:CRS84" || upper == "URN:OGC:DEF:CRS:OGC:1.3:CRS84" || upper == "CRS84":
		return crs84
	case strings.HasPrefix(upper, "EPSG:"):
		return epsgCode(s[len("EPSG:"):])
	case strings.HasPrefix(upper, "URN:OGC:DEF:CRS:EPSG:"):
		parts := strings.Split(s, ":")
		return epsgCode(parts[len(parts)-1])
	}
	return s
}

func epsgCode(code string) string {
	if n, err := strconv.Atoi(code); err == nil && n > 0 {
		return epsgURI + strconv.Itoa(n)
	}
	return code
}

// isCRS84Like reports whether c is CRS84 up to axis order (no transformation of
// values), so that lon/lat bounding boxes, and their antimeridian rule, apply.
func isCRS84Like(c crsSystem) bool {
	return c.URI() == crs84 || c.URI() == epsg4326
}

// builtinCRS are the systems that need no datum change: WGS 84 with either axis
// order, and spherical Web Mercator.
var builtinCRS = []simpleCRS{
	{uri: crs84},
	{uri: epsg4326, latFirst: true},
	{uri: epsg3857, mercator: true},
}

type simpleCRS struct {
	uri      string
	latFirst bool
	mercator bool
}

func (c simpleCRS) URI() string    { return c.uri }
func (c simpleCRS) LatFirst() bool { return c.latFirst }

func (c simpleCRS) FromWGS84(lon, lat float64) (float64, float64, error) {
	if !c.mercator {
		return lon, lat, nil
	}
	if math.Abs(lat) > webMercLa || math.Abs(lon) > 180 {
		return 0, 0, fmt.Errorf("%g, %g lies outside Web Mercator", lon, lat)
	}
	x := webMercR * lon * math.Pi / 180
	y := webMercR * math.Log(math.Tan(math.Pi/4+lat*math.Pi/360))
	return x, y, nil
}

func (c simpleCRS) ToWGS84(x, y float64) (float64, float64, error) {
	if !c.mercator {
		return x, y, nil
	}
	lon := x / webMercR * 180 / math.Pi
	lat := (2*math.Atan(math.Exp(y/webMercR)) - math.Pi/2) * 180 / math.Pi
	if math.Abs(lon) > 180+1e-9 || math.IsNaN(lat) {
		return 0, 0, fmt.Errorf("%g, %g lies outside Web Mercator", x, y)
	}
	return lon, lat, nil
}

// toCRS returns g (CRS84) in system c, axes in c's order.
func toCRS(g orb.Geometry, c crsSystem) (orb.Geometry, error) {
	return mapPoints(g, func(p orb.Point) (orb.Point, error) {
		x, y, err := c.FromWGS84(p[0], p[1])
		if c.LatFirst() {
			x, y = y, x
		}
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
