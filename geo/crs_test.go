package geo

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/internal/shareddata"
)

// oraclePoint is one row of vn2000_points.csv.
type oraclePoint struct {
	id             string
	lon, lat       float64
	tm3x, tm3y     float64 // VN-2000 / TM-3 107-00
	utm48x, utm48y float64 // VN-2000 / UTM zone 48N
}

func readOracle(t *testing.T) []oraclePoint {
	t.Helper()
	f, err := os.Open(shareddata.Path(t, "vn2000_points.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := "id,lon_wgs84,lat_wgs84,x_vn2000_tm3_107,y_vn2000_tm3_107,x_vn2000_utm48,y_vn2000_utm48"
	if strings.Join(rows[0], ",") != want {
		t.Fatalf("vn2000_points.csv header %v, want %s", rows[0], want)
	}
	var out []oraclePoint
	for _, r := range rows[1:] {
		v := make([]float64, 6)
		for i := range v {
			if v[i], err = strconv.ParseFloat(r[i+1], 64); err != nil {
				t.Fatalf("%s: %v", r[0], err)
			}
		}
		out = append(out, oraclePoint{r[0], v[0], v[1], v[2], v[3], v[4], v[5]})
	}
	if len(out) < 20 {
		t.Fatalf("vn2000_points.csv has %d points", len(out))
	}
	return out
}

// groundDistance is the distance in metres between two nearby lon/lat points
// (an equirectangular approximation, within 1 % at these distances).
func groundDistance(lon1, lat1, lon2, lat2 float64) float64 {
	const mPerDeg = 111_320.0
	dx := (lon2 - lon1) * mPerDeg * math.Cos(lat1*math.Pi/180)
	dy := (lat2 - lat1) * 110_700
	return math.Hypot(dx, dy)
}

const centimetre = 0.01

// TestVN2000Oracle checks both directions on every point of the shared oracle,
// for TM-3 107-00 and UTM 48N, to 1 cm.
func TestVN2000Oracle(t *testing.T) {
	for _, tc := range []struct {
		code string
		xy   func(p oraclePoint) (float64, float64)
	}{
		{"EPSG:9214", func(p oraclePoint) (float64, float64) { return p.tm3x, p.tm3y }},
		{"EPSG:3405", func(p oraclePoint) (float64, float64) { return p.utm48x, p.utm48y }},
	} {
		c, err := LookupCRS(tc.code)
		if err != nil {
			t.Fatal(err)
		}
		var worstFwd, worstInv float64
		for _, p := range readOracle(t) {
			wx, wy := tc.xy(p)
			x, y, err := c.FromWGS84(p.lon, p.lat)
			if err != nil {
				t.Fatalf("%s %s: %v", tc.code, p.id, err)
			}
			if d := math.Hypot(x-wx, y-wy); d > centimetre {
				t.Errorf("%s %s: WGS84 %.6f,%.6f → %.4f,%.4f, want %.4f,%.4f (%.3f m off)", tc.code, p.id, p.lon, p.lat, x, y, wx, wy, d)
			} else {
				worstFwd = math.Max(worstFwd, d)
			}
			lon, lat, err := c.ToWGS84(wx, wy)
			if err != nil {
				t.Fatalf("%s %s: %v", tc.code, p.id, err)
			}
			if d := groundDistance(lon, lat, p.lon, p.lat); d > centimetre {
				t.Errorf("%s %s: %.4f,%.4f → %.8f,%.8f, want %.6f,%.6f (%.3f m off)", tc.code, p.id, wx, wy, lon, lat, p.lon, p.lat, d)
			} else {
				worstInv = math.Max(worstInv, d)
			}
		}
		t.Logf("%s: largest difference %.2g m to WGS84 → VN-2000, %.2g m back", tc.code, worstFwd, worstInv)
	}
}

// regionSample draws n WGS84 points over the Bắc Giang region and its
// neighbours (the region's bounding box with a margin of about 100 km).
func regionSample(n int, seed uint64) []orb.Point {
	rng := rand.New(rand.NewPCG(seed, 7))
	out := make([]orb.Point, n)
	for i := range out {
		out[i] = orb.Point{104.85 + 3.2*rng.Float64(), 20.1 + 2.55*rng.Float64()}
	}
	return out
}

// cs2cs runs PROJ's cs2cs from src to dst on pts, each given in the source
// CRS's own axis order, and returns the results in the target's axis order.
func cs2cs(t *testing.T, src, dst []string, pts []orb.Point) []orb.Point {
	t.Helper()
	path, err := exec.LookPath("cs2cs")
	if err != nil {
		t.Fatal("cs2cs (Debian proj-bin) is needed to check transformations against PROJ: ", err)
	}
	var in bytes.Buffer
	for _, p := range pts {
		fmt.Fprintf(&in, "%.12f %.12f\n", p[0], p[1])
	}
	args := append([]string{"-f", "%.12f"}, src...)
	if len(src) > 1 { // PROJ strings: the old "+to" syntax
		args = append(append(args, "+to"), dst...)
	} else {
		args = append(args, dst...)
	}
	cmd := exec.Command(path, args...)
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cs2cs %v: %v: %s", args, err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(pts) {
		t.Fatalf("cs2cs %v: %d lines for %d points", args, len(lines), len(pts))
	}
	res := make([]orb.Point, len(lines))
	for i, l := range lines {
		f := strings.Fields(l)
		a, err1 := strconv.ParseFloat(f[0], 64)
		b, err2 := strconv.ParseFloat(f[1], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("cs2cs line %q", l)
		}
		res[i] = orb.Point{a, b}
	}
	return res
}

// projArgs names a CRS for cs2cs: its EPSG or OGC code, so that PROJ's own
// database is the oracle; a PROJ string for zones without a code.
func projArgs(c *CRS) []string {
	if c.EPSG == 0 && !c.Geographic() {
		return strings.Fields(c.Proj4())
	}
	return []string{c.Code()}
}

// TestAgainstPROJ transforms a few thousand points over the region with every
// supported CRS (and two TM-3 zones EPSG does not code), both ways, and compares
// with PROJ's cs2cs to 1 cm.
func TestAgainstPROJ(t *testing.T) {
	systems := SupportedCRS()
	for _, cm := range []float64{105.25, 106.75} {
		c, err := VN2000TM3(cm)
		if err != nil {
			t.Fatal(err)
		}
		if c.EPSG != 0 {
			t.Fatalf("TM-3 %g has EPSG %d: pick a meridian EPSG does not code", cm, c.EPSG)
		}
		systems = append(systems, c)
	}
	wgs84 := []string{"EPSG:4326"}
	wgs84LonLat := strings.Fields("+proj=longlat +datum=WGS84 +no_defs")
	for i, c := range systems {
		t.Run(strings.ReplaceAll(c.Code(), " ", "_"), func(t *testing.T) {
			lonlat := regionSample(2000, uint64(i+1))
			src, in := wgs84, make([]orb.Point, len(lonlat))
			for j, p := range lonlat {
				in[j] = orb.Point{p[1], p[0]} // EPSG:4326 is latitude first
			}
			if len(projArgs(c)) > 1 {
				src, in = wgs84LonLat, lonlat
			}
			proj := cs2cs(t, src, projArgs(c), in)
			var worst float64
			for j, p := range lonlat {
				x, y, err := c.FromWGS84(p[0], p[1])
				if err != nil {
					t.Fatalf("%v: %v", p, err)
				}
				wx, wy := c.AxisOrder(proj[j][0], proj[j][1])
				d := math.Hypot(x-wx, y-wy)
				if c.Geographic() {
					d = groundDistance(x, y, wx, wy)
				}
				if d > centimetre {
					t.Fatalf("WGS84 %.9f,%.9f → %.4f,%.4f; PROJ %.4f,%.4f (%.4f m)", p[0], p[1], x, y, wx, wy, d)
				}
				worst = math.Max(worst, d)
			}
			back := cs2cs(t, projArgs(c), src, proj)
			var worstBack float64
			for j, p := range proj {
				x, y := c.AxisOrder(p[0], p[1])
				lon, lat, err := c.ToWGS84(x, y)
				if err != nil {
					t.Fatalf("%v: %v", p, err)
				}
				wlon, wlat := back[j][1], back[j][0]
				if len(src) > 1 {
					wlon, wlat = back[j][0], back[j][1]
				}
				if d := groundDistance(lon, lat, wlon, wlat); d > centimetre {
					t.Fatalf("%.4f,%.4f → WGS84 %.9f,%.9f; PROJ %.9f,%.9f (%.4f m)", x, y, lon, lat, wlon, wlat, d)
				} else {
					worstBack = math.Max(worstBack, d)
				}
			}
			t.Logf("%s: %d points, largest difference from PROJ %.2g m forward, %.2g m inverse", c, len(lonlat), worst, worstBack)
		})
	}
}

func TestLookupCRS(t *testing.T) {
	for _, tc := range []struct {
		in       string
		epsg     int
		uri      string
		latFirst bool
		geog     bool
	}{
		{"EPSG:9214", 9214, "http://www.opengis.net/def/crs/EPSG/0/9214", false, false},
		{"9214", 9214, "http://www.opengis.net/def/crs/EPSG/0/9214", false, false},
		{" epsg:9214 ", 9214, "http://www.opengis.net/def/crs/EPSG/0/9214", false, false},
		{"urn:ogc:def:crs:EPSG::9214", 9214, "http://www.opengis.net/def/crs/EPSG/0/9214", false, false},
		{"urn:ogc:def:crs:EPSG:9.8.15:9214", 9214, "http://www.opengis.net/def/crs/EPSG/0/9214", false, false},
		{"http://www.opengis.net/def/crs/EPSG/0/9214", 9214, "http://www.opengis.net/def/crs/EPSG/0/9214", false, false},
		{"https://www.opengis.net/def/crs/EPSG/0/9209", 9209, "http://www.opengis.net/def/crs/EPSG/0/9209", false, false},
		{"[EPSG:3405]", 3405, "http://www.opengis.net/def/crs/EPSG/0/3405", false, false},
		{"VN-2000 / TM-3 107-00", 9214, "http://www.opengis.net/def/crs/EPSG/0/9214", false, false},
		{"vn2000 tm3 105-30", 9209, "http://www.opengis.net/def/crs/EPSG/0/9209", false, false},
		{"VN-2000 / TM-3 105-15", 0, "", false, false},
		{"VN-2000 / TM-3 zone 482", 5897, "http://www.opengis.net/def/crs/EPSG/0/5897", false, false},
		{"EPSG:4326", 4326, "http://www.opengis.net/def/crs/EPSG/0/4326", true, true},
		{"EPSG:4756", 4756, "http://www.opengis.net/def/crs/EPSG/0/4756", true, true},
		{"VN-2000", 4756, "http://www.opengis.net/def/crs/EPSG/0/4756", true, true},
		{"CRS84", 0, CRS84URI, false, true},
		{"OGC:CRS84", 0, CRS84URI, false, true},
		{"urn:ogc:def:crs:OGC:1.3:CRS84", 0, CRS84URI, false, true},
		{"http://www.opengis.net/def/crs/OGC/1.3/CRS84", 0, CRS84URI, false, true},
		{"EPSG:3857", 3857, "http://www.opengis.net/def/crs/EPSG/0/3857", false, false},
		{"EPSG:32648", 32648, "http://www.opengis.net/def/crs/EPSG/0/32648", false, false},
	} {
		c, err := LookupCRS(tc.in)
		if err != nil {
			t.Errorf("LookupCRS(%q): %v", tc.in, err)
			continue
		}
		if c.EPSG != tc.epsg || c.URI() != tc.uri || c.LatFirst() != tc.latFirst || c.Geographic() != tc.geog {
			t.Errorf("LookupCRS(%q) = EPSG %d %s latFirst %v geographic %v, want %d %s %v %v",
				tc.in, c.EPSG, c.URI(), c.LatFirst(), c.Geographic(), tc.epsg, tc.uri, tc.latFirst, tc.geog)
		}
		again, err := LookupCRS(c.Code())
		if err != nil || !again.Equal(c) {
			t.Errorf("LookupCRS(%q) (the code of %q) = %v, %v", c.Code(), tc.in, again, err)
		}
	}
	for _, bad := range []string{"", "EPSG:2000", "EPSG:", "urn:ogc:def:crs:EPSG::", "WGS 72", "VN-2000 / TM-3 107-10", "VN-2000 / TM-3 120-00", "EPSG:99999999999999999999"} {
		if c, err := LookupCRS(bad); err == nil {
			t.Errorf("LookupCRS(%q) = %v, want an error", bad, c)
		} else if !errors.Is(err, ErrUnsupportedCRS) && !strings.Contains(err.Error(), "meridian") {
			t.Errorf("LookupCRS(%q): %v does not say what is wrong", bad, err)
		}
	}
}

func TestLookupReturnsCopies(t *testing.T) {
	c, _ := LookupCRS("EPSG:9214")
	c.Name = "changed"
	c.EPSG = 1
	again, _ := LookupCRS("EPSG:9214")
	if again.Name != "VN-2000 / TM-3 107-00" || again.EPSG != 9214 {
		t.Fatalf("the registry changed through a returned CRS: %+v", again)
	}
}

func TestSupportedCRS(t *testing.T) {
	want := []int{0, 4326, 3857, 4756, 3405, 3406, 32648, 32649, 5896, 5897, 5898, 5899}
	for code := 9205; code <= 9218; code++ {
		want = append(want, code)
	}
	got := SupportedCRS()
	if len(got) != len(want) {
		t.Fatalf("%d systems, want %d", len(got), len(want))
	}
	for i, c := range got {
		if c.EPSG != want[i] {
			t.Errorf("system %d is EPSG %d, want %d", i, c.EPSG, want[i])
		}
		if c.Name == "" || (c.URI() == "") {
			t.Errorf("system %d has no name or URI: %+v", i, c)
		}
	}
	c, _ := LookupCRS("EPSG:9214")
	if tm, ok := c.Projection(); !ok || tm.CentralMeridian != 107 || tm.Scale != 0.9999 || tm.FalseEasting != 500000 || tm.FalseNorthing != 0 {
		t.Errorf("EPSG:9214 projection %+v", tm)
	}
	c, _ = LookupCRS("EPSG:9209")
	if tm, _ := c.Projection(); tm.CentralMeridian != 105.5 || c.Name != "VN-2000 / TM-3 105-30" {
		t.Errorf("EPSG:9209 = %s, %+v", c.Name, tm)
	}
}

func TestAxisOrder(t *testing.T) {
	for _, tc := range []struct {
		code string
		a, b float64
	}{{"EPSG:4326", 21, 106}, {"EPSG:4756", 21, 106}, {"CRS84", 106, 21}, {"EPSG:9214", 106, 21}} {
		c, _ := LookupCRS(tc.code)
		a, b := c.AxisOrder(106, 21)
		if a != tc.a || b != tc.b {
			t.Errorf("%s: AxisOrder(106, 21) = %g, %g, want %g, %g", tc.code, a, b, tc.a, tc.b)
		}
		if x, y := c.AxisOrder(a, b); x != 106 || y != 21 {
			t.Errorf("%s: AxisOrder is not its own inverse", tc.code)
		}
	}
}

// TestVN2000Shift checks the size and direction of the datum shift in the
// region: a VN-2000 position read as WGS 84 is about 224 m off, and the
// coordinate-frame sign of the rotations would move points by decimetres.
func TestVN2000Shift(t *testing.T) {
	vn, _ := LookupCRS("EPSG:4756")
	lon, lat, err := vn.ToWGS84(106.1946, 21.2731)
	if err != nil {
		t.Fatal(err)
	}
	if d := groundDistance(106.1946, 21.2731, lon, lat); d < 215 || d > 235 {
		t.Errorf("VN-2000 → WGS 84 moves Bắc Giang by %.1f m, want about 224", d)
	}
	if lon < 106.1946 || lat > 21.2731 {
		t.Errorf("VN-2000 → WGS 84 should move points east and south here: %.7f, %.7f", lon, lat)
	}
	frame := VN2000ToWGS84
	frame.RX, frame.RY, frame.RZ = -frame.RX, -frame.RY, -frame.RZ
	wlon, wlat := datumShift(WGS84Ellipsoid, frame, true, 106.1946, 21.2731)
	if d := groundDistance(lon, lat, wlon, wlat); d < 0.05 {
		t.Errorf("the rotation convention moves points by only %.3f m: the test cannot tell conventions apart", d)
	}
}

func TestGeometryTransforms(t *testing.T) {
	c, _ := LookupCRS("EPSG:9214")
	poly := orb.Polygon{{{106.1, 21.2}, {106.3, 21.2}, {106.3, 21.4}, {106.1, 21.4}, {106.1, 21.2}}, {{106.15, 21.25}, {106.15, 21.3}, {106.2, 21.3}, {106.15, 21.25}}}
	geoms := []orb.Geometry{
		orb.Point{106.2, 21.3},
		orb.MultiPoint{{106.2, 21.3}, {106.5, 21.4}},
		orb.LineString{{106.2, 21.3}, {106.5, 21.4}},
		orb.MultiLineString{{{106.2, 21.3}, {106.5, 21.4}}, {{106.6, 21.3}, {106.7, 21.4}}},
		poly,
		orb.MultiPolygon{poly, poly},
		orb.Collection{orb.Point{106.2, 21.3}, poly},
	}
	for _, g := range geoms {
		proj, err := c.GeometryFromWGS84(g)
		if err != nil {
			t.Fatalf("%s: %v", g.GeoJSONType(), err)
		}
		if proj.GeoJSONType() != g.GeoJSONType() {
			t.Fatalf("%s became %s", g.GeoJSONType(), proj.GeoJSONType())
		}
		if b := proj.Bound(); b.Min[0] < 300000 || b.Max[1] < 2000000 {
			t.Errorf("%s: projected bound %v is not in TM-3 metres", g.GeoJSONType(), b)
		}
		back, err := c.GeometryToWGS84(proj)
		if err != nil {
			t.Fatal(err)
		}
		if !orb.Equal(roundGeometry(back), roundGeometry(g)) {
			t.Errorf("%s: round trip %v, want %v", g.GeoJSONType(), back, g)
		}
	}
	if _, err := c.GeometryFromWGS84(orb.LineString{{106.2, 21.3}, {106.2, 95}}); err == nil {
		t.Error("a line with a latitude of 95 transformed without error")
	}
}

// roundGeometry rounds to 1e-7 degrees (1 cm). A round trip through the datum
// shift does not close exactly, in PROJ either: the WGS 84 height of a VN-2000
// point at height zero is dropped, which moves it back by about 1 mm.
func roundGeometry(g orb.Geometry) orb.Geometry {
	return orb.Round(orb.Clone(g), 1e7)
}

func TestBoundToWGS84(t *testing.T) {
	c, _ := LookupCRS("EPSG:9214")
	b := orb.Bound{Min: orb.Point{400000, 2340000}, Max: orb.Point{500000, 2400000}}
	wb, err := c.BoundToWGS84(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []orb.Point{{400000, 2340000}, {450000, 2400000}, {500000, 2370000}, {400000, 2400000}} {
		lon, lat, _ := c.ToWGS84(p[0], p[1])
		if !wb.Contains(orb.Point{lon, lat}) {
			t.Errorf("WGS84 bound %v does not contain %v → %.6f, %.6f", wb, p, lon, lat)
		}
	}
	back, err := c.BoundFromWGS84(wb)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Contains(b.Min) || !back.Contains(b.Max) {
		t.Errorf("bound %v → %v → %v does not contain the original", b, wb, back)
	}
}

func TestTransformErrors(t *testing.T) {
	tm3, _ := LookupCRS("EPSG:9214")
	wgs, _ := LookupCRS("EPSG:4326")
	merc, _ := LookupCRS("EPSG:3857")
	for _, tc := range []struct {
		name string
		f    func() error
	}{
		{"NaN", func() error { _, _, err := tm3.ToWGS84(math.NaN(), 2e6); return err }},
		{"Inf", func() error { _, _, err := tm3.FromWGS84(math.Inf(1), 21); return err }},
		{"latitude 91", func() error { _, _, err := wgs.ToWGS84(106, 91); return err }},
		{"longitude 181", func() error { _, _, err := tm3.FromWGS84(181, 21); return err }},
		{"far from the meridian", func() error { _, _, err := tm3.FromWGS84(-10, 21); return err }},
		{"easting off the zone", func() error { _, _, err := tm3.ToWGS84(2.4e7, 5e5); return err }},
		{"Web Mercator pole", func() error { _, _, err := merc.FromWGS84(0, 90); return err }},
		{"Web Mercator beyond the world", func() error { _, _, err := merc.ToWGS84(3e7, 0); return err }},
	} {
		if err := tc.f(); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

// TestTMRoundTrip checks the series far from the central meridian (up to 20°)
// and at the poles, where the truncated USGS series fails.
func TestTMRoundTrip(t *testing.T) {
	tm := TransverseMercator{Ellipsoid: WGS84Ellipsoid, CentralMeridian: 107, Scale: 0.9999, FalseEasting: 500000}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		lon := 87 + 40*rng.Float64()
		lat := -89.9 + 179.8*rng.Float64()
		x, y, err := tm.Forward(lon, lat)
		if err != nil {
			t.Fatal(err)
		}
		lon2, lat2, err := tm.Inverse(x, y)
		if err != nil {
			t.Fatalf("%g,%g → %g,%g: %v", lon, lat, x, y, err)
		}
		if d := groundDistance(lon, lat, lon2, lat2); d > 1e-6 {
			t.Fatalf("%g,%g → %g,%g → %g,%g (%.2g m)", lon, lat, x, y, lon2, lat2, d)
		}
	}
	for _, lat := range []float64{90, -90} {
		_, y, err := tm.Forward(107, lat)
		if err != nil || math.Abs(math.Abs(y)-0.9999*10001965.729) > 0.01 {
			t.Errorf("pole %g: northing %.3f, %v", lat, y, err)
		}
	}
}

func BenchmarkTM3ToWGS84(b *testing.B) {
	c, _ := LookupCRS("EPSG:9214")
	for i := 0; b.Loop(); i++ {
		if _, _, err := c.ToWGS84(416226.7716+float64(i%1000), 2353402.4531); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTM3FromWGS84(b *testing.B) {
	c, _ := LookupCRS("EPSG:9214")
	for i := 0; b.Loop(); i++ {
		if _, _, err := c.FromWGS84(106.1946+float64(i%1000)*1e-5, 21.2731); err != nil {
			b.Fatal(err)
		}
	}
}
