package handlers

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/filter"
	"github.com/vn-opendata/geodata/geo"
)

// maxFilterLength bounds the text of a filter (bytes, as decoded from the URL):
// a longer one answers 400 naming filter, where the whole query string
// (maxQueryBytes, which a filter this long URL-encoded fits) would answer 414.
const maxFilterLength = 16 << 10

// filterParams are the parameters of OGC API – Features Part 3 (filtering with
// CQL2) that items and nearby accept.
var filterParams = []string{"filter", "filter-lang", "filter-crs"}

// geometryNames are the names a filter may give the feature geometry:
// "geometry", as the queryables list it, and "geom", as the CQL2 test suite
// calls it — each unless a property has that name.
var geometryNames = []string{"geometry", "geom"}

// filterRequest is the filter of a request, read and checked for syntax but
// not yet against a collection's queryables.
type filterRequest struct {
	src, lang string       // lang: filter.LangText or filter.LangJSON
	root      *filter.Node // nil when a cql-text filter does not parse as it is
	opts      []filter.Option
	// legacy is set for cql-text, the name GDAL 3.6 sends: its filters are
	// read as GDAL writes them (filter_gdal.go); err is the answer when even
	// that reading fails.
	legacy bool
	err    error
}

// parseFilterRequest reads filter, filter-lang and filter-crs. It returns nil
// when the request has no filter (filter-lang and filter-crs are checked even then).
func parseFilterRequest(q url.Values, systems crsCatalog) (*filterRequest, error) {
	for _, name := range filterParams {
		if len(q[name]) > 1 {
			return nil, badParam(name, "give the parameter once")
		}
	}
	lang, legacy := q.Get("filter-lang"), false
	switch lang {
	case filter.LangTextOld:
		legacy = true
		lang = filter.LangText
	case "", filter.LangText:
		lang = filter.LangText
	case filter.LangJSON:
	default:
		return nil, badParam("filter-lang", "%q is not supported; use one of %s", lang, strings.Join(filter.Langs, ", "))
	}
	c, err := systems.param(q.Get("filter-crs"), "filter-crs")
	if err != nil {
		return nil, err
	}
	if !q.Has("filter") {
		return nil, nil
	}
	src := q.Get("filter")
	if len(src) > maxFilterLength {
		return nil, badParam("filter", "the filter is %d bytes long; at most %d are accepted", len(src), maxFilterLength)
	}
	var root *filter.Node
	if lang == filter.LangJSON {
		root, err = filter.ParseJSON(src)
	} else {
		root, err = filter.ParseText(src)
	}
	if n := positions(root); n > maxFilterVertices {
		return nil, badParam("filter", "the geometries of the filter have %d positions; at most %d are accepted", n, maxFilterVertices)
	}
	f := &filterRequest{src: src, lang: lang, root: root, legacy: legacy}
	if err != nil {
		if !legacy {
			return nil, badParam("filter", "%v", err)
		}
		f.err = badParam("filter", "%v", err)
	}
	if c.URI() != crs84 {
		f.opts = append(f.opts, filter.WithTransform(func(g orb.Geometry) (orb.Geometry, error) {
			out, err := fromCRS(g, c)
			if err != nil {
				return nil, fmt.Errorf("in filter-crs %s: %w", c.URI(), err)
			}
			return out, nil
		}))
	}
	return f, nil
}

// positions counts the positions of the geometry literals of a tree (0 for nil).
func positions(n *filter.Node) int {
	if n == nil {
		return 0
	}
	total := 0
	if g, ok := n.Value.(orb.Geometry); ok && n.Op == filter.OpGeometry {
		total += geo.PointCount(g)
	}
	for _, a := range n.Args {
		total += positions(a)
	}
	return total
}

// compile checks the filter against the queryables of snap.
func (f *filterRequest) compile(snap *catalog.Snapshot) (*filter.Expr, error) {
	root, src := f.root, f.src
	if f.legacy {
		var err error
		if root, src, err = f.gdalTree(snap); err != nil {
			return nil, err
		}
	}
	e, err := filter.Compile(root, src, f.lang, filterQueryables(snap), f.opts...)
	if err != nil {
		return nil, badParam("filter", "%v", err)
	}
	return e, nil
}

