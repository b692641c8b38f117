package importers

import (
	"archive/zip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// KML is read with encoding/xml (DESIGN.md): a streaming walk over the document
// that decodes one Placemark at a time, keeping the names of the Folders around it.

type kmlCoords struct {
	Coordinates string `xml:"coordinates"`
}

type kmlPolygon struct {
	Outer kmlCoords   `xml:"outerBoundaryIs>LinearRing"`
	Inner []kmlCoords `xml:"innerBoundaryIs>LinearRing"`
}

// kmlGeometries holds the geometries of a Placemark or a MultiGeometry.
type kmlGeometries struct {
	Points   []kmlCoords     `xml:"Point"`
	Lines    []kmlCoords     `xml:"LineString"`
	Rings    []kmlCoords     `xml:"LinearRing"`
	Polygons []kmlPolygon    `xml:"Polygon"`
	Multi    []kmlGeometries `xml:"MultiGeometry"`
}

type kmlPlacemark struct {
	ID          string `xml:"id,attr"`
	Name        string `xml:"name"`
	Description string `xml:"description"`
	Data        []struct {
		Name        string `xml:"name,attr"`
		DisplayName string `xml:"displayName"`
		Value       string `xml:"value"`
	} `xml:"ExtendedData>Data"`
	SchemaData []struct {
		SimpleData []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:",chardata"`
		} `xml:"SimpleData"`
	} `xml:"ExtendedData>SchemaData"`
	kmlGeometries
}

// readKMZ reads the main KML document of a KMZ (zip) archive: doc.kml, else the
// first .kml at the top.
func readKMZ(ctx context.Context, path string, opts Options, emit func(*Record) error) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return fmt.Errorf("%w: %s is not a readable KMZ (zip) archive (truncated or damaged?): %v", ErrFormat, filepath.Base(path), err)
	}
	defer zr.Close()
	var doc *zip.File
	for _, f := range zr.File {
		if strings.EqualFold(filepath.Ext(f.Name), ".kml") && (doc == nil || strings.EqualFold(f.Name, "doc.kml") ||
			strings.Count(f.Name, "/") < strings.Count(doc.Name, "/")) {
			doc = f
		}
	}
	if doc == nil {
		return fmt.Errorf("%w: the KMZ archive %s holds no .kml document", ErrFormat, filepath.Base(path))
	}
	rc, err := doc.Open()
	if err != nil {
		return fmt.Errorf("%w: %s in %s: %v", ErrFormat, doc.Name, filepath.Base(path), err)
	}
	defer rc.Close()
	return readKML(ctx, rc, opts, emit)
}

// readKML streams the Placemarks of a KML document.
func readKML(ctx context.Context, r io.Reader, opts Options, emit func(*Record) error) error {
	dec := xml.NewDecoder(r)
	dec.CharsetReader = xmlCharsetReader
	var folders []string // names of the enclosing Folders ("" until named)
	var stack []string   // local names of the open elements
	n := 0
	sawKML := false
	for {
		line, _ := dec.InputPos()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if !sawKML {
				return fmt.Errorf("%w: not a KML document (no <kml> element)", ErrFormat)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: KML line %d: %v", ErrFormat, line, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "kml":
				sawKML = true
			case "Folder":
				folders = append(folders, "")
			case "name":
				if len(stack) > 0 && stack[len(stack)-1] == "Folder" && len(folders) > 0 {
					var name string
					if err := dec.DecodeElement(&name, &t); err != nil {
						return fmt.Errorf("%w: KML line %d: %v", ErrFormat, line, err)
					}
					folders[len(folders)-1] = clean(name)
					continue
				}
			case "Placemark":
				if !sawKML {
					return fmt.Errorf("%w: not a KML document (no <kml> element before the first Placemark)", ErrFormat)
				}
				start, _ := dec.InputPos()
				var p kmlPlacemark
				if err := dec.DecodeElement(&p, &t); err != nil {
					return fmt.Errorf("%w: KML Placemark at line %d: %v", ErrFormat, start, err)
				}
				n++
				if n%1024 == 0 && ctx.Err() != nil {
					return ctx.Err()
				}
				if err := emit(kmlRecord(&p, start, folders, opts)); err != nil {
					return err
				}
				continue
			}
			stack = append(stack, t.Name.Local)
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			if t.Name.Local == "Folder" && len(folders) > 0 {
				folders = folders[:len(folders)-1]
			}
		}
	}
}

func clean(s string) string { return norm.NFC.String(strings.TrimSpace(s)) }

func kmlRecord(p *kmlPlacemark, line int, folders []string, opts Options) *Record {
	rec := &Record{Line: line, Text: true}
	add := func(name, value string) {
		rec.Props = append(rec.Props, Prop{Name: clean(name), Value: clean(value)})
	}
	add("name", p.Name)
	if strings.TrimSpace(p.Description) != "" {
		add("description", p.Description)
	}
	if len(folders) > 0 {
		add("folder", strings.Join(folders, " / "))
	}
	for _, d := range p.Data {
		add(d.Name, d.Value)
	}
	for _, sd := range p.SchemaData {
		for _, d := range sd.SimpleData {
			add(d.Name, d.Value)
		}
	}
	rec.ID, rec.IDColumn = clean(p.ID), "id"
	if opts.IDColumn != "" {
		rec.ID, rec.IDColumn = "", opts.IDColumn
		for _, pr := range rec.Props {
			if pr.Name == opts.IDColumn {
				rec.ID = pr.Value.(string)
			}
		}
	}
	g, err := p.kmlGeometries.geometry()
	if err != nil {
		rec.reject("geometry", err.Error())
		return rec
	}
	rec.Geometry = g
	return rec
}

// geometry assembles the geometries: one as itself, several of one kind as its
// Multi* type, a mix as a GeometryCollection.
func (k *kmlGeometries) geometry() (orb.Geometry, error) {
	var all []orb.Geometry
	if err := k.collect(&all); err != nil {
		return nil, err
	}
	switch len(all) {
	case 0:
		return nil, errors.New("the Placemark has no Point, LineString, Polygon or MultiGeometry")
	case 1:
		return all[0], nil
	}
	kinds := GeometryTypes{}
	for _, g := range all {
		kinds.Add(g)
	}
	if len(kinds) == 1 {
		switch all[0].(type) {
		case orb.Point:
			mp := make(orb.MultiPoint, len(all))
			for i, g := range all {
				mp[i] = g.(orb.Point)
			}
			return mp, nil
		case orb.LineString:
			ml := make(orb.MultiLineString, len(all))
			for i, g := range all {
				ml[i] = g.(orb.LineString)
			}
			return ml, nil
		case orb.Polygon:
			mp := make(orb.MultiPolygon, len(all))
			for i, g := range all {
				mp[i] = g.(orb.Polygon)
			}
			return mp, nil
		}
	}
	return orb.Collection(all), nil
}

func (k *kmlGeometries) collect(out *[]orb.Geometry) error {
	for _, p := range k.Points {
		pts, err := parseKMLCoords(p.Coordinates)
		if err != nil {
			return fmt.Errorf("Point: %v", err)
		}
		if len(pts) != 1 {
			return fmt.Errorf("a Point has %d coordinates", len(pts))
		}
		*out = append(*out, pts[0])
	}
	for _, l := range k.Lines {
		pts, err := parseKMLCoords(l.Coordinates)
		if err != nil {
			return fmt.Errorf("LineString: %v", err)
		}
		*out = append(*out, orb.LineString(pts))
	}
	for _, r := range k.Rings {
		pts, err := parseKMLCoords(r.Coordinates)
		if err != nil {
			return fmt.Errorf("LinearRing: %v", err)
		}
		*out = append(*out, orb.Polygon{ccw(orb.Ring(pts))})
	}
	for _, p := range k.Polygons {
		outer, err := parseKMLCoords(p.Outer.Coordinates)
		if err != nil {
			return fmt.Errorf("Polygon outer boundary: %v", err)
		}
		poly := orb.Polygon{ccw(orb.Ring(outer))}
		for i, in := range p.Inner {
			pts, err := parseKMLCoords(in.Coordinates)
			if err != nil {
				return fmt.Errorf("Polygon inner boundary %d: %v", i+1, err)
			}
			poly = append(poly, cw(orb.Ring(pts)))
		}
		*out = append(*out, poly)
	}
	for i := range k.Multi {
		if err := k.Multi[i].collect(out); err != nil {
			return err
		}
	}
	return nil
}

var kmlCommaSpace = regexp.MustCompile(`\s*,\s*`)

// parseKMLCoords reads "lon,lat[,alt] lon,lat[,alt] …", tolerating spaces around commas.
func parseKMLCoords(s string) ([]orb.Point, error) {
	fields := strings.Fields(kmlCommaSpace.ReplaceAllString(strings.TrimSpace(s), ","))
	if len(fields) == 0 {
		return nil, errors.New("no coordinates")
	}
	pts := make([]orb.Point, 0, len(fields))
	for _, f := range fields {
		parts := strings.Split(f, ",")
		if len(parts) < 2 || len(parts) > 3 {
			return nil, fmt.Errorf("%q is not lon,lat[,altitude]", f)
		}
		lon, err1 := strconv.ParseFloat(parts[0], 64)
		lat, err2 := strconv.ParseFloat(parts[1], 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%q is not lon,lat[,altitude]", f)
		}
		pts = append(pts, orb.Point{lon, lat})
	}
	return pts, nil
}

// xmlCharsetReader decodes the encodings an XML declaration may name beyond UTF-8.
func xmlCharsetReader(label string, input io.Reader) (io.Reader, error) {
	switch headerKey(label) {
	case "iso88591", "latin1", "windows1252", "cp1252":
		return transform.NewReader(input, charmap.Windows1252.NewDecoder()), nil
	}
	enc, err := ParseEncoding(label)
	if err != nil {
		return nil, err
	}
	return transform.NewReader(input, decoderFor(enc)), nil
}
