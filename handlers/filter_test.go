package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/filter"
	"github.com/vn-opendata/geodata/filter/filtertest"
)

// queryablesOf are the names a filter of snap may use, as the server offers
// them (its /queryables): every property, and the geometry as geometry or geom.
func queryablesOf(snap *catalog.Snapshot) filter.Queryables {
	q := filter.Queryables{Geometry: []string{"geometry", "geom"}}
	for _, p := range snap.Collection.Schema {
		q.Properties = append(q.Properties, filter.Queryable{Name: p.Name, Type: filter.Type(p.Type)})
	}
	return q
}

// pgFilterIDs runs a CQL2 filter in PostGIS, compiled to SQL by package filter,
// over the collection's current generation and returns the ids it selects,
// sorted; where adds conditions with arguments after the filter's.
func pgFilterIDs(t *testing.T, e *env, coll, src, lang, where string, args ...any) []string {
	t.Helper()
	snap, ok := e.Cat.Snapshot(coll)
	if !ok {
		t.Fatalf("no collection %s", coll)
	}
	x, err := filter.Parse(src, lang, queryablesOf(snap))
	if err != nil {
		t.Fatalf("%s: %s: %v", coll, src, err)
	}
	all := []any{coll}
	sql := " AND " + strings.ReplaceAll(x.SQL(&all), "%", "%%") // dbQuery formats the generation in
	for _, a := range args {
		all = append(all, a)
		where = strings.Replace(where, "$?", fmt.Sprintf("$%d", len(all)), 1)
	}
	ids := dbIDs(t, e, coll, sql+where, all[1:]...)
	slices.Sort(ids) // Go's order, not the database collation's
	return ids
}

// filterURL is the items of coll selected by a filter, all on one page.
func filterURL(e *env, coll string, params ...string) string {
	v := url.Values{"limit": {"10000"}}
	for i := 0; i+1 < len(params); i += 2 {
		v.Set(params[i], params[i+1])
	}
	return e.URL + "/collections/" + coll + "/items?" + v.Encode()
}

// itemIDs fetches a page of items and returns its ids, sorted, checking that
// numberMatched counts them all.
func itemIDs(t *testing.T, fetch func(url string, v any) *http.Response, u string) []string {
	t.Helper()
	var fc featureCollection
	if resp := fetch(u, &fc); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	ids := make([]string, len(fc.Features))
	for i, f := range fc.Features {
		ids[i] = f.ID
	}
	if fc.NumberMatched != len(ids) {
		t.Errorf("GET %s: numberMatched %d, %d features on the one page", u, fc.NumberMatched, len(ids))
	}
	slices.Sort(ids)
	return ids
}

func plainGet(t *testing.T) func(string, any) *http.Response {
	return func(u string, v any) *http.Response { return get(t, u, v) }
}

// The HTTP differential test: hundreds of random filters (package filtertest)
// over every sample collection, sent over HTTP to items in CQL2 text, in CQL2
// JSON or with a bbox besides, select exactly the features PostGIS selects with
// the SQL compiled from the same filter on the collection's current generation.
func TestItemsFilterEqualsPostGIS(t *testing.T) {
	e := sampleEnv(t)
	total, partial := 0, 0
	for ci, snap := range e.Cat.Snapshots() {
		coll := snap.ID()
		if len(snap.Features) == 0 {
			continue
		}
		g := filtertest.New(snap, uint64(100+ci))
		for i := range 40 {
			src := g.Next()
			params := []string{"filter", src}
			var where string
			var args []any
			switch i % 4 {
			case 1: // the same filter in CQL2 JSON
				x, err := filter.Parse(src, filter.LangText, queryablesOf(snap))
				if err != nil {
					t.Fatalf("%s: %s: %v", coll, src, err)
				}
				js, err := x.MarshalJSON()
				if err != nil {
					t.Fatal(err)
				}
				params = []string{"filter", string(js), "filter-lang", "cql2-json"}
			case 2: // with a bbox around a random feature: the R-tree and the filter together
				b := snap.Features[(i*7919)%len(snap.Features)].Bound.Pad(0.05)
				box := [4]float64{round6(b.Min[0]), round6(b.Min[1]), round6(b.Max[0]), round6(b.Max[1])}
				params = append(params, "bbox", fmt.Sprintf("%s,%s,%s,%s", ftoa(box[0]), ftoa(box[1]), ftoa(box[2]), ftoa(box[3])))
				where = " AND ST_Intersects(f.geom, ST_MakeEnvelope($?, $?, $?, $?, 4326))"
				args = []any{box[0], box[1], box[2], box[3]}
			}
			got := itemIDs(t, plainGet(t), filterURL(e, coll, params...))
			want := pgFilterIDs(t, e, coll, src, filter.LangText, where, args...)
			total++
			if !slices.Equal(got, want) {
				t.Errorf("%s: %v\nover HTTP %d %v\nPostGIS   %d %v", coll, params, len(got), clipIDs(got), len(want), clipIDs(want))
				continue
			}
			if len(got) > 0 && len(got) < len(snap.Features) {
				partial++
			}
		}
	}
	t.Logf("%d filters over HTTP, %d select some but not all features", total, partial)
	if total < 300 || partial < total/3 {
		t.Errorf("%d filters, %d select some but not all: too few to tell", total, partial)
	}
}

