package importers_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/xuri/excelize/v2"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/importers"
	"github.com/vn-opendata/geodata/sample"
)

type result struct {
	records []*importers.Record
	notes   []importers.Problem
}

func read(t *testing.T, path string, opts importers.Options) (result, error) {
	t.Helper()
	var res result
	opts.Notify = func(p importers.Problem) { res.notes = append(res.notes, p) }
	err := importers.Read(context.Background(), path, opts, func(r *importers.Record) error {
		res.records = append(res.records, r)
		return nil
	})
	return res, err
}

func mustRead(t *testing.T, path string, opts importers.Options) result {
	t.Helper()
	res, err := read(t, path, opts)
	if err != nil {
		t.Fatalf("read %s: %v", filepath.Base(path), err)
	}
	return res
}

func prop(r *importers.Record, name string) any {
	for _, p := range r.Props {
		if p.Name == name {
			return p.Value
		}
	}
	return nil
}

func reasons(r *importers.Record) string {
	var out []string
	for _, p := range r.Problems {
		out = append(out, p.Column+": "+p.Reason)
	}
	return strings.Join(out, "; ")
}

// wantFormatError checks that a broken file is refused as a whole with a
// message naming what is wrong.
func wantFormatError(t *testing.T, path string, opts importers.Options, substr string) {
	t.Helper()
	_, err := read(t, path, opts)
	if err == nil || !errors.Is(err, importers.ErrFormat) || !strings.Contains(err.Error(), substr) {
		t.Errorf("%s: error %v, want an ErrFormat saying %q", filepath.Base(path), err, substr)
	}
}

