package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vn-opendata/geodata/bench"
)

// bacGiang is the area of the default region profile (catalog/regions/bac-giang.json).
var bacGiang = bench.Area{
	BBox: [4]float64{105.85, 21.10, 107.05, 21.65},
	Towns: []bench.Town{
		{Lon: 106.1946, Lat: 21.2731, Weight: 6}, {Lon: 106.0970, Lat: 21.2710, Weight: 3},
		{Lon: 105.9810, Lat: 21.3580, Weight: 3}, {Lon: 106.5900, Lat: 21.3720, Weight: 2},
		{Lon: 106.8460, Lat: 21.3370, Weight: 1},
	},
}

func testTarget(base string) bench.Target {
	return bench.Target{BaseURL: base, Points: "points", Lines: "lines", IntProperty: "students", Area: bacGiang}
}

func workload(t *testing.T, name string) bench.Workload {
	t.Helper()
	ws, err := bench.Select(name)
	if err != nil {
		t.Fatal(err)
	}
	return ws[0]
}

func TestSelect(t *testing.T) {
	all, err := bench.Select("all")
	if err != nil || len(all) != len(bench.Workloads()) {
		t.Fatalf("all: %d workloads, %v", len(all), err)
	}
	two, err := bench.Select("nearby, ceiling")
	if err != nil || len(two) != 2 || two[0].Name != "nearby" || two[1].Name != "ceiling" {
		t.Fatalf("nearby, ceiling: %v, %v", two, err)
	}
	if _, err := bench.Select("items-small,nope"); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("an unknown workload gave %v, want an error naming it", err)
	}
	names := map[string]bool{}
	for _, w := range all {
		names[w.Name] = true
	}
	for _, want := range []string{"ceiling", "items-small", "items-district", "items-filter", "nearby",
		"tiles-z6-cold", "tiles-z6", "tiles-z10", "tiles-z14", "tiles-lines-z10"} {
		if !names[want] {
			t.Errorf("workload %s is missing", want)
		}
	}
}

func TestPathsAreReproducibleAndVaried(t *testing.T) {
	target := testTarget("")
	for _, w := range bench.Workloads() {
		a, b := w.Paths(target, 7, 500), w.Paths(target, 7, 500)
		if !slices.Equal(a, b) {
			t.Errorf("%s: two lists from the same seed differ", w.Name)
		}
		if len(a) == 0 {
			t.Errorf("%s: no requests", w.Name)
		}
		distinct := map[string]bool{}
		for _, p := range a {
			distinct[p] = true
		}
		// Boxes and points are continuous; z14 tiles repeat where the towns are.
		least := map[string]int{"items-small": 400, "items-district": 400, "items-filter": 400, "nearby": 400, "tiles-z14": 200}[w.Name]
		if least > 0 {
			if len(distinct) < least {
				t.Errorf("%s: %d distinct requests of 500; want at least %d", w.Name, len(distinct), least)
			}
			if other := w.Paths(target, 8, 500); slices.Equal(a, other) {
				t.Errorf("%s: seeds 7 and 8 give the same list", w.Name)
			}
		}
	}
}

