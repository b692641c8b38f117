package handlers_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/vn-opendata/geodata/filter"
)

// classFilter is a filter on one sample collection that uses a conformance
// class of CQL2.
type classFilter struct {
	coll, src string
}

// cql2ClassFilters are the filters that check each class of CQL2 the server
// declares: each selects over HTTP exactly what PostGIS selects, and at least
// one of each class selects some but not all features.
var cql2ClassFilters = map[string][]classFilter{
	"basic-cql2": {
		{"schools", `"Số học sinh" > 1000 AND "Huyện" = 'Lục Ngạn'`},
		{"schools", `NOT ("Cấp học" = 'Mầm non') OR "Số học sinh" <= 200`},
		{"schools", `"Điện thoại" IS NULL OR "Số học sinh" >= 1500`},
		{"schools", `"Ngày thành lập" < DATE('1990-01-01')`},
		{"parking", `mo_cua_24h = TRUE AND huyen <> 'Lục Nam'`},
	},
	"advanced-comparison-operators": {
		{"schools", `"Tên trường" LIKE 'Trường THPT%'`},
		{"schools", `"Tên trường" NOT LIKE '%Tiểu học _%'`},
		{"schools", `"Số học sinh" BETWEEN 500 AND 800`},
		{"schools", `"Số học sinh" NOT BETWEEN 100 AND 1500`},
		{"schools", `"Huyện" IN ('Lục Ngạn', 'Yên Thế')`},
		{"parking", `suc_chua NOT IN (50, 60, 70)`},
	},
	"case-insensitive-comparison": {
		{"schools", `CASEI("Cấp học") = CASEI('TIỂU HỌC')`},
		{"schools", `CASEI("Tên trường") LIKE CASEI('trường thpt%')`},
	},
	"accent-insensitive-comparison": {
		{"schools", `ACCENTI("Tên trường") LIKE ACCENTI('truong thpt%')`},
		{"schools", `ACCENTI("Huyện") = ACCENTI('luc ngan')`},
		{"bts-sites", `ACCENTI(dia_chi) LIKE ACCENTI('%dong%')`},
	},
	"basic-spatial-functions": {
		{"schools", `S_INTERSECTS(geometry, BBOX(106.3, 21.2, 106.7, 21.5))`},
		{"bus-routes", `S_INTERSECTS(geometry, BBOX(106.1, 21.2, 106.25, 21.3))`},
		{"schools", `NOT S_INTERSECTS(geom, BBOX(106.3, 21.2, 106.7, 21.5))`},
	},
	"basic-spatial-functions-plus": {
		{"bus-routes", `S_INTERSECTS(geometry, POLYGON((106.1 21.2, 106.3 21.2, 106.3 21.35, 106.1 21.2)))`},
		{"bus-routes", `S_INTERSECTS(geometry, LINESTRING(106.0 21.2, 106.5 21.4))`},
		{"schools", `S_INTERSECTS(geometry, MULTIPOLYGON(((106.1 21.2, 106.3 21.2, 106.3 21.35, 106.1 21.2)), ((106.5 21.3, 106.7 21.3, 106.7 21.5, 106.5 21.3))))`},
	},
	"spatial-functions": {
		{"schools", `S_WITHIN(geometry, POLYGON((106.1 21.2, 106.6 21.2, 106.6 21.5, 106.1 21.2)))`},
		{"schools", `S_DISJOINT(geometry, MULTIPOLYGON(((106.1 21.2, 106.3 21.2, 106.3 21.35, 106.1 21.2))))`},
		{"bus-routes", `S_CROSSES(geometry, LINESTRING(106.0 21.2, 106.5 21.4))`},
		{"bus-routes", `S_WITHIN(geometry, BBOX(106.0, 21.0, 106.4, 21.4))`},
		{"bus-routes", `S_OVERLAPS(geometry, GEOMETRYCOLLECTION(LINESTRING(106.0 21.2, 106.5 21.4)))`},
		{"bus-routes", `S_TOUCHES(geometry, POLYGON((106.1 21.2, 106.3 21.2, 106.3 21.35, 106.1 21.2)))`},
		{"schools", `S_CONTAINS(geometry, MULTIPOINT((106.2 21.3), (106.21 21.3)))`},
		{"schools", `S_EQUALS(geometry, GEOMETRYCOLLECTION(POINT(106.2 21.3)))`},
		{"bus-routes", `S_INTERSECTS(geometry, MULTILINESTRING((106.0 21.2, 106.5 21.4), (106.2 21.0, 106.2 21.6)))`},
	},
	"temporal-functions": {
		{"bts-sites", `T_AFTER(ngay_phat_song, DATE('2015-01-01'))`},
		{"bts-sites", `T_DURING(INTERVAL(ngay_phat_song, ngay_phat_song), INTERVAL('2010-01-01', '2012-12-31'))`},
		{"schools", `T_BEFORE("Ngày thành lập", DATE('2000-01-01')) AND "Số học sinh" > 500`},
		{"bts-sites", `T_INTERSECTS(INTERVAL(ngay_phat_song, ngay_phat_song), INTERVAL('2020-01-01', '..'))`},
	},
	"property-property": {
		{"parking", `suc_chua < gia_ve_vnd`},
		{"parking", `suc_chua > gia_ve_vnd OR huyen = loai_xe`},
		{"parking", `suc_chua * 100 > gia_ve_vnd`},
	},
	"arithmetic": {
		{"parking", `suc_chua * 2 + 10 > 300`},
		{"parking", `gia_ve_vnd / 1000 >= 25`},
		{"parking", `suc_chua % 7 = 0`},
	},
}