func clipIDs(ids []string) []string {
	if len(ids) > 10 {
		return append(ids[:10:10], "…")
	}
	return ids
}

// errorDoc is the exception document of a 4xx.
type errorDoc struct {
	Status      int
	Code        string
	Description string
	Parameter   string
}

// A bad filter answers 400 naming the parameter and saying what is wrong and
// where; every bound holds.
func TestItemsFilterRefusals(t *testing.T) {
	e := sampleEnv(t)
	long := "\"Tên trường\" = '" + strings.Repeat("a", 17<<10) + "'"
	line := "S_INTERSECTS(geometry, LINESTRING(" + strings.Repeat("0 0,1 1,", 1000) + "0 0))"
	lineJSON := `{"op":"s_intersects","args":[{"property":"geometry"},{"type":"MultiPoint","coordinates":[` +
		strings.Repeat("[0,0],", 2000) + `[0,0]]}]}`
	collection := "S_INTERSECTS(geometry, GEOMETRYCOLLECTION(LINESTRING(" + strings.Repeat("0 0,1 1,", 500) + "0 0), MULTIPOINT(" +
		strings.Repeat("0 0,", 1000) + "0 0)))"
	for _, c := range []struct {
		params []string
		param  string
		says   []string // the description contains each
	}{
		{[]string{"filter", `"Không có" = 1`}, "filter", []string{"Không có", "character 1"}},
		{[]string{"filter", `"Tên trường" = 5`}, "filter", []string{"Tên trường"}},
		{[]string{"filter", `"Số học sinh" > 'nhiều'`}, "filter", []string{"Số học sinh"}},
		{[]string{"filter", `"Số học sinh" >`}, "filter", []string{"character 16"}},
		{[]string{"filter", `S_INTERSECTS(geometry, POINT(106 21)`}, "filter", []string{"character"}},
		{[]string{"filter", `{"op": "=", "args": [{"property": "Số học sinh"}]}`, "filter-lang", "cql2-json"}, "filter", []string{"/"}},
		{[]string{"filter", `{"op": "="`, "filter-lang", "cql2-json"}, "filter", []string{"cql2-json"}},
		{[]string{"filter", long}, "filter", []string{"bytes"}},
		{[]string{"filter", line}, "filter", []string{"2001 positions", "2000"}},
		{[]string{"filter", lineJSON, "filter-lang", "cql2-json"}, "filter", []string{"2001 positions"}},
		{[]string{"filter", collection}, "filter", []string{"2002 positions"}},
		{[]string{"filter", strings.Repeat("(", 200) + "TRUE" + strings.Repeat(")", 200)}, "filter", []string{"nested"}},
		{[]string{"filter", "TRUE", "filter-lang", "cql3"}, "filter-lang", []string{"cql2-text"}},
		{[]string{"filter", "TRUE", "filter-crs", "http://www.opengis.net/def/crs/EPSG/0/9999"}, "filter-crs", nil},
		{[]string{"filter", `"Huyện" = 'Lục Ngạn'`, "bbox", "1,2,3"}, "bbox", nil},
	} {
		var doc errorDoc
		u := filterURL(e, "schools", c.params...)
		resp := get(t, u, &doc)
		desc := fmt.Sprintf("%.80s", strings.Join(c.params, " "))
		if resp.StatusCode != http.StatusBadRequest || doc.Parameter != c.param {
			t.Errorf("%s: %d naming %q, want 400 naming %q: %s", desc, resp.StatusCode, doc.Parameter, c.param, doc.Description)
			continue
		}
		for _, s := range c.says {
			if !strings.Contains(doc.Description, s) {
				t.Errorf("%s: %q does not say %q", desc, doc.Description, s)
			}
		}
	}
	// The same parameter twice is refused, not one of them silently used.
	var doc errorDoc
	u := filterURL(e, "schools", "filter", "TRUE") + "&filter=FALSE"
	if resp := get(t, u, &doc); resp.StatusCode != http.StatusBadRequest || doc.Parameter != "filter" {
		t.Errorf("filter twice: %d %+v", resp.StatusCode, doc)
	}
}

