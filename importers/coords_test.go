package importers

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/geo"
	"github.com/vn-opendata/geodata/internal/shareddata"
)

// oracle is one point of vn2000_points.csv: WGS 84 and its VN-2000 coordinates.
type oracle struct {
	id                   string
	lon, lat             float64
	tm3E, tm3N           float64 // VN-2000 / TM-3 107-00
	utm48E, utm48N       float64 // VN-2000 / UTM zone 48N
	tm3Easting, tm3North string  // as written in the file
}

func readOracle(t *testing.T) []oracle {
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
	var out []oracle
	for _, r := range rows[1:] {
		v := make([]float64, 6)
		for i := range v {
			if v[i], err = strconv.ParseFloat(r[i+1], 64); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, oracle{r[0], v[0], v[1], v[2], v[3], v[4], v[5], r[3], r[4]})
	}
	return out
}

// metres is the distance between two nearby lon/lat points.
func metres(a, b orb.Point) float64 {
	return math.Hypot((b[0]-a[0])*111320*math.Cos(a[1]*math.Pi/180), (b[1]-a[1])*110700)
}

// bacGiang is the region hint of the Bắc Giang profile (three VN-2000 systems).
var bacGiang = &Region{BBox: [4]float64{105.85, 21.10, 107.05, 21.65}, CRS: []int{9214, 9209, 3405}}

