package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// gdal runs a GDAL command line tool (gdal-bin) as a real OGC API client.
func gdal(t *testing.T, tool string, args ...string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		t.Fatalf("%s not found: make test installs gdal-bin (scripts/deps.sh)", tool)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = append(os.Environ(), "GDAL_HTTP_TIMEOUT=60", "CPL_VSIL_CURL_USE_CACHE=NO")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", tool, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// ogrFieldTypes are the OGR field types GDAL gives each stored property type.
// GDAL types fields from the first page of features; it reads text such as
// "05:30" as a Time, so a string property may also arrive as Time, Date or DateTime.
var ogrFieldTypes = map[string][]string{
	"integer":   {"Integer", "Integer64"},
	"number":    {"Real"},
	"boolean":   {"Integer(Boolean)"},
	"date":      {"Date"},
	"date-time": {"DateTime"},
	"string":    {"String", "Time", "Date", "DateTime"},
}

// ogrinfo lists, for every collection, the stored feature count, the extent and
// every property as a field of the right type.
func TestGDALOgrinfo(t *testing.T) {
	e := sampleEnv(t)
	field := regexp.MustCompile(`^(.+): (\S+) \(\d+\.\d+\)$`)
	for _, snap := range e.Cat.Snapshots() {
		out := gdal(t, "ogrinfo", "-ro", "-so", "OAPIF:"+e.URL, snap.ID())
		want := dbCount(t, e, snap.ID(), "")
		if !strings.Contains(out, fmt.Sprintf("\nFeature Count: %d\n", want)) {
			t.Errorf("%s: ogrinfo does not list %d features:\n%s", snap.ID(), want, out)
		}
		var ext [4]float64
		dbQuery(t, e, snap.ID(), `SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM
			(SELECT ST_Extent(f.geom)::geometry AS e FROM features f WHERE f.generation = %d AND f.collection_id = $1) x`,
			func(r pgx.Rows) error { return r.Scan(&ext[0], &ext[1], &ext[2], &ext[3]) })
		var got [4]float64
		if _, err := fmt.Sscanf(between(out, "Extent: ", "\n"), "(%f, %f) - (%f, %f)", &got[0], &got[1], &got[2], &got[3]); err != nil {
			t.Fatalf("%s: no extent in\n%s", snap.ID(), out)
		}
		for i := range got {
			if math.Abs(got[i]-ext[i]) > 1e-6 {
				t.Errorf("%s: extent %v, PostGIS %v", snap.ID(), got, ext)
				break
			}
		}
		if !strings.Contains(out, "\nGeometry: "+ogrGeometryName(snap.Collection.GeometryType)+"\n") {
			t.Errorf("%s: geometry type is not %s:\n%s", snap.ID(), snap.Collection.GeometryType, out)
		}
		var fields [][2]string
		for _, line := range strings.Split(out[strings.Index(out, "Data axis to CRS axis mapping"):], "\n")[1:] {
			if m := field.FindStringSubmatch(line); m != nil {
				fields = append(fields, [2]string{m[1], m[2]})
			}
		}
		if len(fields) != len(snap.Collection.Schema)+1 || fields[0] != [2]string{"id", "String"} {
			t.Fatalf("%s: fields %v for schema %v", snap.ID(), fields, snap.Collection.Schema)
		}
		for i, p := range snap.Collection.Schema {
			if f := fields[i+1]; f[0] != p.Name || !slices.Contains(ogrFieldTypes[p.Type], f[1]) {
				t.Errorf("%s: field %d is %s %s, stored %s %s", snap.ID(), i+1, f[0], f[1], p.Name, p.Type)
			}
		}
	}
}

// ogrGeometryName is how ogrinfo names a GeoJSON geometry type.
func ogrGeometryName(t string) string {
	names := map[string]string{"LineString": "Line String", "MultiPoint": "Multi Point",
		"MultiLineString": "Multi Line String", "MultiPolygon": "Multi Polygon", "GeometryCollection": "Geometry Collection"}
	if n, ok := names[t]; ok {
		return n
	}
	return t
}

func between(s, from, to string) string {
	_, rest, _ := strings.Cut(s, from)
	v, _, _ := strings.Cut(rest, to)
	return v
}

// storedFeature is a feature as PostGIS holds it.
type storedFeature struct {
	props map[string]any
	geom  [][2]float64
}

func storedFeatures(t *testing.T, e *env, coll, where string, args ...any) map[string]storedFeature {
	t.Helper()
	out := map[string]storedFeature{}
	dbQuery(t, e, coll, `SELECT f.id, f.properties::text, ST_AsGeoJSON(f.geom, 15) FROM features f
		WHERE f.generation = %d AND f.collection_id = $1`+where, func(r pgx.Rows) error {
		var id, props, geom string
		if err := r.Scan(&id, &props, &geom); err != nil {
			return err
		}
		var sf storedFeature
		if err := json.Unmarshal([]byte(props), &sf.props); err != nil {
			return err
		}
		sf.geom = positions(t, []json.RawMessage{json.RawMessage(geom)})
		out[id] = sf
		return nil
	}, args...)
	return out
}

// ogr2ogr downloads a collection from the service into a GeoJSON file and
// returns its features by id.
func ogr2ogr(t *testing.T, e *env, coll string, args ...string) map[string]storedFeature {
	t.Helper()
	dst := filepath.Join(t.TempDir(), coll+".geojson")
	gdal(t, "ogr2ogr", append([]string{"-f", "GeoJSON", dst, "OAPIF:" + e.URL, coll}, args...)...)
	b, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties map[string]any
			Geometry   json.RawMessage
		}
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	out := map[string]storedFeature{}
	for _, f := range fc.Features {
		id, _ := f.Properties["id"].(string)
		if _, dup := out[id]; dup || id == "" {
			t.Fatalf("%s: feature id %q missing or downloaded twice", coll, id)
		}
		delete(f.Properties, "id")
		out[id] = storedFeature{props: f.Properties, geom: positions(t, []json.RawMessage{f.Geometry})}
	}
	return out
}

