package handlers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// projCode is the name cs2cs and PostGIS know a CRS URI by, and its SRID.
func projCode(t *testing.T, uri string) (string, int) {
	t.Helper()
	if uri == "http://www.opengis.net/def/crs/OGC/1.3/CRS84" {
		return "OGC:CRS84", 4326
	}
	code, ok := strings.CutPrefix(uri, "http://www.opengis.net/def/crs/EPSG/0/")
	n, err := strconv.Atoi(code)
	if !ok || err != nil {
		t.Fatalf("CRS %s is not an EPSG URI", uri)
	}
	return "EPSG:" + code, n
}

// cs2cs transforms CRS84 positions into the CRS uri with PROJ, in that CRS's
// axis order (which is what OGC API – Features Part 2 serves).
func cs2cs(t *testing.T, uri string, lonlat [][2]float64) [][2]float64 {
	t.Helper()
	target, _ := projCode(t, uri)
	return runCS2CS(t, []string{"OGC:CRS84", target}, lonlat)
}

func runCS2CS(t *testing.T, crs []string, in [][2]float64) [][2]float64 {
	t.Helper()
	var input bytes.Buffer
	for _, p := range in {
		fmt.Fprintf(&input, "%.12f %.12f\n", p[0], p[1])
	}
	cmd := exec.Command("cs2cs", append([]string{"-d", "10"}, crs...)...)
	cmd.Stdin = &input
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cs2cs %v: %v", crs, err)
	}
	var res [][2]float64
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		x, err1 := strconv.ParseFloat(f[0], 64)
		y, err2 := strconv.ParseFloat(f[1], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("cs2cs printed %q", line)
		}
		res = append(res, [2]float64{x, y})
	}
	if len(res) != len(in) {
		t.Fatalf("cs2cs: %d positions for %d", len(res), len(in))
	}
	return res
}

// positions flattens the coordinates of GeoJSON geometries.
func positions(t *testing.T, geoms []json.RawMessage) [][2]float64 {
	t.Helper()
	var out [][2]float64
	var walk func(v any)
	walk = func(v any) {
		arr, ok := v.([]any)
		if !ok || len(arr) == 0 {
			return
		}
		if x, ok := arr[0].(float64); ok {
			out = append(out, [2]float64{x, arr[1].(float64)})
			return
		}
		for _, a := range arr {
			walk(a)
		}
	}
	for _, g := range geoms {
		var geom struct{ Coordinates any }
		if err := json.Unmarshal(g, &geom); err != nil {
			t.Fatal(err)
		}
		walk(geom.Coordinates)
	}
	return out
}

type geomPage struct {
	Features []struct {
		ID       string
		Geometry json.RawMessage
	}
}

func (p geomPage) geometries() []json.RawMessage {
	var out []json.RawMessage
	for _, f := range p.Features {
		out = append(out, f.Geometry)
	}
	return out
}

// closeEnough compares positions: 1 cm for metres, about 1 cm (1e-7°) for degrees.
func closeEnough(a, b [2]float64) bool {
	tol := 1e-7
	if math.Abs(a[0]) > 360 || math.Abs(a[1]) > 360 {
		tol = 0.01
	}
	return math.Abs(a[0]-b[0]) <= tol && math.Abs(a[1]-b[1]) <= tol
}