// checkFilterClass returns the checker of a CQL2 class: its filters, sent as
// CQL2 text and, for cql2-json, as CQL2 JSON (both checked against the API
// document), select exactly what PostGIS selects.
func checkFilterClass(classes []string, lang string) func(*testing.T, *ogcClient) {
	return func(t *testing.T, c *ogcClient) {
		for _, class := range classes {
			partial := false
			for _, f := range cql2ClassFilters[class] {
				src := f.src
				if lang == filter.LangJSON {
					snap, _ := c.env.Cat.Snapshot(f.coll)
					x, err := filter.Parse(f.src, filter.LangText, queryablesOf(snap))
					if err != nil {
						t.Fatalf("%s: %s: %v", f.coll, f.src, err)
					}
					js, _ := x.MarshalJSON()
					src = string(js)
				}
				u := withParam(withParam(withParam(c.itemsOf(f.coll), "filter", src), "filter-lang", lang), "limit", "10000")
				got := itemIDs(t, func(u string, v any) *http.Response { return c.getJSON(u, v) }, u)
				want := pgFilterIDs(t, c.env, f.coll, f.src, filter.LangText, "")
				if !slices.Equal(got, want) {
					t.Errorf("%s (%s): %s: %d over HTTP, PostGIS %d", class, lang, f.src, len(got), len(want))
				}
				snap, _ := c.env.Cat.Snapshot(f.coll)
				partial = partial || len(want) > 0 && len(want) < len(snap.Features)
			}
			if !partial {
				t.Errorf("%s: no filter selects some but not all features", class)
			}
		}
	}
}

// checkFeaturesFilter checks Part 3's filter classes: every items path and
// the nearby paths document filter, filter-lang (with cql-text, which GDAL
// 3.6 needs to see) and filter-crs; a filter answers on every collection;
// a bad one answers 400 naming filter.
func checkFeaturesFilter(t *testing.T, c *ogcClient) {
	ops := c.api.operations()
	for _, col := range c.collections {
		for _, path := range []string{"/collections/" + col.ID + "/items", "/collections/" + col.ID + "/nearby"} {
			op := ops[path]
			if op == nil {
				t.Fatalf("no operation %s", path)
			}
			params := map[string]bool{}
			for _, p := range op.Parameters {
				params[p.Value.Name] = true
				if p.Value.Name == "filter-lang" {
					var langs []string
					for _, v := range p.Value.Schema.Value.Enum {
						langs = append(langs, fmt.Sprint(v))
					}
					if !slices.Equal(langs, []string{"cql2-text", "cql2-json", "cql-text"}) {
						t.Errorf("%s: filter-lang enum %v", path, langs)
					}
				}
			}
			for _, name := range []string{"filter", "filter-lang", "filter-crs"} {
				if !params[name] {
					t.Errorf("%s does not document %s", path, name)
				}
			}
		}
		snap, _ := c.env.Cat.Snapshot(col.ID)
		b := snap.Features[0].Bound.Pad(0.01)
		src := fmt.Sprintf("S_INTERSECTS(geometry, BBOX(%f, %f, %f, %f))", b.Min[0], b.Min[1], b.Max[0], b.Max[1])
		got := itemIDs(t, func(u string, v any) *http.Response { return c.getJSON(u, v) },
			withParam(withParam(c.itemsOf(col.ID), "filter", src), "limit", "10000"))
		want := pgFilterIDs(t, c.env, col.ID, src, filter.LangText, "")
		if !slices.Contains(got, snap.Features[0].ID) || !slices.Equal(got, want) {
			t.Errorf("%s: %s: %d over HTTP, PostGIS %d", col.ID, src, len(got), len(want))
		}
		resp, body := c.api.exchange(t, http.MethodGet, withParam(c.itemsOf(col.ID), "filter", "S_INTERSECTS(geometry"))
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"parameter":"filter"`) {
			t.Errorf("%s: a malformed filter answers %d %s", col.ID, resp.StatusCode, body)
		}
	}
	// The queryables list the CQL2 the server offers.
	var q struct {
		CQL2 struct {
			Langs       []string `json:"filter-lang"`
			Conformance []string
			Functions   []string
		} `json:"x-cql2"`
	}
	c.getJSON(c.env.URL+"/collections/schools/queryables", &q, "Accept", "application/schema+json")
	if !slices.Contains(q.CQL2.Functions, "ACCENTI") || !slices.Contains(q.CQL2.Functions, "S_CROSSES") ||
		!slices.Equal(q.CQL2.Langs, filter.Langs) || !slices.Equal(q.CQL2.Conformance, filter.Conformance) {
		t.Errorf("queryables x-cql2: %+v", q.CQL2)
	}
}