func write(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCSVLinesQuotedNewlinesDecimalComma(t *testing.T) {
	p := write(t, "a.csv", []byte("\ufeffMã;Ghi chú;Vĩ độ;Kinh độ\r\n"+
		"A1;\"hai\r\ndòng\";21,27;106,19\r\n"+
		"\r\n"+
		"A2;\"ba\ndòng\nnữa\";\"21°16'26.5\"\"N\";\"106°11'30\"\"E\"\r\n"+
		"A3;x;abc;106,2\r\n"))
	res := mustRead(t, p, importers.Options{})
	if len(res.records) != 3 {
		t.Fatalf("%d records, want 3", len(res.records))
	}
	for i, want := range []int{2, 5, 8} {
		if got := res.records[i].Line; got != want {
			t.Errorf("record %d on line %d, want %d (physical line of its start, header included)", i+1, got, want)
		}
	}
	if g := res.records[0].Geometry.(orb.Point); g != (orb.Point{106.19, 21.27}) {
		t.Errorf("decimal comma read as %v", g)
	}
	if v := prop(res.records[0], "Ghi chú"); v != "hai\ndòng" { // encoding/csv turns \r\n inside quotes into \n
		t.Errorf("quoted field %q", v)
	}
	if g := res.records[1].Geometry.(orb.Point); math.Abs(g[1]-(21+16.0/60+26.5/3600)) > 1e-12 {
		t.Errorf("DMS read as %v", g)
	}
	r := res.records[2]
	if !r.Rejected() || r.Problems[0].Column != "Vĩ độ" || r.Problems[0].Line != 8 {
		t.Errorf("bad coordinate: %+v", r.Problems)
	}
}

func TestCSVEncodingsThroughRead(t *testing.T) {
	text := "Tên,Kinh độ,Vĩ độ\nTrường Tiểu học Xương Giang – Đồng Sơn,106.19,21.27\n"
	cp, err := sample.EncodeWindows1258(text)
	if err != nil {
		t.Fatal(err)
	}
	res := mustRead(t, write(t, "a.csv", cp), importers.Options{})
	if v := prop(res.records[0], "Tên"); v != "Trường Tiểu học Xương Giang – Đồng Sơn" {
		t.Errorf("Windows-1258 read as %q", v)
	}
	if len(res.notes) == 0 || !strings.Contains(res.notes[0].Reason, "windows-1258") {
		t.Errorf("detected encoding not noted: %v", res.notes)
	}
	// the wrong encoding given: every row is refused, naming the problem
	res, err = read(t, write(t, "b.csv", append([]byte("id,x,y\n1,106,21\n2,"), cp...)), importers.Options{Encoding: importers.EncodingUTF8})
	if err == nil && (len(res.records) == 0 || !res.records[len(res.records)-1].Rejected()) {
		t.Errorf("Windows-1258 bytes read as UTF-8 without complaint")
	}
}

func TestCSVBroken(t *testing.T) {
	long := bytes.Repeat([]byte("x"), 10<<20)
	wantFormatError(t, write(t, "long.csv", long), importers.Options{}, "longer than")
	wantFormatError(t, write(t, "empty.csv", nil), importers.Options{}, "empty")
	wantFormatError(t, write(t, "nocoords.csv", []byte("a,b\n1,2\n")), importers.Options{}, "no coordinate columns")
	res := mustRead(t, write(t, "header.csv", []byte("id,lon,lat\n")), importers.Options{})
	if len(res.records) != 0 {
		t.Errorf("header only: %d records", len(res.records))
	}
	res = mustRead(t, write(t, "fields.csv", []byte("id,lon,lat\n1,106,21,extra\n2,\"106,21\n")), importers.Options{})
	if len(res.records) == 0 || !res.records[0].Rejected() {
		t.Errorf("row with an extra field accepted")
	}
}

func TestGeoJSONLongSingleLine(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	n := 0
	for b.Len() < 10<<20 {
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		b.WriteString(`{"type":"Feature","geometry":{"type":"Point","coordinates":[106.1,21.2]},"properties":{"ten":"Điểm dừng số mười hai","n":12}}`)
	}
	b.WriteString(`]}`)
	res := mustRead(t, write(t, "one-line.geojson", b.Bytes()), importers.Options{})
	if len(res.records) != n {
		t.Errorf("%d features, want %d", len(res.records), n)
	}
	wantFormatError(t, write(t, "cut.geojson", b.Bytes()[:b.Len()/2]), importers.Options{}, "feature")
	wantFormatError(t, write(t, "garbage.geojson", bytes.Repeat([]byte("A"), 10<<20)), importers.Options{}, "must start with an object")
}

// xlsxFile writes a workbook with a title block, a merged district column, a
// blank row inside the data, dates, numbers and text.
func xlsxFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "truong.xlsx")
	err := sample.WriteXLSX(p, sample.Workbook{
		Sheet:  "Trường",
		Title:  []string{"SỞ GIÁO DỤC VÀ ĐÀO TẠO", "DANH SÁCH TRƯỜNG"},
		Header: []string{"Mã", "Tên trường", "Huyện", "Số học sinh", "Ngày thành lập", "Kinh độ", "Vĩ độ"},
		Rows: [][]sample.SheetCell{
			{"T1", "Trường Mầm non Hoa Sen", "Yên Dũng", 120, time.Date(1998, 9, 5, 0, 0, 0, 0, time.UTC), 106.25, 21.2},
			{"T2", "Trường Tiểu học Nham Sơn", "Yên Dũng", 840, time.Date(2001, 1, 31, 0, 0, 0, 0, time.UTC), 106.26, 21.21},
			{"T3", "Trường THCS Lục Sơn", "Lục Nam", 415, "15/08/1975", "106,45", "21,27"},
		},
		MergeColumn: 3,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestXLSX(t *testing.T) {
	p := xlsxFile(t)
	res := mustRead(t, p, importers.Options{IDColumn: "Mã"})
	if len(res.records) != 3 {
		t.Fatalf("%d records, want 3", len(res.records))
	}
	for i, r := range res.records {
		if r.Rejected() {
			t.Fatalf("row %d rejected: %s", r.Line, reasons(r))
		}
		if r.Line != 5+i || r.Sheet != "Trường" {
			t.Errorf("record %d: sheet %q row %d, want row %d as Excel shows it", i, r.Sheet, r.Line, 5+i)
		}
	}
	r := res.records[1]
	if prop(r, "Huyện") != "Yên Dũng" {
		t.Errorf("merged cell read as %q", prop(r, "Huyện"))
	}
	if prop(r, "Ngày thành lập") != "2001-01-31" || prop(r, "Số học sinh") != "840" {
		t.Errorf("date %q, number %q", prop(r, "Ngày thành lập"), prop(r, "Số học sinh"))
	}
	if g := res.records[2].Geometry.(orb.Point); g != (orb.Point{106.45, 21.27}) {
		t.Errorf("text coordinates with decimal commas read as %v", g)
	}
	if r.ID != "T2" {
		t.Errorf("id %q", r.ID)
	}
	wantFormatError(t, p, importers.Options{Sheet: "Nope"}, `no sheet "Nope"`)
}

func TestXLSXBroken(t *testing.T) {
	dir := t.TempDir()
	f := excelize.NewFile()
	f.NewSheet("Chỉ tiêu đề")
	f.SetSheetRow("Chỉ tiêu đề", "A1", &[]any{"Mã", "Kinh độ", "Vĩ độ"})
	empty := filepath.Join(dir, "empty.xlsx")
	if err := f.SaveAs(empty); err != nil {
		t.Fatal(err)
	}
	wantFormatError(t, empty, importers.Options{}, "is empty")
	res := mustRead(t, empty, importers.Options{Sheet: "Chỉ tiêu đề"})
	if len(res.records) != 0 {
		t.Errorf("header-only sheet: %d records", len(res.records))
	}
	wantFormatError(t, write(t, "fake.xlsx", []byte("not a workbook")), importers.Options{}, "not a readable Excel workbook")
	wantFormatError(t, write(t, "old.xls", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")), importers.Options{}, "save it as .xlsx")
	b, _ := os.ReadFile(xlsxFile(t))
	wantFormatError(t, write(t, "cut.xlsx", b[:len(b)/2]), importers.Options{}, "not a readable Excel workbook")
}

// shapeLayers are the layers of the Shapefile tests.
func polygonLayer() sample.ShapeLayer {
	return sample.ShapeLayer{
		PRJ: sample.WGS84PRJ,
		Fields: []sample.ShapeField{{Name: "TEN", Type: 'C', Length: 30}, {Name: "GHI_CHU", Type: 'M', Length: 10},
			{Name: "DIEN_TICH", Type: 'F', Length: 12, Decimals: 3}, {Name: "SO_HO", Type: 'N', Length: 6}, {Name: "CO_DE", Type: 'L', Length: 1}, {Name: "NGAY", Type: 'D', Length: 8}},
		Features: []sample.ShapeFeature{
			{Geometry: orb.Polygon{
				{{106, 21}, {106, 21.4}, {106.4, 21.4}, {106.4, 21}, {106, 21}},              // exterior
				{{106.1, 21.1}, {106.2, 21.1}, {106.2, 21.2}, {106.1, 21.2}, {106.1, 21.1}}}, // hole
				Values: []any{"Hồ Khuôn Thần", nil, 12.5, 340, true, time.Date(2020, 2, 29, 0, 0, 0, 0, time.UTC)}},
			{Geometry: orb.MultiPolygon{
				{{{106.5, 21}, {106.5, 21.1}, {106.6, 21.1}, {106.6, 21}, {106.5, 21}}},
				{{{106.7, 21}, {106.7, 21.3}, {106.9, 21.3}, {106.9, 21}, {106.7, 21}},
					{{106.75, 21.1}, {106.8, 21.1}, {106.8, 21.2}, {106.75, 21.2}, {106.75, 21.1}}}},
				Values: []any{"Đảo", nil, nil, nil, nil, nil}},
		},
	}
}

func TestShapefilePolygonsWithHoles(t *testing.T) {
	dir := t.TempDir()
	if err := sample.WriteShapefile(filepath.Join(dir, "ho"), polygonLayer()); err != nil {
		t.Fatal(err)
	}
	res := mustRead(t, filepath.Join(dir, "ho.shp"), importers.Options{})
	if len(res.records) != 2 {
		t.Fatalf("%d records", len(res.records))
	}
	p, ok := res.records[0].Geometry.(orb.Polygon)
	if !ok || len(p) != 2 {
		t.Fatalf("first shape %T %v, want a polygon with its hole", res.records[0].Geometry, res.records[0].Geometry)
	}
	if orientation(p[0]) != orb.CCW || orientation(p[1]) != orb.CW {
		t.Errorf("RFC 7946 winding: exterior %v, hole %v", orientation(p[0]), orientation(p[1]))
	}
	mp, ok := res.records[1].Geometry.(orb.MultiPolygon)
	if !ok || len(mp) != 2 || len(mp[0]) != 1 || len(mp[1]) != 2 {
		t.Fatalf("second shape %v: want two polygons, the hole in the second", res.records[1].Geometry)
	}
	r := res.records[0]
	want := map[string]any{"TEN": "Hồ Khuôn Thần", "DIEN_TICH": "12.5", "SO_HO": "340", "CO_DE": true, "NGAY": "2020-02-29"}
	for k, v := range want {
		got := prop(r, k)
		if s, ok := got.(interface{ String() string }); ok {
			got = s.String()
		}
		if got != v {
			t.Errorf("%s = %v (%T), want %v", k, prop(r, k), prop(r, k), v)
		}
	}
	if prop(r, "GHI_CHU") != nil {
		t.Errorf("memo field not skipped")
	}
	prjRead := false
	for _, n := range res.notes {
		prjRead = prjRead || strings.Contains(n.Reason, ".prj")
	}
	if !prjRead {
		t.Errorf("the .prj was not read: notes %v", res.notes)
	}
}

func orientation(r orb.Ring) orb.Orientation { return r.Orientation() }

func TestShapefileZipFolderAndEncoding(t *testing.T) {
	dir := t.TempDir()
	layer := sample.ShapeLayer{CPG: "1258", Fields: []sample.ShapeField{{Name: "TEN", Type: 'C', Length: 40}},
		Features: []sample.ShapeFeature{{Geometry: orb.Point{106.2, 21.3}, Values: []any{"Bến Đồng Sơn – sông Thương"}}}}
	if err := sample.WriteShapefile(filepath.Join(dir, "ben"), layer); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{dir, filepath.Join(dir, "ben.shp"), zipDir(t, dir)} {
		res := mustRead(t, path, importers.Options{})
		if v := prop(res.records[0], "TEN"); v != "Bến Đồng Sơn – sông Thương" {
			t.Errorf("%s: %q", path, v)
		}
	}
	os.Remove(filepath.Join(dir, "ben.cpg")) // no code page: detected
	res := mustRead(t, dir, importers.Options{})
	if v := prop(res.records[0], "TEN"); v != "Bến Đồng Sơn – sông Thương" {
		t.Errorf("without .cpg: %q", v)
	}
	if err := sample.WriteShapefile(filepath.Join(dir, "khac"), layer); err != nil {
		t.Fatal(err)
	}
	wantFormatError(t, dir, importers.Options{}, "choose one with --layer")
	mustRead(t, dir, importers.Options{Layer: "khac"})
}

func zipDir(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), filepath.Base(dir)+".zip")
	f, _ := os.Create(p)
	zw := zip.NewWriter(f)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		w, _ := zw.Create("lop/" + e.Name())
		w.Write(b)
	}
	zw.Close()
	f.Close()
	return p
}

func TestShapefileZM(t *testing.T) {
	// a PointZ and a PolyLineM file, written by hand: the reader keeps x and y
	dir := t.TempDir()
	le := binary.LittleEndian
	pointZ := []byte{}
	pointZ = le.AppendUint32(pointZ, 11)
	for _, v := range []float64{106.1, 21.2, 35.5, 0} {
		pointZ = le.AppendUint64(pointZ, math.Float64bits(v))
	}
	lineM := []byte{}
	lineM = le.AppendUint32(lineM, 23)
	for _, v := range []float64{106, 21, 106.1, 21.1} {
		lineM = le.AppendUint64(lineM, math.Float64bits(v))
	}
	lineM = le.AppendUint32(lineM, 1)
	lineM = le.AppendUint32(lineM, 2)
	lineM = le.AppendUint32(lineM, 0)
	for _, v := range []float64{106, 21, 106.1, 21.1, 0, 5, 0, 5} { // points, then the M range and values
		lineM = le.AppendUint64(lineM, math.Float64bits(v))
	}
	for name, rec := range map[string][]byte{"z": pointZ, "m": lineM} {
		base := filepath.Join(dir, name)
		writeRawShapefile(t, base, int32(le.Uint32(rec)), rec)
		res := mustRead(t, base+".shp", importers.Options{})
		if len(res.records) != 1 || res.records[0].Rejected() {
			t.Fatalf("%s: %d records: %v", name, len(res.records), res.records)
		}
		want := map[string]orb.Geometry{"z": orb.Point{106.1, 21.2}, "m": orb.LineString{{106, 21}, {106.1, 21.1}}}[name]
		if !orb.Equal(res.records[0].Geometry, want) {
			t.Errorf("%s: %v, want %v", name, res.records[0].Geometry, want)
		}
	}
}

// writeRawShapefile writes a one-record Shapefile around a record's content.
func writeRawShapefile(t *testing.T, base string, typ int32, content []byte) {
	t.Helper()
	header := func(length int) []byte {
		h := make([]byte, 100)
		binary.BigEndian.PutUint32(h, 9994)
		binary.BigEndian.PutUint32(h[24:], uint32(length/2))
		binary.LittleEndian.PutUint32(h[28:], 1000)
		binary.LittleEndian.PutUint32(h[32:], uint32(typ))
		return h
	}
	shp := header(100 + 8 + len(content))
	shp = binary.BigEndian.AppendUint32(shp, 1)
	shp = binary.BigEndian.AppendUint32(shp, uint32(len(content)/2))
	shp = append(shp, content...)
	shx := header(108)
	shx = binary.BigEndian.AppendUint32(shx, 50)
	shx = binary.BigEndian.AppendUint32(shx, uint32(len(content)/2))
	os.WriteFile(base+".shp", shp, 0o644)
	os.WriteFile(base+".shx", shx, 0o644)
	dir, name := filepath.Split(base)
	tmp := filepath.Join(t.TempDir(), name)
	sample.WriteShapefile(tmp, sample.ShapeLayer{Fields: []sample.ShapeField{{Name: "ID", Type: 'N', Length: 3}},
		Features: []sample.ShapeFeature{{Geometry: orb.Point{0, 0}, Values: []any{1}}}})
	b, _ := os.ReadFile(tmp + ".dbf")
	os.WriteFile(filepath.Join(dir, name+".dbf"), b, 0o644)
}

func TestShapefileBroken(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "ho")
	if err := sample.WriteShapefile(base, polygonLayer()); err != nil {
		t.Fatal(err)
	}
	shp, _ := os.ReadFile(base + ".shp")
	shx, _ := os.ReadFile(base + ".shx")

	os.WriteFile(base+".shp", shp[:len(shp)-30], 0o644)
	wantFormatError(t, base+".shp", importers.Options{}, "truncated")
	os.WriteFile(base+".shp", shp, 0o644)

	os.WriteFile(base+".shx", shx[:len(shx)-8], 0o644)
	wantFormatError(t, base+".shp", importers.Options{}, "index (.shx)")
	os.Remove(base + ".shx")
	wantFormatError(t, base+".shp", importers.Options{}, "no .shx file")

	z := zipDir(t, dir)
	zb, _ := os.ReadFile(z)
	wantFormatError(t, write(t, "cut.zip", zb[:len(zb)/2]), importers.Options{}, "zip archive")

	open := polygonLayer()
	open.Features[0].Geometry = orb.Polygon{{{106, 21}, {106, 21.4}, {106.4, 21.4}, {106.4, 21}}}
	if err := sample.WriteShapefile(base, open); err != nil {
		t.Fatal(err)
	}
	res := mustRead(t, base+".shp", importers.Options{})
	if r := res.records[0]; !r.Rejected() || !strings.Contains(reasons(r), "not closed") {
		t.Errorf("unclosed ring: %s", reasons(r))
	}
}