// readWithNotes reads a file with the options, collecting records and the text of notes.
func readWithNotes(t *testing.T, path string, opts Options) ([]*Record, []string, error) {
	t.Helper()
	var notes []string
	opts.Notify = func(p Problem) { notes = append(notes, p.Reason) }
	var recs []*Record
	err := Read(context.Background(), path, opts, func(r *Record) error {
		recs = append(recs, r)
		return nil
	})
	return recs, notes, err
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func noteWith(notes []string, part string) bool {
	for _, n := range notes {
		if strings.Contains(n, part) {
			return true
		}
	}
	return false
}

// ESRI .prj files as ArcGIS and QGIS write them (no TOWGS84), and the trap of a
// TM-3 projection on the WGS 84 datum.
const (
	prjTM3107ESRI  = `PROJCS["VN-2000_TM-3_107-00",GEOGCS["GCS_VN_2000",DATUM["D_Vietnam_2000",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",107.0],PARAMETER["Scale_Factor",0.9999],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]`
	prjTM3OnWGS84  = `PROJCS["TM3_107",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",107.0],PARAMETER["Scale_Factor",0.9999],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]`
	prjUTM48OnWGS  = `PROJCS["WGS_1984_UTM_Zone_48N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",105.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]`
	prjHanoi72ESRI = `GEOGCS["GCS_Hanoi_1972",DATUM["D_Hanoi_1972",SPHEROID["Krasovsky_1940",6378245.0,298.3]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`
)

// TestVN2000Tables reads tables of the shared oracle's points written the ways
// departments write them, and checks every point against the oracle to 1 cm.
func TestVN2000Tables(t *testing.T) {
	points := readOracle(t)
	for _, tc := range []struct {
		name   string
		header string
		row    func(o oracle) string
		prj    string
		opts   Options
		note   string // part of an expected note
		noNote string // part of a note that must not appear
	}{
		{"X easting and Y northing, --crs EPSG:9214", "Mã,X,Y",
			func(o oracle) string { return fmt.Sprintf("%s,%.4f,%.4f", o.id, o.tm3E, o.tm3N) },
			"", Options{CRS: "EPSG:9214"}, "", "northings"},
		{"survey convention X = northing, Vietnamese headers, OGC URN", "Mã,Tọa độ X (m),Tọa độ Y (m)",
			func(o oracle) string { return fmt.Sprintf("%s,%s,%s", o.id, o.tm3North, o.tm3Easting) },
			"", Options{CRS: "urn:ogc:def:crs:EPSG::9214"}, `"Tọa độ X (m)" holds northings`, ""},
		{"survey convention in upper case without accents, decimal commas, semicolons", "MA;TOA DO X;TOA DO Y",
			func(o oracle) string {
				return fmt.Sprintf("%s;%s;%s", o.id, strings.Replace(o.tm3North, ".", ",", 1), strings.Replace(o.tm3Easting, ".", ",", 1))
			},
			"", Options{CRS: "http://www.opengis.net/def/crs/EPSG/0/9214"}, "holds northings", ""},
		{"ESRI .prj without TOWGS84 beside the file", "Mã,X (VN-2000),Y (VN-2000)",
			func(o oracle) string { return fmt.Sprintf("%s,%s,%s", o.id, o.tm3North, o.tm3Easting) },
			prjTM3107ESRI, Options{}, "without the datum shift", ""},
		{".prj of TM-3 on the WGS 84 datum", "Mã,Easting,Northing",
			func(o oracle) string { return fmt.Sprintf("%s,%s,%s", o.id, o.tm3Easting, o.tm3North) },
			prjTM3OnWGS84, Options{}, "which no official system does", "northings"},
		{"--crs wins over the .prj", "Mã,X,Y",
			func(o oracle) string { return fmt.Sprintf("%s,%.4f,%.4f", o.id, o.tm3E, o.tm3N) },
			prjUTM48OnWGS, Options{CRS: "EPSG:9214"}, "used VN-2000 / TM-3 107-00", ""},
		{"UTM 48N by OGC URI, Hoành độ/Tung độ", "Mã,Hoành độ,Tung độ",
			func(o oracle) string { return fmt.Sprintf("%s,%.4f,%.4f", o.id, o.utm48E, o.utm48N) },
			"", Options{CRS: "http://www.opengis.net/def/crs/EPSG/0/3405"}, "", "northings"},
		{"UTM 48N, ArcGIS POINT_X/POINT_Y swapped", "Mã,POINT_X,POINT_Y",
			func(o oracle) string { return fmt.Sprintf("%s,%.4f,%.4f", o.id, o.utm48N, o.utm48E) },
			"", Options{CRS: "EPSG:3405"}, `"POINT_X" holds northings`, ""},
		{"TM-3 named by its EPSG name", "Mã,X_VN2000,Y_VN2000",
			func(o oracle) string { return fmt.Sprintf("%s,%.4f,%.4f", o.id, o.tm3E, o.tm3N) },
			"", Options{CRS: "VN-2000 / TM-3 107-00"}, "", ""},
		{"region with one VN-2000 system: assumed", "Mã,X,Y",
			func(o oracle) string { return fmt.Sprintf("%s,%.4f,%.4f", o.id, o.tm3N, o.tm3E) },
			"", Options{Region: &Region{BBox: bacGiang.BBox, CRS: []int{9214}}}, "assumed VN-2000 / TM-3 107-00", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var b strings.Builder
			b.WriteString(tc.header + "\n")
			for _, o := range points {
				b.WriteString(tc.row(o) + "\n")
			}
			path := writeFile(t, dir, "bts.csv", b.String())
			if tc.prj != "" {
				writeFile(t, dir, "bts.prj", tc.prj)
			}
			opts := tc.opts
			if opts.Region == nil {
				opts.Region = bacGiang
			}
			recs, notes, err := readWithNotes(t, path, opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != len(points) {
				t.Fatalf("%d records, want %d", len(recs), len(points))
			}
			for i, r := range recs {
				if r.Rejected() {
					t.Fatalf("line %d rejected: %v", r.Line, r.Problems)
				}
				o := points[i]
				want := orb.Point{o.lon, o.lat}
				if d := metres(r.Geometry.(orb.Point), want); d > 0.01 {
					t.Errorf("%s: %v, want %v (%.3f m off)", o.id, r.Geometry, want, d)
				}
			}
			if tc.note != "" && !noteWith(notes, tc.note) {
				t.Errorf("notes %q, want one saying %q", notes, tc.note)
			}
			if tc.noNote != "" && noteWith(notes, tc.noNote) {
				t.Errorf("notes %q say %q", notes, tc.noNote)
			}
		})
	}
}

// cs2cs transforms WGS 84 lon/lat points with PROJ to a CRS, returning the
// target's coordinates in PROJ's output order.
func cs2cs(t *testing.T, to string, pts []orb.Point) []orb.Point {
	t.Helper()
	var in bytes.Buffer
	for _, p := range pts {
		fmt.Fprintf(&in, "%.10f %.10f\n", p[1], p[0]) // EPSG:4326 is latitude first
	}
	cmd := exec.Command("cs2cs", "-f", "%.10f", "EPSG:4326", to)
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cs2cs (Debian proj-bin) to %s: %v", to, err)
	}
	var res []orb.Point
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		a, _ := strconv.ParseFloat(f[0], 64)
		b, _ := strconv.ParseFloat(f[1], 64)
		res = append(res, orb.Point{a, b})
	}
	if len(res) != len(pts) {
		t.Fatalf("cs2cs gave %d points for %d", len(res), len(pts))
	}
	return res
}

