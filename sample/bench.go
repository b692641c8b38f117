package sample

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/importers"
	"github.com/vn-opendata/geodata/store"
)

// benchSeed fixes the benchmark data; change it and every benchmark result changes.
const benchSeed = 20230630

// The collections of the benchmark data. They are not the demo collections, so
// importing the benchmark into a served database never replaces real-looking data.
const (
	BenchPoints = "bench-schools"
	BenchLines  = "bench-bus-routes"
)

// BenchSize is how much benchmark data WriteBench writes.
type BenchSize struct {
	Points int // school-like points, in one CSV file
	Lines  int // bus-route-like lines of 20–200 vertices, in one GeoJSON file
}

// DefaultBenchSize is what `geodata sample --bench` writes and `make bench` measures.
var DefaultBenchSize = BenchSize{Points: 1_000_000, Lines: 2_000}

// Vertex counts of a benchmark line: at least a street, at most a long rural route.
const (
	benchMinVertices = 20
	benchMaxVertices = 200
)

// benchPointHeader is the header of the points file: an id, six properties and
// the coordinates, in the plain ASCII column names many exports use.
var benchPointHeader = []string{"ma_truong", "ten_truong", "cap_hoc", "huyen", "so_hoc_sinh", "ngay_thanh_lap", "dien_thoai", "kinh_do", "vi_do"}

// WriteBench writes the benchmark data and its manifest to dir: size.Points
// school-like points clustered around the region's towns (CSV) and size.Lines
// bus-route-like lines between and inside the towns (GeoJSON). The same size and
// region always give the same bytes.
func WriteBench(dir string, region *catalog.Region, regionName string, size BenchSize) (Stats, error) {
	if size.Points < 1 || size.Lines < 1 {
		return Stats{}, fmt.Errorf("benchmark size %+v: want at least one point and one line", size)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Stats{}, err
	}
	g := newGenerator(region, benchSeed)
	points, err := benchSchools(g, dir, size.Points)
	if err != nil {
		return Stats{}, err
	}
	lines, err := benchRoutes(g, dir, size.Lines)
	if err != nil {
		return Stats{}, err
	}
	st := Stats{Files: 2, Features: size.Points + size.Lines}
	return st, writeManifest(dir, Manifest{Region: regionName, Entries: []Entry{points, lines}})
}

func benchSchools(g *generator, dir string, n int) (Entry, error) {
	row := make([]string, len(benchPointHeader))
	next := func(i int) []string {
		t := g.town()
		lon, lat := g.near(t, 4)
		lv := schoolLevels[g.weighted(len(schoolLevels), func(i int) int { return schoolLevels[i].weight })]
		row[0] = fmt.Sprintf("TR-%07d", i+1)
		row[1] = fmt.Sprintf("%s %s số %d", lv.prefix, g.pick(communes), 1+g.rng.IntN(30))
		row[2] = lv.name
		row[3] = t.District
		row[4] = strconv.Itoa(lv.students[0] + g.rng.IntN(lv.students[1]-lv.students[0]))
		row[5] = fmt.Sprintf("%04d-%02d-%02d", 1960+g.rng.IntN(64), 1+g.rng.IntN(12), 1+g.rng.IntN(28))
		row[6] = fmt.Sprintf("0204 3%03d %03d", g.rng.IntN(1000), g.rng.IntN(1000))
		row[7], row[8] = ftoa(lon), ftoa(lat)
		return row
	}
	file := BenchPoints + ".csv"
	err := streamCSV(filepath.Join(dir, file), benchPointHeader, n, next)
	return Entry{File: file, Collection: BenchPoints, Options: importers.Options{IDColumn: "ma_truong"},
		Metadata: benchMeta("Trường học (dữ liệu đo hiệu năng)", "Schools (benchmark data)", "so-gddt", "EDUC",
			fmt.Sprintf("%d điểm trường tổng hợp quanh các thị trấn của tỉnh, dùng để đo hiệu năng.", n))}, err
}

func benchRoutes(g *generator, dir string, n int) (Entry, error) {
	features := make([]feature, 0, n)
	for i := 1; i <= n; i++ {
		line, from, to := g.benchRoute()
		km := lengthKm(line)
		features = append(features, feature{
			ID:   fmt.Sprintf("BR-%04d", i),
			Geom: line,
			Props: []kv{
				{"so_hieu", strconv.Itoa(i)},
				{"ten_tuyen", fmt.Sprintf("%s – %s", from.Name, to.Name)},
				{"don_vi_khai_thac", []string{"Công ty CP Vận tải Bắc Giang", "HTX Vận tải Phú Thành", "Công ty TNHH Xe buýt Thành Đạt"}[i%3]},
				{"mau_tuyen", routeColors[i%len(routeColors)]},
				{"gia_ve_vnd", 7000 + 1000*int(km/5)},
				{"chieu_dai_km", math.Round(km*10) / 10},
			},
		})
	}
	file := BenchLines + ".geojson"
	err := writeGeoJSON(filepath.Join(dir, file), features)
	return Entry{File: file, Collection: BenchLines,
		Metadata: benchMeta("Tuyến xe buýt (dữ liệu đo hiệu năng)", "Bus routes (benchmark data)", "so-gtvt", "TRAN",
			fmt.Sprintf("%d tuyến tổng hợp giữa và trong các thị trấn của tỉnh, dùng để đo hiệu năng.", n))}, err
}

// benchRoute draws a route: two in five stay inside one town, the others join two
// towns. Its vertex count follows its length (a vertex about every 250 m) within
// 20–200. It returns the towns the route starts and ends at.
func (g *generator) benchRoute() (orb.LineString, catalog.Place, catalog.Place) {
	for {
		from, to := g.town(), g.town()
		spread := 1.5
		if g.rng.IntN(5) < 2 {
			to, spread = from, 5
		}
		aLon, aLat := g.near(from, 1.5)
		bLon, bLat := g.near(to, spread)
		a, b := catalog.Place{Lon: aLon, Lat: aLat}, catalog.Place{Lon: bLon, Lat: bLat}
		km := pathKm(a, b)
		if km < 2 { // too short to be a route; draw again
			continue
		}
		segments := min(benchMaxVertices-1, max(benchMinVertices-1, int(km/0.25)))
		return g.roadPathN(a, b, segments), from, to
	}
}

func benchMeta(title, titleEn, agency, theme, desc string) store.Metadata {
	m := meta(0, title, titleEn, agency, theme, "IRREG", desc, "benchmark", "đo hiệu năng")
	m.Notes = "Dữ liệu tổng hợp do `geodata sample --bench` sinh ra cho `make bench`; không công bố."
	return m
}
