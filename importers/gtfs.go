package importers

import (
	"archive/zip"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"golang.org/x/text/unicode/norm"
)

// The layers of a GTFS feed (Options.Layer).
const (
	LayerStops  = "stops"  // stops.txt: one point per stop (location_type 0 or empty)
	LayerRoutes = "routes" // one line per route and direction, with timetable and fare summaries
)

// No GTFS module is served to this build: this reader follows the GTFS
// Schedule reference (gtfs.org) for the files it needs, streaming the big ones
// (stop_times.txt, shapes.txt) and keeping only per-trip summaries.

// readGTFS reads one layer of a GTFS feed (a .zip).
func readGTFS(ctx context.Context, path string, opts Options, emit func(*Record) error) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return fmt.Errorf("%w: %s is not a readable GTFS feed (zip archive truncated or damaged?): %v", ErrFormat, filepath.Base(path), err)
	}
	defer zr.Close()
	return readGTFSZip(ctx, &zr.Reader, opts, emit)
}

func readGTFSZip(ctx context.Context, zr *zip.Reader, opts Options, emit func(*Record) error) error {
	feed := &gtfsFeed{files: map[string]*zip.File{}, opts: opts}
	for _, f := range zr.File {
		if !f.FileInfo().IsDir() {
			feed.files[strings.ToLower(path2base(f.Name))] = f
		}
	}
	switch opts.Layer {
	case LayerStops:
		return feed.readStops(ctx, emit)
	case LayerRoutes:
		return feed.readRoutes(ctx, emit)
	}
	return fmt.Errorf("%w: a GTFS feed has two layers: choose one with --layer %s or %s (or import both with --collection-prefix)", ErrFormat, LayerStops, LayerRoutes)
}

type gtfsFeed struct {
	files map[string]*zip.File
	opts  Options
}

// gtfsRow is one row of a GTFS table, read by column name.
type gtfsRow struct {
	line   int
	cols   map[string]int
	values []string
}

func (r *gtfsRow) get(col string) string {
	if i, ok := r.cols[col]; ok && i < len(r.values) {
		return r.values[i]
	}
	return ""
}

// each streams the rows of a table; required names the columns it must have.
// A missing file gives an error wrapping fs.ErrNotExist.
func (g *gtfsFeed) each(ctx context.Context, name string, required []string, fn func(*gtfsRow) error) error {
	f, ok := g.files[name]
	if !ok {
		return fmt.Errorf("%w: the GTFS feed has no %s: %w", ErrFormat, name, fs.ErrNotExist)
	}
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrFormat, name, err)
	}
	defer rc.Close()
	text, _, err := openText(rc, EncodingUTF8)
	if err != nil {
		return err
	}
	cr := csv.NewReader(&lineLimiter{r: text, max: maxCSVLine})
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: %s is empty", ErrFormat, name)
	}
	if err != nil {
		return fmt.Errorf("%w: %s header: %v", ErrFormat, name, err)
	}
	row := &gtfsRow{cols: map[string]int{}}
	for i, h := range header {
		row.cols[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	for _, c := range required {
		if _, ok := row.cols[c]; !ok {
			return fmt.Errorf("%w: %s has no %s column (columns: %s)", ErrFormat, name, c, strings.Join(header, ", "))
		}
	}
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		values, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %s: %v", ErrFormat, name, err)
		}
		row.line, _ = cr.FieldPos(0)
		for i := range values {
			values[i] = strings.TrimSpace(values[i])
		}
		row.values = values
		if err := fn(row); err != nil {
			return err
		}
	}
}

func (g *gtfsFeed) has(name string) bool { _, ok := g.files[name]; return ok }