// TestTablesFromPROJ imports a thousand random points over the region that PROJ
// put into each of the region's systems (and others), and finds them back to 1 cm.
func TestTablesFromPROJ(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	pts := make([]orb.Point, 1000)
	for i := range pts {
		pts[i] = orb.Point{105.85 + 1.2*rng.Float64(), 21.10 + 0.55*rng.Float64()}
	}
	for _, tc := range []struct {
		crs, header string
		latFirst    bool // PROJ writes latitude first for this CRS
	}{
		{"EPSG:9214", "id,x,y", false},
		{"EPSG:9209", "id,Toạ độ X,Toạ độ Y", false},
		{"EPSG:3405", "id,easting,northing", false},
		{"EPSG:3406", "id,x,y", false},
		{"EPSG:5897", "id,x,y", false},
		{"EPSG:3857", "id,x,y", false},
		{"EPSG:32648", "id,x,y", false},
		{"EPSG:4756", "id,Kinh độ,Vĩ độ", true},
	} {
		t.Run(tc.crs, func(t *testing.T) {
			proj := cs2cs(t, tc.crs, pts)
			var b strings.Builder
			b.WriteString(tc.header + "\n")
			for i, p := range proj {
				if tc.latFirst {
					p = orb.Point{p[1], p[0]}
				}
				fmt.Fprintf(&b, "%d,%.10f,%.10f\n", i, p[0], p[1])
			}
			path := writeFile(t, t.TempDir(), "points.csv", b.String())
			recs, _, err := readWithNotes(t, path, Options{CRS: tc.crs, Region: bacGiang})
			if err != nil {
				t.Fatal(err)
			}
			var worst float64
			for i, r := range recs {
				if r.Rejected() {
					t.Fatalf("line %d: %v", r.Line, r.Problems)
				}
				d := metres(r.Geometry.(orb.Point), pts[i])
				if d > 0.01 {
					t.Fatalf("point %d: %v, want %v (%.4f m)", i, r.Geometry, pts[i], d)
				}
				worst = math.Max(worst, d)
			}
			t.Logf("%s: %d points, largest difference from PROJ %.2g m", tc.crs, len(recs), worst)
		})
	}
}

