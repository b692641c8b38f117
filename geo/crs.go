package geo

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// CRS is a coordinate reference system that geodata reads and writes: WGS 84
// (EPSG:4326 and OGC CRS84), Web Mercator (EPSG:3857), WGS 84 / UTM 48N and 49N,
// VN-2000 geographic (EPSG:4756), VN-2000 / UTM 48N and 49N (EPSG:3405, 3406) and
// the VN-2000 TM-3 zones (EPSG:5896–5899, 9205–9218, and any other 15′ meridian
// with EPSG 0). VN-2000 is tied to WGS 84 by the official Helmert transformation
// VN2000ToWGS84 (EPSG:6960), as PROJ does.
//
// Axis order. ToWGS84, FromWGS84 and the geometry helpers always take and give
// x = easting or longitude, y = northing or latitude, whatever the CRS's
// official axis order — the order of GeoJSON, WKB, orb.Point and the columns of a
// file once identified. Only wire formats that follow the CRS's axis order (OGC
// API Features Part 2 with crs=EPSG:4326, GML, WFS 2) need LatFirst and AxisOrder.
//
// A CRS is an immutable value; LookupCRS returns a fresh copy each time.
type CRS struct {
	EPSG int    // EPSG code; 0 for OGC CRS84 and for TM-3 zones EPSG does not code
	Name string // EPSG's name, e.g. "VN-2000 / TM-3 107-00"

	kind   crsKind
	vn2000 bool // datum VN-2000: shifted to WGS 84 by VN2000ToWGS84
	tm     TransverseMercator
	series tmSeries
}

type crsKind int

const (
	latLon      crsKind = iota // geographic, EPSG axis order latitude first
	lonLat                     // geographic, longitude first (OGC CRS84)
	tmerc                      // Transverse Mercator, easting first
	webMercator                // EPSG:3857, easting first
)

// ErrUnsupportedCRS means a CRS is unknown or not one geodata transforms.
var ErrUnsupportedCRS = errors.New("unsupported CRS")

// CRS84URI is the OGC URI of WGS 84 with longitude first, the default CRS of
// GeoJSON and OGC API Features.
const CRS84URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

// URI is the OGC http URI of the CRS (http://www.opengis.net/def/crs/EPSG/0/9214),
// or "" for a TM-3 zone without an EPSG code.
func (c *CRS) URI() string {
	switch {
	case c.kind == lonLat:
		return CRS84URI
	case c.EPSG == 0:
		return ""
	}
	return "http://www.opengis.net/def/crs/EPSG/0/" + strconv.Itoa(c.EPSG)
}

// Code is the short identifier: "EPSG:9214", "OGC:CRS84", or the name of a TM-3
// zone without an EPSG code (which LookupCRS accepts back).
func (c *CRS) Code() string {
	switch {
	case c.kind == lonLat:
		return "OGC:CRS84"
	case c.EPSG == 0:
		return c.Name
	}
	return "EPSG:" + strconv.Itoa(c.EPSG)
}

func (c *CRS) String() string {
	if c.EPSG == 0 {
		return c.Name
	}
	return fmt.Sprintf("%s (%s)", c.Name, c.Code())
}

// LatFirst reports whether the CRS's official axis order puts latitude (or
// northing) first, as EPSG:4326 and EPSG:4756 do. See AxisOrder.
func (c *CRS) LatFirst() bool { return c.kind == latLon }

// Geographic reports whether coordinates are longitude/latitude in degrees
// rather than projected metres.
func (c *CRS) Geographic() bool { return c.kind == latLon || c.kind == lonLat }

// VN2000 reports whether the CRS is based on the VN-2000 datum.
func (c *CRS) VN2000() bool { return c.vn2000 }

// Projection returns the Transverse Mercator parameters of a TM or UTM system;
// ok is false for geographic systems and Web Mercator.
func (c *CRS) Projection() (tm TransverseMercator, ok bool) { return c.tm, c.kind == tmerc }

// AxisOrder converts between geodata's (x, y) = (easting or longitude, northing
// or latitude) and the CRS's official axis order, swapping for LatFirst systems.
// It is its own inverse.
func (c *CRS) AxisOrder(a, b float64) (float64, float64) {
	if c.LatFirst() {
		return b, a
	}
	return a, b
}