func (g *gtfsFeed) readStops(ctx context.Context, emit func(*Record) error) error {
	skipped := 0
	err := g.each(ctx, "stops.txt", []string{"stop_id"}, func(r *gtfsRow) error {
		if lt := r.get("location_type"); lt != "" && lt != "0" {
			skipped++
			return nil
		}
		rec := &Record{Sheet: "stops.txt", Line: r.line, Text: true, ID: r.get("stop_id"), IDColumn: "stop_id"}
		for name, i := range orderedColumns(r.cols) {
			if name != "stop_lat" && name != "stop_lon" && i < len(r.values) {
				rec.Props = append(rec.Props, Prop{Name: name, Value: norm.NFC.String(r.values[i])})
			}
		}
		lon, err1 := parseDecimal(r.get("stop_lon"))
		lat, err2 := parseDecimal(r.get("stop_lat"))
		switch {
		case err1 != nil:
			rec.reject("stop_lon", "missing or unparseable coordinate: "+err1.Error())
		case err2 != nil:
			rec.reject("stop_lat", "missing or unparseable coordinate: "+err2.Error())
		default:
			rec.Geometry = orb.Point{lon, lat}
		}
		return emit(rec)
	})
	if skipped > 0 {
		g.opts.note(SeverityNote, "stops.txt", "%d stations, entrances and other locations (location_type other than 0) are not bus stops and were left out", skipped)
	}
	return err
}

// orderedColumns iterates a header's columns in file order.
func orderedColumns(cols map[string]int) func(func(string, int) bool) {
	names := make([]string, len(cols))
	for n, i := range cols {
		if i < len(names) {
			names[i] = n
		}
	}
	return func(yield func(string, int) bool) {
		for i, n := range names {
			if n != "" && !yield(n, i) {
				return
			}
		}
	}
}

// gtfsTrip is what the reader keeps of a trip: its route and direction, shape,
// service and the summary of its stop times.
type gtfsTrip struct {
	route, direction, shape, service string
	firstSeq, firstDep, stops        int
	frequency                        bool
}

// gtfsLine is one route in one direction, as the routes layer emits it.
type gtfsLine struct {
	route     string
	direction string
	trips     []string // in trips.txt order
	rep       string   // the trip drawn: the one with most stops
}

type gtfsRoute struct {
	line  int
	props []Prop
	id    string
	agent string
}

func (g *gtfsFeed) readRoutes(ctx context.Context, emit func(*Record) error) error {
	for _, name := range []string{"stops.txt", "routes.txt", "trips.txt", "stop_times.txt"} {
		if !g.has(name) {
			return fmt.Errorf("%w: the GTFS feed has no %s, which routes need", ErrFormat, name)
		}
	}
	agencies, err := g.agencies(ctx)
	if err != nil {
		return err
	}
	var routes []*gtfsRoute
	err = g.each(ctx, "routes.txt", []string{"route_id"}, func(r *gtfsRow) error {
		rt := &gtfsRoute{line: r.line, id: r.get("route_id"), agent: r.get("agency_id")}
		for _, c := range []string{"route_id", "route_short_name", "route_long_name", "route_type", "route_desc"} {
			if v := r.get(c); v != "" || c == "route_short_name" || c == "route_long_name" {
				rt.props = append(rt.props, Prop{Name: c, Value: norm.NFC.String(v)})
			}
		}
		color := strings.ToUpper(strings.TrimPrefix(r.get("route_color"), "#"))
		rt.props = append(rt.props, Prop{Name: "route_color", Value: color})
		routes = append(routes, rt)
		return nil
	})
	if err != nil {
		return err
	}
	trips, lines, err := g.trips(ctx)
	if err != nil {
		return err
	}
	if err := g.stopTimes(ctx, trips); err != nil {
		return err
	}
	freq, err := g.frequencies(ctx, trips)
	if err != nil {
		return err
	}
	fares, err := g.fares(ctx)
	if err != nil {
		return err
	}
	shapes, stopSeqs, err := g.geometries(ctx, lines, trips)
	if err != nil {
		return err
	}
	var stops map[string]orb.Point
	if len(stopSeqs) > 0 {
		if stops, err = g.stopPoints(ctx); err != nil {
			return err
		}
	}
	for _, rt := range routes {
		dirs := lines[rt.id]
		if len(dirs) == 0 {
			rec := &Record{Sheet: "routes.txt", Line: rt.line, ID: rt.id, IDColumn: "route_id", Text: true, Props: rt.props}
			rec.reject("route_id", fmt.Sprintf("route %s has no trips in trips.txt", rt.id))
			if err := emit(rec); err != nil {
				return err
			}
			continue
		}
		for _, l := range dirs {
			rec := g.routeRecord(rt, l, agencies, trips, freq, fares, shapes, stopSeqs, stops)
			if err := emit(rec); err != nil {
				return err
			}
		}
	}
	return nil
}