// TestDegreeColumns checks lon/lat tables: right, swapped, one pair column either
// way round, degrees-minutes-seconds, and a single row typed the other way round.
func TestDegreeColumns(t *testing.T) {
	for _, tc := range []struct {
		name, content string
		want          []orb.Geometry // nil: rejected
		note          string
		reject        string // part of the reason of the rejected rows
	}{
		{"lon/lat", "Tên,Kinh độ,Vĩ độ\nA,106.1946,21.2731\nB,106.4652,21.2755\n",
			[]orb.Geometry{orb.Point{106.1946, 21.2731}, orb.Point{106.4652, 21.2755}}, "", ""},
		{"swapped columns", "Tên,Kinh độ,Vĩ độ\nA,21.2731,106.1946\nB,21.2755,106.4652\n",
			[]orb.Geometry{orb.Point{106.1946, 21.2731}, orb.Point{106.4652, 21.2755}}, `"Kinh độ" and "Vĩ độ" are swapped`, ""},
		{"lat before lon, English", "name,LAT,LNG\nA,21.2731,106.1946\n",
			[]orb.Geometry{orb.Point{106.1946, 21.2731}}, "", ""},
		{"one row swapped", "Tên,Kinh độ,Vĩ độ\nA,106.1946,21.2731\nB,21.2755,106.4652\nC,106.59,21.372\n",
			[]orb.Geometry{orb.Point{106.1946, 21.2731}, nil, orb.Point{106.59, 21.372}}, "", "look swapped in this row"},
		{"pair column lat, lon", "Tên,Tọa độ\nA,\"21.2731, 106.1946\"\n",
			[]orb.Geometry{orb.Point{106.1946, 21.2731}}, "", ""},
		{"pair column lon, lat", "Tên,Tọa độ\nA,\"106.1946, 21.2731\"\nB,\"106.4652, 21.2755\"\n",
			[]orb.Geometry{orb.Point{106.1946, 21.2731}, orb.Point{106.4652, 21.2755}}, `"Tọa độ" holds longitude first`, ""},
		{"pair column with decimal commas", "Tên;Vị trí\nA;21,2731, 106,1946\n",
			[]orb.Geometry{orb.Point{106.1946, 21.2731}}, "", ""},
		{"degrees-minutes-seconds", "Tên,Vĩ độ,Kinh độ\nA,\"21°16'23.16\"\"N\",\"106°11'40.56\"\"E\"\nB,21°16′31.8″B,106°27′54.72″Đ\nC,21 16 31.8,106 27 54.72\n",
			[]orb.Geometry{orb.Point{106.1946, 21.2731}, orb.Point{106.4652, 21.2755}, orb.Point{106.4652, 21.2755}}, "", ""},
		{"degrees-minutes-seconds swapped", "Tên,Kinh độ,Vĩ độ\nA,\"21°16'23.16\"\"N\",\"106°11'40.56\"\"E\"\n",
			[]orb.Geometry{orb.Point{106.1946, 21.2731}}, "swapped", ""},
		{"metres with --crs EPSG:4756", "Tên,Kinh độ,Vĩ độ\nA,416226.77,2353402.45\n",
			[]orb.Geometry{nil}, "", "cannot transform from EPSG:4756"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{Region: bacGiang}
			if strings.Contains(tc.name, "EPSG:4756") {
				opts.CRS = "EPSG:4756"
			}
			recs, notes, err := readWithNotes(t, writeFile(t, t.TempDir(), "t.csv", tc.content), opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != len(tc.want) {
				t.Fatalf("%d records, want %d", len(recs), len(tc.want))
			}
			for i, r := range recs {
				if tc.want[i] == nil {
					if !r.Rejected() || !strings.Contains(fmt.Sprint(r.Problems), tc.reject) {
						t.Errorf("line %d: %v, problems %v; want rejected saying %q", r.Line, r.Geometry, r.Problems, tc.reject)
					}
					continue
				}
				if r.Rejected() {
					t.Fatalf("line %d rejected: %v", r.Line, r.Problems)
				}
				if d := metres(r.Geometry.(orb.Point), tc.want[i].(orb.Point)); d > 0.5 {
					t.Errorf("line %d: %v, want %v", r.Line, r.Geometry, tc.want[i])
				}
			}
			if tc.note != "" && !noteWith(notes, tc.note) {
				t.Errorf("notes %q, want one saying %q", notes, tc.note)
			}
			if tc.note == "" && len(notes) > 0 {
				t.Errorf("unexpected notes %q", notes)
			}
		})
	}
}