// Proj4 is the CRS as a PROJ string in the form of PostGIS's spatial_ref_sys
// (longitude first for geographic systems), for PROJ-based tools and tests.
func (c *CRS) Proj4() string {
	towgs84 := ""
	if c.vn2000 {
		h := VN2000ToWGS84.TOWGS84()
		parts := make([]string, len(h))
		for i, v := range h {
			parts[i] = fmtNum(v)
		}
		towgs84 = " +ellps=WGS84 +towgs84=" + strings.Join(parts, ",")
	}
	switch c.kind {
	case tmerc:
		if towgs84 == "" {
			towgs84 = " +datum=WGS84"
		}
		return fmt.Sprintf("+proj=tmerc +lat_0=0 +lon_0=%s +k=%s +x_0=%s +y_0=%s%s +units=m +no_defs",
			fmtNum(c.tm.CentralMeridian), fmtNum(c.tm.Scale), fmtNum(c.tm.FalseEasting), fmtNum(c.tm.FalseNorthing), towgs84)
	case webMercator:
		return "+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs"
	}
	if towgs84 == "" {
		towgs84 = " +datum=WGS84"
	}
	return "+proj=longlat" + towgs84 + " +no_defs"
}

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// Equal reports whether two CRSs transform identically.
func (c *CRS) Equal(o *CRS) bool {
	return c.kind == o.kind && c.vn2000 == o.vn2000 && c.tm == o.tm
}

// ToWGS84 transforms x = easting or longitude and y = northing or latitude in
// this CRS to WGS 84 longitude and latitude in degrees.
func (c *CRS) ToWGS84(x, y float64) (lon, lat float64, err error) {
	switch c.kind {
	case latLon, lonLat:
		if err := checkLonLat(x, y); err != nil {
			return 0, 0, err
		}
		lon, lat = x, y
	case tmerc:
		if lon, lat, err = c.series.inverse(&c.tm, x, y); err != nil {
			return 0, 0, err
		}
	case webMercator:
		if !finite(x, y) || math.Abs(x) > webMercatorHalfWorld*(1+1e-9) {
			return 0, 0, fmt.Errorf("x %g, y %g is not a Web Mercator position", x, y)
		}
		return x / earthRadius * 180 / math.Pi, math.Atan(math.Sinh(y/earthRadius)) * 180 / math.Pi, nil
	}
	if c.vn2000 {
		lon, lat = datumShift(WGS84Ellipsoid, VN2000ToWGS84, true, lon, lat)
	}
	return lon, lat, nil
}

// FromWGS84 transforms WGS 84 longitude and latitude in degrees to x = easting
// or longitude and y = northing or latitude in this CRS.
func (c *CRS) FromWGS84(lon, lat float64) (x, y float64, err error) {
	if err := checkLonLat(lon, lat); err != nil {
		return 0, 0, err
	}
	if c.vn2000 {
		lon, lat = datumShift(WGS84Ellipsoid, VN2000ToWGS84, false, lon, lat)
	}
	switch c.kind {
	case tmerc:
		return c.series.forward(&c.tm, lon, lat)
	case webMercator:
		if math.Abs(lat) == 90 {
			return 0, 0, fmt.Errorf("latitude %g has no Web Mercator position", lat)
		}
		phi := lat * math.Pi / 180
		return earthRadius * lon * math.Pi / 180, earthRadius * math.Atanh(math.Sin(phi)), nil
	}
	return lon, lat, nil
}

// earthRadius is the sphere of Web Mercator: WGS 84's semi-major axis.
const earthRadius = 6378137

const webMercatorHalfWorld = math.Pi * earthRadius

