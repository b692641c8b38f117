package geo

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// projinfo returns PROJ's definition of a CRS in a WKT flavour.
func projinfo(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("projinfo", append(args, "-q", "--single-line")...).Output()
	if err != nil {
		t.Fatalf("projinfo %v (Debian proj-bin): %v", args, err)
	}
	return strings.TrimSpace(string(out))
}

var update = flag.Bool("update", false, "regenerate the golden files under testdata from PROJ (projinfo)")

// prjFlavours are the WKT flavours .prj files come in: ESRI WKT1 (what ArcGIS,
// QGIS and GDAL write beside a shapefile), GDAL's WKT1 with TOWGS84, and WKT2.
var prjFlavours = []string{"WKT1_ESRI", "WKT1_GDAL", "WKT2_2019"}

// goldenPRJ returns PROJ's WKT of every supported system in a flavour, one
// "CODE<TAB>WKT" line each in testdata/prj_<flavour>.txt; -update regenerates
// the file with projinfo (about 0.4 s a call, which is why it is stored).
func goldenPRJ(t *testing.T, flavour string) map[string]string {
	t.Helper()
	path := filepath.Join("testdata", "prj_"+strings.ToLower(flavour)+".txt")
	if *update {
		var b strings.Builder
		for _, c := range SupportedCRS() {
			if c.EPSG != 0 {
				fmt.Fprintf(&b, "%s\t%s\n", c.Code(), projinfo(t, c.Code(), "-o", flavour, "--boundcrs-to-wgs84"))
			}
		}
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./geo -run PRJ -update)", err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		code, wkt, _ := strings.Cut(line, "\t")
		out[code] = wkt
	}
	return out
}

// TestParsePRJFromPROJ reads PROJ's own WKT of every supported system in every
// flavour.
func TestParsePRJFromPROJ(t *testing.T) {
	for _, flavour := range prjFlavours {
		golden := goldenPRJ(t, flavour)
		for _, c := range SupportedCRS() {
			if c.EPSG == 0 {
				continue
			}
			wkt, ok := golden[c.Code()]
			if !ok {
				t.Errorf("%s %s: not in the golden file (run with -update)", c.Code(), flavour)
				continue
			}
			got, notes, err := ParsePRJ(wkt)
			if err != nil {
				t.Errorf("%s %s: %v\n%s", c.Code(), flavour, err, wkt)
				continue
			}
			if !got.Equal(c) || got.EPSG != c.EPSG {
				t.Errorf("%s %s: read as %s", c.Code(), flavour, got)
			}
			shiftGiven := strings.Contains(wkt, "TOWGS84[-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278]") ||
				strings.Contains(wkt, "BOUNDCRS")
			switch {
			case c.VN2000() && !shiftGiven && !hasNote(notes, "without the datum shift"):
				t.Errorf("%s %s: no note that the shift was added: %q", c.Code(), flavour, notes)
			case (!c.VN2000() || shiftGiven) && len(notes) > 0:
				t.Errorf("%s %s: unexpected notes %q", c.Code(), flavour, notes)
			}
		}
	}
}

func hasNote(notes []string, part string) bool {
	for _, n := range notes {
		if strings.Contains(n, part) {
			return true
		}
	}
	return false
}

const (
	esriGeogWGS84 = `GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`
	esriGeogVN    = `GEOGCS["GCS_VN_2000",DATUM["D_Vietnam_2000",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`
	tmParams      = `PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",%CM%],PARAMETER["Scale_Factor",%K%],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]`
)

func tmPRJ(name, geog, cm, k string) string {
	return `PROJCS["` + name + `",` + geog + `,` + strings.NewReplacer("%CM%", cm, "%K%", k).Replace(tmParams) + `]`
}

func gdalGeogVN(towgs84 string) string {
	return `GEOGCS["VN-2000",DATUM["Vietnam_2000",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],` + towgs84 +
		`AUTHORITY["EPSG","6756"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4756"]]`
}