func TestKML(t *testing.T) {
	doc := `<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">
<Document><name>Bãi đỗ xe</name>
<Schema name="bai" id="bai"><SimpleField name="loai" type="string"/></Schema>
<Folder><name>Bắc Giang</name>
  <Folder><name>Phường Trần Phú</name>
    <Placemark id="P1">
      <name>Bãi xe Trần Phú</name>
      <description><![CDATA[<p>Sức chứa <b>40</b></p>]]></description>
      <ExtendedData><Data name="suc_chua"><value>40</value></Data>
        <SchemaData schemaUrl="#bai"><SimpleData name="loai">Ô tô</SimpleData></SchemaData></ExtendedData>
      <Point><coordinates> 106.19 , 21.27 ,0 </coordinates></Point>
    </Placemark>
  </Folder>
  <Placemark><name>Khu đỗ</name>
    <MultiGeometry>
      <Polygon><outerBoundaryIs><LinearRing><coordinates>106,21 106,21.1 106.1,21.1 106.1,21 106,21</coordinates></LinearRing></outerBoundaryIs>
        <innerBoundaryIs><LinearRing><coordinates>106.02,21.02 106.05,21.02 106.05,21.05 106.02,21.02</coordinates></LinearRing></innerBoundaryIs></Polygon>
      <Polygon><outerBoundaryIs><LinearRing><coordinates>106.2,21 106.3,21 106.3,21.1 106.2,21</coordinates></LinearRing></outerBoundaryIs></Polygon>
    </MultiGeometry>
  </Placemark>
</Folder>
<Placemark><name>Đường vào</name><LineString><coordinates>106,21 106.1,21.1</coordinates></LineString></Placemark>
<Placemark><name>Không có hình</name></Placemark>
</Document></kml>`
	p := write(t, "bai.kml", []byte(doc))
	res := mustRead(t, p, importers.Options{})
	if len(res.records) != 4 {
		t.Fatalf("%d placemarks", len(res.records))
	}
	r := res.records[0]
	if r.ID != "P1" || r.Line != 7 || prop(r, "folder") != "Bắc Giang / Phường Trần Phú" || prop(r, "suc_chua") != "40" || prop(r, "loai") != "Ô tô" ||
		!strings.Contains(prop(r, "description").(string), "<b>40</b>") {
		t.Errorf("first placemark: id %q line %d props %v", r.ID, r.Line, r.Props)
	}
	if g := r.Geometry.(orb.Point); g != (orb.Point{106.19, 21.27}) {
		t.Errorf("point %v", g)
	}
	mp, ok := res.records[1].Geometry.(orb.MultiPolygon)
	if !ok || len(mp) != 2 || len(mp[0]) != 2 || mp[0][0].Orientation() != orb.CCW || mp[0][1].Orientation() != orb.CW {
		t.Errorf("multigeometry %v", res.records[1].Geometry)
	}
	if prop(res.records[1], "folder") != "Bắc Giang" || prop(res.records[2], "folder") != nil {
		t.Errorf("folders %v, %v", prop(res.records[1], "folder"), prop(res.records[2], "folder"))
	}
	if !res.records[3].Rejected() {
		t.Error("placemark without geometry accepted")
	}
	// the same document as a KMZ
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("doc.kml")
	w.Write([]byte(doc))
	zw.Close()
	res = mustRead(t, write(t, "bai.kmz", b.Bytes()), importers.Options{})
	if len(res.records) != 4 {
		t.Errorf("KMZ: %d placemarks", len(res.records))
	}
	wantFormatError(t, write(t, "cut.kml", []byte(doc[:len(doc)/2])), importers.Options{}, "KML")
	wantFormatError(t, write(t, "html.kml", []byte("<html><body>hi</body></html>")), importers.Options{}, "not a KML document")
	wantFormatError(t, write(t, "cut.kmz", b.Bytes()[:b.Len()/2]), importers.Options{}, "zip")
}

