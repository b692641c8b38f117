package sample

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"path/filepath"
	"strconv"

	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/importers"
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

var busOperators = []struct{ id, name, phone string }{
	{"BGT", "Công ty CP Vận tải Bắc Giang", "0204 3854 321"},
	{"PTH", "HTX Vận tải Phú Thành", "0204 3822 456"},
	{"TDB", "Công ty TNHH Xe buýt Thành Đạt", "0204 3866 789"},
}

// gtfsFeed collects the tables of the sample GTFS feed as CSV rows.
type gtfsFeed struct {
	tables map[string][][]string
	order  []string
}

func (f *gtfsFeed) add(table string, row ...string) {
	if _, ok := f.tables[table]; !ok {
		f.order = append(f.order, table)
	}
	f.tables[table] = append(f.tables[table], row)
}

// busNetwork writes the bus network as a GTFS feed (bus.zip): agencies, routes
// with shapes, stops along them, trips with stop times (some routes by
// frequencies, one running past midnight), a calendar and fares. The manifest
// imports it as two collections, bus-routes and bus-stops.
func busNetwork(g *generator, dir string) ([]Entry, int, error) {
	routes := g.routes()
	feed := &gtfsFeed{tables: map[string][][]string{}}
	feed.add("agency.txt", "agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang", "agency_phone")
	for _, o := range busOperators {
		feed.add("agency.txt", o.id, o.name, "https://bacgiang.gov.vn/", "Asia/Ho_Chi_Minh", "vi", o.phone)
	}
	feed.add("calendar.txt", "service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "start_date", "end_date")
	feed.add("calendar.txt", "NGAY_THUONG", "1", "1", "1", "1", "1", "0", "0", "20250101", "20251231")
	feed.add("calendar.txt", "CUOI_TUAN", "0", "0", "0", "0", "0", "1", "1", "20250101", "20251231")
	feed.add("routes.txt", "route_id", "agency_id", "route_short_name", "route_long_name", "route_type", "route_color", "route_text_color")
	feed.add("stops.txt", "stop_id", "stop_name", "stop_lat", "stop_lon", "location_type", "parent_station")
	feed.add("shapes.txt", "shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence")
	feed.add("trips.txt", "route_id", "service_id", "trip_id", "trip_headsign", "direction_id", "shape_id")
	feed.add("stop_times.txt", "trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence")
	feed.add("frequencies.txt", "trip_id", "start_time", "end_time", "headway_secs")
	feed.add("fare_attributes.txt", "fare_id", "price", "currency_type", "payment_method", "transfers")
	feed.add("fare_rules.txt", "fare_id", "route_id")
	hub := g.region.Places[0]
	feed.add("stops.txt", "BX-BG", stationNames[hub.District], ftoa(hub.Lat), ftoa(hub.Lon), "1", "")
	stops := 0
	for i, r := range routes {
		id := "BG-" + r.number
		from, to := g.nearestPlace(r.line[0]), g.nearestPlace(r.line[len(r.line)-1])
		op := busOperators[i%len(busOperators)]
		feed.add("routes.txt", id, op.id, r.number, fmt.Sprintf("%s – %s", from.Name, to.Name), "3", routeColors[i%len(routeColors)], "FFFFFF")
		km := lengthKm(r.line)
		fare := "F-" + r.number
		feed.add("fare_attributes.txt", fare, strconv.Itoa(7000+1000*int(km/5)), "VND", "0", "0")
		feed.add("fare_rules.txt", fare, id)
		placed := g.placeStops(r)
		for _, s := range placed {
			parent := ""
			if s.id == placed[0].id && i < len(g.region.Places)-1 {
				parent = "BX-BG" // the hub routes start at the coach station
			}
			feed.add("stops.txt", s.id, s.name, ftoa(s.p[1]), ftoa(s.p[0]), "0", parent)
		}
		stops += len(placed)
		for dir := 0; dir < 2; dir++ {
			line, seq := r.line, placed
			if dir == 1 {
				line, seq = reversedLine(r.line), reversedStops(placed)
			}
			shape := fmt.Sprintf("%s-%d", id, dir)
			for k, p := range line {
				feed.add("shapes.txt", shape, ftoa(p[1]), ftoa(p[0]), strconv.Itoa(k+1))
			}
			g.schedule(feed, id, shape, dir, to.Name, from.Name, seq, i)
		}
	}
	names := append([]string(nil), feed.order...)
	files := map[string][]byte{}
	for _, n := range names {
		var b bytes.Buffer
		cw := csv.NewWriter(&b)
		cw.WriteAll(feed.tables[n])
		if err := cw.Error(); err != nil {
			return nil, 0, err
		}
		files[n] = b.Bytes()
	}
	file := "bus-gtfs.zip"
	if err := writeZip(filepath.Join(dir, file), names, files); err != nil {
		return nil, 0, err
	}
	return []Entry{
		{File: file, Collection: "bus-routes", Options: importers.Options{Layer: importers.LayerRoutes},
			Metadata: meta(6, "Mạng lưới tuyến xe buýt", "Bus routes", "so-gtvt", "TRAN", "QUARTERLY",
				"Lộ trình các tuyến xe buýt kèm đơn vị khai thác, giá vé, giờ chạy và giãn cách (mục 24 của Kế hoạch), nhập từ nguồn GTFS.",
				"xe buýt", "giao thông công cộng", "bus routes", "GTFS")},
		{File: file, Collection: "bus-stops", Options: importers.Options{Layer: importers.LayerStops},
			Metadata: meta(7, "Điểm dừng xe buýt", "Bus stops", "so-gtvt", "TRAN", "QUARTERLY",
				"Điểm dừng, nhà chờ trên các tuyến xe buýt (mục 24 của Kế hoạch), nhập từ nguồn GTFS.",
				"điểm dừng", "xe buýt", "bus stops", "GTFS")},
	}, 2*len(routes) + stops, nil
}

// placedStop is a bus stop on a route, with its distance along it.
type placedStop struct {
	id, name string
	p        orb.Point
	km       float64
}

// placeStops puts a stop every 1–2.2 km along the route.
func (g *generator) placeStops(r busRoute) []placedStop {
	var out []placedStop
	walked, next := 0.0, 0.0
	for i := 1; i < len(r.line); i++ {
		seg := segmentKm(r.line[i-1], r.line[i])
		for next <= walked+seg {
			f := (next - walked) / seg
			a, b := r.line[i-1], r.line[i]
			out = append(out, placedStop{
				id:   fmt.Sprintf("BG-%s-%03d", r.number, len(out)+1),
				name: fmt.Sprintf("Điểm dừng %s", g.pick(communes)),
				p:    orb.Point{round7(a[0] + (b[0]-a[0])*f), round7(a[1] + (b[1]-a[1])*f)},
				km:   next,
			})
			next += 1.0 + g.rng.Float64()*1.2
		}
		walked += seg
	}
	return out
}

// schedule writes the trips of one route direction: every third route by
// frequencies (one template trip), the others as timed trips on weekdays and,
// less often, at weekends; route 01 runs a last trip past midnight.
func (g *generator) schedule(feed *gtfsFeed, route, shape string, dir int, toName, fromName string, stops []placedStop, i int) {
	headsign := toName
	if dir == 1 {
		headsign = fromName
	}
	first := 5*3600 + 15*60*g.rng.IntN(4)
	last := (17+g.rng.IntN(3))*3600 + 15*60*g.rng.IntN(4)
	if i == 0 {
		last = 23*3600 + 40*60
	}
	headway := (15 + 5*g.rng.IntN(4)) * 60
	if i%3 == 2 {
		trip := fmt.Sprintf("%s-%d-TS", route, dir)
		feed.add("trips.txt", route, "NGAY_THUONG", trip, headsign, strconv.Itoa(dir), shape)
		g.stopTimes(feed, trip, stops, 0)
		feed.add("frequencies.txt", trip, gtfsTime(first), gtfsTime(last+1), strconv.Itoa(headway))
		return
	}
	for _, svc := range []struct {
		id   string
		step int
	}{{"NGAY_THUONG", headway}, {"CUOI_TUAN", 2 * headway}} {
		for k, dep := 0, first; dep <= last; k, dep = k+1, dep+svc.step {
			trip := fmt.Sprintf("%s-%d-%s-%02d", route, dir, svc.id[:2], k+1)
			feed.add("trips.txt", route, svc.id, trip, headsign, strconv.Itoa(dir), shape)
			g.stopTimes(feed, trip, stops, dep)
		}
	}
}

// stopTimes writes a trip's times at 22 km/h with 30 s at each stop.
func (g *generator) stopTimes(feed *gtfsFeed, trip string, stops []placedStop, dep int) {
	start := stops[0].km
	for k, s := range stops {
		at := dep + int(math.Abs(s.km-start)/22*3600) + 30*k
		feed.add("stop_times.txt", trip, gtfsTime(at), gtfsTime(at+20), s.id, strconv.Itoa(k+1))
	}
}

// gtfsTime writes seconds as GTFS does, past 24:00:00 after midnight.
func gtfsTime(s int) string { return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60) }

func reversedLine(l orb.LineString) orb.LineString {
	out := make(orb.LineString, len(l))
	for i, p := range l {
		out[len(l)-1-i] = p
	}
	return out
}

func reversedStops(s []placedStop) []placedStop {
	out := make([]placedStop, len(s))
	for i, p := range s {
		out[len(s)-1-i] = p
	}
	return out
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
