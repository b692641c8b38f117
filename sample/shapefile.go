package sample

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// ShapeField is one dBase column of a Shapefile: Type C (text), N (number with
// Decimals decimals), F (float), L (logical) or D (date).
type ShapeField struct {
	Name     string // at most 10 ASCII characters
	Type     byte
	Length   int
	Decimals int
}

// ShapeFeature is one record: a geometry (nil for a null shape) and one value
// per field (string, int, float64, bool, time.Time or nil).
type ShapeFeature struct {
	Geometry orb.Geometry
	Values   []any
}

// ShapeLayer is a whole Shapefile to write.
type ShapeLayer struct {
	Fields   []ShapeField
	Features []ShapeFeature
	PRJ      string // the .prj text; "" writes none
	CPG      string // the .cpg text ("UTF-8" or "1258"); "" writes none and UTF-8 text
}

// WGS84PRJ is the .prj of WGS 84 longitude/latitude, as ArcGIS and QGIS write it.
const WGS84PRJ = `GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`

// WriteShapefile writes base.shp, .shx, .dbf and, when set, .prj and .cpg. All
// geometries must be of one kind: points, multipoints, lines or polygons.
// Polygon exteriors are written clockwise and holes counter-clockwise, as the
// format requires; rings are written as given otherwise (tests write broken ones).
func WriteShapefile(base string, layer ShapeLayer) error {
	typ, err := shapeTypeOf(layer.Features)
	if err != nil {
		return err
	}
	var shp, shx bytes.Buffer
	bbox := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	shp.Write(make([]byte, 100))
	shx.Write(make([]byte, 100))
	for i, f := range layer.Features {
		content := shapeContent(f.Geometry, typ)
		if f.Geometry != nil {
			bbox = bbox.Union(f.Geometry.Bound())
		}
		binary.Write(&shx, binary.BigEndian, [2]int32{int32(shp.Len() / 2), int32(len(content) / 2)})
		binary.Write(&shp, binary.BigEndian, [2]int32{int32(i + 1), int32(len(content) / 2)})
		shp.Write(content)
	}
	if len(layer.Features) == 0 {
		bbox = orb.Bound{}
	}
	writeShapeHeader(shp.Bytes(), typ, bbox)
	writeShapeHeader(shx.Bytes(), typ, bbox)
	dbf, err := dbfBytes(layer)
	if err != nil {
		return err
	}
	files := map[string][]byte{".shp": shp.Bytes(), ".shx": shx.Bytes(), ".dbf": dbf}
	if layer.PRJ != "" {
		files[".prj"] = []byte(layer.PRJ)
	}
	if layer.CPG != "" {
		files[".cpg"] = []byte(layer.CPG)
	}
	for ext, b := range files {
		if err := os.WriteFile(base+ext, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func shapeTypeOf(features []ShapeFeature) (int32, error) {
	typ := int32(0)
	for _, f := range features {
		var t int32
		switch f.Geometry.(type) {
		case nil:
			continue
		case orb.Point:
			t = 1
		case orb.MultiPoint:
			t = 8
		case orb.LineString, orb.MultiLineString:
			t = 3
		case orb.Polygon, orb.MultiPolygon:
			t = 5
		default:
			return 0, fmt.Errorf("shapefile: %T cannot be written", f.Geometry)
		}
		if typ != 0 && t != typ {
			return 0, fmt.Errorf("shapefile: mixed shape types %d and %d", typ, t)
		}
		typ = t
	}
	return typ, nil
}

func writeShapeHeader(b []byte, typ int32, bbox orb.Bound) {
	binary.BigEndian.PutUint32(b[0:], 9994)
	binary.BigEndian.PutUint32(b[24:], uint32(len(b)/2))
	binary.LittleEndian.PutUint32(b[28:], 1000)
	binary.LittleEndian.PutUint32(b[32:], uint32(typ))
	for i, v := range []float64{bbox.Min[0], bbox.Min[1], bbox.Max[0], bbox.Max[1]} {
		binary.LittleEndian.PutUint64(b[36+8*i:], math.Float64bits(v))
	}
}

// shapeContent encodes one record's content (after its 8-byte header).
func shapeContent(g orb.Geometry, typ int32) []byte {
	var b bytes.Buffer
	le := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	if g == nil {
		le(int32(0))
		return b.Bytes()
	}
	le(typ)
	switch g := g.(type) {
	case orb.Point:
		le([2]float64{g[0], g[1]})
	case orb.MultiPoint:
		bound := g.Bound()
		le([4]float64{bound.Min[0], bound.Min[1], bound.Max[0], bound.Max[1]})
		le(int32(len(g)))
		for _, p := range g {
			le([2]float64{p[0], p[1]})
		}
	default:
		var parts [][]orb.Point
		switch g := g.(type) {
		case orb.LineString:
			parts = [][]orb.Point{g}
		case orb.MultiLineString:
			for _, l := range g {
				parts = append(parts, l)
			}
		case orb.Polygon:
			parts = polygonParts(g)
		case orb.MultiPolygon:
			for _, p := range g {
				parts = append(parts, polygonParts(p)...)
			}
		}
		bound := g.Bound()
		le([4]float64{bound.Min[0], bound.Min[1], bound.Max[0], bound.Max[1]})
		n := 0
		for _, p := range parts {
			n += len(p)
		}
		le([2]int32{int32(len(parts)), int32(n)})
		start := 0
		for _, p := range parts {
			le(int32(start))
			start += len(p)
		}
		for _, p := range parts {
			for _, pt := range p {
				le([2]float64{pt[0], pt[1]})
			}
		}
	}
	return b.Bytes()
}

// polygonParts orients a polygon's rings as Shapefiles want: exterior
// clockwise, holes counter-clockwise.
func polygonParts(p orb.Polygon) [][]orb.Point {
	parts := make([][]orb.Point, len(p))
	for i, r := range p {
		clockwise := area2(r) < 0
		if (i == 0) != clockwise {
			r = reverseRing(r)
		}
		parts[i] = r
	}
	return parts
}

func area2(r orb.Ring) float64 {
	a := 0.0
	for i := 0; i+1 < len(r); i++ {
		a += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return a
}

func reverseRing(r orb.Ring) orb.Ring {
	out := make(orb.Ring, len(r))
	for i, p := range r {
		out[len(r)-1-i] = p
	}
	return out
}

// dbfBytes writes the dBase III table, text in UTF-8 or, with CPG "1258", Windows-1258.
func dbfBytes(layer ShapeLayer) ([]byte, error) {
	encode := func(s string) ([]byte, error) { return []byte(s), nil }
	if layer.CPG == "1258" || strings.EqualFold(layer.CPG, "windows-1258") {
		encode = EncodeWindows1258
	}
	var b bytes.Buffer
	recLen := 1
	for _, f := range layer.Fields {
		recLen += f.Length
	}
	now := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	b.WriteByte(0x03)
	b.Write([]byte{byte(now.Year() - 1900), byte(now.Month()), byte(now.Day())})
	binary.Write(&b, binary.LittleEndian, uint32(len(layer.Features)))
	binary.Write(&b, binary.LittleEndian, uint16(32+32*len(layer.Fields)+1))
	binary.Write(&b, binary.LittleEndian, uint16(recLen))
	b.Write(make([]byte, 20))
	for _, f := range layer.Fields {
		var d [32]byte
		copy(d[:11], f.Name)
		d[11] = f.Type
		d[16] = byte(f.Length)
		d[17] = byte(f.Decimals)
		b.Write(d[:])
	}
	b.WriteByte(0x0D)
	for i, feat := range layer.Features {
		b.WriteByte(' ')
		for k, f := range layer.Fields {
			var v any
			if k < len(feat.Values) {
				v = feat.Values[k]
			}
			cell, err := dbfCell(f, v, encode)
			if err != nil {
				return nil, fmt.Errorf("dbf row %d field %s: %w", i+1, f.Name, err)
			}
			b.Write(cell)
		}
	}
	b.WriteByte(0x1A)
	return b.Bytes(), nil
}

func dbfCell(f ShapeField, v any, encode func(string) ([]byte, error)) ([]byte, error) {
	var s []byte
	switch v := v.(type) {
	case nil:
	case string:
		e, err := encode(norm.NFC.String(v))
		if err != nil {
			return nil, err
		}
		s = e
	case int:
		s = []byte(strconv.Itoa(v))
	case float64:
		s = []byte(strconv.FormatFloat(v, 'f', f.Decimals, 64))
	case bool:
		s = []byte(map[bool]string{true: "T", false: "F"}[v])
	case time.Time:
		s = []byte(v.Format("20060102"))
	default:
		return nil, fmt.Errorf("value %T", v)
	}
	if len(s) > f.Length {
		return nil, fmt.Errorf("%q is longer than %d bytes", s, f.Length)
	}
	pad := bytes.Repeat([]byte{' '}, f.Length-len(s))
	if f.Type == 'N' || f.Type == 'F' {
		return append(pad, s...), nil // numbers right-aligned
	}
	return append(s, pad...), nil
}

// EncodeWindows1258 writes text in Windows-1258 (code page 1258), the legacy
// Vietnamese Windows encoding: letters it has precomposed as such, the others
// as a base letter followed by a combining tone mark.
func EncodeWindows1258(s string) ([]byte, error) {
	enc := charmap.Windows1258.NewEncoder()
	var out []byte
	for _, r := range norm.NFC.String(s) {
		if b, err := enc.Bytes([]byte(string(r))); err == nil {
			out = append(out, b...)
			continue
		}
		var base, tone []rune
		for _, m := range norm.NFD.String(string(r)) {
			switch m {
			case '\u0300', '\u0301', '\u0303', '\u0309', '\u0323':
				tone = append(tone, m)
			default:
				base = append(base, m)
			}
		}
		b, err := enc.Bytes([]byte(norm.NFC.String(string(base)) + string(tone)))
		if err != nil {
			return nil, fmt.Errorf("%q cannot be written in Windows-1258", r)
		}
		out = append(out, b...)
	}
	return out, nil
}

// writeFileBuffered writes b to path through a buffer.
func writeFileBuffered(path string, write func(*bufio.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := write(w); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