// sameValue compares a stored property value with what GDAL wrote: numbers to
// 12 digits (GDAL prints 15), everything else exactly.
func sameValue(stored, got any) bool {
	if s, ok := stored.(float64); ok {
		g, ok := got.(float64)
		return ok && math.Abs(s-g) <= 1e-12*math.Max(1, math.Abs(s))
	}
	return fmt.Sprint(stored) == fmt.Sprint(got)
}

func compareFeatures(t *testing.T, coll string, got, want map[string]storedFeature) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d features downloaded, %d stored", coll, len(got), len(want))
	}
	for id, w := range want {
		g, ok := got[id]
		if !ok {
			t.Errorf("%s: feature %s not downloaded", coll, id)
			continue
		}
		for name, v := range w.props {
			if !sameValue(v, g.props[name]) {
				t.Errorf("%s/%s: %s is %#v, stored %#v", coll, id, name, g.props[name], v)
			}
		}
		for name, v := range g.props {
			if _, stored := w.props[name]; !stored && v != nil {
				t.Errorf("%s/%s: %s is %#v, not stored", coll, id, name, v)
			}
		}
		if len(g.geom) != len(w.geom) {
			t.Errorf("%s/%s: %d positions, %d stored", coll, id, len(g.geom), len(w.geom))
			continue
		}
		for i := range g.geom {
			if math.Abs(g.geom[i][0]-w.geom[i][0]) > 1e-9 || math.Abs(g.geom[i][1]-w.geom[i][1]) > 1e-9 {
				t.Errorf("%s/%s: position %d is %v, stored %v", coll, id, i, g.geom[i], w.geom[i])
				break
			}
		}
	}
}

// ogr2ogr pages through every collection (GDAL 3.6 asks 10 features a page) and
// gets exactly the stored features, geometries and attribute values.
//
// GDAL types text that starts like a clock time as a Time and rewrites it: the
// opening hours "07:00–17:30" of postal points become "07:00:00". The README
// tells analysts to keep text as text with OGR_GEOJSON_DATE_AS_STRING, as here;
// collections without such text are also downloaded with GDAL's defaults, which
// type dates as dates and write them back unchanged.
func TestGDALDownloadsEveryCollection(t *testing.T) {
	e := sampleEnv(t)
	for _, snap := range e.Cat.Snapshots() {
		want := storedFeatures(t, e, snap.ID(), "")
		compareFeatures(t, snap.ID(), ogr2ogr(t, e, snap.ID(), "--config", "OGR_GEOJSON_DATE_AS_STRING", "YES"), want)
		if snap.ID() == "schools" || snap.ID() == "bts-sites" {
			compareFeatures(t, snap.ID(), ogr2ogr(t, e, snap.ID()), want)
		}
	}
}

// ogr2ogr -spat sends bbox; the features are exactly those PostGIS finds with
// ST_Intersects. -where on queryables is answered too (GDAL sends it as a
// filter in cql-text, having found that language in the API document).
func TestGDALSpatialAndAttributeFilters(t *testing.T) {
	e := sampleEnv(t)
	rng := rand.New(rand.NewPCG(3, 9))
	text := []string{"--config", "OGR_GEOJSON_DATE_AS_STRING", "YES"} // see TestGDALDownloadsEveryCollection
	for _, coll := range []string{"schools", "bus-routes", "traffic-signals"} {
		snap, _ := e.Cat.Snapshot(coll)
		for i := 0; i < 3; i++ {
			// A box of random size with a random feature's corner inside.
			c := snap.Features[rng.IntN(len(snap.Features))].Bound.Min
			w, h := 0.02+rng.Float64()*0.2, 0.02+rng.Float64()*0.12
			x, y := round6(c[0]-rng.Float64()*w), round6(c[1]-rng.Float64()*h)
			x1, y1 := round6(x+w), round6(y+h)
			got := ogr2ogr(t, e, coll, append(text, "-oo", "PAGE_SIZE=500", "-spat", ftoa(x), ftoa(y), ftoa(x1), ftoa(y1))...)
			want := storedFeatures(t, e, coll, ` AND ST_Intersects(f.geom, ST_MakeEnvelope($2, $3, $4, $5, 4326))`, x, y, x1, y1)
			compareFeatures(t, coll, got, want)
		}
	}
	got := ogr2ogr(t, e, "schools", "-where", "\"Huyện\" = 'Lục Ngạn' AND \"Số học sinh\" > 500")
	want := storedFeatures(t, e, "schools", ` AND f.properties->>'Huyện' = 'Lục Ngạn' AND (f.properties->>'Số học sinh')::int > 500`)
	if len(want) == 0 {
		t.Fatal("no school matches the -where test")
	}
	compareFeatures(t, "schools", got, want)
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// round6 rounds to 6 decimals (0.1 m), so that the box GDAL is given prints exactly.
func round6(f float64) float64 { return math.Round(f*1e6) / 1e6 }