// ACCENTI finds Vietnamese names typed without accents; cql-text, GDAL's
// name, reads as cql2-text; filter-crs reads the literals in the system given,
// in its axis order (EPSG:4326 latitude first); each selects what PostGIS does.
func TestItemsFilterLanguagesAndCRS(t *testing.T) {
	e := sampleEnv(t)
	accenti := `ACCENTI("Tên trường") LIKE ACCENTI('truong thpt%')`
	got := itemIDs(t, plainGet(t), filterURL(e, "schools", "filter", accenti))
	want := dbIDs(t, e, "schools", ` AND f.properties->>'Tên trường' LIKE 'Trường THPT%%'`)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("ACCENTI: %d schools, %d named Trường THPT…", len(got), len(want))
	}
	if pg := pgFilterIDs(t, e, "schools", accenti, filter.LangText, ""); !slices.Equal(pg, want) {
		t.Errorf("ACCENTI in SQL: %d schools, %d named Trường THPT…", len(pg), len(want))
	}

	src := `"Số học sinh" > 700 AND S_INTERSECTS(geometry, BBOX(106.3, 21.2, 106.7, 21.5))`
	want = pgFilterIDs(t, e, "schools", src, filter.LangText, "")
	if len(want) == 0 {
		t.Fatal("no school for the filter")
	}
	for _, params := range [][]string{
		{"filter", src, "filter-lang", "cql-text"},
		{"filter", src, "filter-lang", "cql2-text"},
		{"filter", `"Số học sinh" > 700 AND S_INTERSECTS(geometry, BBOX(21.2, 106.3, 21.5, 106.7))`,
			"filter-crs", "http://www.opengis.net/def/crs/EPSG/0/4326"},
		{"filter", `"Số học sinh" > 700 AND S_INTERSECTS(geometry, BBOX(106.3, 21.2, 106.7, 21.5))`,
			"filter-crs", "http://www.opengis.net/def/crs/OGC/1.3/CRS84"},
		{"filter", `{"op":"and","args":[{"op":">","args":[{"property":"Số học sinh"},700]},` +
			`{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[106.3,21.2,106.7,21.5]}]}]}`, "filter-lang", "cql2-json"},
	} {
		if got := itemIDs(t, plainGet(t), filterURL(e, "schools", params...)); !slices.Equal(got, want) {
			t.Errorf("%v: %d schools, PostGIS %d", params, len(got), len(want))
		}
	}
	// Paging by next links keeps the filter.
	paged := allItems(t, e.URL+"/collections/schools/items?"+url.Values{"filter": {src}, "limit": {"7"}}.Encode())
	slices.Sort(paged)
	if !slices.Equal(paged, want) {
		t.Errorf("paging by 7: %d schools, PostGIS %d", len(paged), len(want))
	}
	// The bbox parameter and the filter's area overlap: the R-tree searches
	// where both are, and the answer is what PostGIS finds under both.
	box := []any{106.35, 21.25, 106.8, 21.6}
	want = pgFilterIDs(t, e, "schools", src, filter.LangText, " AND ST_Intersects(f.geom, ST_MakeEnvelope($?, $?, $?, $?, 4326))", box...)
	got = itemIDs(t, plainGet(t), filterURL(e, "schools", "filter", src, "bbox", "106.35,21.25,106.8,21.6"))
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("bbox and filter: %d schools, PostGIS %d", len(got), len(want))
	}
	// GDAL 3.6 writes names with spaces bare and ILIKE; as cql-text they read as GDAL means them.
	gdalSrc := `(Số học sinh > 700) AND (Huyện ILIKE 'lục ngạn')`
	want = dbIDs(t, e, "schools", ` AND (f.properties->>'Số học sinh')::int > 700 AND lower(f.properties->>'Huyện') = 'lục ngạn'`)
	got = itemIDs(t, plainGet(t), filterURL(e, "schools", "filter", gdalSrc, "filter-lang", "cql-text"))
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("GDAL's cql-text: %d schools, PostGIS %d", len(got), len(want))
	}
	var doc errorDoc
	if resp := get(t, filterURL(e, "schools", "filter", gdalSrc), &doc); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("GDAL's filter as strict cql2-text: %d", resp.StatusCode)
	}
}

