package downloads_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/geojson"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/downloads"
	"github.com/vn-opendata/geodata/geo"
	"github.com/vn-opendata/geodata/internal/shareddata"
	"github.com/vn-opendata/geodata/store"
)

// snapshotOf builds a snapshot from features and a schema, the way the catalog
// builds one from PostGIS rows.
func snapshotOf(t testing.TB, c store.Collection, feats []*geojson.Feature) *catalog.Snapshot {
	t.Helper()
	c.FeatureCount = int64(len(feats))
	b := catalog.NewSnapshotBuilder(c)
	for i, f := range feats {
		w, err := wkb.Marshal(f.Geometry)
		if err != nil {
			t.Fatal(err)
		}
		props, err := json.Marshal(f.Properties)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Add(&store.StoredFeature{ID: fmt.Sprint(f.ID), NumID: int64(i + 1), WKB: w, Properties: props}); err != nil {
			t.Fatal(err)
		}
	}
	return b.Build()
}

// schoolsSnapshot has the awkward values: Vietnamese text with commas, quotes and
// a new line, nulls, every property type, and property names that clash with the
// columns a format adds (id, ID, WKT, lon).
func schoolsSnapshot(t testing.TB) *catalog.Snapshot {
	schema := []store.Property{
		{Name: "Tên trường", Type: "string"}, {Name: "Số học sinh", Type: "integer"}, {Name: "Diện tích", Type: "number"},
		{Name: "Công lập", Type: "boolean"}, {Name: "Ngày thành lập", Type: "date"}, {Name: "Ghi chú", Type: "string"},
		{Name: "ID", Type: "string"}, {Name: "wkt", Type: "string"}, {Name: "lon", Type: "number"},
	}
	var feats []*geojson.Feature
	for i := 0; i < 25; i++ {
		f := geojson.NewFeature(orb.Point{106.19 + float64(i)*0.01, 21.27 + float64(i)*0.003})
		f.ID = fmt.Sprintf("BG-TR-%05d", i+1)
		f.Properties = geojson.Properties{
			"Tên trường": fmt.Sprintf("Trường Tiểu học Lục Ngạn số %d", i+1), "Số học sinh": 300 + i,
			"Diện tích": 1234.5 + float64(i), "Công lập": i%2 == 0, "Ngày thành lập": "1985-09-05",
			"Ghi chú": `Xã "Đồng Sơn", huyện Yên Dũng` + "\nđiểm lẻ", "ID": "x", "wkt": "không phải WKT", "lon": 1.5,
		}
		if i == 3 {
			f.Properties["Ghi chú"] = nil
			f.Properties["Số học sinh"] = nil
		}
		feats = append(feats, f)
	}
	return snapshotOf(t, store.Collection{ID: "schools", Metadata: store.Metadata{Title: "Trường học các cấp",
		Description: "Vị trí các trường"}, GeometryType: "Point", Schema: schema, Version: 3,
		UpdatedAt: time.Date(2025, 3, 1, 2, 3, 4, 0, time.UTC)}, feats)
}

// realSnapshot loads a file of the shared real data (OpenStreetMap lines or
// polygons) with every property as it is.
func realSnapshot(t testing.TB, id, file, geomType string) *catalog.Snapshot {
	b, err := os.ReadFile(shareddata.Path(t, "real", file))
	if err != nil {
		t.Fatalf("real test data: %v", err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]string{}
	for _, f := range fc.Features {
		for k, v := range f.Properties {
			switch v.(type) {
			case string:
				types[k] = "string"
			case float64:
				if types[k] == "" {
					types[k] = "number"
				}
			}
		}
	}
	var names []string
	for k := range types {
		names = append(names, k)
	}
	sort.Strings(names)
	var schema []store.Property
	for _, n := range names {
		schema = append(schema, store.Property{Name: n, Type: types[n]})
	}
	for i, f := range fc.Features {
		f.ID = fmt.Sprintf("%s-%d", id, i+1)
		for k, v := range f.Properties {
			if types[k] == "string" && v != nil {
				if _, ok := v.(string); !ok {
					f.Properties[k] = fmt.Sprint(v)
				}
			}
		}
	}
	return snapshotOf(t, store.Collection{ID: id, Metadata: store.Metadata{Title: id}, GeometryType: geomType,
		Schema: schema, Version: 1, UpdatedAt: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)}, fc.Features)
}

