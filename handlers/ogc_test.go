package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/vn-opendata/geodata/filter"
)

// ogcClient is what a generic OGC API – Features client knows: the landing
// page's URL. Everything else it finds by following links (and, for one
// feature, the path template of the API document the landing page links to);
// every exchange is checked against that document.
type ogcClient struct {
	t           *testing.T
	env         *env
	api         *apiSpec
	landing     []linkDoc
	conformance []string
	collections []collectionJSON
}

type collectionJSON struct {
	ID      string    `json:"id"`
	Links   []linkDoc `json:"links"`
	CRS     []string  `json:"crs"`
	Storage string    `json:"storageCrs"`
	Extent  struct {
		Spatial struct {
			BBox [][]float64 `json:"bbox"`
			CRS  string      `json:"crs"`
		} `json:"spatial"`
		Temporal *struct {
			Interval [][2]*string `json:"interval"`
		} `json:"temporal"`
	} `json:"extent"`
	ItemType string `json:"itemType"`
}

func linkOf(links []linkDoc, rel, typ string) string {
	for _, l := range links {
		if l.Rel == rel && (typ == "" || l.Type == typ) {
			return l.Href
		}
	}
	return ""
}

// getJSON fetches url (checked against the API document) and decodes it.
func (c *ogcClient) getJSON(url string, v any, header ...string) *http.Response {
	c.t.Helper()
	resp, body := c.api.exchange(c.t, http.MethodGet, url, header...)
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("GET %s: %d %.300s", url, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		c.t.Fatalf("GET %s: %v", url, err)
	}
	return resp
}

func newOGCClient(t *testing.T, e *env) *ogcClient {
	t.Helper()
	c := &ogcClient{t: t, env: e}
	var landing struct{ Links []linkDoc }
	resp := get(t, e.URL+"/", &landing, "Accept", "application/json")
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("landing page as %s", ct)
	}
	c.landing = landing.Links
	desc := linkOf(landing.Links, "service-desc", "application/vnd.oai.openapi+json;version=3.0")
	if desc == "" {
		t.Fatalf("no service-desc link of the OpenAPI 3.0 type in %+v", landing.Links)
	}
	c.api = loadAPI(t, desc)
	for _, rel := range []string{"self", "alternate", "service-doc", "conformance", "data"} {
		if linkOf(landing.Links, rel, "") == "" {
			t.Errorf("landing page lacks a %s link", rel)
		}
	}
	var conf struct{ ConformsTo []string }
	c.getJSON(linkOf(landing.Links, "conformance", "application/json"), &conf)
	c.conformance = conf.ConformsTo
	var cols struct{ Collections []collectionJSON }
	c.getJSON(linkOf(landing.Links, "data", "application/json"), &cols)
	c.collections = cols.Collections
	if len(c.collections) != len(e.Cat.Snapshots()) {
		t.Fatalf("%d collections listed, %d loaded", len(c.collections), len(e.Cat.Snapshots()))
	}
	return c
}