func TestParseCoordinate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
	}{
		{"106.1935", 106.1935},
		{"106,1935", 106.1935},
		{"-21.5", -21.5},
		{`21°16'26.5"N`, 21 + 16/60.0 + 26.5/3600},
		{`21°16'26,5"N`, 21 + 16/60.0 + 26.5/3600},
		{`21°16′26.5″B`, 21 + 16/60.0 + 26.5/3600},
		{`106°11'40.6"Đ`, 106 + 11/60.0 + 40.6/3600},
		{`106°11'40.6"E`, 106 + 11/60.0 + 40.6/3600},
		{`21 16 26.5`, 21 + 16/60.0 + 26.5/3600},
		{`21:16:26.5`, 21 + 16/60.0 + 26.5/3600},
		{`21°16.4417'N`, 21 + 16.4417/60},
		{`21° 16' 26.5" N`, 21 + 16/60.0 + 26.5/3600},
		{`21º16'26.5''N`, 21 + 16/60.0 + 26.5/3600},
		{`21°16'26.5"S`, -(21 + 16/60.0 + 26.5/3600)},
		{`-21°16'26.5"`, -(21 + 16/60.0 + 26.5/3600)},
		{`106d11m40.6s`, 106 + 11/60.0 + 40.6/3600},
		{`106°T`, -106},
		{`21°N`, 21},
		{`21°16'26.5"s`, -(21 + 16/60.0 + 26.5/3600)},
		{`21d16m26.5sN`, 21 + 16/60.0 + 26.5/3600},
		{`106°11'40.6"đ`, 106 + 11/60.0 + 40.6/3600},
	} {
		got, err := parseCoordinate(tc.in)
		if err != nil || math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("parseCoordinate(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "abc", `21°61'00"N`, `21°16'61"N`, "1.234.567", "21°16'26.5\"X", "NaN", "Inf", "106,193,5", strings.Repeat("9", 400) + "°N"} {
		if v, err := parseCoordinate(bad); err == nil {
			t.Errorf("parseCoordinate(%q) = %v, want an error", bad, v)
		}
	}
}

// TestCoordinateHeaders checks that coordinate columns are found by their
// headings, whatever the case, accents, units and spelling.
func TestCoordinateHeaders(t *testing.T) {
	for _, tc := range []struct {
		header   string
		lon, lat string // want, "" for the pair
		pair     string
	}{
		{"Tên,Kinh độ,Vĩ độ", "Kinh độ", "Vĩ độ", ""},
		{"TÊN,KINH ĐỘ,VĨ ĐỘ", "KINH ĐỘ", "VĨ ĐỘ", ""},
		{"ten,kinh do,vi do", "kinh do", "vi do", ""},
		{"Tên,Kinh độ (°),Vĩ độ (°)", "Kinh độ (°)", "Vĩ độ (°)", ""},
		{"Tên,Kinh độ Đông,Vĩ độ Bắc", "Kinh độ Đông", "Vĩ độ Bắc", ""},
		{"Tên,Kinh độ WGS84,Vĩ độ WGS84", "Kinh độ WGS84", "Vĩ độ WGS84", ""},
		{"Tên,Tọa độ X,Tọa độ Y", "Tọa độ X", "Tọa độ Y", ""},
		{"Tên,Toạ độ X,Toạ độ Y", "Toạ độ X", "Toạ độ Y", ""},
		{"Tên,TỌA ĐỘ X (m),TỌA ĐỘ Y (m)", "TỌA ĐỘ X (m)", "TỌA ĐỘ Y (m)", ""},
		{"Tên,Toa_do_X_VN2000,Toa_do_Y_VN2000", "Toa_do_X_VN2000", "Toa_do_Y_VN2000", ""},
		{"Tên,X (VN-2000 TM-3 107°),Y (VN-2000 TM-3 107°)", "X (VN-2000 TM-3 107°)", "Y (VN-2000 TM-3 107°)", ""},
		{"Tên,Hoành độ,Tung độ", "Hoành độ", "Tung độ", ""},
		{"name,POINT_X,POINT_Y", "POINT_X", "POINT_Y", ""},
		{"name,Easting,Northing", "Easting", "Northing", ""},
		{"name,lat_dd,lon_dd", "lon_dd", "lat_dd", ""},
		{"name,Longitude,Latitude", "Longitude", "Latitude", ""},
		{"name,lng,lat", "lng", "lat", ""},
		{"Tên,Tọa độ", "", "", "Tọa độ"},
		{"Tên,Vị trí (vĩ độ, kinh độ)", "", "", "Vị trí (vĩ độ, kinh độ)"},
		{"name,LatLng", "", "", "LatLng"},
	} {
		header := strings.Split(tc.header, ",")
		if strings.Contains(tc.header, "(vĩ độ, kinh độ)") {
			header = []string{"Tên", "Vị trí (vĩ độ, kinh độ)"}
		}
		cols, err := findColumns(header, Options{})
		if err != nil {
			t.Errorf("%s: %v", tc.header, err)
			continue
		}
		name := func(i int) string {
			if i < 0 {
				return ""
			}
			return header[i]
		}
		if name(cols.lon) != tc.lon || name(cols.lat) != tc.lat || name(cols.pair) != tc.pair {
			t.Errorf("%s: lon %q lat %q pair %q; want %q %q %q", tc.header, name(cols.lon), name(cols.lat), name(cols.pair), tc.lon, tc.lat, tc.pair)
		}
	}
}