// TestParsePRJTraps covers the .prj files of Vietnamese departments that put
// points in the wrong place when read literally, and the ones that are fine.
func TestParsePRJTraps(t *testing.T) {
	gdal := goldenPRJ(t, "WKT1_GDAL")
	for _, tc := range []struct {
		name string
		wkt  string
		epsg int
		cm   float64 // central meridian of a TM-3 zone without an EPSG code
		note string  // part of the expected note; "" for none
	}{
		{"TM-3 107 named VN-2000 on the WGS 84 datum", tmPRJ("VN2000_TM3_107", esriGeogWGS84, "107.0", "0.9999"), 9214, 0, "without the datum shift"},
		{"unnamed TM-3 105-30 on the WGS 84 datum", tmPRJ("Transverse_Mercator", esriGeogWGS84, "105.5", "0.9999"), 9209, 0, "which no official system does"},
		{"TM-3 with a zero TOWGS84", `PROJCS["VN-2000 / TM-3 107-00",` + gdalGeogVN(`TOWGS84[0,0,0,0,0,0,0],`) +
			`,PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",107],PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1]]`,
			9214, 0, "zero datum shift"},
		{"TOWGS84 with EPSG's coordinate-frame rotations", tmPRJ("VN-2000 / TM-3 107-00",
			gdalGeogVN(`TOWGS84[-191.90441429,-39.30318279,-111.45032835,-0.00928836,0.01975479,-0.00427372,0.252906278],`), "107", "0.9999"),
			9214, 0, "coordinate-frame"},
		{"TOWGS84 of another transformation", tmPRJ("VN-2000 / TM-3 107-00",
			gdalGeogVN(`TOWGS84[-192.873,-39.382,-111.202,-0.00205,-0.0005,0.00335,0.0188],`), "107", "0.9999"),
			9214, 0, "not the official one"},
		{"official TOWGS84", tmPRJ("VN-2000 / TM-3 107-00",
			gdalGeogVN(`TOWGS84[-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278],`), "107", "0.9999"),
			9214, 0, ""},
		{"official TOWGS84 on a datum named WGS 84", tmPRJ("TM3_1053", `GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563],TOWGS84[-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]`, "105.5", "0.9999"),
			9209, 0, ""},
		{"TM-3 zone EPSG does not code", tmPRJ("VN-2000_TM-3_105-15", esriGeogVN, "105.25", "0.9999"), 0, 105.25, "without the datum shift"},
		{"VN-2000 UTM 48N named on WGS 84", tmPRJ("VN_2000_UTM_Zone_48N", esriGeogWGS84, "105.0", "0.9996"), 3405, 0, "without the datum shift"},
		{"WGS 84 UTM 49N", tmPRJ("WGS_1984_UTM_Zone_49N", esriGeogWGS84, "111.0", "0.9996"), 32649, 0, ""},
		{"geographic WGS 84", esriGeogWGS84, 4326, 0, ""},
		{"geographic VN-2000 without TOWGS84", esriGeogVN, 4756, 0, "without the datum shift"},
		{"geographic VN-2000 with the official TOWGS84", gdalGeogVN(`TOWGS84[-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278],`), 4756, 0, ""},
		{"lower case keywords, parentheses, spaces and a BOM", "\uFEFF projcs ( \"VN-2000 / TM-3 107-00\" , " + strings.ReplaceAll(esriGeogVN, "GEOGCS", "geogcs") +
			", projection(\"Transverse_Mercator\"), parameter(\"central_meridian\", 107), parameter(\"scale_factor\", 0.9999), parameter(\"false_easting\", 500000), unit(\"Meter\", 1) )\n", 9214, 0, "without the datum shift"},
		{"compound CRS", `COMPD_CS["VN-2000 / TM-3 107-00 + height",` + tmPRJ("VN-2000_TM-3_107-00", esriGeogVN, "107", "0.9999") +
			`,VERT_CS["height",VERT_DATUM["Hon Dau 1992",2005],UNIT["metre",1],AXIS["Up",UP]]]`, 9214, 0, "without the datum shift"},
		{"authority that disagrees with the parameters", strings.Replace(gdal["EPSG:9214"],
			`AUTHORITY["EPSG","9214"]]`, `AUTHORITY["EPSG","9209"]]`, 1), 9214, 0, "names EPSG:9209"},
		{"Web Mercator (GDAL)", gdal["EPSG:3857"], 3857, 0, ""},
	} {
		c, notes, err := ParsePRJ(tc.wkt)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if c.EPSG != tc.epsg {
			t.Errorf("%s: read as %s, want EPSG:%d", tc.name, c, tc.epsg)
		}
		if tm, _ := c.Projection(); tc.cm != 0 && (tm.CentralMeridian != tc.cm || !c.VN2000()) {
			t.Errorf("%s: read as %s with meridian %g, want a VN-2000 TM-3 zone at %g", tc.name, c, tm.CentralMeridian, tc.cm)
		}
		if tc.note == "" && len(notes) > 0 || tc.note != "" && !hasNote(notes, tc.note) {
			t.Errorf("%s: notes %q, want one saying %q", tc.name, notes, tc.note)
		}
	}
}