// bboxOf reads the bbox= of an items path.
func bboxOf(t *testing.T, path string) [4]float64 {
	t.Helper()
	u, err := url.Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(u.Query().Get("bbox"), ",")
	if len(parts) != 4 {
		t.Fatalf("%s: no bbox", path)
	}
	var b [4]float64
	for i, p := range parts {
		if b[i], err = strconv.ParseFloat(p, 64); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func TestItemsBoxesHaveTheirSize(t *testing.T) {
	cases := []struct {
		workload string
		sideKm   float64
		limit    string
	}{{"items-small", 1, "100"}, {"items-district", 20, "1000"}}
	for _, c := range cases {
		near := 0
		paths := workload(t, c.workload).Paths(testTarget(""), 1, 1000)
		for _, p := range paths {
			if !strings.HasPrefix(p, "/collections/points/items?") || !strings.Contains(p, "limit="+c.limit) {
				t.Fatalf("%s: %s is not an items request with limit=%s", c.workload, p, c.limit)
			}
			b := bboxOf(t, p)
			lat := (b[1] + b[3]) / 2
			w := (b[2] - b[0]) * 111.320 * math.Cos(lat*math.Pi/180)
			h := (b[3] - b[1]) * 110.574
			if math.Abs(w-c.sideKm) > 0.01*c.sideKm || math.Abs(h-c.sideKm) > 0.01*c.sideKm {
				t.Errorf("%s: %s is %.3f × %.3f km, want %g × %g", c.workload, p, w, h, c.sideKm, c.sideKm)
			}
			lon := (b[0] + b[2]) / 2
			if lon < bacGiang.BBox[0] || lon > bacGiang.BBox[2] || lat < bacGiang.BBox[1] || lat > bacGiang.BBox[3] {
				t.Errorf("%s: %s is centred outside the region", c.workload, p)
			}
			if math.Abs(lon-106.1946) < 0.15 && math.Abs(lat-21.2731) < 0.15 {
				near++
			}
		}
		// The largest town has 6 of 15 weights and a fifth of the boxes are uniform:
		// about a third of the boxes should be around it.
		if near < len(paths)/5 {
			t.Errorf("%s: %d of %d boxes near the largest town; want them to follow the towns", c.workload, near, len(paths))
		}
	}
}

func TestFilterAndNearbyPaths(t *testing.T) {
	for _, p := range workload(t, "items-filter").Paths(testTarget(""), 1, 50) {
		u, err := url.Parse(p)
		if err != nil {
			t.Fatal(err)
		}
		f := u.Query().Get("filter")
		if !strings.HasPrefix(f, "students > ") || !strings.Contains(f, " AND S_INTERSECTS(geometry, BBOX(") || u.Query().Get("limit") != "100" {
			t.Errorf("items-filter: %s (filter %q) does not compare the property and intersect a box", p, f)
		}
	}
	for _, p := range workload(t, "nearby").Paths(testTarget(""), 1, 50) {
		u, err := url.Parse(p)
		if err != nil {
			t.Fatal(err)
		}
		lon, _ := strconv.ParseFloat(u.Query().Get("lon"), 64)
		lat, _ := strconv.ParseFloat(u.Query().Get("lat"), 64)
		if u.Path != "/nearby" || u.Query().Get("k") != "10" || lon < 105.85 || lon > 107.05 || lat < 21.10 || lat > 21.65 {
			t.Errorf("nearby: %s is not a k=10 search inside the region", p)
		}
	}
}

func TestTilePaths(t *testing.T) {
	z6 := workload(t, "tiles-z6-cold").Paths(testTarget(""), 1, 1000)
	// At z6 the region (105.85–107.05°E, 21.10–21.65°N) spans tile columns 50 and 51 of row 28.
	want := []string{"/collections/points/tiles/WebMercatorQuad/6/28/50", "/collections/points/tiles/WebMercatorQuad/6/28/51"}
	if !slices.Equal(z6, want) {
		t.Errorf("z6 tiles %v, want %v", z6, want)
	}
	if warm := workload(t, "tiles-z6").Paths(testTarget(""), 1, 1000); !slices.Equal(warm, want) {
		t.Errorf("warm z6 tiles %v, want the same %v", warm, want)
	}
	for _, c := range []struct{ workload, prefix string }{
		{"tiles-z10", "/collections/points/tiles/WebMercatorQuad/10/"},
		{"tiles-z14", "/collections/points/tiles/WebMercatorQuad/14/"},
		{"tiles-lines-z10", "/collections/lines/tiles/WebMercatorQuad/10/"},
	} {
		for _, p := range workload(t, c.workload).Paths(testTarget(""), 1, 200) {
			if !strings.HasPrefix(p, c.prefix) {
				t.Fatalf("%s: %s, want a tile under %s", c.workload, p, c.prefix)
			}
		}
	}
	// Thành phố Bắc Giang (106.1946°E, 21.2731°N) lies in z10 tile column 814, row 450.
	z10 := workload(t, "tiles-z10").Paths(testTarget(""), 1, 200)
	if !slices.Contains(z10, "/collections/points/tiles/WebMercatorQuad/10/450/814") {
		t.Errorf("no z10 tile holds the largest town: %v", z10[:10])
	}
}

func TestCeilingHandler(t *testing.T) {
	rec := httptest.NewRecorder()
	bench.CeilingHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	body := rec.Body.Bytes()
	if rec.Code != http.StatusOK || len(body) != bench.CeilingBodySize || bench.CeilingBodySize != 200 {
		t.Fatalf("status %d, %d bytes; want 200 and 200 bytes", rec.Code, len(body))
	}
	if !json.Valid(body) || rec.Header().Get("Content-Type") != "application/json" {
		t.Errorf("body %s (%s) is not JSON", body, rec.Header().Get("Content-Type"))
	}
}

// fakeServer answers like a geodata that has items but no filter, nearby or
// tiles yet, and records the paths it was asked for.
type fakeServer struct {
	*httptest.Server
	mu    sync.Mutex
	paths []string
	tiles bool // serve tiles (204, empty) instead of 404
}

func newFakeServer(t *testing.T, tiles bool) *fakeServer {
	f := &fakeServer{tiles: tiles}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.paths = append(f.paths, r.URL.Path)
		f.mu.Unlock()
		switch {
		case strings.Contains(r.URL.Path, "/tiles/") && f.tiles:
			w.WriteHeader(http.StatusNoContent)
		case strings.HasSuffix(r.URL.Path, "/items") && r.URL.Query().Has("filter"):
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"code":"InvalidParameterValue","description":"unknown parameter filter"}`))
		case strings.HasSuffix(r.URL.Path, "/items"):
			w.Write([]byte(`{"type":"FeatureCollection","features":[]}`))
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"code":"NotFound","description":"no resource"}`))
		}
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeServer) asked(prefix string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, p := range f.paths {
		if strings.HasPrefix(p, prefix) {
			n++
		}
	}
	return n
}