// checkCRS is OGC API – Features Part 2: every CRS a collection lists serves its
// features as PROJ computes them, in the CRS's axis order and named by
// Content-Crs; bounding boxes in every listed CRS select what PostGIS selects.
func checkCRS(t *testing.T, c *ogcClient) {
	const crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
	// The first page of every collection in CRS84, then in each CRS (one cs2cs run per CRS).
	pages := map[string][][2]float64{}
	var all [][2]float64
	crsList := c.collections[0].CRS
	for _, col := range c.collections {
		if len(col.CRS) == 0 || !slices.Contains(col.CRS, crs84) || !slices.Contains(col.CRS, col.Storage) {
			t.Fatalf("%s: crs %v storageCrs %q", col.ID, col.CRS, col.Storage)
		}
		if !slices.Equal(col.CRS, crsList) {
			t.Fatalf("%s lists %v, %s lists %v", col.ID, col.CRS, c.collections[0].ID, crsList)
		}
		var base geomPage
		resp := c.getJSON(withParam(c.itemsOf(col.ID), "limit", "25"), &base)
		if h := resp.Header.Get("Content-Crs"); h != "<"+crs84+">" {
			t.Errorf("%s: Content-Crs %q by default", col.ID, h)
		}
		pages[col.ID] = positions(t, base.geometries())
		all = append(all, pages[col.ID]...)
	}
	for _, crs := range crsList {
		proj := cs2cs(t, crs, all)
		for _, col := range c.collections {
			want := proj[:len(pages[col.ID])]
			proj = proj[len(pages[col.ID]):]
			items := withParam(c.itemsOf(col.ID), "limit", "25")
			var page geomPage
			resp := c.getJSON(withParam(items, "crs", crs), &page)
			if h := resp.Header.Get("Content-Crs"); h != "<"+crs+">" {
				t.Errorf("%s crs=%s: Content-Crs %q", col.ID, crs, h)
			}
			got := positions(t, page.geometries())
			if len(got) != len(want) {
				t.Fatalf("%s crs=%s: %d positions, %d in CRS84", col.ID, crs, len(got), len(want))
			}
			for i := range got {
				if !closeEnough(got[i], want[i]) {
					t.Fatalf("%s crs=%s: position %d is %v, PROJ says %v", col.ID, crs, i, got[i], want[i])
				}
			}
			// One feature in the same CRS agrees with the page.
			var one struct{ Geometry json.RawMessage }
			resp = c.getJSON(withParam(c.featureURL(col, page.Features[0].ID), "crs", crs), &one)
			if h := resp.Header.Get("Content-Crs"); h != "<"+crs+">" || string(one.Geometry) != string(page.Features[0].Geometry) {
				t.Errorf("%s/%s crs=%s: %s %s", col.ID, page.Features[0].ID, crs, h, one.Geometry)
			}
			checkBBoxCRS(t, c, col, crs, want[0])
		}
	}
	// An unsupported CRS is refused with the list of supported ones.
	resp, body := c.api.exchange(t, http.MethodGet, withParam(c.itemsOf("schools"), "crs", "http://www.opengis.net/def/crs/EPSG/0/2154"))
	if resp.StatusCode != 400 || !strings.Contains(string(body), "http://www.opengis.net/def/crs/EPSG/0/3857") {
		t.Errorf("unsupported crs: %d %s", resp.StatusCode, body)
	}
}

// checkBBoxCRS asks for the features in a box of about 2 km around a position
// given in crs (its axis order), and compares with PostGIS.
func checkBBoxCRS(t *testing.T, c *ogcClient, col collectionJSON, crs string, at [2]float64) {
	d := 1000.0
	if math.Abs(at[0]) <= 360 {
		d = 0.01
	}
	box := [4]float64{at[0] - d, at[1] - d, at[0] + d, at[1] + d}
	got := c.bboxIDs(col.ID, box, crs)
	want := postgisBBox(t, c.env, col.ID, crs, box)
	if !slices.Equal(got, want) || len(want) == 0 {
		t.Errorf("%s bbox %v bbox-crs=%s: %d features, PostGIS %d", col.ID, box, crs, len(got), len(want))
	}
}

func (c *ogcClient) bboxIDs(coll string, box [4]float64, crs string) []string {
	u := withParam(withParam(withParam(c.itemsOf(coll), "bbox",
		fmt.Sprintf("%.10f,%.10f,%.10f,%.10f", box[0], box[1], box[2], box[3])), "bbox-crs", crs), "limit", "10000")
	ids := c.pageAll(u)
	slices.Sort(ids)
	return ids
}

var latFirstCache sync.Map // CRS URI → bool

// latFirst reports whether the CRS's first axis is latitude (or northing), asking PROJ.
func latFirst(t *testing.T, crs string) bool {
	if v, ok := latFirstCache.Load(crs); ok {
		return v.(bool)
	}
	p := cs2cs(t, crs, [][2]float64{{106, 21}})[0]
	v := math.Abs(p[0]-21) < 1 && math.Abs(p[1]-106) < 1
	latFirstCache.Store(crs, v)
	return v
}

// postgisBBox finds the features intersecting box (in crs's axis order) with
// ST_Intersects in that CRS.
func postgisBBox(t *testing.T, e *env, coll, crs string, box [4]float64) []string {
	t.Helper()
	_, srid := projCode(t, crs)
	if latFirst(t, crs) {
		box = [4]float64{box[1], box[0], box[3], box[2]}
	}
	return dbIDs(t, e, coll, ` AND ST_Intersects(ST_Transform(f.geom, $6::int), ST_MakeEnvelope($2, $3, $4, $5, $6::int))`,
		box[0], box[1], box[2], box[3], srid)
}