// TestPRJTrapDistance shows what the trap costs: a TM-3 .prj on the WGS 84
// datum, read literally, puts Bắc Giang's points about 224 m from where the
// official shift puts them.
func TestPRJTrapDistance(t *testing.T) {
	c, _, err := ParsePRJ(tmPRJ("Transverse_Mercator", esriGeogWGS84, "107.0", "0.9999"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range readOracle(t) {
		lon, lat, err := c.ToWGS84(p.tm3x, p.tm3y)
		if err != nil {
			t.Fatal(err)
		}
		if d := groundDistance(lon, lat, p.lon, p.lat); d > centimetre {
			t.Errorf("%s: %.3f m from the oracle", p.id, d)
		}
		literal, _ := c.Projection()
		llon, llat, _ := literal.Inverse(p.tm3x, p.tm3y)
		if d := groundDistance(llon, llat, p.lon, p.lat); d < 200 || d > 250 {
			t.Errorf("%s: read literally the point moves %.1f m, want about 220", p.id, d)
		}
	}
}

func TestParsePRJErrors(t *testing.T) {
	for _, tc := range []struct {
		name, wkt, want string
	}{
		{"empty", "", "keyword"},
		{"not WKT", "hello world", "expected ["},
		{"truncated", esriGeogVN[:60], "not closed"},
		{"trailing garbage", esriGeogVN + "]]", "after the WKT"},
		{"unclosed string", `GEOGCS["VN-2000`, "not closed"},
		{"HN-72 on Krasovsky", `GEOGCS["GCS_Hanoi_1972",DATUM["D_Hanoi_1972",SPHEROID["Krasovsky_1940",6378245.0,298.3]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`, "Krasovsky"},
		{"ETRS89 Lambert", `PROJCS["ETRS_1989_LCC",GEOGCS["GCS_ETRS_1989",DATUM["D_ETRS_1989",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic"],PARAMETER["False_Easting",4000000.0],PARAMETER["False_Northing",2800000.0],PARAMETER["Central_Meridian",10.0],PARAMETER["Standard_Parallel_1",35.0],PARAMETER["Standard_Parallel_2",65.0],PARAMETER["Latitude_Of_Origin",52.0],UNIT["Meter",1.0]]`, "not WGS 84's"},
		{"Lambert on WGS 84", strings.Replace(tmPRJ("x", esriGeogWGS84, "107", "0.9999"), "Transverse_Mercator", "Lambert_Conformal_Conic", 1), "not supported"},
		{"US feet", strings.Replace(tmPRJ("x", esriGeogVN, "107", "0.9999"), `UNIT["Meter",1.0]`, `UNIT["Foot_US",0.3048006096012192]`, 1), "not the metre"},
		{"grads", strings.Replace(esriGeogVN, `UNIT["Degree",0.0174532925199433]`, `UNIT["Grad",0.01570796326794897]`, 1), "not the degree"},
		{"Paris meridian", strings.Replace(esriGeogVN, `PRIMEM["Greenwich",0.0]`, `PRIMEM["Paris",2.33722917]`, 1), "Greenwich"},
		{"TM-3 off the 15′ grid", tmPRJ("x", esriGeogVN, "107.1", "0.9999"), "steps of 15′"},
		{"TM with another false easting", strings.Replace(tmPRJ("x", esriGeogVN, "107", "0.9999"), "500000.0", "0.0", 1), "false easting"},
		{"UTM zone 47", tmPRJ("x", esriGeogVN, "99", "0.9996"), "neither UTM 48N/49N"},
		{"another datum on WGS 84's ellipsoid", `GEOGCS["x",DATUM["other",SPHEROID["WGS 84",6378137,298.257223563],TOWGS84[10,20,30,0,0,0,0]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]`, "neither WGS 84 nor VN-2000"},
		{"geocentric", `GEOCCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["metre",1]]`, "geocentric"},
		{"no datum", `GEOGCS["x",PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]`, "no DATUM"},
		{"bad TOWGS84", gdalGeogVN(`TOWGS84[1,2],`), "TOWGS84 has 2 numbers"},
		{"too deep", strings.Repeat("A[", 100) + strings.Repeat("]", 100), "nested more than"},
		{"too large", strings.Repeat(" ", maxPRJ+1), "bytes"},
		{"vertical only", `VERT_CS["height",VERT_DATUM["Hon Dau 1992",2005],UNIT["metre",1]]`, "not a CRS keyword"},
	} {
		c, _, err := ParsePRJ(tc.wkt)
		if err == nil {
			t.Errorf("%s: read as %s, want an error", tc.name, c)
			continue
		}
		if !errors.Is(err, ErrPRJ) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q, want ErrPRJ saying %q", tc.name, err, tc.want)
		}
	}
}

func FuzzParsePRJ(f *testing.F) {
	f.Add(esriGeogVN)
	f.Add(tmPRJ("VN2000_TM3_107", esriGeogWGS84, "107.0", "0.9999"))
	f.Add(`COMPD_CS["a",PROJCS["b",GEOGCS["c",DATUM["d",SPHEROID["e",6378137,0]]],PROJECTION["Mercator_1SP"]]]`)
	f.Add(`PROJCRS["x",BASEGEOGCRS["y",DATUM["z",ELLIPSOID["WGS 84",6378137,298.257223563]]],CONVERSION["c",METHOD["Transverse Mercator"],PARAMETER["Longitude of natural origin",107,ANGLEUNIT["degree",0.0174532925199433]]]]`)
	f.Fuzz(func(t *testing.T, wkt string) {
		c, _, err := ParsePRJ(wkt)
		if err == nil && c == nil {
			t.Fatal("no CRS and no error")
		}
		if err == nil {
			if _, _, err := c.FromWGS84(106.2, 21.3); err != nil && c.Geographic() {
				t.Fatalf("%s cannot transform: %v", c, err)
			}
		}
	})
}