// TestCRSProblems: every broken case gives a clear error or a rejected row
// naming the problem, never a panic.
func TestCRSProblems(t *testing.T) {
	projected := "Mã,X,Y\nA,2353402.4531,416226.7716\nB,2353548.9978,444309.1010\n"
	for _, tc := range []struct {
		name    string
		content string
		prj     string
		ext     string
		opts    Options
		err     error  // the file-level error, or nil
		want    string // part of the error or of the first row's reason
	}{
		{"projected, no CRS, three systems in the region", projected, "", ".csv", Options{Region: bacGiang},
			ErrCRSRequired, "--crs EPSG:9214 (VN-2000 / TM-3 107-00), --crs EPSG:9209"},
		{"projected, no CRS, no region", projected, "", ".csv", Options{}, ErrCRSRequired, "give it with --crs"},
		{"unknown --crs", projected, "", ".csv", Options{CRS: "EPSG:2000", Region: bacGiang}, nil, "--crs: unsupported CRS: EPSG:2000"},
		{"unreadable .prj", projected, "PROJCS[\"x\",", ".csv", Options{Region: bacGiang}, nil, "t.prj: unsupported .prj"},
		{"HN-72 .prj", projected, prjHanoi72ESRI, ".csv", Options{Region: bacGiang}, nil, "Krasovsky"},
		{"degrees with a projected --crs", "Tên,X,Y\nA,106.1946,21.2731\n", "", ".csv", Options{CRS: "EPSG:9214", Region: bacGiang},
			nil, "looks like degrees, but VN-2000 / TM-3 107-00"},
		{"far off the zone", "Tên,X,Y\nA,90000000,2353402\n", "", ".csv", Options{CRS: "EPSG:9214", Region: bacGiang},
			nil, "cannot transform from EPSG:9214"},
		{"GeoJSON in metres without crs", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[416226.77,2353402.45]}}]}`,
			"", ".geojson", Options{Region: bacGiang}, ErrCRSRequired, "give one"},
		{"GeoJSON with a bad crs member", `{"type":"FeatureCollection","crs":{"type":"link"},"features":[]}`,
			"", ".geojson", Options{Region: bacGiang}, ErrFormat, `"crs" member`},
		{"GeoJSON naming an unknown CRS", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::2000"}},"features":[]}`,
			"", ".geojson", Options{Region: bacGiang}, ErrFormat, "EPSG:2000"},
		{"GeoJSON crs member after the features", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[106.2,21.3]}}],"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::9214"}}}`,
			"", ".geojson", Options{Region: bacGiang}, ErrFormat, "comes after the features"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := writeFile(t, dir, "t"+tc.ext, tc.content)
			if tc.prj != "" {
				writeFile(t, dir, "t.prj", tc.prj)
			}
			recs, _, err := readWithNotes(t, path, tc.opts)
			switch {
			case err != nil:
				if tc.err != nil && !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("error %q, want %v saying %q", err, tc.err, tc.want)
				}
			case tc.err != nil:
				t.Errorf("no error, want %v", tc.err)
			case len(recs) == 0 || !recs[0].Rejected():
				t.Errorf("no error and the first row not rejected; want %q", tc.want)
			case !strings.Contains(recs[0].Problems[0].Reason, tc.want):
				t.Errorf("row rejected with %q, want %q", recs[0].Problems[0].Reason, tc.want)
			}
		})
	}
}

// TestGeoJSONCRSMember reads GeoJSON as GDAL writes it in a projected system:
// with the 2008 "crs" member.
func TestGeoJSONCRSMember(t *testing.T) {
	points := readOracle(t)
	var feats []string
	for _, o := range points {
		feats = append(feats, fmt.Sprintf(`{"type":"Feature","properties":{"id":%q},"geometry":{"type":"Point","coordinates":[%.4f,%.4f]}}`, o.id, o.utm48E, o.utm48N))
	}
	content := `{"type":"FeatureCollection","name":"bts","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3405"}},"features":[` +
		strings.Join(feats, ",\n") + "]}"
	recs, notes, err := readWithNotes(t, writeFile(t, t.TempDir(), "bts.geojson", content), Options{Region: bacGiang})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range recs {
		want := orb.Point{points[i].lon, points[i].lat}
		if r.Rejected() || metres(r.Geometry.(orb.Point), want) > 0.01 {
			t.Errorf("%s: %v %v, want %v", points[i].id, r.Geometry, r.Problems, want)
		}
	}
	if !noteWith(notes, `EPSG:3405), from the GeoJSON "crs" member`) {
		t.Errorf("notes %q", notes)
	}
	recs, _, err = readWithNotes(t, writeFile(t, t.TempDir(), "line.geojson",
		`{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::9214"}},"features":[`+
			`{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[416226.7716,2353402.4531],[444309.1010,2353548.9978]]}}]}`),
		Options{Region: bacGiang})
	if err != nil {
		t.Fatal(err)
	}
	line := recs[0].Geometry.(orb.LineString)
	if metres(line[0], orb.Point{points[0].lon, points[0].lat}) > 0.01 || metres(line[1], orb.Point{points[1].lon, points[1].lat}) > 0.01 {
		t.Errorf("line %v", line)
	}
}

