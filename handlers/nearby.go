package handlers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/filter"
	"github.com/vn-opendata/geodata/geo"
)

// Limits of /nearby.
const (
	defaultNearbyK     = 10
	maxNearbyK         = 100
	maxNearbyRadius    = 50_000 // metres
	defaultNearbyLimit = 100
	maxNearbyLimit     = 1000
)

// nearbyParams are the parameters of /nearby besides property filters.
var nearbyParams = []string{"f", "lang", "lon", "lat", "k", "radius", "limit", "collections", "q",
	"filter", "filter-lang", "filter-crs"}

// nearbyQuery is a parsed /nearby request. In k-nearest mode k > 0 and radius
// may cap the distance (+Inf when absent); in radius mode (radius without k)
// k is 0 and limit caps the features returned.
type nearbyQuery struct {
	at      orb.Point
	k       int
	radius  float64
	limit   int
	targets []nearbyTarget
}

// nearbyTarget is a collection searched, with its filters resolved to schema positions.
type nearbyTarget struct {
	snap    *catalog.Snapshot
	filters []nearbyFilter
	cql     *filter.Expr // the filter parameter; nil for none
	q       string       // folded name search, "" for none
}

// nearbyFilter is a property=value filter: the value as the items' filters
// compare it, written as a query string would write the property's value.
type nearbyFilter struct {
	index int
	value string
}

// passes reports whether feature i meets the property filters, the name search
// and the CQL2 filter.
func (t *nearbyTarget) passes(i int32) bool {
	f := &t.snap.Features[i]
	for _, pf := range t.filters {
		if catalog.ValueText(f.Props[pf.index]) != pf.value {
			return false
		}
	}
	if t.q != "" && !strings.Contains(t.snap.SearchName(i), t.q) {
		return false
	}
	return t.cql == nil || selects(t.cql, f)
}

// fewMatches is how many features a filtered search measures one by one rather
// than walking the index: a selective filter would make the walk visit most of
// the collection before it found k matches.
const fewMatches = 2048

// matches lists the features that pass, or returns false when there are more
// than fewMatches (or no filter at all). The candidates are those of the area a
// CQL2 filter limits, else every feature.
func (t *nearbyTarget) matches() ([]int32, bool) {
	if len(t.filters) == 0 && t.q == "" && t.cql == nil {
		return nil, false
	}
	var candidates []int32
	limited := false
	if t.cql != nil {
		candidates, limited = filterCandidates(t.cql, t.snap, nil)
	}
	out := []int32{}
	add := func(i int32) bool {
		if t.passes(i) {
			if len(out) == fewMatches {
				return false
			}
			out = append(out, i)
		}
		return true
	}
	if limited {
		for _, i := range candidates {
			if !add(i) {
				return nil, false
			}
		}
		return out, true
	}
	for i := range t.snap.Features {
		if !add(int32(i)) {
			return nil, false
		}
	}
	return out, true
}

// parseNearbyQuery reads a request over snaps; fixed says the collection comes
// from the path, so the collections parameter is not accepted. Geometries of a
// filter may be given in any of systems.
func parseNearbyQuery(r *http.Request, snaps []*catalog.Snapshot, fixed bool, systems crsCatalog) (nearbyQuery, error) {
	v := r.URL.Query()
	out := nearbyQuery{k: defaultNearbyK, radius: math.Inf(1)}
	var err error
	if out.at[0], err = coordinate(v, "lon", 180); err != nil {
		return out, err
	}
	if out.at[1], err = coordinate(v, "lat", 90); err != nil {
		return out, err
	}
	if v.Has("k") {
		s := v.Get("k")
		n, perr := strconv.Atoi(s)
		if perr != nil || n < 1 || n > maxNearbyK {
			return out, badParam("k", "%q must be an integer from 1 to %d", s, maxNearbyK)
		}
		out.k = n
	}
	if v.Has("radius") {
		s := v.Get("radius")
		m, perr := strconv.ParseFloat(s, 64)
		if perr != nil || !(m > 0 && m <= maxNearbyRadius) {
			return out, badParam("radius", "%q must be a distance in metres above 0 and at most %d", s, maxNearbyRadius)
		}
		out.radius = m
		if !v.Has("k") {
			out.k, out.limit = 0, defaultNearbyLimit
		}
	}
	if v.Has("limit") {
		s := v.Get("limit")
		if out.k > 0 {
			return out, badParam("limit", "applies to radius searches (radius without k); use k for the k nearest")
		}
		n, perr := strconv.Atoi(s)
		if perr != nil || n < 1 || n > maxNearbyLimit {
			return out, badParam("limit", "%q must be an integer from 1 to %d", s, maxNearbyLimit)
		}
		out.limit = n
	}
	if v.Has("collections") {
		if fixed {
			return out, badParam("collections", "not accepted here: the collection is in the path; use /nearby?collections=")
		}
		if snaps, err = selectCollections(v.Get("collections"), snaps); err != nil {
			return out, err
		}
	}
	if out.targets, err = nearbyTargets(v, snaps); err != nil {
		return out, err
	}
	fr, err := parseFilterRequest(v, systems)
	if err != nil || fr == nil {
		return out, err
	}
	out.targets, err = withFilter(fr, out.targets)
	return out, err
}

