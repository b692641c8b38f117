package handlers_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/encoding/wkt"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/vn-opendata/geodata/geo"
	"github.com/vn-opendata/geodata/ingest"
	"github.com/vn-opendata/geodata/store"
)

// importCSV imports a CSV written by rows into a collection of its own and waits
// for its snapshot.
func importCSV(t *testing.T, e *env, coll string, meta store.Metadata, header string, rows []string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), coll+".csv")
	if err := os.WriteFile(path, []byte(header+"\n"+strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := ingest.Import(context.Background(), e.DB, ingest.Request{Path: path, Collection: coll, Actor: "test",
		Region: e.Region, Metadata: meta, Force: true})
	if err != nil {
		t.Fatal(err)
	}
	waitVersion(t, e, coll, res.Version)
}

// datetime= selects the features whose time intersects an instant or interval,
// as PostgreSQL compares the same values; QGIS's open end and GDAL's dates too.
func TestItemsDatetime(t *testing.T) {
	e := sampleEnv(t)
	var rows []string
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 300; i++ {
		at := start.Add(time.Duration(i*37) * time.Hour)
		stamp := at.Format(time.RFC3339)
		if i%3 == 0 { // the same instant written in Vietnam's zone
			stamp = at.In(time.FixedZone("ICT", 7*3600)).Format(time.RFC3339)
		}
		if i%10 == 0 {
			stamp = "" // no time: never matches a datetime filter
		}
		rows = append(rows, fmt.Sprintf("T%03d,%.4f,%.4f,%s", i, 106+float64(i%30)*0.01, 21.2+float64(i/30)*0.01, stamp))
	}
	importCSV(t, e, "temporal-test", store.Metadata{TemporalProperty: "thoi_diem"}, "id,lon,lat,thoi_diem", rows)
	items := e.URL + "/collections/temporal-test/items?limit=1000&datetime="
	sqlTime := `(f.properties->>'thoi_diem')::timestamptz`
	cases := []struct {
		datetime, where string
		args            []any
	}{
		{"2024-01-02T13:00:00Z", " AND " + sqlTime + " = $2", []any{"2024-01-02T13:00:00Z"}},
		{"2024-01-02T20:00:00+07:00", " AND " + sqlTime + " = $2", []any{"2024-01-02T13:00:00Z"}},
		{"2024-01-05", " AND " + sqlTime + " >= $2 AND " + sqlTime + " < $3", []any{"2024-01-05T00:00:00Z", "2024-01-06T00:00:00Z"}},
		{"2024-01-05T", " AND " + sqlTime + " >= $2 AND " + sqlTime + " < $3", []any{"2024-01-05T00:00:00Z", "2024-01-06T00:00:00Z"}},
		{"2024-02-01T00:00:00Z/2024-03-01T00:00:00Z", " AND " + sqlTime + " BETWEEN $2 AND $3", []any{"2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"}},
		{"2024-02-01T00:00:00Z/..", " AND " + sqlTime + " >= $2", []any{"2024-02-01T00:00:00Z"}},
		{"2024-02-01T00:00:00Z/9999-12-31T00:00:00Z", " AND " + sqlTime + " >= $2", []any{"2024-02-01T00:00:00Z"}},
		{"../2024-02-01T00:00:00Z", " AND " + sqlTime + " <= $2", []any{"2024-02-01T00:00:00Z"}},
		{"/2024-02-01", " AND " + sqlTime + " < $2", []any{"2024-02-02T00:00:00Z"}},
	}
	for _, c := range cases {
		got := allItems(t, items+url.QueryEscape(c.datetime))
		slices.Sort(got)
		want := dbIDs(t, e, "temporal-test", c.where, c.args...)
		if !slices.Equal(got, want) || len(want) == 0 {
			t.Errorf("datetime=%s: %d features, PostgreSQL %d", c.datetime, len(got), len(want))
		}
	}
	for _, bad := range []string{"../..", "2024-13-01", "2024-03-01/2024-02-01", "tomorrow/.."} {
		if resp := get(t, items+url.QueryEscape(bad), nil); resp.StatusCode != 400 {
			t.Errorf("datetime=%s: %d", bad, resp.StatusCode)
		}
	}
	// The collection's temporal extent is that of its values.
	var col collectionJSON
	get(t, e.URL+"/collections/temporal-test", &col)
	var lo, hi time.Time
	dbQuery(t, e, "temporal-test", `SELECT min(`+sqlTime+`), max(`+sqlTime+`) FROM features f WHERE f.generation = %d AND f.collection_id = $1`,
		func(r pgx.Rows) error { return r.Scan(&lo, &hi) })
	if col.Extent.Temporal == nil || *col.Extent.Temporal.Interval[0][0] != lo.UTC().Format(time.RFC3339) ||
		*col.Extent.Temporal.Interval[0][1] != hi.UTC().Format(time.RFC3339) {
		t.Errorf("temporal extent %+v, PostgreSQL %v – %v", col.Extent.Temporal, lo, hi)
	}
	// A date property (bts-sites) matches every instant of its day.
	snap, _ := e.Cat.Snapshot("bts-sites")
	i, _ := snap.Property("ngay_phat_song")
	day := snap.Features[7].Props[i].(string)
	var fc featureCollection
	get(t, e.URL+"/collections/bts-sites/items?limit=10000&datetime="+day+"T10:00:00Z", &fc)
	want := dbCount(t, e, "bts-sites", ` AND f.properties->>'ngay_phat_song' = $2`, day)
	if fc.NumberMatched != want || want == 0 {
		t.Errorf("bts-sites on %s at 10:00: %d, stored %d", day, fc.NumberMatched, want)
	}
}

// A limit above 10,000 is clamped: 10,000 features come back and next pages on.
func TestItemsLimitClamped(t *testing.T) {
	e := sampleEnv(t)
	const n = 10050
	rows := make([]string, n)
	for i := range rows {
		rows[i] = fmt.Sprintf("C%05d,%.5f,%.5f", i, 106+float64(i%100)*0.005, 21.2+float64(i/100)*0.002)
	}
	importCSV(t, e, "clamp-test", store.Metadata{}, "id,lon,lat", rows)
	var fc featureCollection
	get(t, e.URL+"/collections/clamp-test/items?limit=50000", &fc)
	next, _ := url.Parse(fc.link("next"))
	if fc.NumberReturned != 10000 || fc.NumberMatched != n || next == nil ||
		next.Query().Get("limit") != "10000" || next.Query().Get("offset") != "10000" {
		t.Fatalf("limit=50000: %d of %d returned, next %s", fc.NumberReturned, fc.NumberMatched, fc.link("next"))
	}
	get(t, fc.link("next"), &fc)
	if fc.NumberReturned != 50 || fc.link("next") != "" || !strings.Contains(fc.link("prev"), "offset=0") {
		t.Errorf("second page: %d returned, links %+v", fc.NumberReturned, fc.Links)
	}
}

// sortby orders numbers as numbers and text in Vietnamese alphabetical order,
// ties in source order; properties= keeps only the named properties.
func TestItemsSortByAndProperties(t *testing.T) {
	e := sampleEnv(t)
	var fc featureCollection
	get(t, e.URL+"/collections/schools/items?limit=10000&properties="+url.QueryEscape("Số học sinh,Tên trường")+
		"&sortby="+url.QueryEscape("-Số học sinh,Tên trường"), &fc)
	if fc.NumberReturned != 1800 {
		t.Fatalf("%d returned", fc.NumberReturned)
	}
	coll := collate.New(language.Vietnamese)
	for i, f := range fc.Features {
		if len(f.Properties) != 2 {
			t.Fatalf("properties %v, want Số học sinh and Tên trường", f.Properties)
		}
		if i == 0 {
			continue
		}
		prev := fc.Features[i-1].Properties
		a, b := prev["Số học sinh"].(float64), f.Properties["Số học sinh"].(float64)
		if a < b || (a == b && coll.CompareString(prev["Tên trường"].(string), f.Properties["Tên trường"].(string)) > 0) {
			t.Fatalf("feature %d out of order: %v after %v", i, f.Properties, prev)
		}
	}
	// Vietnamese order: Đ after D, before E; "Ấ" with A.
	var districts featureCollection
	get(t, e.URL+"/collections/schools/items?limit=10000&properties=Huy%E1%BB%87n&sortby=Huy%E1%BB%87n", &districts)
	var order []string
	for _, f := range districts.Features {
		if h := f.Properties["Huyện"].(string); len(order) == 0 || order[len(order)-1] != h {
			order = append(order, h)
		}
	}
	if !slices.IsSortedFunc(order, coll.CompareString) || len(order) != len(uniq(order)) {
		t.Errorf("districts in order %v", order)
	}
	// A "+" typed unencoded arrives as a space and still means ascending.
	resp := get(t, e.URL+"/collections/schools/items?limit=2&sortby=+Huy%E1%BB%87n", nil)
	if resp.StatusCode != 200 {
		t.Errorf("sortby=+name: %d", resp.StatusCode)
	}
	// properties= with nothing keeps the geometry and no property.
	var bare featureCollection
	get(t, e.URL+"/collections/schools/items?limit=1&properties=", &bare)
	if len(bare.Features[0].Properties) != 0 {
		t.Errorf("properties= gives %v", bare.Features[0].Properties)
	}
}

// Property filters compare as the property's type: 26.5, 26.50 and 2.65e1 are the same height.
func TestItemsPropertyFilterTyped(t *testing.T) {
	e := sampleEnv(t)
	snap, _ := e.Cat.Snapshot("bts-sites")
	i, _ := snap.Property("chieu_cao_cot_m")
	h := snap.Features[0].Props[i].(float64)
	want := dbCount(t, e, "bts-sites", ` AND (f.properties->>'chieu_cao_cot_m')::float8 = $2`, h)
	for _, v := range []string{strconv.FormatFloat(h, 'f', -1, 64), strconv.FormatFloat(h, 'f', 3, 64), strconv.FormatFloat(h, 'e', -1, 64)} {
		var fc featureCollection
		get(t, e.URL+"/collections/bts-sites/items?limit=10000&chieu_cao_cot_m="+url.QueryEscape(v), &fc)
		if fc.NumberMatched != want {
			t.Errorf("chieu_cao_cot_m=%s: %d, stored %d", v, fc.NumberMatched, want)
		}
	}
	var body struct{ Parameter string }
	if resp := get(t, e.URL+"/collections/bts-sites/items?chieu_cao_cot_m=tall", &body); resp.StatusCode != 400 || body.Parameter != "chieu_cao_cot_m" {
		t.Errorf("a word for a number: %d %q", resp.StatusCode, body.Parameter)
	}
	var fc featureCollection
	get(t, e.URL+"/collections/parking/items?limit=10000&mo_cua_24h=true", &fc)
	if want := dbCount(t, e, "parking", ` AND (f.properties->>'mo_cua_24h')::boolean`); fc.NumberMatched != want {
		t.Errorf("mo_cua_24h=true: %d, stored %d", fc.NumberMatched, want)
	}
}

// CSV: UTF-8 with BOM for Excel, CRLF, a header, every stored value, points as
// lon/lat columns and lines as WKT that parses back to the stored geometry.
func TestItemsCSV(t *testing.T) {
	e := sampleEnv(t)
	for _, coll := range []string{"schools", "bus-routes"} {
		resp := get(t, e.URL+"/collections/"+coll+"/items?f=csv&limit=10000", nil)
		body := readAll(t, resp)
		if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" || !strings.HasPrefix(body, "\ufeff") ||
			!strings.Contains(resp.Header.Get("Content-Disposition"), coll+".csv") {
			t.Fatalf("%s CSV: %s %q", coll, ct, body[:min(40, len(body))])
		}
		if !strings.Contains(body, "\r\n") {
			t.Errorf("%s CSV lines do not end with CRLF", coll)
		}
		records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		snap, _ := e.Cat.Snapshot(coll)
		stored := storedFeatures(t, e, coll, "")
		header := records[0]
		if len(records)-1 != len(stored) || header[0] != "id" || len(header) != len(snap.Collection.Schema)+1+map[bool]int{true: 2, false: 1}[coll == "schools"] {
			t.Fatalf("%s CSV: %d rows, header %v", coll, len(records)-1, header)
		}
		for _, rec := range records[1:] {
			sf := stored[rec[0]]
			for j, p := range snap.Collection.Schema {
				if want := sf.props[p.Name]; want != nil && !sameValue(want, csvValue(rec[j+1], want)) {
					t.Errorf("%s/%s %s: CSV %q, stored %v", coll, rec[0], p.Name, rec[j+1], want)
				}
			}
			var pos [][2]float64
			if coll == "schools" {
				lon, _ := strconv.ParseFloat(rec[len(rec)-2], 64)
				lat, _ := strconv.ParseFloat(rec[len(rec)-1], 64)
				pos = [][2]float64{{lon, lat}}
			} else {
				g, err := wkt.Unmarshal(rec[len(rec)-1])
				if err != nil {
					t.Fatalf("%s/%s WKT %q: %v", coll, rec[0], rec[len(rec)-1], err)
				}
				pos = positions(t, []json.RawMessage{geo.AppendGeoJSON(nil, g)})
			}
			if len(pos) != len(sf.geom) {
				t.Fatalf("%s/%s: %d positions in CSV, %d stored", coll, rec[0], len(pos), len(sf.geom))
			}
			for k := range pos {
				if math.Abs(pos[k][0]-sf.geom[k][0]) > 1e-12 || math.Abs(pos[k][1]-sf.geom[k][1]) > 1e-12 {
					t.Fatalf("%s/%s: position %d %v, stored %v", coll, rec[0], k, pos[k], sf.geom[k])
				}
			}
		}
	}
}

// csvValue reads a CSV cell as the stored value's JSON type.
func csvValue(cell string, like any) any {
	switch like.(type) {
	case float64:
		f, _ := strconv.ParseFloat(cell, 64)
		return f
	case bool:
		return cell == "true"
	}
	return cell
}