// dbQuery runs a query on the features f of a collection's current generation
// (PostGIS, the system of record): %d in sql is the generation (a constant, so
// that PostgreSQL reads one partition), $1 the collection, args from $2. It runs
// without parallel workers, which would each load PROJ.
func dbQuery(t *testing.T, e *env, coll, sql string, scan func(pgx.Rows) error, args ...any) {
	t.Helper()
	ctx := context.Background()
	err := pgx.BeginFunc(ctx, e.DB.Pool, func(tx pgx.Tx) error {
		var gen int64
		if err := tx.QueryRow(ctx, `SELECT generation FROM collections WHERE id = $1`, coll).Scan(&gen); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL TimeZone = 'UTC'`); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, fmt.Sprintf(sql, gen), append([]any{coll}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
}

// dbCount counts a collection's stored features matching where.
func dbCount(t *testing.T, e *env, coll string, where string, args ...any) int {
	t.Helper()
	var n int
	dbQuery(t, e, coll, `SELECT count(*) FROM features f WHERE f.generation = %d AND f.collection_id = $1`+where,
		func(r pgx.Rows) error { return r.Scan(&n) }, args...)
	return n
}

// dbIDs lists the ids of a collection's stored features matching where, sorted.
func dbIDs(t *testing.T, e *env, coll string, where string, args ...any) []string {
	t.Helper()
	var ids []string
	dbQuery(t, e, coll, `SELECT f.id FROM features f WHERE f.generation = %d AND f.collection_id = $1`+where+` ORDER BY f.id`,
		func(r pgx.Rows) error {
			var id string
			err := r.Scan(&id)
			ids = append(ids, id)
			return err
		}, args...)
	return ids
}

// Conformance checkers: one per class the server may declare. A declared class
// without a checker fails the test, so nothing is declared untested.
var conformanceCheckers = map[string]func(*testing.T, *ogcClient){
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core":                        checkCore,
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson":                     checkGeoJSON,
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html":                        checkHTML,
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30":                       checkOAS30,
	"http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs":                         checkCRS,
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables":                  checkQueryables,
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters": checkQueryParameters,
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter":                      checkFeaturesFilter,
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter":             checkFeaturesFilter,
	"http://www.opengis.net/spec/cql2/1.0/conf/cql2-text":                                checkFilterClass(slices.Collect(maps.Keys(cql2ClassFilters)), filter.LangText),
	"http://www.opengis.net/spec/cql2/1.0/conf/cql2-json":                                checkFilterClass(slices.Collect(maps.Keys(cql2ClassFilters)), filter.LangJSON),
}

func init() {
	for class := range cql2ClassFilters {
		conformanceCheckers["http://www.opengis.net/spec/cql2/1.0/conf/"+class] = checkFilterClass([]string{class}, filter.LangText)
	}
}

// A client starting from the landing page reaches every resource, and every
// conformance class the server declares holds.
func TestClientFollowsLinksAndConformance(t *testing.T) {
	e := sampleEnv(t)
	c := newOGCClient(t, e)
	if len(c.conformance) == 0 {
		t.Fatal("no conformance classes declared")
	}
	for _, class := range c.conformance {
		check, ok := conformanceCheckers[class]
		if !ok {
			t.Errorf("the server declares %s, which no test checks", class)
			continue
		}
		t.Run(class[strings.Index(class, "/spec/")+len("/spec/"):], func(t *testing.T) {
			c.t = t
			check(t, c)
		})
	}
}

func checkCore(t *testing.T, c *ogcClient) {
	for _, col := range c.collections {
		snap, ok := c.env.Cat.Snapshot(col.ID)
		if !ok {
			t.Fatalf("listed collection %s is not loaded", col.ID)
		}
		if col.ItemType != "feature" || len(col.Extent.Spatial.BBox) != 1 || len(col.Extent.Spatial.BBox[0]) != 4 ||
			col.Extent.Spatial.CRS != "http://www.opengis.net/def/crs/OGC/1.3/CRS84" {
			t.Errorf("%s: itemType %q extent %+v", col.ID, col.ItemType, col.Extent.Spatial)
		}
		var self collectionJSON
		c.getJSON(linkOf(col.Links, "self", "application/json"), &self)
		if self.ID != col.ID {
			t.Errorf("self link of %s leads to %s", col.ID, self.ID)
		}
		items := linkOf(col.Links, "items", "application/geo+json")
		if items == "" {
			t.Fatalf("%s: no items link", col.ID)
		}
		var first featureCollection
		c.getJSON(items, &first)
		want := dbCount(t, c.env, col.ID, "")
		if first.NumberMatched != want || first.NumberReturned != min(10, want) {
			t.Errorf("%s: numberMatched %d numberReturned %d, stored %d (default limit 10)",
				col.ID, first.NumberMatched, first.NumberReturned, want)
		}
		// Paging by next links (with a larger page) reaches every stored feature once.
		ids := c.pageAll(withParam(items, "limit", "500"))
		if len(ids) != want || len(uniq(ids)) != want {
			t.Errorf("%s: %d ids (%d distinct) through next links, %d stored", col.ID, len(ids), len(uniq(ids)), want)
		}
		// One feature, at the path the API document gives.
		if len(ids) > 0 {
			c.checkFeature(col, ids[len(ids)/2])
		}
		_ = snap
	}
	// A limit above the maximum is clamped, and the next link says so.
	// (The document's maximum makes such a request non-conforming to it, so it
	// goes around the validator.)
	var fc featureCollection
	get(t, withParam(c.itemsOf("schools"), "limit", "20000"), &fc)
	if fc.NumberReturned != 1800 || !strings.Contains(fc.link("self"), "limit=20000") {
		t.Errorf("limit 20000: %d returned", fc.NumberReturned)
	}
	// next and prev carry every other parameter.
	b := c.collection("schools").Extent.Spatial.BBox[0]
	start := c.itemsOf("schools") + fmt.Sprintf("?bbox=%g,%g,%g,%g&limit=7&offset=7&properties=Huy%%E1%%BB%%87n&sortby=-S%%E1%%BB%%91%%20h%%E1%%BB%%8Dc%%20sinh",
		b[0], b[1], (b[0]+b[2])/2, b[3])
	c.getJSON(start, &fc)
	for _, rel := range []string{"next", "prev"} {
		u, err := url.Parse(fc.link(rel))
		if err != nil || u.Host == "" {
			t.Fatalf("%s link %q", rel, fc.link(rel))
		}
		q := u.Query()
		if q.Get("bbox") == "" || q.Get("properties") != "Huyện" || q.Get("sortby") != "-Số học sinh" || q.Get("limit") != "7" {
			t.Errorf("%s link drops parameters: %s", rel, u.RawQuery)
		}
	}
}

// pageAll follows next links from url and returns the feature ids in order.
func (c *ogcClient) pageAll(url string) []string {
	var ids []string
	for pages := 0; url != ""; pages++ {
		if pages > 1000 {
			c.t.Fatal("next links do not end")
		}
		var fc featureCollection
		c.getJSON(url, &fc)
		for _, f := range fc.Features {
			ids = append(ids, f.ID)
		}
		url = fc.link("next")
	}
	return ids
}

func (c *ogcClient) collection(id string) collectionJSON {
	for _, col := range c.collections {
		if col.ID == id {
			return col
		}
	}
	c.t.Fatalf("no collection %s", id)
	return collectionJSON{}
}

func (c *ogcClient) itemsOf(id string) string {
	return linkOf(c.collection(id).Links, "items", "application/geo+json")
}

// featureURL builds the URL of one feature from the API document's path template.
func (c *ogcClient) featureURL(col collectionJSON, id string) string {
	items := c.itemsOf(col.ID)
	u, _ := url.Parse(items)
	tmpl := u.Path + "/{featureId}"
	if c.api.doc.Paths.Value(tmpl) == nil {
		c.t.Fatalf("the API document has no path %s", tmpl)
	}
	return strings.TrimSuffix(items, "/") + "/" + url.PathEscape(id)
}

func (c *ogcClient) checkFeature(col collectionJSON, id string) {
	t := c.t
	var f struct {
		Type, ID string
		Links    []linkDoc
	}
	resp := c.getJSON(c.featureURL(col, id), &f)
	if f.Type != "Feature" || f.ID != id || linkOf(f.Links, "self", "application/geo+json") == "" ||
		linkOf(f.Links, "collection", "application/json") == "" {
		t.Errorf("feature %s of %s: %+v", id, col.ID, f)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/geo+json" {
		t.Errorf("feature as %s", ct)
	}
	resp, _ = c.api.exchange(t, http.MethodGet, c.featureURL(col, id+"-no-such-feature"))
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown feature of %s: %d", col.ID, resp.StatusCode)
	}
}

func withParam(u, name, value string) string {
	p, _ := url.Parse(u)
	q := p.Query()
	q.Set(name, value)
	p.RawQuery = q.Encode()
	return p.String()
}

func withoutParam(u, name string) string {
	p, _ := url.Parse(u)
	q := p.Query()
	q.Del(name)
	p.RawQuery = q.Encode()
	return p.String()
}

func uniq(ids []string) []string {
	s := slices.Clone(ids)
	slices.Sort(s)
	return slices.Compact(s)
}

func checkGeoJSON(t *testing.T, c *ogcClient) {
	for _, col := range c.collections {
		url := withParam(c.itemsOf(col.ID), "limit", "3")
		resp, body := c.api.exchange(t, http.MethodGet, url)
		if ct := resp.Header.Get("Content-Type"); ct != "application/geo+json" {
			t.Errorf("%s items as %s", col.ID, ct)
		}
		var fc struct {
			Type     string
			Features []struct {
				Type     string
				Geometry struct {
					Type        string
					Coordinates json.RawMessage
				}
				Properties map[string]any
			}
		}
		if err := json.Unmarshal(body, &fc); err != nil {
			t.Fatal(err)
		}
		for _, f := range fc.Features {
			if fc.Type != "FeatureCollection" || f.Type != "Feature" || f.Geometry.Type == "" ||
				len(f.Geometry.Coordinates) == 0 || f.Properties == nil {
				t.Errorf("%s: not GeoJSON: %.300s", col.ID, body)
			}
		}
	}
}

// checkHTML fetches every kind of resource as a browser does and with f=html,
// in Vietnamese and in English.
func checkHTML(t *testing.T, c *ogcClient) {
	col := c.collections[0]
	var fc featureCollection
	c.getJSON(withParam(c.itemsOf(col.ID), "limit", "1"), &fc)
	urls := []string{
		linkOf(c.landing, "self", ""),
		linkOf(c.landing, "conformance", ""),
		linkOf(c.landing, "data", ""),
		linkOf(c.landing, "service-doc", "text/html"),
		linkOf(col.Links, "self", ""),
		c.itemsOf(col.ID),
		c.featureURL(col, fc.Features[0].ID),
	}
	for _, u := range urls {
		for _, lang := range []string{"vi", "en"} {
			for _, how := range [][2]string{{"Accept", "text/html,application/xhtml+xml,*/*;q=0.8"}, {"Accept", "*/*"}} {
				target := withParam(withoutParam(u, "f"), "lang", lang)
				if how[1] == "*/*" {
					target = withParam(target, "f", "html")
				}
				resp, body := c.api.exchange(t, http.MethodGet, target, how[0], how[1])
				if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/html; charset=utf-8" {
					t.Errorf("%s (%s): %d %s", target, how[1], resp.StatusCode, ct)
					continue
				}
				if !strings.Contains(string(body), `<html lang="`+lang+`">`) {
					t.Errorf("%s: page not in %s", target, lang)
				}
			}
		}
	}
}

func checkOAS30(t *testing.T, c *ogcClient) {
	if c.api.doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi %q", c.api.doc.OpenAPI)
	}
	// Every link of the landing page and of the collections is a documented path.
	for _, col := range c.collections {
		for _, l := range append(slices.Clone(c.landing), col.Links...) {
			if !strings.HasPrefix(l.Href, c.env.URL) {
				continue // licences live elsewhere
			}
			if resp, _ := c.api.exchange(t, http.MethodGet, l.Href); resp.StatusCode != 200 {
				t.Errorf("link %s (%s): %d", l.Href, l.Rel, resp.StatusCode)
			}
		}
	}
}

func checkQueryables(t *testing.T, c *ogcClient) {
	for _, col := range c.collections {
		href := linkOf(col.Links, "http://www.opengis.net/def/rel/ogc/1.0/queryables", "application/schema+json")
		if href == "" {
			t.Fatalf("%s: no queryables link", col.ID)
		}
		var q struct {
			Schema     string                    `json:"$schema"`
			ID         string                    `json:"$id"`
			Type       string                    `json:"type"`
			Properties map[string]map[string]any `json:"properties"`
		}
		resp := c.getJSON(href, &q)
		if ct := resp.Header.Get("Content-Type"); ct != "application/schema+json" {
			t.Errorf("queryables as %s", ct)
		}
		if q.Schema != "https://json-schema.org/draft/2020-12/schema" || q.ID != href || q.Type != "object" {
			t.Errorf("%s queryables: %+v", col.ID, q)
		}
		snap, _ := c.env.Cat.Snapshot(col.ID)
		for _, p := range snap.Collection.Schema {
			s, ok := q.Properties[p.Name]
			if !ok {
				t.Errorf("%s: queryable %s missing", col.ID, p.Name)
				continue
			}
			want := map[string]string{"date": "string", "date-time": "string"}[p.Type]
			if want == "" {
				want = p.Type
			}
			if s["type"] != want {
				t.Errorf("%s: queryable %s typed %v, stored %s", col.ID, p.Name, s["type"], p.Type)
			}
		}
		if g := q.Properties["geometry"]; g["x-ogc-role"] != "primary-geometry" {
			t.Errorf("%s: geometry queryable %v", col.ID, g)
		}
	}
}

// checkQueryParameters filters on every queryable of every collection with a
// value of one of its features, and compares with PostgreSQL.
func checkQueryParameters(t *testing.T, c *ogcClient) {
	for _, col := range c.collections {
		snap, _ := c.env.Cat.Snapshot(col.ID)
		if len(snap.Features) == 0 {
			continue
		}
		f := snap.Features[len(snap.Features)/3]
		for i, p := range snap.Collection.Schema {
			if f.Props[i] == nil {
				continue
			}
			value := fmt.Sprint(f.Props[i])
			if v, ok := f.Props[i].(float64); ok {
				value = strconv.FormatFloat(v, 'f', -1, 64)
			}
			sql := map[string]string{
				"integer": " AND (f.properties->>$2)::numeric = $3::numeric",
				"number":  " AND (f.properties->>$2)::float8 = $3::float8",
				"boolean": " AND (f.properties->>$2)::boolean = $3::boolean",
			}[p.Type]
			if sql == "" {
				sql = " AND f.properties->>$2 = $3"
			}
			want := dbCount(t, c.env, col.ID, sql, p.Name, value)
			var fc featureCollection
			c.getJSON(withParam(withParam(c.itemsOf(col.ID), p.Name, value), "limit", "10000"), &fc)
			if fc.NumberMatched != want || want == 0 {
				t.Errorf("%s?%s=%s: %d matched, PostgreSQL finds %d", col.ID, p.Name, value, fc.NumberMatched, want)
			}
			for _, got := range fc.Features {
				if fmt.Sprint(got.Properties[p.Name]) != fmt.Sprint(jsonValue(f.Props[i])) {
					t.Errorf("%s?%s=%s returned %v", col.ID, p.Name, value, got.Properties[p.Name])
					break
				}
			}
		}
	}
}

// jsonValue is a property value as encoding/json decodes it.
func jsonValue(v any) any {
	if n, ok := v.(int64); ok {
		return float64(n)
	}
	return v
}