func checkLonLat(lon, lat float64) error {
	if !finite(lon, lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90 {
		return fmt.Errorf("longitude %g, latitude %g is out of range", lon, lat)
	}
	return nil
}

// GeometryToWGS84 returns a copy of g, given in this CRS, in WGS 84 lon/lat.
func (c *CRS) GeometryToWGS84(g orb.Geometry) (orb.Geometry, error) {
	return transformGeometry(g, c.ToWGS84)
}

// GeometryFromWGS84 returns a copy of g, given in WGS 84 lon/lat, in this CRS.
func (c *CRS) GeometryFromWGS84(g orb.Geometry) (orb.Geometry, error) {
	return transformGeometry(g, c.FromWGS84)
}

// BoundToWGS84 transforms a bounding box given in this CRS to the WGS 84 box
// that contains it: the edges are sampled, since a projected box's edges are
// curves in longitude/latitude (for bbox-crs queries).
func (c *CRS) BoundToWGS84(b orb.Bound) (orb.Bound, error) {
	return transformBound(b, c.ToWGS84)
}

// BoundFromWGS84 transforms a WGS 84 bounding box to the box in this CRS that
// contains it, sampling the edges.
func (c *CRS) BoundFromWGS84(b orb.Bound) (orb.Bound, error) {
	return transformBound(b, c.FromWGS84)
}

// boundSamples is the number of points per edge of a transformed bounding box:
// enough that the curved edges of a province-sized box stay within centimetres.
const boundSamples = 64

func transformBound(b orb.Bound, f func(x, y float64) (float64, float64, error)) (orb.Bound, error) {
	out := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	dx, dy := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	for i := 0; i <= boundSamples; i++ {
		t := float64(i) / boundSamples
		for _, p := range [4]orb.Point{
			{b.Min[0] + t*dx, b.Min[1]}, {b.Min[0] + t*dx, b.Max[1]},
			{b.Min[0], b.Min[1] + t*dy}, {b.Max[0], b.Min[1] + t*dy},
		} {
			x, y, err := f(p[0], p[1])
			if err != nil {
				return orb.Bound{}, err
			}
			out = out.Extend(orb.Point{x, y})
		}
	}
	return out, nil
}

func transformGeometry(g orb.Geometry, f func(x, y float64) (float64, float64, error)) (orb.Geometry, error) {
	point := func(p orb.Point) (orb.Point, error) {
		x, y, err := f(p[0], p[1])
		return orb.Point{x, y}, err
	}
	points := func(ps []orb.Point) ([]orb.Point, error) {
		out := make([]orb.Point, len(ps))
		for i, p := range ps {
			var err error
			if out[i], err = point(p); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	rings := func(rs []orb.Ring) ([]orb.Ring, error) {
		out := make([]orb.Ring, len(rs))
		for i, r := range rs {
			ps, err := points(r)
			if err != nil {
				return nil, err
			}
			out[i] = ps
		}
		return out, nil
	}
	switch g := g.(type) {
	case nil:
		return nil, nil
	case orb.Point:
		return point(g)
	case orb.MultiPoint:
		ps, err := points(g)
		return orb.MultiPoint(ps), err
	case orb.LineString:
		ps, err := points(g)
		return orb.LineString(ps), err
	case orb.Ring:
		ps, err := points(g)
		return orb.Ring(ps), err
	case orb.MultiLineString:
		out := make(orb.MultiLineString, len(g))
		for i, l := range g {
			ps, err := points(l)
			if err != nil {
				return nil, err
			}
			out[i] = ps
		}
		return out, nil
	case orb.Polygon:
		rs, err := rings(g)
		return orb.Polygon(rs), err
	case orb.MultiPolygon:
		out := make(orb.MultiPolygon, len(g))
		for i, p := range g {
			rs, err := rings(p)
			if err != nil {
				return nil, err
			}
			out[i] = rs
		}
		return out, nil
	case orb.Collection:
		out := make(orb.Collection, len(g))
		for i, c := range g {
			var err error
			if out[i], err = transformGeometry(c, f); err != nil {
				return nil, err
			}
		}
		return out, nil
	case orb.Bound:
		return transformBound(g, f)
	}
	return nil, fmt.Errorf("unsupported geometry %T", g)
}

// registry holds the supported systems in the order SupportedCRS lists them.
var registry = buildRegistry()

func buildRegistry() []*CRS {
	out := []*CRS{
		{Name: "WGS 84 (CRS84)", kind: lonLat},
		{EPSG: 4326, Name: "WGS 84", kind: latLon},
		{EPSG: 3857, Name: "WGS 84 / Pseudo-Mercator", kind: webMercator},
		{EPSG: 4756, Name: "VN-2000", kind: latLon, vn2000: true},
		newUTM(3405, "VN-2000 / UTM zone 48N", 48, true),
		newUTM(3406, "VN-2000 / UTM zone 49N", 49, true),
		newUTM(32648, "WGS 84 / UTM zone 48N", 48, false),
		newUTM(32649, "WGS 84 / UTM zone 49N", 49, false),
	}
	codes := make([]int, 0, len(tm3Meridians))
	for code := range tm3Meridians {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	for _, code := range codes {
		out = append(out, newTM3(code, tm3Meridians[code]))
	}
	return out
}

func newUTM(code int, name string, zone int, vn2000 bool) *CRS {
	return newTM(code, name, vn2000, TransverseMercator{Ellipsoid: WGS84Ellipsoid,
		CentralMeridian: float64(zone*6 - 183), Scale: 0.9996, FalseEasting: 500000})
}

func newTM3(code int, cm float64) *CRS {
	name := tm3Name(cm)
	if n, ok := tm3ZoneNames[code]; ok {
		name = n
	}
	return newTM(code, name, true, TransverseMercator{Ellipsoid: WGS84Ellipsoid,
		CentralMeridian: cm, Scale: 0.9999, FalseEasting: 500000})
}

// tm3ZoneNames are EPSG's names of the TM-3 zones not named by their meridian.
var tm3ZoneNames = map[int]string{
	5896: "VN-2000 / TM-3 zone 481", 5897: "VN-2000 / TM-3 zone 482", 5898: "VN-2000 / TM-3 zone 491",
}

func newTM(code int, name string, vn2000 bool, tm TransverseMercator) *CRS {
	return &CRS{EPSG: code, Name: name, kind: tmerc, vn2000: vn2000, tm: tm, series: tm.series()}
}

// SupportedCRS lists every CRS geodata transforms, each a fresh copy: CRS84
// first, then EPSG:4326, 3857, 4756, the UTM zones and the TM-3 zones by code.
func SupportedCRS() []*CRS {
	out := make([]*CRS, len(registry))
	for i, c := range registry {
		cp := *c
		out[i] = &cp
	}
	return out
}

// lookupEPSG returns a copy of the registered CRS with the code, or nil.
func lookupEPSG(code int) *CRS {
	for _, c := range registry {
		if c.EPSG == code && c.kind != lonLat {
			cp := *c
			return &cp
		}
	}
	return nil
}

var (
	epsgForms = regexp.MustCompile(`^(?:epsg:+|urn:ogc:def:crs:epsg:[0-9.]*:|https?://www\.opengis\.net/def/crs/epsg/[0-9.]+/)?([0-9]+)$`)
	crs84     = regexp.MustCompile(`^(?:(?:ogc:)?crs84|urn:ogc:def:crs:ogc:[0-9.]*:crs84|https?://www\.opengis\.net/def/crs/ogc/[0-9.]+/crs84)$`)
	tm3Key    = regexp.MustCompile(`^vn2000tm3([0-9]{3})([0-9]{2})$`)
)

// LookupCRS finds a CRS by any of the ways files, flags and URLs name it:
// "EPSG:9214", "9214", "urn:ogc:def:crs:EPSG::9214",
// "http://www.opengis.net/def/crs/EPSG/0/9214", a safe CURIE "[EPSG:9214]",
// "CRS84", "OGC:CRS84", "urn:ogc:def:crs:OGC:1.3:CRS84",
// "http://www.opengis.net/def/crs/OGC/1.3/CRS84", or an EPSG name such as
// "VN-2000 / TM-3 107-00" (any 15′ TM-3 meridian, coded by EPSG or not).
// Case and spacing do not matter. Unknown systems wrap ErrUnsupportedCRS.
func LookupCRS(s string) (*CRS, error) {
	key := strings.ToLower(strings.TrimSpace(s))
	key = strings.TrimSuffix(strings.TrimPrefix(key, "["), "]")
	if crs84.MatchString(key) {
		cp := *registry[0]
		return &cp, nil
	}
	if m := epsgForms.FindStringSubmatch(key); m != nil {
		code, err := strconv.Atoi(m[1])
		if c := lookupEPSG(code); err == nil && c != nil {
			return c, nil
		}
		return nil, fmt.Errorf("%w: EPSG:%s; supported: %s", ErrUnsupportedCRS, m[1], supportedCodes())
	}
	name := nameKey(s)
	for _, c := range registry {
		if nameKey(c.Name) == name {
			cp := *c
			return &cp, nil
		}
	}
	if m := tm3Key.FindStringSubmatch(name); m != nil {
		deg, _ := strconv.Atoi(m[1])
		mins, _ := strconv.Atoi(m[2])
		return VN2000TM3(float64(deg) + float64(mins)/60)
	}
	return nil, fmt.Errorf("%w: %q; give an EPSG code or OGC URI, one of %s", ErrUnsupportedCRS, s, supportedCodes())
}

// nameKey folds a CRS name for matching: lower case letters and digits only.
func nameKey(s string) string {
	var b strings.Builder
	for _, r := range Fold(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func supportedCodes() string {
	codes := make([]string, len(registry))
	for i, c := range registry {
		codes[i] = c.Code()
	}
	return strings.Join(codes, ", ")
}