// ogrGeoJSON reads a file with GDAL and returns it as GeoJSON, failing on any
// warning or error GDAL prints.
func ogrGeoJSON(t *testing.T, path string, openOptions ...string) *geojson.FeatureCollection {
	t.Helper()
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		t.Skip("needs ogr2ogr (gdal-bin; make test installs it)")
	}
	args := []string{"-f", "GeoJSON", "/vsistdout/", path}
	for i := 0; i < len(openOptions); i++ { // NAME=VALUE open options, or -flag value pairs
		if o := openOptions[i]; strings.HasPrefix(o, "-") && i+1 < len(openOptions) {
			args = append(args, o, openOptions[i+1])
			i++
			continue
		}
		args = append(args, "-oo", openOptions[i])
	}
	cmd := exec.Command("ogr2ogr", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("ogr2ogr %s: %v\n%s", path, err, stderr.String())
	}
	fc, err := geojson.UnmarshalFeatureCollection(out)
	if err != nil {
		t.Fatalf("ogr2ogr output: %v", err)
	}
	return fc
}

func build(t *testing.T, snap *catalog.Snapshot, f downloads.Format) downloads.File {
	t.Helper()
	cache, err := downloads.NewCache(t.TempDir(), 2, f)
	if err != nil {
		t.Fatal(err)
	}
	file, err := cache.Get(context.Background(), snap, f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(file.Path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if file.Size != int64(len(b)) || file.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("%s: recorded size %d sha256 %s, file has %d %x", file.Name, file.Size, file.SHA256, len(b), sum)
	}
	return file
}

// wantText is a snapshot value as text formats write it.
func wantText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// checkRoundTrip compares what GDAL read with the snapshot: same ids in order,
// same geometry (to 1e-9 degrees), and the properties named in columns
// (snapshot property → column name in the file) with the same text.
func checkRoundTrip(t *testing.T, format string, snap *catalog.Snapshot, got *geojson.FeatureCollection, columns map[string]string) {
	t.Helper()
	if len(got.Features) != len(snap.Features) {
		t.Fatalf("%s: %d features read back, want %d", format, len(got.Features), len(snap.Features))
	}
	for i, gf := range got.Features {
		want := &snap.Features[i]
		if id := fmt.Sprint(gf.Properties["id"]); id != want.ID {
			t.Fatalf("%s feature %d: id %q, want %q", format, i, id, want.ID)
		}
		if !sameGeometry(gf.Geometry, want.Geom) {
			t.Fatalf("%s feature %s: geometry %v, want %v", format, want.ID, gf.Geometry, want.Geom)
		}
		for prop, col := range columns {
			at, _ := snap.Property(prop)
			v, present := gf.Properties[col]
			if want.Props[at] == nil && (!present || v == nil || v == "") {
				continue
			}
			if got, w := wantText(v), wantText(want.Props[at]); got != w && !(w == "true" && got == "1") && !(w == "false" && got == "0") {
				t.Fatalf("%s feature %s: %s (column %q) = %q, want %q", format, want.ID, prop, col, got, w)
			}
		}
	}
}

func sameGeometry(a, b orb.Geometry) bool {
	var pa, pb []orb.Point
	collect := func(g orb.Geometry, into *[]orb.Point) {
		switch g := g.(type) {
		case orb.Point:
			*into = append(*into, g)
		case orb.LineString:
			*into = append(*into, g...)
		case orb.MultiLineString:
			for _, l := range g {
				*into = append(*into, l...)
			}
		case orb.Polygon:
			for _, r := range g {
				*into = append(*into, r...)
			}
		case orb.MultiPolygon:
			for _, p := range g {
				for _, r := range p {
					*into = append(*into, r...)
				}
			}
		}
	}
	collect(a, &pa)
	collect(b, &pb)
	if len(pa) != len(pb) || len(pa) == 0 || a.GeoJSONType() != b.GeoJSONType() {
		return false
	}
	for i := range pa {
		if math.Abs(pa[i][0]-pb[i][0]) > 1e-9 || math.Abs(pa[i][1]-pb[i][1]) > 1e-9 {
			return false
		}
	}
	return true
}

var schoolColumns = map[string]string{
	"Tên trường": "Tên trường", "Số học sinh": "Số học sinh", "Diện tích": "Diện tích", "Công lập": "Công lập",
	"Ngày thành lập": "Ngày thành lập", "Ghi chú": "Ghi chú",
}

// Every format of every kind of collection reads back in GDAL with the same ids,
// geometries and values.
func TestFormatsReadBackWithGDAL(t *testing.T) {
	snaps := []*catalog.Snapshot{
		schoolsSnapshot(t),
		realSnapshot(t, "railways", "railways_bacgiang_bbox_osm.geojson", "LineString"),
		realSnapshot(t, "provinces", "admin_provinces_2025_osm.geojson", "Polygon"),
	}
	for _, snap := range snaps {
		columns := schoolColumns
		if snap.ID() != "schools" {
			columns = map[string]string{"name": "name", "railway": "railway", "osm_id": "osm_id", "iso3166_2": "iso3166_2"}
			for k := range columns {
				if _, ok := snap.Property(k); !ok {
					delete(columns, k)
				}
			}
		}
		t.Run(snap.ID()+"/geojson", func(t *testing.T) {
			file := build(t, snap, downloads.GeoJSON())
			fc := ogrGeoJSON(t, file.Path)
			for _, f := range fc.Features { // GDAL puts the GeoJSON id into a field only when asked; use the member
				f.Properties["id"] = f.ID
			}
			checkRoundTrip(t, "geojson", snap, fc, columns)
		})
		t.Run(snap.ID()+"/csv", func(t *testing.T) {
			file := build(t, snap, downloads.CSV())
			checkRoundTrip(t, "csv", snap, ogrGeoJSON(t, file.Path), columns)
		})
		t.Run(snap.ID()+"/kml", func(t *testing.T) {
			file := build(t, snap, downloads.KML())
			kmlColumns := map[string]string{}
			for prop, col := range columns {
				if col == "name" { // the Placemark's own name comes first
					col = "name_2"
				}
				kmlColumns[prop] = col
			}
			fc := ogrGeoJSON(t, file.Path)
			checkRoundTrip(t, "kml", snap, fc, kmlColumns)
			if at, ok := snap.Property("Tên trường"); ok && fc.Features[0].Properties["Name"] != snap.Features[0].Props[at] {
				t.Errorf("Placemark name %v, want the school's name", fc.Features[0].Properties["Name"])
			}
		})
		t.Run(snap.ID()+"/gpkg", func(t *testing.T) {
			file := build(t, snap, downloads.GeoPackage())
			checkRoundTrip(t, "gpkg", snap, ogrGeoJSON(t, file.Path), columns)
		})
	}
}

// The clashing property names get their own columns in CSV: ID → ID_2, wkt →
// wkt_2, lon → lon_2; the geometry comes from the WKT column.
func TestCSVColumns(t *testing.T) {
	snap := schoolsSnapshot(t)
	file := build(t, snap, downloads.CSV())
	b, err := os.ReadFile(file.Path)
	if err != nil {
		t.Fatal(err)
	}
	header := strings.SplitN(string(b), "\n", 2)[0]
	want := "id,Tên trường,Số học sinh,Diện tích,Công lập,Ngày thành lập,Ghi chú,ID_2,wkt_2,lon_2,lon,lat,WKT"
	if header != want {
		t.Errorf("header\n%s\nwant\n%s", header, want)
	}
	if bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		t.Error("data CSV starts with a BOM")
	}
}

