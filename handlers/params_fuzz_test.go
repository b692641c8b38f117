package handlers

import (
	"errors"
	"math"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/geo"
	"github.com/vn-opendata/geodata/tiles"
)

// paramRefused checks a parser's refusal: a 4xx exception that names the
// parameter (412 for If-Match, which has no parameter).
func paramRefused(t *testing.T, parser, in string, err error, statuses ...int) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%s(%q): %v is not an exception", parser, in, err)
	}
	for _, s := range statuses {
		if e.Status == s {
			return
		}
	}
	t.Fatalf("%s(%q): status %d %v", parser, in, e.Status, err)
}

// Every parser of request parameters gets every input: bbox (in CRS84, in a
// latitude-first and in a projected system), datetime, crs, sortby,
// properties, property filters, If-Match, tile coordinates, the nearby search
// and a whole items query string. None panics; a refusal is a 4xx naming the parameter; what is
// accepted holds together. One target, so that one fuzzing run of N minutes
// gives each parser N minutes.
func FuzzRequestParams(f *testing.F) {
	for _, s := range []string{
		"1,2,3,4", "170,-10,-170,10", "1,2,3,4,5,6", "600000,2350000,610000,2360000", "21,106,22,107", "nan,1,2,3",
		"1e308,-1e308,1e308,1e308", "2020-01-01/..", "../2020-01-01", "2020-02-29T12:00:00+07:00", "2021-01-01/2020-01-01",
		"EPSG:4326", "http://www.opengis.net/def/crs/OGC/1.3/CRS84", "[EPSG:9214]", "urn:ogc:def:crs:EPSG::3405",
		"-n,s", "+i,-d", "a, b,s", "s=Đông&n=1.50&b=true", "limit=99999999999999999999&offset=-1",
		`"g1r2v3-00ff"`, `W/"g1r2v3-0"`, "*", "lon=106.2&lat=21.3&k=5", "lon=106.2&lat=21.3&radius=500&limit=3",
		"14/13000/7000", "0/0/0", "15/0/0", "3/8/1", "+1/0/0", "-0", "99999999999999999999",
		"'; DROP TABLE features;--", "1 OR 1=1", `") OR ("1"="1`, "%00", "\xff\xfe",
	} {
		f.Add(s)
	}
	snap := tinySnapshot(f)
	idx := (&snapshotIndexes{}).of(snap)
	region, err := catalog.LoadRegion(catalog.DefaultRegion)
	if err != nil {
		f.Fatal(err)
	}
	systems, err := newCRSCatalog(region)
	if err != nil {
		f.Fatal(err)
	}
	var lonLat, latLon, projected *geo.CRS
	for _, c := range systems {
		switch {
		case c.URI() == crs84:
			lonLat = c
		case c.URI() == epsg4326:
			latLon = c
		case !c.LatFirst() && !isCRS84Like(c) && projected == nil:
			projected = c
		}
	}
	if lonLat == nil || latLon == nil || projected == nil {
		f.Fatal("the served systems lack CRS84, EPSG:4326 or a projected system")
	}
	snaps := []*catalog.Snapshot{snap}
	srv := &Server{tiler: tiles.NewTiler(tiles.Options{})}
	maxZoom := srv.tiler.Options().MaxZoom
	if maxZoom < 1 {
		f.Fatalf("tile maximum zoom %d", maxZoom)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, c := range []*geo.CRS{lonLat, latLon, projected} {
			b, err := parseBBox(in, c)
			if err != nil {
				paramRefused(t, "parseBBox", in, err, 400)
				continue
			}
			if len(b.search) == 0 {
				t.Fatalf("parseBBox(%q, %s): no search box", in, c.Code())
			}
			for _, s := range b.search {
				if !(s.Min[0] <= s.Max[0] && s.Min[1] <= s.Max[1]) || math.IsNaN(s.Min[0]+s.Min[1]+s.Max[0]+s.Max[1]) {
					t.Fatalf("parseBBox(%q, %s): box %v", in, c.Code(), s)
				}
			}
		}
		if iv, err := parseDatetime(in); err != nil {
			paramRefused(t, "parseDatetime", in, err, 400)
		} else if !iv.start.IsZero() && !iv.end.IsZero() && iv.end.Before(iv.start) {
			t.Fatalf("parseDatetime(%q): end %v before start %v", in, iv.end, iv.start)
		}
		if c, err := systems.param(in, "crs"); err != nil {
			paramRefused(t, "crs", in, err, 400)
		} else if c == nil || c.URI() == "" {
			t.Fatalf("crs(%q): %v", in, c)
		}
		if keys, err := parseSortBy(in, snap); err != nil {
			paramRefused(t, "parseSortBy", in, err, 400)
		} else {
			for _, k := range keys {
				if k.index < 0 || k.index >= len(snap.Collection.Schema) {
					t.Fatalf("parseSortBy(%q): key %d", in, k.index)
				}
			}
		}
		if props, err := parseProperties(in, snap); err != nil {
			paramRefused(t, "parseProperties", in, err, 400)
		} else {
			for _, p := range props {
				if p < 0 || p >= len(snap.Collection.Schema) {
					t.Fatalf("parseProperties(%q): index %d", in, p)
				}
			}
		}
		r := httptest.NewRequest("GET", "/collections/tiny/items", nil)
		r.Header.Set("If-Match", in)
		if rev, _, err := ifMatch(r); err != nil {
			paramRefused(t, "ifMatch", in, err, 412)
		} else if rev != nil && *rev < 0 {
			t.Fatalf("ifMatch(%q): rev %d", in, *rev)
		}
		zxy := append(strings.SplitN(in, "/", 3), "0", "0")
		for _, c := range [][3]string{{in, "0", "0"}, {"1", in, "0"}, {"1", "0", in}, {zxy[0], zxy[1], zxy[2]}} {
			tile, err := srv.parseTile(c[0], c[1], c[2], "z", "x", "y")
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || (e.Status != 400 && e.Status != 404) || e.Parameter == "" {
					t.Fatalf("parseTile(%q): %v", c, err)
				}
				continue
			}
			if int(tile.Z) > maxZoom || uint64(tile.X) >= 1<<tile.Z || uint64(tile.Y) >= 1<<tile.Z {
				t.Fatalf("parseTile(%q): %v", c, tile)
			}
		}
		// The input as a query string: property filters, the items query, the
		// nearby search.
		r.URL.RawQuery = in
		_, emptyName := r.URL.Query()[""]
		named := func(parser string, err error) {
			var e *Error
			if !errors.As(err, &e) || e.Status != 400 || (e.Parameter == "" && !emptyName) {
				t.Fatalf("%s(%q): %v", parser, in, err)
			}
		}
		if _, err := parsePropertyFilters(r.URL.Query(), snap); err != nil {
			named("parsePropertyFilters", err)
		}
		if q, err := parseItemsQuery(r, snap, idx, systems); err != nil {
			named("parseItemsQuery", err)
		} else if q.limit < 1 || q.limit > maxLimit || q.offset < 0 {
			t.Fatalf("parseItemsQuery(%q): limit %d offset %d", in, q.limit, q.offset)
		}
		for _, fixed := range []bool{false, true} {
			q, err := parseNearbyQuery(r, snaps, fixed, systems)
			if err != nil {
				named("parseNearbyQuery", err)
				continue
			}
			if math.Abs(q.at[0]) > 180 || math.Abs(q.at[1]) > 90 || q.k < 0 || q.limit < 0 || !(q.radius > 0) {
				t.Fatalf("parseNearbyQuery(%q): %+v", in, q)
			}
		}
		// And as one value of each parameter, as a client would encode it.
		r.URL.RawQuery = url.Values{"bbox": {in}, "datetime": {in}, "sortby": {in}, "properties": {in}, "crs": {in}}.Encode()
		if _, err := parseItemsQuery(r, snap, idx, systems); err != nil {
			named("parseItemsQuery", err)
		}
		// And as a filter in each language.
		for _, lang := range []string{"cql2-text", "cql2-json", "cql-text"} {
			r.URL.RawQuery = url.Values{"filter": {in}, "filter-lang": {lang}}.Encode()
			if _, err := parseItemsQuery(r, snap, idx, systems); err != nil {
				named("parseItemsQuery", err)
			}
		}
	})
}
