package sample

import (
	"fmt"
	"math"
	"path/filepath"

	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/catalog"
)

// busRoute is a generated route, kept to place its stops.
type busRoute struct {
	number string
	line   orb.LineString
}

// routeColors are the route colours, as GTFS writes them (hex without #).
var routeColors = []string{"E53935", "1E88E5", "43A047", "FB8C00", "8E24AA", "00897B", "F4511E", "3949AB", "C0CA33", "6D4C41", "D81B60", "00ACC1"}

// roadPath draws a plausible road between a and b: the straight line bent by a few
// smooth bumps, sampled about every 250 m, so routes look like roads at street zoom.
func (g *generator) roadPath(a, b catalog.Place) orb.LineString {
	return g.roadPathN(a, b, max(20, int(pathKm(a, b)/0.25)))
}

// pathKm is the approximate straight distance between two places.
func pathKm(a, b catalog.Place) float64 {
	return math.Hypot((b.Lon-a.Lon)*104, (b.Lat-a.Lat)*110.6)
}

// roadPathN draws the road of roadPath with n segments (n+1 vertices).
func (g *generator) roadPathN(a, b catalog.Place, n int) orb.LineString {
	dx, dy := b.Lon-a.Lon, b.Lat-a.Lat
	lengthKm := pathKm(a, b)
	nx, ny := -dy, dx // perpendicular
	norm := math.Hypot(nx, ny)
	nx, ny = nx/norm, ny/norm
	amp := [3]float64{(g.rng.Float64() - 0.5) * 0.08, (g.rng.Float64() - 0.5) * 0.03, (g.rng.Float64() - 0.5) * 0.01}
	line := make(orb.LineString, 0, n+1)
	for i := 0; i <= n; i++ {
		t := float64(i) / float64(n)
		off := 0.0
		for k, a := range amp {
			off += a * math.Sin(math.Pi*float64(2*k+1)*t) * (lengthKm / 40)
		}
		wiggle := (g.rng.Float64() - 0.5) * 0.0004
		lon := a.Lon + dx*t + nx*(off+wiggle)
		lat := a.Lat + dy*t + ny*(off+wiggle)
		line = append(line, orb.Point{round7(lon), round7(lat)})
	}
	return line
}

func (g *generator) routes() []busRoute {
	places := g.region.Places
	var out []busRoute
	num := 0
	add := func(a, b catalog.Place) {
		num++
		out = append(out, busRoute{number: fmt.Sprintf("%02d", num), line: g.roadPath(a, b)})
	}
	for i := 1; i < len(places); i++ { // hub to every town, both ways share a line
		add(places[0], places[i])
	}
	for i := 1; i+1 < len(places); i++ { // ring between neighbouring towns
		add(places[i], places[i+1])
	}
	for i := 1; i+3 < len(places); i += 2 {
		add(places[i], places[i+3])
	}
	return out
}

func busNetwork(g *generator, dir string) (Entry, int, error) {
	routes := g.routes()
	g.busRoutes = routes
	features := make([]feature, 0, len(routes))
	for i, r := range routes {
		a, b := r.line[0], r.line[len(r.line)-1]
		from, to := g.nearestPlace(a), g.nearestPlace(b)
		km := lengthKm(r.line)
		features = append(features, feature{
			ID:   "BG-" + r.number,
			Geom: r.line,
			Props: []kv{
				{"so_hieu", r.number},
				{"ten_tuyen", fmt.Sprintf("%s – %s", from.Name, to.Name)},
				{"don_vi_khai_thac", []string{"Công ty CP Vận tải Bắc Giang", "HTX Vận tải Phú Thành", "Công ty TNHH Xe buýt Thành Đạt"}[i%3]},
				{"mau_tuyen", routeColors[i%len(routeColors)]},
				{"gia_ve_vnd", 7000 + 1000*int(km/5)},
				{"chuyen_dau", fmt.Sprintf("05:%02d", 15*g.rng.IntN(4))},
				{"chuyen_cuoi", fmt.Sprintf("%02d:%02d", 17+g.rng.IntN(3), 15*g.rng.IntN(4))},
				{"gian_cach_phut", 15 + 5*g.rng.IntN(6)},
				{"chieu_dai_km", math.Round(km*10) / 10},
			},
		})
	}
	file := "bus-routes.geojson"
	err := writeGeoJSON(filepath.Join(dir, file), features)
	return Entry{File: file, Collection: "bus-routes",
		Metadata: meta(6, "Mạng lưới tuyến xe buýt", "Bus routes", "so-gtvt", "TRAN", "QUARTERLY",
			"Lộ trình các tuyến xe buýt kèm đơn vị khai thác, giá vé, giờ chạy và giãn cách (mục 24 của Kế hoạch).",
			"xe buýt", "giao thông công cộng", "bus routes")}, len(features), err
}

func busStops(g *generator, dir string) (Entry, int, error) {
	var features []feature
	for _, r := range g.busRoutes {
		walked, next, k := 0.0, 0.0, 0
		for i := 1; i < len(r.line); i++ {
			seg := segmentKm(r.line[i-1], r.line[i])
			for next <= walked+seg {
				f := (next - walked) / seg
				a, b := r.line[i-1], r.line[i]
				p := orb.Point{round7(a[0] + (b[0]-a[0])*f), round7(a[1] + (b[1]-a[1])*f)}
				k++
				features = append(features, feature{
					ID:   fmt.Sprintf("BG-%s-%03d", r.number, k),
					Geom: p,
					Props: []kv{
						{"ten", fmt.Sprintf("Điểm dừng %s", g.pick(communes))},
						{"tuyen", r.number},
						{"thu_tu", k},
						{"co_nha_cho", g.rng.IntN(3) == 0},
					},
				})
				next += 1.0 + g.rng.Float64()*1.2
			}
			walked += seg
		}
	}
	file := "bus-stops.geojson"
	err := writeGeoJSON(filepath.Join(dir, file), features)
	return Entry{File: file, Collection: "bus-stops",
		Metadata: meta(7, "Điểm dừng xe buýt", "Bus stops", "so-gtvt", "TRAN", "QUARTERLY",
			"Điểm dừng, nhà chờ trên các tuyến xe buýt (mục 24 của Kế hoạch).",
			"điểm dừng", "xe buýt", "bus stops")}, len(features), err
}

func (g *generator) nearestPlace(p orb.Point) catalog.Place {
	best, bestD := g.region.Places[0], math.Inf(1)
	for _, t := range g.region.Places {
		if d := math.Hypot(t.Lon-p[0], t.Lat-p[1]); d < bestD {
			best, bestD = t, d
		}
	}
	return best
}

func segmentKm(a, b orb.Point) float64 {
	return math.Hypot((b[0]-a[0])*111.32*math.Cos(a[1]*math.Pi/180), (b[1]-a[1])*110.57)
}

func lengthKm(l orb.LineString) float64 {
	km := 0.0
	for i := 1; i < len(l); i++ {
		km += segmentKm(l[i-1], l[i])
	}
	return km
}
