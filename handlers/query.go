package handlers

import (
	"cmp"
	"errors"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/filter"
	"github.com/vn-opendata/geodata/geo"
	"github.com/vn-opendata/geodata/store"
)

// Paging limits of /items (OGC API – Features: a larger limit is clamped).
const (
	defaultLimit = 10
	maxLimit     = 10000
)

// itemsParams are the query parameters /items accepts besides the collection's
// queryables (property=value filters). Each is parsed in parseItemsQuery and
// documented in the API document.
var itemsParams = []string{"f", "lang", "limit", "offset", "bbox", "bbox-crs", "datetime",
	"properties", "sortby", "crs", "filter", "filter-lang", "filter-crs"}

// itemParams are the query parameters of one feature.
var itemParams = []string{"f", "lang", "crs"}

// itemsQuery is a parsed /items request.
type itemsQuery struct {
	limit, offset int
	bbox          *bboxFilter
	when          *interval
	filters       []propertyFilter
	filter        *filter.Expr // CQL2; nil for none
	sortKeys      []sortKey
	props         []int // selected properties in schema order; nil means all
	crs           *geo.CRS
}

// bboxFilter selects the features intersecting a box. search holds the lon/lat
// boxes to look up in the index (two across the antimeridian); for a box in a
// projected system, exact tells whether a candidate really intersects the box in
// that system, as PostGIS ST_Intersects(ST_Transform(geom, crs), box) would.
type bboxFilter struct {
	search []orb.Bound
	exact  func(g orb.Geometry) bool
}

// intersects reports whether feature f meets the bbox, as Intersecting finds it.
func (b *bboxFilter) intersects(f *catalog.Feature) bool {
	if b.exact != nil && !b.exact(f.Geom) {
		return false
	}
	for _, s := range b.search {
		if f.Bound.Intersects(s) && geo.IntersectsBound(f.Geom, s) {
			return true
		}
	}
	return false
}

type propertyFilter struct {
	index int
	value any // as the property is typed: float64 (integer, number), bool or string
}

type sortKey struct {
	index int
	desc  bool
}

func parseItemsQuery(r *http.Request, snap *catalog.Snapshot, idx *snapshotIndex, systems crsCatalog) (itemsQuery, error) {
	q := r.URL.Query()
	out := itemsQuery{limit: defaultLimit}
	var err error
	if out.filters, err = parsePropertyFilters(q, snap); err != nil {
		return out, err
	}
	if out.limit, err = intParam(q.Get("limit"), "limit", 1, defaultLimit); err != nil {
		return out, err
	}
	out.limit = min(out.limit, maxLimit)
	if out.offset, err = intParam(q.Get("offset"), "offset", 0, 0); err != nil {
		return out, err
	}
	if out.crs, err = systems.param(q.Get("crs"), "crs"); err != nil {
		return out, err
	}
	if v, ok := q["bbox"]; ok {
		bboxCRS, err := systems.param(q.Get("bbox-crs"), "bbox-crs")
		if err != nil {
			return out, err
		}
		if out.bbox, err = parseBBox(strings.Join(v, ","), bboxCRS); err != nil {
			return out, err
		}
	} else if _, err := systems.param(q.Get("bbox-crs"), "bbox-crs"); err != nil {
		return out, err
	}
	fr, err := parseFilterRequest(q, systems)
	if err != nil {
		return out, err
	}
	if fr != nil {
		if out.filter, err = fr.compile(snap); err != nil {
			return out, err
		}
	}
	if v := q.Get("datetime"); v != "" {
		if idx.temporal == nil {
			return out, badParam("datetime", "collection %s has no temporal property to filter on", snap.ID())
		}
		in, err := parseDatetime(v)
		if err != nil {
			return out, err
		}
		out.when = &in
	}
	if v, ok := q["properties"]; ok {
		if out.props, err = parseProperties(strings.Join(v, ","), snap); err != nil {
			return out, err
		}
	}
	if v := q.Get("sortby"); v != "" {
		if out.sortKeys, err = parseSortBy(v, snap); err != nil {
			return out, err
		}
	}
	return out, nil
}

