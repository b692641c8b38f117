package downloads

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/paulmach/orb/encoding/wkb"
	"github.com/twpayne/go-geom"
	geomkml "github.com/twpayne/go-geom/encoding/kml"
	geomwkb "github.com/twpayne/go-geom/encoding/wkb"
	"github.com/twpayne/go-kml/v3"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/geo"
)

// KML is the collection as KML 2.2: one Placemark per feature, named by its
// name property when it has one, its properties typed by a Schema.
func KML() Format {
	return Format{Name: "kml", Ext: "kml", MediaType: "application/vnd.google-earth.kml+xml", FileType: "KML",
		Title: "KML", CRS: CRS84, Write: writeKML}
}

// writeKML streams the document: the envelope by hand, each Placemark encoded by
// go-kml on its own, so memory does not grow with the collection.
func writeKML(w io.Writer, snap *catalog.Snapshot) error {
	c := snap.Collection
	schemaID := "schema-" + c.ID
	fields := columnNames(kmlReserved, propertyNames(snap))
	var simple []kml.Element
	simple = append(simple, kml.SimpleField("id", "string"))
	for i, p := range c.Schema {
		simple = append(simple, kml.SimpleField(fields[i], kmlType(p.Type)))
	}
	if _, err := io.WriteString(w, xml.Header+`<kml xmlns="http://www.opengis.net/kml/2.2"><Document>`); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	head := []kml.Element{kml.Name(c.Title), kml.Schema(schemaID, simple...)}
	if c.Description != "" {
		head = append(head, kml.Description(c.Description))
	}
	for _, e := range head {
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	nameAt := nameProperty(snap)
	for i := range snap.Features {
		f := &snap.Features[i]
		g, err := toGeom(f)
		if err != nil {
			return err
		}
		geomEl, err := geomkml.Encode(g)
		if err != nil {
			return fmt.Errorf("feature %s: %w", f.ID, err)
		}
		data := []kml.Element{kml.SimpleData("id", f.ID)}
		for j, v := range f.Props {
			if v != nil {
				data = append(data, kml.SimpleData(fields[j], kmlValue(v)))
			}
		}
		name := f.ID
		if nameAt >= 0 {
			if s, ok := f.Props[nameAt].(string); ok && s != "" {
				name = s
			}
		}
		pm := kml.Placemark(kml.Name(name), kml.ExtendedData(kml.SchemaData("#"+schemaID, data...)), geomEl)
		if err := enc.Encode(pm); err != nil {
			return err
		}
	}
	if err := enc.Flush(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "</Document></kml>\n")
	return err
}

// kmlReserved are the id field and the fields GDAL's LIBKML driver makes of a
// Placemark: a property called "name" becomes "name_2" beside the Placemark's name.
var kmlReserved = []string{"id", "name", "description", "timestamp", "begin", "end", "altitudeMode", "tessellate",
	"extrude", "visibility", "drawOrder", "icon"}

// kmlValue is valueText with booleans as 1 and 0, the xsd:boolean form GDAL reads.
func kmlValue(v any) string {
	if b, ok := v.(bool); ok {
		if b {
			return "1"
		}
		return "0"
	}
	return catalog.ValueText(v)
}

func kmlType(t string) string {
	switch t {
	case "integer":
		return "int"
	case "number":
		return "double"
	case "boolean":
		return "bool"
	}
	return "string"
}

// nameProperty is the schema position of the property that names a feature: the
// first string property called name or tên… ("Tên trường"), or -1.
func nameProperty(snap *catalog.Snapshot) int {
	for i, p := range snap.Collection.Schema {
		n := geo.Fold(p.Name)
		if p.Type == "string" && (n == "name" || n == "ten" || strings.HasPrefix(n, "ten ") || strings.HasPrefix(n, "ten_")) {
			return i
		}
	}
	return -1
}

// toGeom converts a feature's orb geometry to go-geom through WKB, the form both
// libraries share.
func toGeom(f *catalog.Feature) (geom.T, error) {
	b, err := wkb.Marshal(f.Geom)
	if err != nil {
		return nil, fmt.Errorf("feature %s: %w", f.ID, err)
	}
	g, err := geomwkb.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("feature %s: %w", f.ID, err)
	}
	return g, nil
}