func TestSampleGTFS(t *testing.T) {
	dir := sampleDir(t)
	feed := filepath.Join(dir, "bus-gtfs.zip")
	routes := mustRead(t, feed, importers.Options{Layer: importers.LayerRoutes})
	stops := mustRead(t, feed, importers.Options{Layer: importers.LayerStops})
	if len(routes.notes) != 0 {
		t.Errorf("complete feed gave notes: %v", routes.notes)
	}
	byID := map[string]*importers.Record{}
	for _, r := range routes.records {
		if r.Rejected() {
			t.Fatalf("route %s rejected: %s", r.ID, reasons(r))
		}
		byID[r.ID] = r
	}
	r := byID["BG-01-0"]
	if r == nil {
		t.Fatalf("no BG-01-0 among %d lines", len(routes.records))
	}
	for k, v := range map[string]any{"route_short_name": "01", "operator": "Công ty CP Vận tải Bắc Giang", "route_color": "E53935",
		"geometry_source": "shapes.txt", "fare_currency": "VND", "first_departure": "05:00:20"} {
		if got := prop(r, k); got != v {
			t.Errorf("BG-01-0 %s = %v, want %v", k, got, v)
		}
	}
	if last := prop(r, "last_departure").(string); last < "23:00:00" {
		t.Errorf("last departure %s", last)
	}
	if byID["BG-03-0"] == nil || prop(byID["BG-03-0"], "headway_min") == "" {
		t.Errorf("frequency-based route: %v", byID["BG-03-0"])
	}
	for _, s := range stops.records {
		if s.ID == "BX-BG" {
			t.Error("station (location_type 1) imported as a stop")
		}
	}
	// without shapes.txt and agency.txt: lines from stop sequences, with warnings
	trimmed := rezip(t, feed, "shapes.txt", "agency.txt")
	routes = mustRead(t, trimmed, importers.Options{Layer: importers.LayerRoutes})
	if prop(routes.records[0], "geometry_source") != "stop sequence" || len(routes.notes) != 2 {
		t.Errorf("without shapes: %v, notes %v", prop(routes.records[0], "geometry_source"), routes.notes)
	}
	wantFormatError(t, rezip(t, feed, "stop_times.txt"), importers.Options{Layer: importers.LayerRoutes}, "stop_times.txt")
	b, _ := os.ReadFile(feed)
	wantFormatError(t, write(t, "cut.zip", b[:len(b)-100]), importers.Options{Layer: importers.LayerStops}, "zip")
	wantFormatError(t, feed, importers.Options{}, "--layer")
}