// Random boxes given in every supported projected CRS select exactly what
// PostGIS selects with ST_Intersects in that CRS, lines and points alike.
func TestBBoxCRSEqualsPostGIS(t *testing.T) {
	e := sampleEnv(t)
	c := newOGCClient(t, e)
	rng := rand.New(rand.NewPCG(5, 17))
	r := e.Region.BBox
	const boxes = 10
	var lonlat [][2]float64
	for i := 0; i < boxes; i++ {
		w, h := 0.02+rng.Float64()*0.2, 0.02+rng.Float64()*0.15
		x := r[0] + rng.Float64()*(r[2]-r[0]-w)
		y := r[1] + rng.Float64()*(r[3]-r[1]-h)
		lonlat = append(lonlat, [2]float64{x, y}, [2]float64{x + w, y + h})
	}
	for _, crs := range c.collection("schools").CRS {
		corners := cs2cs(t, crs, lonlat)
		for i := 0; i < boxes; i++ {
			a, b := corners[2*i], corners[2*i+1]
			box := [4]float64{min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])}
			for _, coll := range []string{"schools", "bus-routes"} {
				got := c.bboxIDs(coll, box, crs)
				want := postgisBBox(t, e, coll, crs, box)
				if !slices.Equal(got, want) {
					t.Fatalf("%s bbox %v in %s: %d features, PostGIS %d", coll, box, crs, len(got), len(want))
				}
			}
		}
	}
}

// EPSG:4326 is latitude first, in the response and in bbox; CSV names its axes.
func TestCRSAxisOrder(t *testing.T) {
	e := sampleEnv(t)
	const epsg4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
	var f struct {
		Geometry struct{ Coordinates [2]float64 }
	}
	get(t, e.URL+"/collections/schools/items/BG-TR-00001", &f)
	lon, lat := f.Geometry.Coordinates[0], f.Geometry.Coordinates[1]
	var g struct {
		Geometry struct{ Coordinates [2]float64 }
	}
	get(t, e.URL+"/collections/schools/items/BG-TR-00001?crs="+url.QueryEscape(epsg4326), &g)
	if g.Geometry.Coordinates != [2]float64{lat, lon} {
		t.Errorf("EPSG:4326 gives %v for lon/lat %v, %v", g.Geometry.Coordinates, lon, lat)
	}
	box := fmt.Sprintf("%f,%f,%f,%f", lat-0.0001, lon-0.0001, lat+0.0001, lon+0.0001)
	var fc featureCollection
	get(t, e.URL+"/collections/schools/items?bbox="+box+"&bbox-crs=EPSG:4326", &fc)
	if !slices.ContainsFunc(fc.Features, func(x struct {
		ID         string         `json:"id"`
		Properties map[string]any `json:"properties"`
	}) bool {
		return x.ID == "BG-TR-00001"
	}) {
		t.Errorf("a lat-first box around BG-TR-00001 misses it: %d features", len(fc.Features))
	}
	// The same numbers read as CRS84 are somewhere else (lon 21, lat 106 is invalid).
	if resp := get(t, e.URL+"/collections/schools/items?bbox="+box, nil); resp.StatusCode != 400 {
		t.Errorf("lat/lon numbers as a CRS84 box: %d", resp.StatusCode)
	}
	for crs, header := range map[string]string{"": "lon,lat", "EPSG:4326": "lat,lon", "EPSG:3857": "x,y"} {
		resp := get(t, e.URL+"/collections/schools/items?f=csv&limit=1&properties=&crs="+crs, nil)
		body := readAll(t, resp)
		if first := strings.SplitN(body, "\r\n", 2)[0]; first != "\ufeffid,"+header {
			t.Errorf("CSV in %q: header %q", crs, first)
		}
	}
	// The spellings clients use all name the same CRS.
	for _, spelling := range []string{"EPSG:4326", "[EPSG:4326]", "urn:ogc:def:crs:EPSG::4326", "https://www.opengis.net/def/crs/EPSG/0/4326"} {
		resp := get(t, e.URL+"/collections/schools/items/BG-TR-00001?crs="+url.QueryEscape(spelling), nil)
		if h := resp.Header.Get("Content-Crs"); h != "<"+epsg4326+">" {
			t.Errorf("crs=%s: Content-Crs %q", spelling, h)
		}
	}
}

// A projected box must be ordered; a lon/lat box crossing the antimeridian is not an error.
func TestBBoxCRSRefusals(t *testing.T) {
	e := sampleEnv(t)
	for q, status := range map[string]int{
		"bbox=11830000,2420000,11820000,2430000&bbox-crs=EPSG:3857": 400,
		"bbox=170,20,-170,22":                           200,
		"bbox-crs=EPSG:3857":                            200,
		"bbox=1,2,3,4&bbox-crs=EPSG:4326&crs=EPSG:3857": 200,
	} {
		if resp := get(t, e.URL+"/collections/schools/items?"+q, nil); resp.StatusCode != status {
			t.Errorf("%s: %d, want %d", q, resp.StatusCode, status)
		}
	}
	var fc featureCollection
	get(t, e.URL+"/collections/schools/items?bbox=-170,20,-180,22", &fc)
	if fc.NumberMatched != 1800 {
		t.Errorf("a box from 170°W eastwards around the world to 180° holds every school: %d", fc.NumberMatched)
	}
}
