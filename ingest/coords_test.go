package ingest_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/importers"
	"github.com/vn-opendata/geodata/ingest"
	"github.com/vn-opendata/geodata/internal/shareddata"
	"github.com/vn-opendata/geodata/store"
	"github.com/vn-opendata/geodata/store/storetest"
)

// oraclePoints reads the shared VN-2000 oracle: id → WGS 84 point, and the
// rows of a survey table (X = northing, Y = easting, TM-3 107-00).
func oraclePoints(t *testing.T) (map[string]orb.Point, []string) {
	t.Helper()
	f, err := os.Open(shareddata.Path(t, "vn2000_points.csv"))
	if err != nil {
		t.Fatalf("shared test data: %v (set GEODATA_SHARED_DATA)", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]orb.Point{}
	var lines []string
	for _, r := range rows[1:] {
		lon, _ := strconv.ParseFloat(r[1], 64)
		lat, _ := strconv.ParseFloat(r[2], 64)
		want[r[0]] = orb.Point{lon, lat}
		lines = append(lines, fmt.Sprintf("%s,Trạm %s,%s,%s", r[0], r[0], r[4], r[3]))
	}
	return want, lines
}

func writeSurvey(t *testing.T, dir string, lines []string) string {
	t.Helper()
	path := filepath.Join(dir, "bts.csv")
	content := "Mã trạm,Tên trạm,Tọa độ X (m),Tọa độ Y (m)\n" + strings.Join(lines, "\n") + "\n"
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func region(t *testing.T) *catalog.Region {
	t.Helper()
	r, err := catalog.LoadRegion(catalog.DefaultRegion)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// stored reads the current features of a collection: id → point.
func stored(t *testing.T, db *store.DB, collection string) map[string]orb.Point {
	t.Helper()
	rows, err := db.Pool.Query(context.Background(), `SELECT f.id, ST_X(f.geom), ST_Y(f.geom) FROM features f JOIN collections c
		ON c.id = f.collection_id AND c.generation = f.generation WHERE c.id = $1`, collection)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]orb.Point{}
	for rows.Next() {
		var id string
		var p orb.Point
		if err := rows.Scan(&id, &p[0], &p[1]); err != nil {
			t.Fatal(err)
		}
		out[id] = p
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func metres(a, b orb.Point) float64 {
	return math.Hypot((b[0]-a[0])*111320*math.Cos(a[1]*math.Pi/180), (b[1]-a[1])*110700)
}

// TestImportVN2000Survey imports a survey table in VN-2000 / TM-3 107-00 with
// northing in X, as a department would send it, and finds every point in
// PostGIS within 1 cm of the oracle; the report says what was assumed.
func TestImportVN2000Survey(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	want, lines := oraclePoints(t)
	path := writeSurvey(t, t.TempDir(), lines)
	res, err := ingest.Import(ctx, db, ingest.Request{Path: path, Collection: "bts-vn2000", Region: region(t), Actor: "test",
		Options: importers.Options{CRS: "EPSG:9214", IDColumn: "Mã trạm"}})
	if err != nil {
		t.Fatalf("%v\n%s", err, res.Report.Summary())
	}
	if res.Report.Accepted != int64(len(want)) || res.Report.Rejected != 0 {
		t.Fatalf("report: %s", res.Report.Summary())
	}
	if !strings.Contains(strings.Join(res.Report.Notes, "\n"), `"Tọa độ X (m)" holds northings`) {
		t.Errorf("notes %q do not say X holds northings", res.Report.Notes)
	}
	got := stored(t, db, "bts-vn2000")
	for id, p := range want {
		if d := metres(got[id], p); d > 0.01 {
			t.Errorf("%s: stored %v, want %v (%.3f m)", id, got[id], p, d)
		}
	}
}

// TestImportPRJTrap imports the same table with an ESRI .prj beside it (no
// TOWGS84): the official shift is applied and the report says so.
func TestImportPRJTrap(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	want, lines := oraclePoints(t)
	dir := t.TempDir()
	path := writeSurvey(t, dir, lines)
	prj := `PROJCS["VN-2000_TM-3_107-00",GEOGCS["GCS_VN_2000",DATUM["D_Vietnam_2000",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",107.0],PARAMETER["Scale_Factor",0.9999],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]`
	if err := os.WriteFile(filepath.Join(dir, "bts.prj"), []byte(prj), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := ingest.Import(ctx, db, ingest.Request{Path: path, Collection: "bts-prj", Region: region(t), Actor: "test",
		Options: importers.Options{IDColumn: "Mã trạm"}})
	if err != nil {
		t.Fatalf("%v\n%s", err, res.Report.Summary())
	}
	notes := strings.Join(res.Report.Notes, "\n")
	if !strings.Contains(notes, "without the datum shift") || !strings.Contains(notes, "EPSG:6960") {
		t.Errorf("notes %q do not say the official shift was applied", res.Report.Notes)
	}
	got := stored(t, db, "bts-prj")
	for id, p := range want {
		if d := metres(got[id], p); d > 0.01 {
			t.Errorf("%s: stored %v, want %v (%.3f m)", id, got[id], p, d)
		}
	}
}

// TestImportProjectedWithoutCRS: the Bắc Giang profile lists three VN-2000
// systems, so a table in metres without --crs or .prj is refused and nothing
// is written.
func TestImportProjectedWithoutCRS(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	_, lines := oraclePoints(t)
	path := writeSurvey(t, t.TempDir(), lines)
	_, err := ingest.Import(ctx, db, ingest.Request{Path: path, Collection: "bts-nocrs", Region: region(t), Actor: "test"})
	if !errors.Is(err, importers.ErrCRSRequired) || !strings.Contains(err.Error(), "--crs EPSG:9214") {
		t.Fatalf("error %v, want ErrCRSRequired naming --crs EPSG:9214", err)
	}
	if _, err := db.Collection(ctx, "bts-nocrs"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("collection written after a refused import: %v", err)
	}
	_, err = ingest.Import(ctx, db, ingest.Request{Path: path, Collection: "bts-nocrs", Region: region(t), Actor: "test",
		Options: importers.Options{CRS: "EPSG:9999"}})
	if err == nil || !strings.Contains(err.Error(), "--crs") {
		t.Errorf("unknown --crs: %v", err)
	}
}

// TestImportOutsideRegion: points in VN-2000 that land outside the region are
// errors, or warnings with AllowOutside.
func TestImportOutsideRegion(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	_, lines := oraclePoints(t)
	// Hà Nội's Hoàn Kiếm lake (105.8524, 21.0287) in TM-3 107-00, from cs2cs EPSG:4326 EPSG:9214.
	lines = append(lines, "HN,Hồ Gươm,2326561.1205,380517.4302")
	path := writeSurvey(t, t.TempDir(), lines)
	req := ingest.Request{Path: path, Collection: "bts-outside", Region: region(t), Actor: "test",
		Options: importers.Options{CRS: "EPSG:9214", IDColumn: "Mã trạm"}}
	res, err := ingest.Import(ctx, db, req)
	if !errors.Is(err, ingest.ErrRejected) || res.Report.Rejected != 1 {
		t.Fatalf("error %v, report %s; want one row rejected", err, res.Report.Summary())
	}
	p := res.Report.Problems[0]
	if p.Line != len(lines)+1 || !strings.Contains(p.Reason, "outside the region") || p.Severity != importers.SeverityError {
		t.Errorf("problem %v", p)
	}
	req.AllowOutside = true
	res, err = ingest.Import(ctx, db, req)
	if err != nil || res.Report.Warnings != 1 || res.Report.Accepted != int64(len(lines)) {
		t.Fatalf("with AllowOutside: %v, %s", err, res.Report.Summary())
	}
	hn := stored(t, db, "bts-outside")["HN"]
	if d := metres(hn, orb.Point{105.8524, 21.0287}); d > 0.01 {
		t.Errorf("Hồ Gươm stored at %v (%.3f m off)", hn, d)
	}
}
