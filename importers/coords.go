package importers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/geo"
)

// Region is what the readers know of where a file's features belong: it lets
// them tell swapped columns and pick the projected system of a file that names
// none. Ingest sets it from the region profile.
type Region struct {
	BBox [4]float64 // minlon, minlat, maxlon, maxlat in WGS 84
	CRS  []int      // EPSG codes of the region's VN-2000 projected systems, the default first
}

// vietnam is the area of use of VN-2000 (EPSG), the fallback when no region is given.
var vietnam = [4]float64{102.14, 8.33, 109.53, 23.4}

// ErrCRSRequired means a file's coordinates are projected and nothing says in
// which system: give --crs (or a .prj).
var ErrCRSRequired = errors.New("coordinate reference system required")

// coordinates turns the positions a reader yields into WGS 84. It resolves the
// source CRS (--crs, a .prj, or detection from the values), the meaning of the
// coordinate columns of a table (swapped lon/lat, the survey convention of X =
// northing), and reprojects every geometry. Decisions are taken on the first
// position that settles them, so both passes of an import decide the same.
type coordinates struct {
	crs        *geo.CRS // nil: WGS 84, or not known yet
	crsDecided bool     // crs is settled (given, or decided on the first position)
	origin     string   // where crs came from: "--crs EPSG:9214", "schools.prj"…
	region     Region
	note       func(string)

	// Tables: the columns the position came from, set by the reader.
	tabular      bool
	xCol, yCol   string // longitude/easting and latitude/northing columns (or the pair column twice)
	pair         bool   // one "lat, lon" column: x and y come in as lon, lat
	swapped      bool   // the columns hold y, x
	orderDecided bool
}

// newCoordinates prepares the coordinates of one file: the --crs option, else
// a .prj beside the file (schools.csv → schools.prj).
func newCoordinates(path string, opts Options) (*coordinates, error) {
	c := &coordinates{note: func(n string) { opts.note(SeverityNote, "", "%s", n) }, region: regionOrVietnam(opts.Region)}
	if opts.CRS != "" {
		crs, err := geo.LookupCRS(opts.CRS)
		if err != nil {
			return nil, fmt.Errorf("--crs: %w", err)
		}
		c.crs, c.origin, c.crsDecided = crs, "--crs "+opts.CRS, true
	}
	prj, err := sidecarPRJ(path)
	if err != nil {
		return nil, err
	}
	if prj != "" {
		b, err := readPRJ(prj)
		if err != nil {
			return nil, err
		}
		if err := c.usePRJ(filepath.Base(prj), b); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func regionOrVietnam(r *Region) Region {
	if r == nil {
		return Region{BBox: vietnam}
	}
	return *r
}

// maxPRJ bounds what is read of a .prj; real ones are under 2 KB, and
// geo.ParsePRJ refuses anything over 64 KB.
const maxPRJ = 64<<10 + 1

func readPRJ(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxPRJ))
}