// The VN-2000 CSV holds TM-3 metres in easting and northing columns: GDAL reads
// them in EPSG:9214 and PROJ brings them back to the snapshot's WGS 84 within
// a centimetre.
func TestVN2000CSV(t *testing.T) {
	snap := schoolsSnapshot(t)
	crs, err := geo.LookupCRS("EPSG:9214")
	if err != nil {
		t.Fatal(err)
	}
	f := downloads.CRSCSV(crs)
	if f.Name != "csv-vn2000" || f.CRS != "http://www.opengis.net/def/crs/EPSG/0/9214" {
		t.Errorf("format %+v", f)
	}
	file := build(t, snap, f)
	if !strings.HasSuffix(file.Name, "-v3.vn2000.csv") {
		t.Errorf("file name %s", file.Name)
	}
	fc := ogrGeoJSON(t, file.Path, "X_POSSIBLE_NAMES=easting", "Y_POSSIBLE_NAMES=northing", "GEOM_POSSIBLE_NAMES=nothing",
		"-s_srs", "EPSG:9214", "-t_srs", "EPSG:4326")
	for i, gf := range fc.Features {
		want := snap.Features[i].Geom.(orb.Point)
		p, ok := gf.Geometry.(orb.Point)
		// 1e-7 degrees is about 1 cm
		if !ok || math.Abs(p[0]-want[0]) > 1e-7 || math.Abs(p[1]-want[1]) > 1e-7 {
			t.Fatalf("feature %d back in WGS 84 at %v, want %v", i, gf.Geometry, want)
		}
		if e, _ := strconv.ParseFloat(fmt.Sprint(gf.Properties["easting"]), 64); e < 300000 || e > 700000 {
			t.Fatalf("feature %d easting %v", i, gf.Properties["easting"])
		}
	}
}