// parsePropertyFilters reads name=value parameters on queryables; any other
// parameter that is not a standard one is refused by name.
func parsePropertyFilters(q map[string][]string, snap *catalog.Snapshot) ([]propertyFilter, error) {
	names := make([]string, 0, len(q))
	for name := range q {
		if !slices.Contains(itemsParams, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var out []propertyFilter
	for _, name := range names {
		i, ok := snap.Property(name)
		if !ok || !simpleType(snap.Collection.Schema[i].Type) {
			return nil, badParam(name, "unknown parameter: neither a standard parameter (%s) nor a queryable of %s",
				strings.Join(itemsParams, ", "), snap.ID())
		}
		if len(q[name]) != 1 {
			return nil, badParam(name, "give the parameter once")
		}
		v, err := typedValue(q[name][0], snap.Collection.Schema[i])
		if err != nil {
			return nil, err
		}
		out = append(out, propertyFilter{index: i, value: v})
	}
	return out, nil
}

// simpleType reports whether properties of type t can be filtered with name=value.
func simpleType(t string) bool {
	switch t {
	case "integer", "number", "boolean", "string", "date", "date-time":
		return true
	}
	return false
}

// typedValue reads a filter value as the property's type, so that 3, 3.0 and 3.00
// all match the number 3.
func typedValue(v string, p store.Property) (any, error) {
	switch p.Type {
	case "integer", "number":
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, badParam(p.Name, "%q is not a number", v)
		}
		return f, nil
	case "boolean":
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, badParam(p.Name, "%q is not true or false", v)
		}
		return b, nil
	}
	return v, nil
}

// intParam reads a non-negative integer parameter of at least least; one too
// large for an int counts as the largest (limit is clamped anyway).
func intParam(v, name string, least, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(v, "-") {
		return math.MaxInt, nil
	}
	if err != nil || n < least {
		return 0, badParam(name, "%q must be an integer of at least %d", v, least)
	}
	return n, nil
}

// parseBBox reads minx,miny,maxx,maxy (or with min/max heights, 6 numbers) in
// the axis order of c. A lon/lat box whose west edge is east of its east edge
// crosses the antimeridian and is split in two.
func parseBBox(v string, c *geo.CRS) (*bboxFilter, error) {
	parts := strings.Split(v, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return nil, badParam("bbox", "want 4 or 6 comma-separated numbers, got %d", len(parts))
	}
	n := make([]float64, len(parts))
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, badParam("bbox", "%q is not a number", p)
		}
		n[i] = f
	}
	if len(n) == 6 {
		n = []float64{n[0], n[1], n[3], n[4]}
	}
	if c.LatFirst() {
		n = []float64{n[1], n[0], n[3], n[2]}
	}
	minx, miny, maxx, maxy := n[0], n[1], n[2], n[3]
	if miny > maxy {
		return nil, badParam("bbox", "the lower edge %g is above the upper edge %g", miny, maxy)
	}
	if isCRS84Like(c) {
		return lonLatBBox(minx, miny, maxx, maxy)
	}
	if minx > maxx {
		return nil, badParam("bbox", "the left edge %g is right of the right edge %g", minx, maxx)
	}
	return projectedBBox(orb.Bound{Min: orb.Point{minx, miny}, Max: orb.Point{maxx, maxy}}, c)
}

func lonLatBBox(minx, miny, maxx, maxy float64) (*bboxFilter, error) {
	if minx < -180 || maxx > 180 || miny < -90 || maxy > 90 || minx > 180 || maxx < -180 {
		return nil, badParam("bbox", "coordinates must be longitude -180..180 and latitude -90..90")
	}
	if minx > maxx {
		return &bboxFilter{search: []orb.Bound{
			{Min: orb.Point{minx, miny}, Max: orb.Point{180, maxy}},
			{Min: orb.Point{-180, miny}, Max: orb.Point{maxx, maxy}},
		}}, nil
	}
	return &bboxFilter{search: []orb.Bound{{Min: orb.Point{minx, miny}, Max: orb.Point{maxx, maxy}}}}, nil
}

// projectedBBox finds the lon/lat envelope of a box of system c (its edges are
// curves in lon/lat), then tests candidates exactly in c.
func projectedBBox(b orb.Bound, c *geo.CRS) (*bboxFilter, error) {
	env, err := c.BoundToWGS84(b)
	if err != nil {
		return nil, badParam("bbox", "the box lies outside the area of %s: %v", c.URI(), err)
	}
	// Edges bulge between the sampled points by centimetres: a margin of metres
	// keeps every candidate; the exact test decides.
	env = env.Pad(1e-4)
	exact := func(g orb.Geometry) bool {
		pg, err := c.GeometryFromWGS84(g)
		return err == nil && geo.IntersectsBound(pg, b)
	}
	return &bboxFilter{search: []orb.Bound{env}, exact: exact}, nil
}