// BenchmarkReadCSV measures reading a 100,000-row table in WGS 84 and the same
// points in VN-2000 / TM-3 107-00 (X = northing), to show what reprojection costs.
func BenchmarkReadCSV(b *testing.B) {
	dir := b.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	var wgs, tm3 strings.Builder
	wgs.WriteString("id,Kinh độ,Vĩ độ\n")
	tm3.WriteString("id,Tọa độ X,Tọa độ Y\n")
	crs, _ := geo.LookupCRS("EPSG:9214")
	for i := range 100000 {
		lon, lat := 105.85+1.2*rng.Float64(), 21.10+0.55*rng.Float64()
		x, y, _ := crs.FromWGS84(lon, lat)
		fmt.Fprintf(&wgs, "%d,%.7f,%.7f\n", i, lon, lat)
		fmt.Fprintf(&tm3, "%d,%.3f,%.3f\n", i, y, x)
	}
	for _, tc := range []struct {
		name, content string
		opts          Options
	}{
		{"WGS84", wgs.String(), Options{Region: bacGiang}},
		{"TM3", tm3.String(), Options{CRS: "EPSG:9214", Region: bacGiang}},
	} {
		path := filepath.Join(dir, tc.name+".csv")
		if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
			b.Fatal(err)
		}
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				n := 0
				err := Read(context.Background(), path, tc.opts, func(r *Record) error {
					if r.Rejected() {
						return fmt.Errorf("line %d: %v", r.Line, r.Problems)
					}
					n++
					return nil
				})
				if err != nil || n != 100000 {
					b.Fatal(n, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100000, "ns/row")
		})
	}
}

// FuzzParseCoordinate: any text gives a finite number or an error, never a panic.
func FuzzParseCoordinate(f *testing.F) {
	for _, s := range []string{"106.1935", "106,1935", `21°16'26.5"N`, `106°11'40.6"Đ`, "21 16 26.5", `21d16m26.5s`, "21°16.44'B", "-0", "1e308", "21:16:26,5 S"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := parseCoordinate(s)
		if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
			t.Fatalf("parseCoordinate(%q) = %v", s, v)
		}
		if lat, lon, err := parsePair(s); err == nil && (math.IsNaN(lat) || math.IsNaN(lon)) {
			t.Fatalf("parsePair(%q) = %v, %v", s, lat, lon)
		}
	})
}
