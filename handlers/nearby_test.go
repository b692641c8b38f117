package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/vn-opendata/geodata/geo"
	"github.com/vn-opendata/geodata/ingest"
)

// nearbyResponse is a /nearby answer.
type nearbyResponse struct {
	Type           string         `json:"type"`
	NumberMatched  *int           `json:"numberMatched"`
	NumberReturned int            `json:"numberReturned"`
	Features       []nearbyResult `json:"features"`
}

type nearbyResult struct {
	ID         string          `json:"id"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties map[string]any  `json:"properties"`
}

func (r nearbyResult) key() string { return r.Properties["collection"].(string) + "/" + r.ID }

func (r nearbyResult) distance() float64 { return r.Properties["distance_m"].(float64) }

var (
	nearbyDataOnce sync.Once
	nearbyNames    map[string]string // id → name of the nearby-points collection
)

// nearbyData imports, once, two collections of the tests' own: 12,000 points
// clustered around the region's towns (with a name and a category) and 300
// lines with long edges, 17,000+ features with the sample collections.
func nearbyData(t *testing.T, e *env) map[string]string {
	t.Helper()
	nearbyDataOnce.Do(func() {
		ctx := context.Background()
		dir, err := os.MkdirTemp("", "geodata-nearby-")
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(77, 78))
		names := map[string]string{}
		words := []string{"Trường Tiểu học", "Trạm Y tế", "Nhà văn hóa", "Chợ", "Bưu cục", "Đình làng"}
		var csv strings.Builder
		csv.WriteString("id,ten,loai,lon,lat\n")
		for i := 0; i < 12000; i++ {
			town := e.Region.Places[rng.IntN(len(e.Region.Places))]
			sigma := 0.01 + 0.05*rng.Float64()*rng.Float64()
			lon := min(e.Region.BBox[2], max(e.Region.BBox[0], town.Lon+rng.NormFloat64()*sigma))
			lat := min(e.Region.BBox[3], max(e.Region.BBox[1], town.Lat+rng.NormFloat64()*sigma))
			id := fmt.Sprintf("P%05d", i)
			names[id] = fmt.Sprintf("%s %s %d", words[rng.IntN(len(words))], town.Name, i)
			fmt.Fprintf(&csv, "%s,%s,%s,%.7f,%.7f\n", id, names[id], []string{"A", "B", "C"}[rng.IntN(3)], lon, lat)
		}
		fc := geojson.NewFeatureCollection()
		for i := 0; i < 300; i++ {
			l := orb.LineString{{105.9 + rng.Float64()*1.1, 21.15 + rng.Float64()*0.45}}
			for n := 1 + rng.IntN(12); n > 0; n-- {
				last := l[len(l)-1]
				step := []float64{0.002, 0.03, 0.3}[rng.IntN(3)]
				l = append(l, orb.Point{
					min(e.Region.BBox[2], max(e.Region.BBox[0], last[0]+(rng.Float64()-0.5)*step)),
					min(e.Region.BBox[3], max(e.Region.BBox[1], last[1]+(rng.Float64()-0.5)*step)),
				})
			}
			f := geojson.NewFeature(l)
			f.ID = fmt.Sprintf("L%03d", i)
			f.Properties["ten"] = fmt.Sprintf("Tuyến %d", i)
			fc.Append(f)
		}
		lines, err := fc.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range []struct{ name, collection, body string }{
			{"points.csv", "nearby-points", csv.String()},
			{"lines.geojson", "nearby-lines", string(lines)},
		} {
			path := filepath.Join(dir, file.name)
			if err := os.WriteFile(path, []byte(file.body), 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := ingest.Import(ctx, e.DB, ingest.Request{Path: path, Collection: file.collection, Actor: "test", Region: e.Region})
			if err != nil {
				t.Fatal(err)
			}
			waitVersion(t, e, file.collection, res.Version)
		}
		nearbyNames = names
	})
	if nearbyNames == nil {
		t.Fatal("nearby test data failed to load in an earlier test")
	}
	return nearbyNames
}

// pgNeighbor is a feature with its distance as PostGIS computes it.
type pgNeighbor struct {
	key      string
	distance float64
}

// pgNearest is the brute-force answer: every feature of the collections (or of
// the ids given), by ST_Distance(geography, geography, true), nearest first.
func pgNearest(t *testing.T, e *env, at orb.Point, collections []string, filter string, value any, limit int) []pgNeighbor {
	t.Helper()
	sql := `SELECT f.collection_id || '/' || f.id, ST_Distance(f.geom::geography, ST_Point($1, $2, 4326)::geography, true) AS d
		FROM features f JOIN collections c ON c.id = f.collection_id AND c.generation = f.generation
		WHERE c.id = ANY($3)`
	args := []any{at[0], at[1], collections, limit}
	switch filter {
	case "ids":
		sql += ` AND f.id = ANY($5)`
		args = append(args, value)
	case "loai":
		sql += ` AND f.properties->>'loai' = $5`
		args = append(args, value)
	}
	rows, err := e.DB.Pool.Query(context.Background(), sql+` ORDER BY d, 1 LIMIT $4`, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []pgNeighbor
	for rows.Next() {
		var n pgNeighbor
		if err := rows.Scan(&n.key, &n.distance); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// sameNeighbors checks an answer against the brute force: distances within
// 0.1 % position by position, and the same features except where distances tie
// (within 1e-6 relative) at the end of the list, where either may be cut.
func sameNeighbors(got []nearbyResult, want []pgNeighbor, n int) error {
	if len(got) != min(n, len(want)) {
		return fmt.Errorf("%d features, PostGIS finds %d", len(got), min(n, len(want)))
	}
	if len(got) == 0 {
		return nil
	}
	pg := map[string]float64{}
	for _, w := range want {
		pg[w.key] = w.distance
	}
	last := want[len(got)-1].distance
	tie := func(d float64) bool { return math.Abs(d-last) <= 1e-6*last+1e-6 }
	for i, g := range got {
		w := want[i].distance
		if math.Abs(g.distance()-w) > 1e-3*w+0.006 { // the API rounds to the centimetre
			return fmt.Errorf("feature %d: %s at %.3f m, PostGIS has %s at %.3f m", i, g.key(), g.distance(), want[i].key, w)
		}
		d, ok := pg[g.key()]
		if !ok || (d > last && !tie(d)) {
			return fmt.Errorf("feature %d: %s is not among PostGIS's %d nearest", i, g.key(), len(got))
		}
	}
	keys := map[string]bool{}
	for _, g := range got {
		keys[g.key()] = true
	}
	for _, w := range want[:len(got)] {
		if !keys[w.key] && !tie(w.distance) {
			return fmt.Errorf("PostGIS's %s at %.3f m is missing", w.key, w.distance)
		}
	}
	return nil
}

// On 17,000+ features and 1,000 random queries, k-nearest and radius answers
// equal a brute-force PostGIS query ordered by ST_Distance(geography), with the
// distances within 0.1 %, across collections, with filters and name search.
func TestNearbyEqualsPostGIS(t *testing.T) {
	e := sampleEnv(t)
	names := nearbyData(t, e)
	var all []string
	for _, s := range e.Cat.Snapshots() {
		all = append(all, s.ID())
	}
	features := 0
	for _, id := range all {
		s, _ := e.Cat.Snapshot(id)
		features += len(s.Features)
	}
	if features < 10000 {
		t.Fatalf("only %d features", features)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	r := e.Region.BBox
	choices := [][]string{{"nearby-points"}, {"nearby-lines"}, {"nearby-points", "nearby-lines"}, {"schools", "bus-routes", "bus-stops"}, nil}
	for i := 0; i < 1000; i++ {
		at := orb.Point{r[0] - 0.1 + rng.Float64()*(r[2]-r[0]+0.2), r[1] - 0.1 + rng.Float64()*(r[3]-r[1]+0.2)}
		cols := choices[rng.IntN(len(choices))]
		v := url.Values{"lon": {fmt.Sprint(at[0])}, "lat": {fmt.Sprint(at[1])}}
		path := "/nearby"
		switch {
		case cols == nil:
			cols = all
		case len(cols) == 1 && i%2 == 0:
			path = "/collections/" + cols[0] + "/nearby"
		default:
			v.Set("collections", strings.Join(cols, ","))
		}
		filter, value := "", any(nil)
		if i%10 == 3 || i%10 == 7 { // filters on the collection of the tests' own
			cols = []string{"nearby-points"}
			if path == "/nearby" {
				v.Set("collections", "nearby-points")
			} else {
				path = "/collections/nearby-points/nearby"
			}
		}
		switch i % 10 {
		case 3:
			v.Set("loai", "B")
			filter, value = "loai", "B"
		case 7:
			word := []string{"tieu hoc", "TRAM Y TE", "chợ", "văn hoa", "77", "cao thuong 1"}[rng.IntN(6)] // many matches walk the index, few are measured one by one
			v.Set("q", word)
			var ids []string
			for id, name := range names {
				if strings.Contains(geo.Fold(name), geo.Fold(word)) {
					ids = append(ids, id)
				}
			}
			filter, value = "ids", ids
		}
		radiusMode := i%5 >= 3
		var n int
		if radiusMode {
			radius := math.Exp(rng.Float64()*math.Log(50000/50)) * 50
			n = []int{10, 100, 1000}[rng.IntN(3)]
			v.Set("radius", fmt.Sprintf("%.1f", radius))
			v.Set("limit", fmt.Sprint(n))
		} else {
			n = []int{1, 5, 10, 37, 100}[rng.IntN(5)]
			v.Set("k", fmt.Sprint(n))
		}
		var got nearbyResponse
		u := e.URL + path + "?" + v.Encode()
		if resp := get(t, u, &got); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", u, resp.StatusCode)
		}
		if got.NumberReturned != len(got.Features) {
			t.Fatalf("GET %s: numberReturned %d, %d features", u, got.NumberReturned, len(got.Features))
		}
		if !radiusMode {
			want := pgNearest(t, e, at, cols, filter, value, n+20)
			if err := sameNeighbors(got.Features, want, n); err != nil {
				t.Fatalf("GET %s: %v", u, err)
			}
			continue
		}
		radius, _ := parseFloat(v.Get("radius"))
		want := pgNearest(t, e, at, cols, filter, value, 100000)
		inside := 0
		for _, w := range want {
			if w.distance <= radius {
				inside++
			}
		}
		if got.NumberMatched == nil {
			t.Fatalf("GET %s: no numberMatched", u)
		}
		if borderline := countNear(want, radius); math.Abs(float64(*got.NumberMatched-inside)) > float64(borderline) {
			t.Fatalf("GET %s: numberMatched %d, PostGIS finds %d within %g m", u, *got.NumberMatched, inside, radius)
		}
		if err := sameNeighbors(got.Features, want[:inside], n); err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
	}
}

// countNear counts features whose distance ties with the radius.
func countNear(want []pgNeighbor, radius float64) int {
	n := 0
	for _, w := range want {
		if math.Abs(w.distance-radius) <= 1e-6*radius {
			n++
		}
	}
	return n
}

func parseFloat(s string) (float64, error) {
	var f float64
	_, err := fmt.Sscan(s, &f)
	return f, err
}

// Every invalid parameter is a 400 naming it; an unknown collection in the path is a 404.
func TestNearbyParameters(t *testing.T) {
	e := sampleEnv(t)
	at := "lon=106.2&lat=21.3"
	cases := []struct {
		path, query string
		status      int
		param       string
	}{
		{"/nearby", "lat=21.3", 400, "lon"},
		{"/nearby", "lon=106.2", 400, "lat"},
		{"/nearby", "lon=&lat=21.3", 400, "lon"},
		{"/nearby", "lon=abc&lat=21.3", 400, "lon"},
		{"/nearby", "lon=180.5&lat=21.3", 400, "lon"},
		{"/nearby", "lon=-181&lat=21.3", 400, "lon"},
		{"/nearby", "lon=NaN&lat=21.3", 400, "lon"},
		{"/nearby", "lon=106.2&lat=90.01", 400, "lat"},
		{"/nearby", "lon=106.2&lat=-91", 400, "lat"},
		{"/nearby", "lon=106.2&lat=Inf", 400, "lat"},
		{"/nearby", at + "&k=0", 400, "k"},
		{"/nearby", at + "&k=-3", 400, "k"},
		{"/nearby", at + "&k=101", 400, "k"},
		{"/nearby", at + "&k=2.5", 400, "k"},
		{"/nearby", at + "&k=", 400, "k"},
		{"/nearby", at + "&radius=0", 400, "radius"},
		{"/nearby", at + "&radius=-10", 400, "radius"},
		{"/nearby", at + "&radius=50001", 400, "radius"},
		{"/nearby", at + "&radius=abc", 400, "radius"},
		{"/nearby", at + "&radius=NaN", 400, "radius"},
		{"/nearby", at + "&radius=500&limit=0", 400, "limit"},
		{"/nearby", at + "&radius=500&limit=1001", 400, "limit"},
		{"/nearby", at + "&radius=500&limit=x", 400, "limit"},
		{"/nearby", at + "&limit=10", 400, "limit"},
		{"/nearby", at + "&k=5&radius=500&limit=10", 400, "limit"},
		{"/nearby", at + "&collections=nope", 400, "collections"},
		{"/nearby", at + "&collections=schools,nope", 400, "collections"},
		{"/nearby", at + "&collections=", 400, "collections"},
		{"/nearby", at + "&collections=schools,,ports", 400, "collections"},
		{"/nearby", at + "&colour=red", 400, "colour"},
		{"/nearby", at + "&f=xml", 400, "f"},
		{"/collections/schools/nearby", at + "&collections=ports", 400, "collections"},
		{"/collections/schools/nearby", at + "&ten=x", 400, "ten"},
		{"/collections/nope/nearby", at, 404, ""},
		{"/gan-toi", "f=json", 400, "f"},
		{"/gan-toi", "lon=106", 400, "lon"},
		{"/nearby", at, 200, ""},
		{"/nearby", at + "&k=100&radius=50000", 200, ""},
		{"/nearby", at + "&radius=50000&limit=1000", 200, ""},
		{"/nearby", at + "&collections=schools,%20ports&f=json", 200, ""},
		{"/nearby", at + "&ten=B%E1%BA%BFn%20xe%20Vi%E1%BB%87t%20Y%C3%AAn&q=", 200, ""},
		{"/collections/schools/nearby", at + "&C%E1%BA%A5p%20h%E1%BB%8Dc=Ti%E1%BB%83u%20h%E1%BB%8Dc&f=geojson", 200, ""},
		{"/nearby", "lon=-180&lat=-90", 200, ""},
		{"/nearby", "lon=180&lat=90&k=1", 200, ""},
	}
	if resp := get(t, e.URL+"/nearby?"+at+"&f=html", nil); resp.StatusCode != 400 {
		t.Errorf("f=html: %d, want 400 (an HTML error page)", resp.StatusCode)
	}
	for _, c := range cases {
		var body struct {
			Code, Parameter string
		}
		resp := get(t, e.URL+c.path+"?"+c.query, &body)
		if resp.StatusCode != c.status || body.Parameter != c.param {
			t.Errorf("%s?%s: %d naming %q, want %d naming %q", c.path, c.query, resp.StatusCode, body.Parameter, c.status, c.param)
		}
	}
}

// The features of /nearby are those of the items, with the collection, the
// geodesic distance and the bearing added; lines also give their nearest point.
func TestNearbyFeatures(t *testing.T) {
	e := sampleEnv(t)
	at := orb.Point{106.2, 21.3}
	var fc nearbyResponse
	resp := get(t, e.URL+"/nearby?lon=106.2&lat=21.3&k=100&collections=bus-routes,schools", &fc)
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "application/geo+json" {
		t.Fatalf("%d %s", resp.StatusCode, ct)
	}
	if fc.Type != "FeatureCollection" || fc.NumberMatched != nil || len(fc.Features) != 100 {
		t.Fatalf("type %s, numberMatched %v, %d features", fc.Type, fc.NumberMatched, len(fc.Features))
	}
	lines := 0
	for i, f := range fc.Features {
		col := f.Properties["collection"].(string)
		snap, _ := e.Cat.Snapshot(col)
		feat := snap.Feature(f.ID)
		if feat == nil {
			t.Fatalf("%s: no such item in %s", f.ID, col)
		}
		var item nearbyResult
		get(t, e.URL+"/collections/"+col+"/items/"+url.PathEscape(f.ID), &item)
		if string(item.Geometry) != string(f.Geometry) {
			t.Errorf("%s: geometry differs from the item's", f.key())
		}
		for k, v := range item.Properties {
			if fmt.Sprint(f.Properties[k]) != fmt.Sprint(v) {
				t.Errorf("%s: property %s is %v, the item has %v", f.key(), k, f.Properties[k], v)
			}
		}
		want, nearest := geo.DistanceTo(at, feat.Geom)
		if math.Abs(f.distance()-want) > 0.006 {
			t.Errorf("%s: distance_m %v, want %.3f", f.key(), f.Properties["distance_m"], want)
		}
		if i > 0 && f.distance() < fc.Features[i-1].distance() {
			t.Errorf("%s: not sorted by distance", f.key())
		}
		bearing := f.Properties["bearing_deg"].(float64)
		if d := math.Abs(math.Remainder(bearing-geo.Bearing(at, nearest), 360)); d > 0.051 {
			t.Errorf("%s: bearing_deg %v, want %.2f", f.key(), bearing, geo.Bearing(at, nearest))
		}
		np, hasNearest := f.Properties["nearest_point"].([]any)
		if _, point := feat.Geom.(orb.Point); point == hasNearest {
			t.Errorf("%s: nearest_point %v on a %s", f.key(), f.Properties["nearest_point"], feat.Geom.GeoJSONType())
		}
		if hasNearest {
			lines++
			if math.Abs(np[0].(float64)-nearest[0]) > 1e-7 || math.Abs(np[1].(float64)-nearest[1]) > 1e-7 {
				t.Errorf("%s: nearest_point %v, want %v", f.key(), np, nearest)
			}
		}
	}
	if lines == 0 {
		t.Error("no bus route among the 100 nearest: the test does not see lines")
	}
	// Bearings agree with PostGIS's geodesic azimuth.
	var az float64
	var school nearbyResult
	for _, f := range fc.Features {
		if f.Properties["collection"] == "schools" {
			school = f
		}
	}
	err := e.DB.Pool.QueryRow(context.Background(), `SELECT degrees(ST_Azimuth(ST_Point($1, $2, 4326)::geography, f.geom::geography))
		FROM features f JOIN collections c ON c.id = f.collection_id AND c.generation = f.generation
		WHERE c.id = 'schools' AND f.id = $3`, at[0], at[1], school.ID).Scan(&az)
	if err != nil {
		t.Fatal(err)
	}
	if d := math.Abs(math.Remainder(school.Properties["bearing_deg"].(float64)-az, 360)); d > 0.051 {
		t.Errorf("bearing of %s: %v°, PostGIS %.3f°", school.key(), school.Properties["bearing_deg"], az)
	}
}

// Responses carry an ETag of the collections' versions and the query.
func TestNearbyETag(t *testing.T) {
	e := sampleEnv(t)
	u := e.URL + "/nearby?lon=106.2&lat=21.3&collections=ports"
	tag := get(t, u, nil).Header.Get("ETag")
	if tag == "" {
		t.Fatal("no ETag")
	}
	if resp := get(t, u, nil, "If-None-Match", tag); resp.StatusCode != http.StatusNotModified {
		t.Fatalf("If-None-Match: %d", resp.StatusCode)
	}
	if other := get(t, u+"&k=3", nil).Header.Get("ETag"); other == tag {
		t.Fatal("another query, the same ETag")
	}
}

// q finds names whatever their accents and case; radius mode counts every match.
func TestNearbyNameSearchAndRadius(t *testing.T) {
	e := sampleEnv(t)
	var fc nearbyResponse
	get(t, e.URL+"/nearby?lon=106.2&lat=21.3&q=TRUONG%20tieu%20hoc&k=50&collections=schools,postal-points", &fc)
	if len(fc.Features) != 50 {
		t.Fatalf("%d features", len(fc.Features))
	}
	for _, f := range fc.Features {
		if name := f.Properties["Tên trường"]; name == nil || !strings.Contains(name.(string), "Trường Tiểu học") {
			t.Errorf("q=TRUONG tieu hoc found %s (%v)", f.key(), name)
		}
	}
	get(t, e.URL+"/nearby?lon=106.2&lat=21.3&radius=50000&limit=1000", &fc)
	total := 0
	for _, s := range e.Cat.Snapshots() {
		if !strings.HasPrefix(s.ID(), "nearby-") {
			total += len(s.Features)
		}
	}
	if fc.NumberMatched == nil || *fc.NumberMatched < 1000 || len(fc.Features) != 1000 {
		t.Fatalf("radius 50 km: numberMatched %v, %d returned, of %d sample features", fc.NumberMatched, len(fc.Features), total)
	}
	get(t, e.URL+"/nearby?lon=106.2&lat=21.3&radius=3000", &fc)
	if len(fc.Features) > 100 || *fc.NumberMatched < len(fc.Features) {
		t.Fatalf("default limit: %d returned of %d", len(fc.Features), *fc.NumberMatched)
	}
}

// The API document describes the nearby paths with every parameter the
// handlers accept, and every example request it gives succeeds.
func TestNearbyOpenAPI(t *testing.T) {
	e := sampleEnv(t)
	snaps := e.Cat.Snapshots()
	type parameter struct {
		Ref      string `json:"$ref"`
		Name, In string
		Required bool
	}
	var doc struct {
		Paths map[string]struct {
			Get struct {
				OperationID string `json:"operationId"`
				Parameters  []parameter
				Responses   map[string]any
				Examples    []string `json:"x-example-requests"`
			}
		}
		Components struct{ Parameters map[string]parameter }
	}
	get(t, e.URL+"/api?f=json", &doc)
	paths := doc.Paths
	for path := range paths {
		if path != "/nearby" && !strings.HasSuffix(path, "/nearby") {
			delete(paths, path)
		}
	}
	if len(paths) != 1+len(snaps) {
		t.Fatalf("%d paths for %d collections", len(paths), len(snaps))
	}
	standard := []string{"lon", "lat", "k", "radius", "limit", "q", "f", "lang", "filter", "filter-lang", "filter-crs"}
	for path, item := range paths {
		for i, p := range item.Get.Parameters {
			if name, ok := strings.CutPrefix(p.Ref, "#/components/parameters/"); ok {
				item.Get.Parameters[i] = doc.Components.Parameters[name]
			}
		}
		want := map[string]bool{}
		for _, p := range standard {
			want[p] = true
		}
		if path == "/nearby" {
			want["collections"], want["properties"] = true, true
		} else {
			id := strings.TrimSuffix(strings.TrimPrefix(path, "/collections/"), "/nearby")
			snap, ok := e.Cat.Snapshot(id)
			if !ok {
				t.Fatalf("%s: no such collection", path)
			}
			for _, p := range snap.Collection.Schema {
				want[p.Name] = true
			}
		}
		got := map[string]bool{}
		for _, p := range item.Get.Parameters {
			got[p.Name] = true
			if p.In != "query" || p.Required != (p.Name == "lon" || p.Name == "lat") {
				t.Errorf("%s: parameter %s in %s, required %v", path, p.Name, p.In, p.Required)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s documents %v, want %v", path, got, want)
		}
		for _, code := range []string{"200", "400", "404"} {
			if item.Get.Responses[code] == nil {
				t.Errorf("%s: no %s response", path, code)
			}
		}
		if len(item.Get.Examples) == 0 {
			t.Errorf("%s: no example", path)
		}
		for _, ex := range item.Get.Examples {
			var fc nearbyResponse
			if resp := get(t, e.URL+ex, &fc); resp.StatusCode != 200 || fc.Type != "FeatureCollection" {
				t.Errorf("example %s: %d %s", ex, resp.StatusCode, fc.Type)
			}
		}
	}
}