// splitNames splits a comma-separated list of property names of snap. A name
// may itself hold commas ("Tên cảng, bến"): the longest run of parts that names
// a property wins. prefix strips a sort direction before the lookup.
func splitNames(v string, snap *catalog.Snapshot, direction bool) ([]string, string) {
	parts := strings.Split(v, ",")
	span := 1 // the most parts a name can take: bounds the work on long lists
	for _, p := range snap.Collection.Schema {
		span = max(span, 1+strings.Count(p.Name, ","))
	}
	var out []string
	for i := 0; i < len(parts); {
		found := 0
		for j := min(len(parts), i+span); j > i; j-- {
			name := strings.TrimSpace(strings.Join(parts[i:j], ","))
			if direction {
				name = strings.TrimLeft(name, "+-")
			}
			if _, ok := snap.Property(name); ok {
				found = j
				break
			}
		}
		if found == 0 {
			return nil, strings.TrimSpace(parts[i])
		}
		out = append(out, strings.TrimSpace(strings.Join(parts[i:found], ",")))
		i = found
	}
	return out, ""
}

// parseProperties reads the names of properties= into schema positions (in
// schema order).
func parseProperties(v string, snap *catalog.Snapshot) ([]int, error) {
	out := []int{}
	if v == "" {
		return out, nil
	}
	names, bad := splitNames(v, snap, false)
	if bad != "" {
		return nil, badParam("properties", "%q is not a property of %s", bad, snap.ID())
	}
	for _, name := range names {
		i, _ := snap.Property(name)
		if !slices.Contains(out, i) {
			out = append(out, i)
		}
	}
	slices.Sort(out)
	return out, nil
}

// parseSortBy reads sortby=+a,-b: queryables, ascending unless prefixed with "-".
// A "+" written unencoded in a URL arrives as a space.
func parseSortBy(v string, snap *catalog.Snapshot) ([]sortKey, error) {
	names, bad := splitNames(v, snap, true)
	if bad != "" {
		return nil, badParam("sortby", "%q is not a sortable property of %s", bad, snap.ID())
	}
	var out []sortKey
	for _, name := range names {
		desc := strings.HasPrefix(name, "-")
		i, _ := snap.Property(strings.TrimLeft(name, "+-"))
		if !simpleType(snap.Collection.Schema[i].Type) {
			return nil, badParam("sortby", "%q is not a sortable property of %s", name, snap.ID())
		}
		out = append(out, sortKey{index: i, desc: desc})
	}
	return out, nil
}

// page returns the positions of the features of the requested page, in source
// order or in sortby order, and how many features match in all.
func (q itemsQuery) page(snap *catalog.Snapshot, idx *snapshotIndex) ([]int32, int) {
	if q.bbox == nil && q.when == nil && len(q.filters) == 0 && q.filter == nil && len(q.sortKeys) == 0 {
		// Every feature matches, in source order: no need to list them.
		n := len(snap.Features)
		start := min(q.offset, n)
		page := make([]int32, min(q.limit, n-start))
		for i := range page {
			page[i] = int32(start + i)
		}
		return page, n
	}
	if len(q.sortKeys) == 0 && q.inSourceOrder() {
		// The hits come in source order: keep the page's, count the others.
		var page []int32
		n := 0
		q.each(snap, idx, func(i int32) {
			if n >= q.offset && len(page) < q.limit {
				page = append(page, i)
			}
			n++
		})
		return page, n
	}
	hits := q.match(snap, idx)
	start := min(q.offset, len(hits))
	return hits[start : start+min(q.limit, len(hits)-start)], len(hits)
}

// inSourceOrder reports whether each yields the matches in source order: all
// but a bbox split at the antimeridian do.
func (q itemsQuery) inSourceOrder() bool { return q.bbox == nil || len(q.bbox.search) == 1 }