// /nearby takes a filter too: in radius mode it finds exactly the features
// PostGIS finds within the radius that the filter selects, over every
// collection the filter fits; a filter that fits none answers 400.
func TestNearbyFilter(t *testing.T) {
	e := sampleEnv(t)
	at := e.Region.Center
	const radius = 8000
	near := " AND ST_DWithin(f.geom::geography, ST_SetSRID(ST_MakePoint($?, $?), 4326)::geography, $?, true)"
	src := `ACCENTI("Huyện") <> ACCENTI('thanh pho bac giang') OR S_INTERSECTS(geometry, BBOX(` +
		fmt.Sprintf("%g, %g, %g, %g", at[0], at[1], at[0]+0.05, at[1]+0.05) + `))`
	for _, path := range []string{"/nearby", "/collections/schools/nearby"} {
		u := e.URL + path + "?" + url.Values{"lon": {ftoa(at[0])}, "lat": {ftoa(at[1])}, "radius": {ftoa(radius)},
			"limit": {"1000"}, "filter": {src}}.Encode()
		var fc struct {
			Features []nearbyResult
		}
		if resp := get(t, u, &fc); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", u, resp.StatusCode)
		}
		got := map[string][]string{}
		for _, f := range fc.Features {
			c := f.Properties["collection"].(string)
			got[c] = append(got[c], f.ID)
		}
		// Of the sample collections, those with a Huyện property are searched.
		for _, snap := range e.Cat.Snapshots() {
			if _, ok := snap.Property("Huyện"); !ok || path != "/nearby" && snap.ID() != "schools" {
				if len(got[snap.ID()]) > 0 {
					t.Errorf("%s: %s does not fit the filter but is searched", path, snap.ID())
				}
				continue
			}
			want := pgFilterIDs(t, e, snap.ID(), src, filter.LangText, near, at[0], at[1], float64(radius))
			slices.Sort(got[snap.ID()])
			if len(want) == 0 || !slices.Equal(got[snap.ID()], want) {
				t.Errorf("%s: %s: %d found, PostGIS %d", path, snap.ID(), len(got[snap.ID()]), len(want))
			}
		}
	}
	var doc errorDoc
	u := e.URL + "/nearby?" + url.Values{"lon": {ftoa(at[0])}, "lat": {ftoa(at[1])}, "filter": {`"Không có" > 1`}}.Encode()
	if resp := get(t, u, &doc); resp.StatusCode != http.StatusBadRequest || doc.Parameter != "filter" ||
		!strings.Contains(doc.Description, "Không có") {
		t.Errorf("nearby, unknown property: %d %+v", resp.StatusCode, doc)
	}
}
