// Package downloads writes a collection's snapshot as the files people download —
// GeoJSON, CSV (WGS84, and projected variants such as VN-2000 TM-3), KML and
// GeoPackage — and caches them on disk per collection version, with their size
// and SHA-256 for the catalogue. It may import geo and catalog; never handlers,
// store or pgx.
//
//	cache, _ := downloads.NewCache(dir, 3, downloads.Standard()...)
//	file, _ := cache.Get(ctx, snap, downloads.GeoPackage())
//	// file.Path, file.Size, file.SHA256
package downloads

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/catalog"
)

// Format is a download format.
type Format struct {
	Name      string // in URLs: geojson, csv, kml, gpkg, …
	Ext       string // file name extension: geojson, csv, vn2000.csv, …
	MediaType string // IANA media type (dcat:mediaType)
	FileType  string // EU file-type authority code (dct:format): GEOJSON, CSV, KML, GPKG
	Title     string // label for people, in Vietnamese
	CRS       string // coordinate reference system of the coordinates, as a URI
	// Write streams the file. Formats that must build a file of their own (a
	// GeoPackage is a SQLite database) set WriteFile instead.
	Write     func(w io.Writer, snap *catalog.Snapshot) error
	WriteFile func(path string, snap *catalog.Snapshot) error
}

// CRS84 is longitude/latitude on WGS 84, the coordinates of every standard format.
const CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

// Standard is the formats every collection is offered in.
func Standard() []Format { return []Format{GeoJSON(), CSV(), KML(), GeoPackage()} }

// GeoJSON is the collection as one RFC 7946 FeatureCollection.
func GeoJSON() Format {
	return Format{Name: "geojson", Ext: "geojson", MediaType: "application/geo+json", FileType: "GEOJSON",
		Title: "GeoJSON", CRS: CRS84, Write: writeGeoJSON}
}

func writeGeoJSON(w io.Writer, snap *catalog.Snapshot) error {
	var head bytes.Buffer
	head.WriteString(`{"type":"FeatureCollection","name":`)
	name, _ := json.Marshal(snap.ID()) // a string always marshals
	head.Write(name)
	head.WriteString(`,"features":[`)
	if _, err := w.Write(head.Bytes()); err != nil {
		return err
	}
	for i := range snap.Features {
		sep := ",\n"
		if i == 0 {
			sep = "\n"
		}
		if _, err := io.WriteString(w, sep); err != nil {
			return err
		}
		if _, err := w.Write(snap.Features[i].JSON); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "\n]}\n")
	return err
}

// columnNames gives each property a column name that differs, ignoring case
// (SQLite and GDAL compare field names without case), from the reserved names
// and from the names before it: a clash gets "_2", "_3"….
func columnNames(reserved []string, props []string) []string {
	used := map[string]bool{}
	for _, r := range reserved {
		used[strings.ToLower(r)] = true
	}
	out := make([]string, len(props))
	for i, p := range props {
		name := p
		for n := 2; used[strings.ToLower(name)]; n++ {
			name = p + "_" + strconv.Itoa(n)
		}
		used[strings.ToLower(name)] = true
		out[i] = name
	}
	return out
}

func propertyNames(snap *catalog.Snapshot) []string {
	names := make([]string, len(snap.Collection.Schema))
	for i, p := range snap.Collection.Schema {
		names[i] = p.Name
	}
	return names
}

// appendWKT writes g as WKT with plain decimals (no exponent, which some
// spreadsheet users meet with projected metres).
func appendWKT(b []byte, g orb.Geometry) []byte {
	switch g := g.(type) {
	case orb.Point:
		return appendCoords(append(b, "POINT"...), []orb.Point{g})
	case orb.MultiPoint:
		b = append(b, "MULTIPOINT("...)
		for i, p := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendCoords(b, []orb.Point{p})
		}
		return append(b, ')')
	case orb.LineString:
		return appendCoords(append(b, "LINESTRING"...), g)
	case orb.MultiLineString:
		b = append(b, "MULTILINESTRING("...)
		for i, ls := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendCoords(b, ls)
		}
		return append(b, ')')
	case orb.Polygon:
		return appendRings(append(b, "POLYGON"...), g)
	case orb.MultiPolygon:
		b = append(b, "MULTIPOLYGON("...)
		for i, p := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendRings(b, p)
		}
		return append(b, ')')
	case orb.Collection:
		b = append(b, "GEOMETRYCOLLECTION("...)
		for i, c := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendWKT(b, c)
		}
		return append(b, ')')
	}
	return append(b, "GEOMETRYCOLLECTION EMPTY"...)
}

func appendRings(b []byte, p orb.Polygon) []byte {
	b = append(b, '(')
	for i, r := range p {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCoords(b, r)
	}
	return append(b, ')')
}

func appendCoords(b []byte, pts []orb.Point) []byte {
	b = append(b, '(')
	for i, p := range pts {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendFloat(b, p[0], 'f', -1, 64)
		b = append(b, ' ')
		b = strconv.AppendFloat(b, p[1], 'f', -1, 64)
	}
	return append(b, ')')
}