// filterQueryables are the names a filter of snap may use: every property, in
// schema order (the filter refuses those of a type it cannot compare, such as
// objects), and the geometry.
func filterQueryables(snap *catalog.Snapshot) filter.Queryables {
	schema := snap.Collection.Schema
	q := filter.Queryables{Properties: make([]filter.Queryable, len(schema))}
	for i, p := range schema {
		q.Properties[i] = filter.Queryable{Name: p.Name, Type: filter.Type(p.Type)}
	}
	for _, name := range geometryNames {
		if _, ok := snap.Property(name); !ok {
			q.Geometry = append(q.Geometry, name)
		}
	}
	return q
}

// filterFeature shows a snapshot's feature to a filter (filter.Feature)
// without copying it.
type filterFeature catalog.Feature

func (f *filterFeature) Property(i int) any     { return f.Props[i] }
func (f *filterFeature) Geometry() orb.Geometry { return f.Geom }

// selects reports whether filter e selects feature f.
func selects(e *filter.Expr, f *catalog.Feature) bool { return e.Match((*filterFeature)(f)) }

// filterCandidates returns the positions of the features of snap that e can
// select, in source order, when the filter limits the area: those the R-tree
// finds under e's box (and under one of within's boxes, when within is not
// nil; the bbox parameter) — none when the boxes do not meet. Else it returns
// nil and false.
func filterCandidates(e *filter.Expr, snap *catalog.Snapshot, within []orb.Bound) ([]int32, bool) {
	b, ok := e.BBox()
	if !ok {
		return nil, false
	}
	boxes := []orb.Bound{b}
	if within != nil {
		boxes = boxes[:0]
		for _, w := range within {
			if w.Intersects(b) {
				boxes = append(boxes, orb.Bound{Min: orb.Point{max(w.Min[0], b.Min[0]), max(w.Min[1], b.Min[1])},
					Max: orb.Point{min(w.Max[0], b.Max[0]), min(w.Max[1], b.Max[1])}})
			}
		}
	}
	out := []int32{}
	for _, b := range boxes {
		if b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] {
			continue
		}
		snap.Index.Search(b, func(i int32) bool {
			out = append(out, i)
			return true
		})
	}
	slices.Sort(out)
	return slices.Compact(out), true
}

// The CQL2 that filters may use, for the queryables (x-cql2): what package
// filter implements and tests on the standard's test suite; the conformance
// checkers of the handlers' tests send filters of every class over HTTP.
var (
	cql2Operators = []string{"AND", "OR", "NOT", "=", "<>", "<", ">", "<=", ">=", "LIKE", "NOT LIKE",
		"BETWEEN", "NOT BETWEEN", "IN", "NOT IN", "IS NULL", "IS NOT NULL", "+", "-", "*", "/", "%", "div", "^"}
	cql2Functions = []string{"CASEI", "ACCENTI",
		"S_INTERSECTS", "S_EQUALS", "S_DISJOINT", "S_TOUCHES", "S_WITHIN", "S_OVERLAPS", "S_CROSSES", "S_CONTAINS",
		"T_AFTER", "T_BEFORE", "T_CONTAINS", "T_DISJOINT", "T_DURING", "T_EQUALS", "T_FINISHEDBY", "T_FINISHES",
		"T_INTERSECTS", "T_MEETS", "T_METBY", "T_OVERLAPPEDBY", "T_OVERLAPS", "T_STARTEDBY", "T_STARTS"}
	cql2Literals = []string{"'text'", "number", "TRUE", "FALSE", "DATE('YYYY-MM-DD')", "TIMESTAMP('YYYY-MM-DDThh:mm:ssZ')",
		"INTERVAL(start, end)", "BBOX(minx, miny, maxx, maxy)", "POINT", "LINESTRING", "POLYGON", "MULTIPOINT",
		"MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION"}
)

// cql2Language describes what a filter may use besides the queryables.
func cql2Language() map[string]any {
	return map[string]any{
		"filter-lang": filter.Langs,
		"conformance": filter.Conformance,
		"operators":   cql2Operators,
		"functions":   cql2Functions,
		"literals":    cql2Literals,
		"notes": "ACCENTI ignores accents, đ and case (ACCENTI(name) LIKE ACCENTI('truong%') finds Trường); " +
			"text compares by code point; geometry literals are in filter-crs (default CRS84, lon/lat), " +
			"GeoJSON geometries too in cql2-json.",
	}
}
