package downloads

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/geo"
)

// CSV is the collection as CSV in WGS 84: id, every property, then lon and lat
// for point collections and the geometry as WKT in a column named WKT, which GDAL
// and QGIS read as the geometry without options. UTF-8 without BOM.
func CSV() Format {
	return Format{Name: "csv", Ext: "csv", MediaType: "text/csv", FileType: "CSV",
		Title: "CSV (WGS 84)", CRS: CRS84,
		Write: func(w io.Writer, snap *catalog.Snapshot) error { return writeCSV(w, snap, nil, "lon", "lat") }}
}

// Projection turns WGS 84 longitude/latitude into projected x (easting) and y
// (northing) in metres. geo.LookupCRS("EPSG:9214").FromWGS84 has this shape.
type Projection func(lon, lat float64) (x, y float64, err error)

// ProjectedCSV is the CSV format with coordinates projected by project:
// easting and northing columns (named so, since Vietnamese surveys call the
// northing X) for points and WKT in metres. name is the format's name in URLs
// ("csv-vn2000"), ext its file extension ("vn2000.csv"), crsURI the system's
// URI and title its label.
func ProjectedCSV(name, ext, crsURI, title string, project Projection) Format {
	return Format{Name: name, Ext: ext, MediaType: "text/csv", FileType: "CSV", Title: title, CRS: crsURI,
		Write: func(w io.Writer, snap *catalog.Snapshot) error {
			return writeCSV(w, snap, project, "easting", "northing")
		}}
}

// CRSCSV is ProjectedCSV in a projected system of geo, for example the region's
// VN-2000 / TM-3 zone (geo.LookupCRS("EPSG:9214")) for the departments whose
// tools expect it: format "csv-vn2000", file name ….vn2000.csv.
func CRSCSV(crs *geo.CRS) Format {
	name, ext := "csv-"+strings.ToLower(strings.ReplaceAll(crs.Code(), ":", "")), strings.ToLower(strings.ReplaceAll(crs.Code(), ":", ""))+".csv"
	if crs.VN2000() {
		name, ext = "csv-vn2000", "vn2000.csv"
	}
	return ProjectedCSV(name, ext, crs.URI(), "CSV ("+crs.Name+")", crs.FromWGS84)
}

func writeCSV(w io.Writer, snap *catalog.Snapshot, project Projection, xName, yName string) error {
	points := snap.Collection.GeometryType == "Point"
	reserved := []string{"id", "WKT"}
	if points {
		reserved = append(reserved, xName, yName)
	}
	header := append([]string{"id"}, columnNames(reserved, propertyNames(snap))...)
	if points {
		header = append(header, xName, yName)
	}
	header = append(header, "WKT")
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	row := make([]string, len(header))
	var wkt []byte
	for i := range snap.Features {
		f := &snap.Features[i]
		g := f.Geom
		if project != nil {
			var err error
			if g, err = projectGeometry(g, project); err != nil {
				return fmt.Errorf("feature %s: %w", f.ID, err)
			}
		}
		row = row[:0]
		row = append(row, f.ID)
		for _, v := range f.Props {
			row = append(row, catalog.ValueText(v))
		}
		if points {
			p, _ := g.(orb.Point)
			row = append(row, strconv.FormatFloat(p[0], 'f', -1, 64), strconv.FormatFloat(p[1], 'f', -1, 64))
		}
		wkt = appendWKT(wkt[:0], g)
		row = append(row, string(wkt))
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// projectGeometry returns a projected copy of g (snapshots are shared and never
// changed in place).
func projectGeometry(g orb.Geometry, project Projection) (orb.Geometry, error) {
	var firstErr error
	pt := func(p orb.Point) orb.Point {
		x, y, err := project(p[0], p[1])
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("project %g %g: %w", p[0], p[1], err)
		}
		return orb.Point{x, y}
	}
	out := mapPoints(g, pt)
	return out, firstErr
}

func mapPoints(g orb.Geometry, fn func(orb.Point) orb.Point) orb.Geometry {
	line := func(ps []orb.Point) []orb.Point {
		out := make([]orb.Point, len(ps))
		for i, p := range ps {
			out[i] = fn(p)
		}
		return out
	}
	poly := func(p orb.Polygon) orb.Polygon {
		out := make(orb.Polygon, len(p))
		for i, r := range p {
			out[i] = line(r)
		}
		return out
	}
	switch g := g.(type) {
	case orb.Point:
		return fn(g)
	case orb.MultiPoint:
		return orb.MultiPoint(line(g))
	case orb.LineString:
		return orb.LineString(line(g))
	case orb.MultiLineString:
		out := make(orb.MultiLineString, len(g))
		for i, ls := range g {
			out[i] = line(ls)
		}
		return out
	case orb.Polygon:
		return poly(g)
	case orb.MultiPolygon:
		out := make(orb.MultiPolygon, len(g))
		for i, p := range g {
			out[i] = poly(p)
		}
		return out
	case orb.Collection:
		out := make(orb.Collection, len(g))
		for i, c := range g {
			out[i] = mapPoints(c, fn)
		}
		return out
	}
	return g
}