// withFilter checks the filter against each target's queryables. A collection
// the filter does not fit (it names a property the collection lacks, or
// compares one of another type) is left out, as with property filters; when it
// fits none, the first collection's error is the answer.
func withFilter(fr *filterRequest, targets []nearbyTarget) ([]nearbyTarget, error) {
	var out []nearbyTarget
	var first error
	for _, t := range targets {
		e, err := fr.compile(t.snap)
		if err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		t.cql = e
		out = append(out, t)
	}
	if len(out) == 0 && first != nil {
		return nil, first
	}
	return out, nil
}

// coordinate reads a required longitude or latitude in degrees.
func coordinate(v url.Values, name string, limit float64) (float64, error) {
	s := v.Get(name)
	if s == "" {
		return 0, badParam(name, "required: WGS84 degrees from %g to %g", -limit, limit)
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || !(x >= -limit && x <= limit) {
		return 0, badParam(name, "%q must be WGS84 degrees from %g to %g", s, -limit, limit)
	}
	return x, nil
}

// selectCollections resolves a comma-separated list of collection ids, in the
// catalogue order of snaps.
func selectCollections(list string, snaps []*catalog.Snapshot) ([]*catalog.Snapshot, error) {
	want := map[string]bool{}
	for _, id := range strings.Split(list, ",") {
		id = strings.TrimSpace(id)
		if id == "" {
			return nil, badParam("collections", "%q has an empty collection id", list)
		}
		found := slices.ContainsFunc(snaps, func(s *catalog.Snapshot) bool { return s.ID() == id })
		if !found {
			return nil, badParam("collections", "unknown collection %q / không có tập dữ liệu này", id)
		}
		want[id] = true
	}
	var out []*catalog.Snapshot
	for _, s := range snaps {
		if want[s.ID()] {
			out = append(out, s)
		}
	}
	return out, nil
}

// nearbyTargets resolves q and the property filters for each collection. A
// filter on a property a collection lacks leaves that collection out; a parameter
// that is no property of any collection searched is an error.
func nearbyTargets(v url.Values, snaps []*catalog.Snapshot) ([]nearbyTarget, error) {
	names := make([]string, 0, len(v))
	for name := range v {
		if !slices.Contains(nearbyParams, name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	q := geo.Fold(strings.TrimSpace(v.Get("q")))
	known := map[string]bool{}
	var out []nearbyTarget
	for _, snap := range snaps {
		t := nearbyTarget{snap: snap, q: q}
		complete := true
		for _, name := range names {
			i, ok := snap.Property(name)
			if !ok {
				complete = false
				continue
			}
			known[name] = true
			t.filters = append(t.filters, nearbyFilter{index: i, value: v.Get(name)})
		}
		if complete {
			out = append(out, t)
		}
	}
	for _, name := range names {
		if !known[name] {
			return nil, badParam(name, "unknown parameter: neither a standard parameter (%s) nor a property of the collections searched",
				strings.Join(nearbyParams, ", "))
		}
	}
	return out, nil
}

// nearbyHit is a feature found, with the position of its collection in the query.
type nearbyHit struct {
	target int
	geo.Neighbor
}

// compareHits orders hits by distance, then collection, then item.
func compareHits(a, b nearbyHit) int {
	switch {
	case a.Distance < b.Distance:
		return -1
	case a.Distance > b.Distance:
		return 1
	case a.target != b.target:
		return a.target - b.target
	}
	return int(a.Item) - int(b.Item)
}

// search runs the query over every collection: the k nearest overall (each
// collection's search is capped by the k-th distance found so far), or every
// feature within the radius. It returns the hits in distance order and, in
// radius mode, how many matched before the limit.
func (q nearbyQuery) search() (hits []nearbyHit, matched int) {
	limit := q.radius
	for _, ti := range q.searchOrder() {
		for _, n := range q.searchTarget(&q.targets[ti], limit) {
			hits = append(hits, nearbyHit{target: ti, Neighbor: n})
		}
		slices.SortFunc(hits, compareHits)
		if q.k > 0 && len(hits) >= q.k {
			hits = hits[:q.k]
			limit = hits[q.k-1].Distance
		}
	}
	matched = len(hits)
	if q.k == 0 && len(hits) > q.limit {
		hits = hits[:q.limit]
	}
	return hits, matched
}

// searchOrder lists the targets with the point collections first: their
// search is cheap and the k-th distance it leaves bounds the search of lines
// and polygons, whose measure is dearer. The order of the answer does not
// depend on it.
func (q nearbyQuery) searchOrder() []int {
	order := make([]int, 0, len(q.targets))
	for pass := 0; pass < 2; pass++ {
		for ti := range q.targets {
			if points := q.targets[ti].snap.Collection.GeometryType == "Point"; points == (pass == 0) {
				order = append(order, ti)
			}
		}
	}
	return order
}

// searchTarget finds the k nearest features of one collection within limit
// metres, or all within the radius: by the index, or feature by feature when a
// filter leaves few.
func (q nearbyQuery) searchTarget(t *nearbyTarget, limit float64) []geo.Neighbor {
	distance := func(i int32) float64 {
		d, _ := geo.DistanceWithin(q.at, t.snap.Features[i].Geom, limit)
		return d
	}
	if few, ok := t.matches(); ok {
		var out []geo.Neighbor
		for _, i := range few {
			if d := distance(i); d <= limit {
				out = append(out, geo.Neighbor{Item: i, Distance: d})
			}
		}
		slices.SortFunc(out, geo.CompareNeighbors)
		if q.k > 0 && len(out) > q.k {
			out = out[:q.k]
		}
		return out
	}
	measure := func(i int32) (float64, bool) {
		if !t.passes(i) {
			return 0, false
		}
		return distance(i), true
	}
	if q.k > 0 {
		return t.snap.Index.Nearest(q.at, q.k, limit, measure)
	}
	return t.snap.Index.Within(q.at, q.radius, measure)
}

func (s *Server) nearby(w http.ResponseWriter, r *http.Request) error {
	return s.serveNearby(w, r, s.cat.Snapshots(), false)
}

func (s *Server) collectionNearby(w http.ResponseWriter, r *http.Request) error {
	snap, err := s.snapshot(r)
	if err != nil {
		return err
	}
	return s.serveNearby(w, r, []*catalog.Snapshot{snap}, true)
}

func (s *Server) serveNearby(w http.ResponseWriter, r *http.Request, snaps []*catalog.Snapshot, fixed bool) error {
	switch f := r.URL.Query().Get("f"); strings.ToLower(f) {
	case "", "json", "geojson", mediaJSON, mediaGeoJSON:
	default:
		return badParam("f", "unsupported format %q; /nearby answers GeoJSON (f=json)", f)
	}
	q, err := parseNearbyQuery(r, snaps, fixed, s.crs)
	if err != nil {
		return err
	}
	if notModified(w, r, nearbyETag(q, r)) {
		return nil
	}
	hits, matched := q.search()
	var buf bytes.Buffer
	buf.Grow(256 + len(hits)*512)
	buf.WriteString(`{"type":"FeatureCollection",`)
	if q.k == 0 {
		fmt.Fprintf(&buf, `"numberMatched":%d,`, matched)
	}
	fmt.Fprintf(&buf, `"numberReturned":%d,"timeStamp":%q,"links":`, len(hits), time.Now().UTC().Format(time.RFC3339))
	writeLinks(&buf, []link{{Href: s.baseURL(r) + r.URL.Path + "?" + r.URL.RawQuery, Rel: "self", Type: mediaGeoJSON}})
	buf.WriteString(`,"features":[`)
	for i, h := range hits {
		if i > 0 {
			buf.WriteByte(',')
		}
		t := &q.targets[h.target]
		writeNearbyFeature(&buf, t.snap.ID(), &t.snap.Features[h.Item], q.at, h.Distance)
	}
	buf.WriteString("]}")
	w.Header().Set("Content-Type", mediaGeoJSON)
	_, err = w.Write(buf.Bytes())
	return err
}

// writeNearbyFeature writes the feature as its collection's items do, with the
// collection, the distance and the initial bearing added to its properties, and
// for anything but a point the point of the geometry the distance is measured to.
func writeNearbyFeature(buf *bytes.Buffer, collection string, f *catalog.Feature, at orb.Point, metres float64) {
	_, nearest := geo.DistanceTo(at, f.Geom)
	bearing := math.Round(geo.Bearing(at, nearest)*10) / 10
	if bearing >= 360 {
		bearing = 0
	}
	body := f.JSON[:len(f.JSON)-2] // the stored Feature ends with the properties object: "}}"
	buf.Write(body)
	if body[len(body)-1] != '{' {
		buf.WriteByte(',')
	}
	buf.WriteString(`"collection":`)
	writeString(buf, collection)
	buf.WriteString(`,"distance_m":`)
	buf.WriteString(catalog.FormatNumber(math.Round(metres*100) / 100))
	buf.WriteString(`,"bearing_deg":`)
	buf.WriteString(catalog.FormatNumber(bearing))
	if _, point := f.Geom.(orb.Point); !point {
		fmt.Fprintf(buf, `,"nearest_point":[%s,%s]`, coord(nearest[0]), coord(nearest[1]))
	}
	buf.WriteString("}}")
}

// coord writes a degree value to 1e-7° (about a centimetre).
func coord(v float64) string { return strconv.FormatFloat(math.Round(v*1e7)/1e7, 'f', -1, 64) }

func writeString(buf *bytes.Buffer, s string) {
	b, _ := json.Marshal(s) // a string always marshals
	buf.Write(b)
}

// nearbyETag identifies a response by the versions of the collections searched and the query.
func nearbyETag(q nearbyQuery, r *http.Request) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s?%s", r.URL.Path, r.URL.RawQuery)
	for _, t := range q.targets {
		fmt.Fprintf(h, "\x00%s\x00%d", t.snap.ID(), t.snap.Version())
	}
	return fmt.Sprintf(`"nearby-%x"`, h.Sum64())
}