func rezip(t *testing.T, path string, drop ...string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := filepath.Join(t.TempDir(), "feed.zip")
	f, _ := os.Create(out)
	zw := zip.NewWriter(f)
next:
	for _, e := range zr.File {
		for _, d := range drop {
			if e.Name == d {
				continue next
			}
		}
		w, _ := zw.Create(e.Name)
		rc, _ := e.Open()
		var b bytes.Buffer
		b.ReadFrom(rc)
		rc.Close()
		w.Write(b.Bytes())
	}
	zw.Close()
	f.Close()
	return out
}

var (
	sampleOnce   sync.Once
	sampleFolder string
	sampleErr    error
)

// sampleDir is a folder with the demo files of geodata sample, written once.
func sampleDir(t *testing.T) string {
	t.Helper()
	sampleOnce.Do(func() {
		sampleFolder, sampleErr = os.MkdirTemp("", "geodata-importers-sample-")
		if sampleErr != nil {
			return
		}
		region, err := catalog.LoadRegion(catalog.DefaultRegion)
		if err != nil {
			sampleErr = err
			return
		}
		_, sampleErr = sample.WriteDemo(sampleFolder, region, region.ID)
	})
	if sampleErr != nil {
		t.Fatal(sampleErr)
	}
	return sampleFolder
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sampleFolder != "" {
		os.RemoveAll(sampleFolder)
	}
	os.Exit(code)
}

// Every demo file reads without a rejected row, through format sniffing.
func TestSampleFilesRead(t *testing.T) {
	dir := sampleDir(t)
	m, err := sample.ReadManifest(filepath.Join(dir, sample.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	formats := map[string]bool{}
	for _, e := range m.Entries {
		res := mustRead(t, e.File, e.Options)
		f, _ := importers.SniffFormat(e.File)
		formats[f] = true
		if len(res.records) == 0 {
			t.Errorf("%s: no records", e.Collection)
		}
		for _, r := range res.records {
			if r.Rejected() {
				t.Errorf("%s line %d rejected: %s", e.Collection, r.Line, reasons(r))
				break
			}
		}
	}
	for _, f := range []string{"xlsx", "csv", "geojson", "kml", "shapefile", "gtfs"} {
		if !formats[f] {
			t.Errorf("no sample file in format %s (have %v)", f, formats)
		}
	}
}
