package handlers

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"

	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/geo"
)

// utf8BOM starts a CSV file so that Excel reads it as UTF-8 and shows
// Vietnamese letters instead of mojibake.
const utf8BOM = "\ufeff"

// writeCSV writes a page of features as CSV: the id, the selected properties,
// then the geometry — two coordinate columns for a point collection, else one
// WKT column — in the requested coordinate system and its axis order.
func writeCSV(w http.ResponseWriter, snap *catalog.Snapshot, page []int32, q itemsQuery) error {
	props := q.props
	if props == nil {
		props = make([]int, len(snap.Collection.Schema))
		for i := range props {
			props[i] = i
		}
	}
	points := snap.Collection.GeometryType == "Point"
	var buf bytes.Buffer
	buf.WriteString(utf8BOM)
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true // what Excel writes and expects
	header := []string{"id"}
	for _, p := range props {
		header = append(header, snap.Collection.Schema[p].Name)
	}
	if points {
		header = append(header, axisNames(q.crs)...)
	} else {
		header = append(header, "wkt")
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	row := make([]string, len(header))
	for _, idx := range page {
		f := &snap.Features[idx]
		row = row[:0]
		row = append(row, f.ID)
		for _, p := range props {
			row = append(row, catalog.ValueText(f.Props[p]))
		}
		g, err := toCRS(f.Geom, q.crs)
		if err != nil {
			return badParam("crs", "feature %s cannot be given in %s: %v", f.ID, q.crs.URI(), err)
		}
		if pt, ok := g.(orb.Point); ok && points {
			row = append(row, strconv.FormatFloat(pt[0], 'f', -1, 64), strconv.FormatFloat(pt[1], 'f', -1, 64))
		} else {
			row = append(row, string(geo.AppendWKT(nil, g)))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", mediaCSV+"; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+snap.ID()+`.csv"`)
	h.Set("Content-Crs", "<"+q.crs.URI()+">")
	_, err := w.Write(buf.Bytes())
	return err
}

// axisNames names the two coordinate columns of a point in system c.
func axisNames(c *geo.CRS) []string {
	switch {
	case c.Geographic() && c.LatFirst():
		return []string{"lat", "lon"}
	case c.Geographic():
		return []string{"lon", "lat"}
	case c.LatFirst():
		return []string{"y", "x"}
	}
	return []string{"x", "y"}
}