// sidecarPRJ finds the .prj beside a file (any case of the extension), or "".
func sidecarPRJ(path string) (string, error) {
	base := strings.TrimSuffix(path, filepath.Ext(path))
	for _, ext := range []string{".prj", ".PRJ", ".Prj"} {
		if _, err := os.Stat(base + ext); err == nil {
			return base + ext, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
	}
	return "", nil
}

// usePRJ takes the CRS of a .prj text; readers of formats that carry their .prj
// inside (a zipped shapefile) call it before emitting records. --crs wins over
// the .prj, with a note when they differ.
func (c *coordinates) usePRJ(name string, wkt []byte) error {
	if c == nil { // a reader called outside Read, as in its unit tests
		return nil
	}
	crs, notes, err := geo.ParsePRJ(string(wkt))
	if err != nil {
		if c.crs != nil {
			c.note(fmt.Sprintf("%s not read (%v); used %s", name, err, c.origin))
			return nil
		}
		return fmt.Errorf("%s: %w; give the system with --crs", name, err)
	}
	if c.crs != nil {
		if !c.crs.Equal(crs) {
			c.note(fmt.Sprintf("%s says %s; used %s (%s) as given by %s", name, crs, c.crs, c.crs.Code(), c.origin))
		}
		return nil
	}
	c.crs, c.origin, c.crsDecided = crs, name, true
	c.note(fmt.Sprintf("coordinates in %s, from %s", crs, name))
	for _, n := range notes {
		c.note(name + ": " + n)
	}
	return nil
}

// geoJSONCRS takes the CRS named by the "crs" member of GeoJSON 2008
// ({"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::9214"}}), as
// GDAL still writes it for systems other than WGS 84. --crs and a .prj win.
func (c *coordinates) geoJSONCRS(raw json.RawMessage) error {
	if c == nil {
		return nil
	}
	var member struct {
		Type       string `json:"type"`
		Properties struct {
			Name string `json:"name"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(raw, &member); err != nil || member.Type != "name" || member.Properties.Name == "" {
		return fmt.Errorf("%w: the \"crs\" member is not {\"type\": \"name\", \"properties\": {\"name\": …}}; give the system with --crs", ErrFormat)
	}
	crs, err := geo.LookupCRS(member.Properties.Name)
	switch {
	case c.crs != nil && c.origin != "the GeoJSON \"crs\" member":
		if err != nil || !crs.Equal(c.crs) {
			c.note(fmt.Sprintf("the GeoJSON \"crs\" member names %q; used %s as given by %s", member.Properties.Name, c.crs, c.origin))
		}
		return nil
	case err != nil:
		return fmt.Errorf("%w: the GeoJSON \"crs\" member: %v; give the system with --crs", ErrFormat, err)
	case c.crsDecided && !(crs.Geographic() && !crs.VN2000()):
		return fmt.Errorf("%w: the GeoJSON \"crs\" member (%s) comes after the features; put it first or give --crs", ErrFormat, crs)
	}
	c.crs, c.origin, c.crsDecided = crs, "the GeoJSON \"crs\" member", true
	if !crs.Geographic() || crs.VN2000() {
		c.note(fmt.Sprintf("coordinates in %s, from the GeoJSON \"crs\" member", crs))
	}
	return nil
}

// ValidateCRS checks the CRS option, so that a wrong --crs fails before any
// file is read.
func (o Options) ValidateCRS() error {
	if o.CRS == "" {
		return nil
	}
	if _, err := geo.LookupCRS(o.CRS); err != nil {
		return fmt.Errorf("--crs: %w", err)
	}
	return nil
}

// table tells that positions come from the columns x (longitude or easting) and
// y (latitude or northing) of a table, whose order may be wrong; readers of
// tables (CSV, spreadsheets) call it once the header is known.
func (c *coordinates) table(xCol, yCol string) {
	if c == nil {
		return
	}
	c.tabular, c.xCol, c.yCol = true, xCol, yCol
}

// pairColumn tells that positions come from one "lat, lon" column.
func (c *coordinates) pairColumn(col string) {
	if c == nil {
		return
	}
	c.tabular, c.pair, c.xCol, c.yCol = true, true, col, col
}

// wrap returns emit preceded by the transformation of each record's geometry
// to WGS 84. A file-level problem (projected coordinates and no CRS) stops the
// reading with an error.
func (c *coordinates) wrap(emit func(*Record) error) func(*Record) error {
	return func(rec *Record) error {
		if rec.Geometry != nil && !rec.Rejected() {
			if err := c.toWGS84(rec); err != nil {
				return err
			}
		}
		return emit(rec)
	}
}

func (c *coordinates) toWGS84(rec *Record) error {
	if c.tabular {
		p, ok := rec.Geometry.(orb.Point)
		if !ok {
			return nil
		}
		if err := c.decideTable(p, rec.Line); err != nil {
			return err
		}
		if c.swapped {
			p = orb.Point{p[1], p[0]}
		}
		rec.Geometry = p
	} else if p, ok := firstPoint(rec.Geometry); ok {
		if err := c.decideCRS(p, rec.Line); err != nil {
			return err
		}
	}
	if c.crs == nil || c.crs.Geographic() && !c.crs.VN2000() {
		c.checkSwappedRow(rec)
		return nil
	}
	if p, ok := firstPoint(rec.Geometry); ok && !c.crs.Geographic() && !projectedLooking(p) {
		rec.reject(c.column(), fmt.Sprintf("%s looks like degrees, but %s (%s) is in metres", fmtPoint(p), c.crs, c.origin))
		return nil
	}
	g, err := c.crs.GeometryToWGS84(rec.Geometry)
	if err != nil {
		rec.reject(c.column(), fmt.Sprintf("cannot transform from %s (%s): %v", c.crs.Code(), c.origin, err))
		return nil
	}
	rec.Geometry = g
	c.checkSwappedRow(rec)
	return nil
}

// column names the column a position came from, for reports.
func (c *coordinates) column() string {
	if !c.tabular {
		return "geometry"
	}
	if c.pair || c.xCol == c.yCol {
		return c.xCol
	}
	return c.xCol + "/" + c.yCol
}

// projectedLooking reports whether a position cannot be degrees.
func projectedLooking(p orb.Point) bool {
	return math.Abs(p[0]) > 180 || math.Abs(p[1]) > 180
}

// decideCRS settles the CRS of a file that names none, from its first position:
// degrees are WGS 84; metres need the region's one VN-2000 system, or --crs.
// Later rows in metres in a file of degrees are then rejected by validation.
func (c *coordinates) decideCRS(p orb.Point, line int) error {
	if c.crsDecided {
		return nil
	}
	c.crsDecided = true
	if !projectedLooking(p) {
		return nil
	}
	var systems []*geo.CRS
	for _, code := range c.region.CRS {
		if crs, err := geo.LookupCRS(fmt.Sprint(code)); err == nil && !crs.Geographic() {
			systems = append(systems, crs)
		}
	}
	if len(systems) == 1 {
		c.crs, c.origin = systems[0], "the region's only projected system"
		c.note(fmt.Sprintf("coordinates in metres (%s on line %d) and no --crs or .prj: assumed %s, the region's only VN-2000 system",
			fmtPoint(p), line, systems[0]))
		return nil
	}
	what := fmt.Sprintf("the coordinates are projected metres (%s on line %d), not degrees, and the file names no system", fmtPoint(p), line)
	if len(systems) == 0 {
		return fmt.Errorf("%w: %s: give it with --crs (EPSG:9214 for VN-2000 / TM-3 107-00, …) or a .prj beside the file", ErrCRSRequired, what)
	}
	names := make([]string, len(systems))
	for i, s := range systems {
		names[i] = fmt.Sprintf("--crs %s (%s)", s.Code(), s.Name)
	}
	return fmt.Errorf("%w: %s; the region uses %d VN-2000 systems, so give one: %s", ErrCRSRequired, what, len(systems), strings.Join(names, ", "))
}

// decideTable settles, on the first position of a table, the CRS when none is
// given and whether the columns are swapped: lon/lat columns written lat/lon,
// or the survey convention where X is the northing and Y the easting.
func (c *coordinates) decideTable(p orb.Point, line int) error {
	if c.orderDecided {
		return nil
	}
	if err := c.decideCRS(p, line); err != nil {
		return err
	}
	if c.crs == nil || c.crs.Geographic() {
		return c.decideDegreeOrder(p, line)
	}
	return c.decideMetreOrder(p, line)
}

// decideDegreeOrder tells lon/lat from lat/lon by where the point falls: in
// Vietnam a longitude (102–110) is never a latitude (8–24).
func (c *coordinates) decideDegreeOrder(p orb.Point, line int) error {
	asIs, swapped := c.fits(p), c.fits(orb.Point{p[1], p[0]})
	switch {
	case asIs:
		c.orderDecided = true
	case swapped:
		c.orderDecided, c.swapped = true, true
		if c.pair {
			c.note(fmt.Sprintf("column %q holds longitude first (%s on line %d): read as \"lon, lat\"", c.xCol, fmtPoint(p), line))
		} else {
			c.note(fmt.Sprintf("columns %q and %q are swapped (%s on line %d): read %q as latitude and %q as longitude",
				c.xCol, c.yCol, fmtPoint(p), line, c.xCol, c.yCol))
		}
	}
	return nil
}

// decideMetreOrder tells easting/northing from the survey convention (X =
// northing, Y = easting): by which order lands in the region, else by magnitude
// (in Vietnam a northing is above 1,000,000 m and an easting below).
func (c *coordinates) decideMetreOrder(p orb.Point, line int) error {
	asIs, swapped := c.fitsProjected(p), c.fitsProjected(orb.Point{p[1], p[0]})
	c.orderDecided = true
	if asIs && !swapped {
		return nil
	}
	byMagnitude := p[0] > 1e6 && p[1] < 1e6
	if swapped && !asIs || !asIs && byMagnitude {
		c.swapped = true
		why := "only read so does it lie in the region"
		if !swapped {
			why = "in Vietnam a northing is above 1,000,000 m and an easting below"
		}
		c.note(fmt.Sprintf("column %q holds northings and %q eastings, the survey convention X = northing, Y = easting "+
			"(line %d: %s; %s): read %q as northing and %q as easting", c.xCol, c.yCol, line, fmtPoint(p), why, c.xCol, c.yCol))
		return nil
	}
	if !asIs && !swapped {
		c.orderDecided = false // decide on a later row
	}
	return nil
}

// fits reports whether a lon/lat point lies in or near the region (a margin of
// 2°, as files lie partly outside it; swapped values are 80° off).
func (c *coordinates) fits(p orb.Point) bool {
	b := c.region.BBox
	const margin = 2
	return p[0] >= b[0]-margin && p[0] <= b[2]+margin && p[1] >= b[1]-margin && p[1] <= b[3]+margin
}

func (c *coordinates) fitsProjected(p orb.Point) bool {
	lon, lat, err := c.crs.ToWGS84(p[0], p[1])
	return err == nil && c.fits(orb.Point{lon, lat})
}

// checkSwappedRow rejects a table row whose position is far off while the
// same numbers in the other order lie in the region: a row typed the other
// way round from the rest of the file.
func (c *coordinates) checkSwappedRow(rec *Record) {
	p, ok := rec.Geometry.(orb.Point)
	if !ok || !c.tabular || !c.orderDecided || c.fits(p) || c.crs != nil && !c.crs.Geographic() {
		return
	}
	if c.fits(orb.Point{p[1], p[0]}) {
		rec.reject(c.column(), fmt.Sprintf("longitude and latitude look swapped in this row (%s), unlike the rest of the file", fmtPoint(p)))
	}
}

// firstPoint is the first position of a geometry; ok is false when it has none.
func firstPoint(g orb.Geometry) (p orb.Point, ok bool) {
	switch g := g.(type) {
	case orb.Point:
		return g, true
	case orb.MultiPoint:
		return firstOf(g)
	case orb.LineString:
		return firstOf(g)
	case orb.MultiLineString:
		if len(g) > 0 {
			return firstOf(g[0])
		}
	case orb.Polygon:
		if len(g) > 0 {
			return firstOf(g[0])
		}
	case orb.MultiPolygon:
		if len(g) > 0 {
			return firstPoint(g[0])
		}
	case orb.Collection:
		if len(g) > 0 {
			return firstPoint(g[0])
		}
	}
	return orb.Point{}, false
}

func firstOf[S ~[]orb.Point](s S) (orb.Point, bool) {
	if len(s) == 0 {
		return orb.Point{}, false
	}
	return s[0], true
}

func fmtPoint(p orb.Point) string {
	return fmt.Sprintf("%s, %s", fmtCoord(p[0]), fmtCoord(p[1]))
}

func fmtCoord(v float64) string {
	if math.Abs(v) > 1000 {
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.6f", v)
}

// tell passes the coordinate columns of a table header to c.
func (cols coordColumns) tell(c *coordinates, header []string) {
	if cols.pair >= 0 {
		c.pairColumn(header[cols.pair])
		return
	}
	c.table(header[cols.lon], header[cols.lat])
}