// The GeoPackage is valid for GDAL: one layer in EPSG:4326 with its extent and an
// R-tree index that a spatial filter uses, and the same snapshot gives the same bytes.
func TestGeoPackageStructure(t *testing.T) {
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Skip("needs ogrinfo")
	}
	snap := schoolsSnapshot(t)
	a := build(t, snap, downloads.GeoPackage())
	b := build(t, snap, downloads.GeoPackage())
	if a.SHA256 != b.SHA256 {
		t.Errorf("two builds of the same snapshot differ: %s %s", a.SHA256, b.SHA256)
	}
	run := func(args ...string) string {
		cmd := exec.Command("ogrinfo", args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil || stderr.Len() > 0 {
			t.Fatalf("ogrinfo %v: %v\n%s%s", args, err, out, stderr.String())
		}
		return string(out)
	}
	info := run("-ro", "-so", "-al", a.Path)
	for _, want := range []string{"Layer name: schools", "Geometry: Point", "Feature Count: 25", "EPSG\",4326",
		"Tên trường: String", "Số học sinh: Integer", "Diện tích: Real", "Công lập: Integer(Boolean)", "Ngày thành lập: Date",
		"ID_2: String", "FID Column = fid", "Geometry Column = geom"} {
		if !strings.Contains(info, want) {
			t.Errorf("ogrinfo lacks %q:\n%s", want, info)
		}
	}
	idx := run("-ro", a.Path, "-sql", "SELECT HasSpatialIndex('schools', 'geom')")
	if !strings.Contains(idx, "HasSpatialIndex (Integer) = 1") {
		t.Errorf("no spatial index:\n%s", idx)
	}
	// Points 0..4 lie in lon 106.19..106.23: a filter around them finds 5.
	filtered := run("-ro", "-so", "-spat", "106.185", "21.26", "106.235", "21.29", a.Path, "schools")
	if !strings.Contains(filtered, "Feature Count: 5") {
		t.Errorf("spatial filter:\n%s", filtered)
	}
}

// Concurrent requests for a missing file build it once; a newer version keeps
// the newest versions on disk and prunes the rest.
func TestCacheBuildsOnceAndPrunes(t *testing.T) {
	dir := t.TempDir()
	cache, err := downloads.NewCache(dir, 2, downloads.GeoJSON())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	snap := schoolsSnapshot(t)
	f := downloads.GeoJSON()
	files := make(chan downloads.File, 8)
	for i := 0; i < 8; i++ {
		go func() {
			file, err := cache.Get(ctx, snap, f)
			if err != nil {
				t.Error(err)
			}
			files <- file
		}()
	}
	var created time.Time
	for i := 0; i < 8; i++ {
		file := <-files
		if i == 0 {
			created = file.Created
		} else if !file.Created.Equal(created) {
			t.Error("the file was written more than once")
		}
	}
	for v := int64(4); v <= 6; v++ {
		c := snap.Collection
		c.Version = v
		next := catalog.NewSnapshotBuilder(c).Build()
		if err := cache.Warm(ctx, []*catalog.Snapshot{next}); err != nil {
			t.Fatal(err)
		}
	}
	for v, want := range map[int64]bool{3: false, 4: false, 5: true, 6: true} {
		_, err := cache.Stored("schools", v, f)
		if (err == nil) != want {
			t.Errorf("version %d on disk: %v, want %v", v, err == nil, want)
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "schools", "*", "*.tmp-*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func BenchmarkGeoPackage(b *testing.B) {
	snap := realSnapshot(b, "railways", "railways_bacgiang_bbox_osm.geojson", "LineString")
	dir := b.TempDir()
	for i := 0; i < b.N; i++ {
		path := filepath.Join(dir, fmt.Sprintf("r%d.gpkg", i))
		if err := downloads.GeoPackage().WriteFile(path, snap); err != nil {
			b.Fatal(err)
		}
	}
}