// match returns the positions of the matching features, in source order, or in
// sortby order when asked. The R-tree finds the candidates of a bbox, else of
// the area a filter limits; without either every feature is a candidate.
func (q itemsQuery) match(snap *catalog.Snapshot, idx *snapshotIndex) []int32 {
	var hits []int32
	q.each(snap, idx, func(i int32) { hits = append(hits, i) })
	if !q.inSourceOrder() {
		slices.Sort(hits)
	}
	if len(q.sortKeys) > 0 {
		q.sort(snap, idx, hits)
	}
	return hits
}

// each calls keep with the position of every matching feature, in source
// order when inSourceOrder says so.
func (q itemsQuery) each(snap *catalog.Snapshot, idx *snapshotIndex, keep func(int32)) {
	pass := func(i int32) {
		if q.passes(snap, idx, i) {
			keep(i)
		}
	}
	var candidates []int32
	limited := false
	if q.filter != nil {
		var within []orb.Bound
		if q.bbox != nil {
			within = q.bbox.search
		}
		candidates, limited = filterCandidates(q.filter, snap, within)
	}
	switch {
	case limited && q.bbox != nil:
		// The R-tree found the features under both the bbox and the filter's
		// area; the bbox is tested exactly here, the filter in passes.
		for _, i := range candidates {
			if q.bbox.intersects(&snap.Features[i]) {
				pass(i)
			}
		}
	case q.bbox != nil:
		var seen map[int32]bool // only a box split at the antimeridian can find a feature twice
		if len(q.bbox.search) > 1 {
			seen = map[int32]bool{}
		}
		for _, b := range q.bbox.search {
			snap.Intersecting(b, func(i int32, f *catalog.Feature) bool {
				if !seen[i] && (q.bbox.exact == nil || q.bbox.exact(f.Geom)) {
					if seen != nil {
						seen[i] = true
					}
					pass(i)
				}
				return true
			})
		}
	case limited:
		for _, i := range candidates {
			pass(i)
		}
	default:
		for i := range snap.Features {
			pass(int32(i))
		}
	}
}

func (q itemsQuery) passes(snap *catalog.Snapshot, idx *snapshotIndex, i int32) bool {
	f := &snap.Features[i]
	for _, pf := range q.filters {
		if !equalValue(f.Props[pf.index], pf.value) {
			return false
		}
	}
	if q.when != nil {
		t := idx.temporal.times[i]
		if t.start.IsZero() || !t.intersects(*q.when) {
			return false
		}
	}
	return q.filter == nil || selects(q.filter, f)
}

func equalValue(v, want any) bool {
	switch v := v.(type) {
	case int64:
		w, ok := want.(float64)
		return ok && float64(v) == w
	case float64:
		w, ok := want.(float64)
		return ok && v == w
	}
	return v == want
}

// sort orders hits by the sort keys, stably (ties keep source order). Nulls
// come last in ascending and first in descending order, as in PostgreSQL; text
// compares in Vietnamese alphabetical order.
func (q itemsQuery) sort(snap *catalog.Snapshot, idx *snapshotIndex, hits []int32) {
	ranks := make([][]int32, len(q.sortKeys))
	for k, key := range q.sortKeys {
		if snap.Collection.Schema[key.index].Type == "string" {
			ranks[k] = idx.textRanks(key.index)
		}
	}
	slices.SortStableFunc(hits, func(a, b int32) int {
		for k, key := range q.sortKeys {
			va, vb := snap.Features[a].Props[key.index], snap.Features[b].Props[key.index]
			var c int
			if ranks[k] != nil && va != nil && vb != nil {
				c = cmp.Compare(ranks[k][a], ranks[k][b])
			} else {
				c = compareValues(va, vb)
			}
			if key.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
}

// compareValues orders two values of one property, nil after everything (so,
// reversed for descending order, nulls come first). Text compares by bytes, which
// orders dates and times; names go by rank (textRanks).
func compareValues(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	switch a := a.(type) {
	case int64:
		return cmp.Compare(float64(a), toFloat(b))
	case float64:
		return cmp.Compare(a, toFloat(b))
	case bool:
		bb, _ := b.(bool)
		return cmp.Compare(boolInt(a), boolInt(bb))
	case string:
		bs, _ := b.(string)
		return strings.Compare(a, bs)
	}
	return 0
}

func toFloat(v any) float64 {
	switch v := v.(type) {
	case int64:
		return float64(v)
	case float64:
		return v
	}
	return math.NaN()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