func TestSuiteSkipsWhatTheServerLacksAndComparesToTheCeiling(t *testing.T) {
	srv := newFakeServer(t, false)
	ceiling := httptest.NewServer(bench.CeilingHandler())
	defer ceiling.Close()
	target := testTarget(srv.URL)
	target.CeilingURL = ceiling.URL
	var log bytes.Buffer
	suite := bench.Suite{Target: target, Client: bench.NewClient(2), Seed: 1, Requests: 100, Log: &log,
		Load: bench.Load{Connections: 2, Warmup: 50 * time.Millisecond, Duration: 150 * time.Millisecond}}
	results, err := suite.Run(context.Background(), bench.Workloads())
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*bench.Result{}
	for _, r := range results {
		byName[r.Workload] = r
	}
	for name, why := range map[string]string{
		"items-filter": "(400: unknown parameter filter)", "nearby": "(404 on GET /nearby?lon=",
		"tiles-z6-cold": "tiles are not served yet", "tiles-z6": "(404 on GET /collections/points/tiles/WebMercatorQuad/14/", "tiles-lines-z10": "/collections/lines/tiles/",
	} {
		if r := byName[name]; !strings.Contains(r.Skipped, why) || r.Requests != 0 {
			t.Errorf("%s: skipped %q after %d requests; want skipped with %q", name, r.Skipped, r.Requests, why)
		}
	}
	for _, name := range []string{"ceiling", "items-small", "items-district"} {
		r := byName[name]
		if r.Skipped != "" || r.Requests == 0 || r.Errors != 0 || r.Ceiling <= 0 {
			t.Errorf("%s: %+v; want measured requests without errors and a ratio to the ceiling", name, r)
		}
	}
	if byName["ceiling"].Ceiling != 1 {
		t.Errorf("the ceiling's ratio to itself is %g", byName["ceiling"].Ceiling)
	}
	if srv.asked("/collections/points/tiles/WebMercatorQuad/6/") != 0 {
		t.Error("a probe asked for a z6 tile")
	}
	rep := bench.Report{Machine: bench.ThisMachine(), Workloads: results}
	var table bytes.Buffer
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"items-district", "skipped", "nearby: /nearby is not served yet", "× ceiling"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("the table lacks %q:\n%s", want, table.String())
		}
	}
}

// With tiles served, the cold z6 workload asks each z6 tile exactly once, and
// nothing asked for one before it.
func TestSuiteColdTilesAreFirstRequests(t *testing.T) {
	srv := newFakeServer(t, true)
	suite := bench.Suite{Target: testTarget(srv.URL), Client: bench.NewClient(2), Seed: 1, Requests: 100, Log: io.Discard,
		Load: bench.Load{Connections: 2, Warmup: 50 * time.Millisecond, Duration: 100 * time.Millisecond}}
	results, err := suite.Run(context.Background(), []bench.Workload{workload(t, "tiles-z6-cold")})
	if err != nil {
		t.Fatal(err)
	}
	r := results[0]
	if r.Skipped != "" || r.Requests != 2 || r.Statuses["204"] != 2 || !r.Once {
		t.Fatalf("cold z6: %+v; want the two z6 tiles once each", r)
	}
	if n := srv.asked("/collections/points/tiles/WebMercatorQuad/6/"); n != 2 {
		t.Errorf("the server was asked %d z6 tiles, want 2 (the probe must not warm them)", n)
	}
}

func TestRSS(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc on this system")
	}
	kb, err := bench.RSS(os.Getpid())
	if err != nil || kb <= 0 {
		t.Fatalf("RSS of this process: %d kB, %v", kb, err)
	}
	if _, err := bench.RSS(1 << 30); err == nil {
		t.Error("RSS of a process that does not exist gave no error")
	}
}