// agencies maps agency_id to agency_name ("" for the only agency).
func (g *gtfsFeed) agencies(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	err := g.each(ctx, "agency.txt", []string{"agency_name"}, func(r *gtfsRow) error {
		name := norm.NFC.String(r.get("agency_name"))
		out[r.get("agency_id")] = name
		if len(out) == 1 {
			out[""] = name
		} else {
			delete(out, "")
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		g.opts.note(SeverityWarning, "agency.txt", "the feed has no agency.txt (required by GTFS): route operators are unknown")
		return out, nil
	}
	return out, err
}

// trips reads trips.txt and groups the trips by route and direction.
func (g *gtfsFeed) trips(ctx context.Context) (map[string]*gtfsTrip, map[string][]*gtfsLine, error) {
	trips := map[string]*gtfsTrip{}
	lines := map[string][]*gtfsLine{}
	err := g.each(ctx, "trips.txt", []string{"route_id", "trip_id"}, func(r *gtfsRow) error {
		id := r.get("trip_id")
		t := &gtfsTrip{route: r.get("route_id"), direction: r.get("direction_id"), shape: r.get("shape_id"), service: r.get("service_id"), firstSeq: -1}
		if _, dup := trips[id]; dup {
			return fmt.Errorf("%w: trips.txt line %d: duplicate trip_id %q", ErrFormat, r.line, id)
		}
		trips[id] = t
		var line *gtfsLine
		for _, l := range lines[t.route] {
			if l.direction == t.direction {
				line = l
			}
		}
		if line == nil {
			line = &gtfsLine{route: t.route, direction: t.direction}
			lines[t.route] = append(lines[t.route], line)
			sort.SliceStable(lines[t.route], func(i, j int) bool { return lines[t.route][i].direction < lines[t.route][j].direction })
		}
		line.trips = append(line.trips, id)
		return nil
	})
	return trips, lines, err
}

// stopTimes streams stop_times.txt once, keeping per trip its number of stops
// and the departure at its first stop.
func (g *gtfsFeed) stopTimes(ctx context.Context, trips map[string]*gtfsTrip) error {
	unknown := 0
	err := g.each(ctx, "stop_times.txt", []string{"trip_id", "stop_id", "stop_sequence"}, func(r *gtfsRow) error {
		t := trips[r.get("trip_id")]
		if t == nil {
			unknown++
			return nil
		}
		seq, err := strconv.Atoi(r.get("stop_sequence"))
		if err != nil || seq < 0 {
			return fmt.Errorf("%w: stop_times.txt line %d: stop_sequence %q is not a non-negative integer", ErrFormat, r.line, r.get("stop_sequence"))
		}
		t.stops++
		if t.firstSeq < 0 || seq < t.firstSeq {
			t.firstSeq = seq
			dep := r.get("departure_time")
			if dep == "" {
				dep = r.get("arrival_time")
			}
			t.firstDep = -1
			if s, ok := gtfsSeconds(dep); ok {
				t.firstDep = s
			}
		}
		return nil
	})
	if unknown > 0 {
		g.opts.note(SeverityWarning, "stop_times.txt", "%d stop times belong to trips missing from trips.txt and were ignored", unknown)
	}
	return err
}

// gtfsFrequency summarises frequencies.txt for one trip.
type gtfsFrequency struct{ start, end, headway int }

func (g *gtfsFeed) frequencies(ctx context.Context, trips map[string]*gtfsTrip) (map[string][]gtfsFrequency, error) {
	out := map[string][]gtfsFrequency{}
	err := g.each(ctx, "frequencies.txt", []string{"trip_id", "start_time", "end_time", "headway_secs"}, func(r *gtfsRow) error {
		start, ok1 := gtfsSeconds(r.get("start_time"))
		end, ok2 := gtfsSeconds(r.get("end_time"))
		h, err := strconv.Atoi(r.get("headway_secs"))
		if !ok1 || !ok2 || err != nil || h <= 0 {
			return fmt.Errorf("%w: frequencies.txt line %d: bad start_time, end_time or headway_secs", ErrFormat, r.line)
		}
		id := r.get("trip_id")
		if t := trips[id]; t != nil {
			t.frequency = true
			out[id] = append(out[id], gtfsFrequency{start, end, h})
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	return out, err
}

// gtfsFare is a fare of fare_attributes.txt.
type gtfsFare struct {
	price    float64
	currency string
}

// fares maps route_id to its cheapest fare, through fare_rules.txt.
func (g *gtfsFeed) fares(ctx context.Context) (map[string]gtfsFare, error) {
	out := map[string]gtfsFare{}
	if !g.has("fare_attributes.txt") || !g.has("fare_rules.txt") {
		return out, nil
	}
	attrs := map[string]gtfsFare{}
	err := g.each(ctx, "fare_attributes.txt", []string{"fare_id", "price", "currency_type"}, func(r *gtfsRow) error {
		p, err := strconv.ParseFloat(r.get("price"), 64)
		if err != nil {
			return fmt.Errorf("%w: fare_attributes.txt line %d: price %q is not a number", ErrFormat, r.line, r.get("price"))
		}
		attrs[r.get("fare_id")] = gtfsFare{p, r.get("currency_type")}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = g.each(ctx, "fare_rules.txt", []string{"fare_id"}, func(r *gtfsRow) error {
		f, ok := attrs[r.get("fare_id")]
		route := r.get("route_id")
		if !ok || route == "" {
			return nil
		}
		if have, ok := out[route]; !ok || f.price < have.price {
			out[route] = f
		}
		return nil
	})
	return out, err
}

// geometries picks the trip drawn for each line and reads what draws it: the
// shape (shapes.txt) of the line's most used shape_id, else the stop sequence of
// its trip with most stops (a second pass over stop_times.txt).
func (g *gtfsFeed) geometries(ctx context.Context, lines map[string][]*gtfsLine, trips map[string]*gtfsTrip) (map[string]orb.LineString, map[string][]gtfsStopAt, error) {
	wantShapes := map[string]bool{}
	wantStops := map[string][]gtfsStopAt{}
	hasShapes := g.has("shapes.txt")
	for _, dirs := range lines {
		for _, l := range dirs {
			uses := map[string]int{}
			best := ""
			for _, id := range l.trips {
				t := trips[id]
				if l.rep == "" || t.stops > trips[l.rep].stops {
					l.rep = id
				}
				if t.shape != "" && hasShapes {
					uses[t.shape]++
					if best == "" || uses[t.shape] > uses[best] {
						best = t.shape
					}
				}
			}
			if best != "" {
				trips[l.rep].shape = best
				wantShapes[best] = true
			} else {
				trips[l.rep].shape = ""
				wantStops[l.rep] = nil
			}
		}
	}
	if !hasShapes {
		g.opts.note(SeverityWarning, "shapes.txt", "the feed has no shapes.txt: route lines are drawn stop to stop along each route's longest trip")
	}
	shapes, err := g.shapes(ctx, wantShapes)
	if err != nil {
		return nil, nil, err
	}
	if len(wantStops) == 0 {
		return shapes, nil, nil
	}
	err = g.each(ctx, "stop_times.txt", []string{"trip_id", "stop_id", "stop_sequence"}, func(r *gtfsRow) error {
		id := r.get("trip_id")
		if seq, ok := wantStops[id]; ok {
			n, _ := strconv.Atoi(r.get("stop_sequence"))
			wantStops[id] = append(seq, gtfsStopAt{n, r.get("stop_id")})
		}
		return nil
	})
	for _, seq := range wantStops {
		sort.SliceStable(seq, func(i, j int) bool { return seq[i].seq < seq[j].seq })
	}
	return shapes, wantStops, err
}

type gtfsStopAt struct {
	seq  int
	stop string
}

// shapes reads the wanted shapes of shapes.txt, in shape_pt_sequence order.
func (g *gtfsFeed) shapes(ctx context.Context, want map[string]bool) (map[string]orb.LineString, error) {
	if len(want) == 0 {
		return nil, nil
	}
	type pt struct {
		seq int
		p   orb.Point
	}
	pts := map[string][]pt{}
	err := g.each(ctx, "shapes.txt", []string{"shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence"}, func(r *gtfsRow) error {
		id := r.get("shape_id")
		if !want[id] {
			return nil
		}
		lat, err1 := parseDecimal(r.get("shape_pt_lat"))
		lon, err2 := parseDecimal(r.get("shape_pt_lon"))
		seq, err3 := strconv.Atoi(r.get("shape_pt_sequence"))
		if err1 != nil || err2 != nil || err3 != nil {
			return fmt.Errorf("%w: shapes.txt line %d: bad shape_pt_lat, shape_pt_lon or shape_pt_sequence", ErrFormat, r.line)
		}
		pts[id] = append(pts[id], pt{seq, orb.Point{lon, lat}})
		return nil
	})
	out := map[string]orb.LineString{}
	for id, ps := range pts {
		sort.SliceStable(ps, func(i, j int) bool { return ps[i].seq < ps[j].seq })
		l := make(orb.LineString, len(ps))
		for i, p := range ps {
			l[i] = p.p
		}
		out[id] = l
	}
	return out, err
}

// stopPoints maps every stop_id to its position.
func (g *gtfsFeed) stopPoints(ctx context.Context) (map[string]orb.Point, error) {
	out := map[string]orb.Point{}
	err := g.each(ctx, "stops.txt", []string{"stop_id", "stop_lat", "stop_lon"}, func(r *gtfsRow) error {
		lon, err1 := parseDecimal(r.get("stop_lon"))
		lat, err2 := parseDecimal(r.get("stop_lat"))
		if err1 == nil && err2 == nil {
			out[r.get("stop_id")] = orb.Point{lon, lat}
		}
		return nil
	})
	return out, err
}

func (g *gtfsFeed) routeRecord(rt *gtfsRoute, l *gtfsLine, agencies map[string]string, trips map[string]*gtfsTrip,
	freq map[string][]gtfsFrequency, fares map[string]gtfsFare, shapes map[string]orb.LineString,
	stopSeqs map[string][]gtfsStopAt, stops map[string]orb.Point) *Record {
	id := rt.id
	if l.direction != "" {
		id += "-" + l.direction
	}
	rec := &Record{Sheet: "routes.txt", Line: rt.line, ID: id, IDColumn: "route_id", Text: true}
	rec.Props = append(rec.Props, rt.props...)
	add := func(name string, v any) { rec.Props = append(rec.Props, Prop{Name: name, Value: v}) }
	add("direction_id", l.direction)
	operator := agencies[rt.agent]
	if operator == "" {
		operator = agencies[""]
	}
	add("operator", operator)
	first, last, headway := timetable(l, trips, freq)
	add("first_departure", first)
	add("last_departure", last)
	add("headway_min", headway)
	if f, ok := fares[rt.id]; ok {
		add("fare", strconv.FormatFloat(f.price, 'f', -1, 64))
		add("fare_currency", f.currency)
	} else {
		add("fare", "")
		add("fare_currency", "")
	}
	add("trips", strconv.Itoa(len(l.trips)))
	rep := trips[l.rep]
	add("stops", strconv.Itoa(rep.stops))
	if rep.shape != "" {
		add("geometry_source", "shapes.txt")
		if line := shapes[rep.shape]; len(line) >= 2 {
			rec.Geometry = line
			return rec
		}
		rec.reject("shape_id", fmt.Sprintf("shape %q has fewer than 2 points in shapes.txt", rep.shape))
		return rec
	}
	add("geometry_source", "stop sequence")
	var line orb.LineString
	missing := 0
	for _, s := range stopSeqs[l.rep] {
		p, ok := stops[s.stop]
		if !ok {
			missing++
			continue
		}
		if len(line) == 0 || line[len(line)-1] != p {
			line = append(line, p)
		}
	}
	if missing > 0 {
		rec.Problems = append(rec.Problems, Problem{Sheet: rec.Sheet, Line: rec.Line, Column: "stop_id",
			Reason: fmt.Sprintf("%d stops of trip %s are not in stops.txt and were left out of the line", missing, l.rep), Severity: SeverityWarning})
	}
	if len(line) < 2 {
		rec.reject("stop_id", fmt.Sprintf("trip %s has fewer than 2 located stops: no line can be drawn", l.rep))
		return rec
	}
	rec.Geometry = line
	return rec
}

// timetable summarises a line's service: first and last departure from the
// first stop, and the typical headway in minutes. Frequency-based trips use
// frequencies.txt; the others the departures of the line's busiest service day.
func timetable(l *gtfsLine, trips map[string]*gtfsTrip, freq map[string][]gtfsFrequency) (first, last, headway string) {
	perService := map[string][]int{}
	best := ""
	lo, hi, minHeadway := -1, -1, 0
	for _, id := range l.trips {
		t := trips[id]
		if t.frequency {
			for _, f := range freq[id] {
				lo, hi = minTime(lo, f.start), max(hi, f.end-f.headway)
				if minHeadway == 0 || f.headway < minHeadway {
					minHeadway = f.headway
				}
			}
			continue
		}
		if t.firstDep < 0 {
			continue
		}
		perService[t.service] = append(perService[t.service], t.firstDep)
		if best == "" || len(perService[t.service]) > len(perService[best]) ||
			(len(perService[t.service]) == len(perService[best]) && t.service < best) {
			best = t.service
		}
	}
	deps := perService[best]
	sort.Ints(deps)
	if len(deps) > 0 {
		lo, hi = minTime(lo, deps[0]), max(hi, deps[len(deps)-1])
	}
	if minHeadway > 0 {
		headway = strconv.Itoa((minHeadway + 30) / 60)
	} else if gaps := departureGaps(deps); len(gaps) > 0 {
		sort.Ints(gaps)
		headway = strconv.Itoa((gaps[len(gaps)/2] + 30) / 60)
	}
	return formatGTFSTime(lo), formatGTFSTime(hi), headway
}

func minTime(a, b int) int {
	if a < 0 || b < a {
		return b
	}
	return a
}

func departureGaps(deps []int) []int {
	var gaps []int
	for i := 1; i < len(deps); i++ {
		if d := deps[i] - deps[i-1]; d > 0 {
			gaps = append(gaps, d)
		}
	}
	return gaps
}

// gtfsSeconds reads a GTFS time (H:MM:SS; hours pass 24 for trips after
// midnight) as seconds since the start of the service day.
func gtfsSeconds(s string) (int, bool) {
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return 0, false
	}
	h, err1 := strconv.Atoi(parts[0])
	m, err2 := strconv.Atoi(parts[1])
	sec, err3 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || h < 0 || h > 99 || m < 0 || m > 59 || sec < 0 || sec > 59 {
		return 0, false
	}
	return h*3600 + m*60 + sec, true
}

// formatGTFSTime writes seconds as HH:MM:SS (25:10:00 for 1:10 the next morning).
func formatGTFSTime(s int) string {
	if s < 0 {
		return ""
	}
	return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
}
