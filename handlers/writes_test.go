package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/geo"
	"github.com/vn-opendata/geodata/store"
)

// newToken creates a token: of agency, or an admin token when agency is "".
func newToken(t *testing.T, e *env, agency string) string {
	t.Helper()
	secret, _, err := e.DB.CreateToken(context.Background(), agency, agency == "", "test "+agency, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// responsible is the agency that answers today for datasets of agency.
func responsible(t *testing.T, e *env, agency string) string {
	t.Helper()
	who, ok := e.Region.AgencyHistory().ResponsibleOn(agency, catalog.Day(time.Now()))
	if !ok {
		t.Fatalf("nobody answers for %s today", agency)
	}
	return who
}

// write sends a write with a JSON body (v: bytes as they are, or a value to encode).
func write(t *testing.T, method, url, token string, v any, header ...string) (*http.Response, []byte) {
	t.Helper()
	var body []byte
	switch v := v.(type) {
	case nil:
	case []byte:
		body = v
	case string:
		body = []byte(v)
	default:
		var err error
		if body, err = json.Marshal(v); err != nil {
			t.Fatal(err)
		}
	}
	h := []string{"Content-Type", "application/geo+json"}
	if method == http.MethodPatch {
		h = []string{"Content-Type", "application/merge-patch+json"}
	}
	if method == http.MethodPut && !strings.Contains(url, "/items/") {
		h = []string{"Content-Type", "application/json"}
	}
	if token != "" {
		h = append(h, "Authorization", "Bearer "+token)
	}
	return do(t, method, url, bytes.NewReader(body), append(h, header...)...)
}

// apiError is the exception document of an error.
type apiError struct {
	Status      int
	Code        string
	Description string
	Parameter   string
}

func errorOf(t *testing.T, body []byte) apiError {
	t.Helper()
	var e apiError
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("not an exception document: %v in %.300s", err, body)
	}
	return e
}

// wantError checks the status and the parameter an error names.
func wantError(t *testing.T, what string, resp *http.Response, body []byte, status int, param string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("%s: %d %.300s, want %d", what, resp.StatusCode, body, status)
		return
	}
	if e := errorOf(t, body); e.Status != status || (param != "" && e.Parameter != param) {
		t.Errorf("%s: %+v, want parameter %q", what, e, param)
	}
}

type featureJSON struct {
	Type       string
	ID         string
	Geometry   struct{ Type string }
	Properties map[string]any
}

func point(lon, lat float64) map[string]any {
	return map[string]any{"type": "Point", "coordinates": []float64{lon, lat}}
}

// describe creates a collection through the API, as an agency would, and returns
// its URL.
func describe(t *testing.T, e *env, token, id string, body map[string]any) string {
	t.Helper()
	resp, b := write(t, http.MethodPut, e.URL+"/collections/"+id, token, body)
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("Location") != e.URL+"/collections/"+id {
		t.Fatalf("PUT /collections/%s: %d %s %.300s", id, resp.StatusCode, resp.Header.Get("Location"), b)
	}
	return e.URL + "/collections/" + id
}

var parkSchema = []map[string]any{{"name": "ten", "type": "string"}, {"name": "so_cho", "type": "integer"},
	{"name": "mo_cua", "type": "date"}, {"name": "phi", "type": "number"}}

// Create, Replace, Update and Delete (OGC API – Features Part 4) with optimistic
// concurrency, schema and geometry checks, and reads of one's own writes.
func TestItemWrites(t *testing.T) {
	e := sampleEnv(t)
	agency := responsible(t, e, "so-gtvt")
	admin, tok := newToken(t, e, ""), newToken(t, e, agency)
	coll := describe(t, e, admin, "w-parking", map[string]any{"title": "Bãi đỗ xe thử", "agency": agency,
		"geometry_type": "Point", "schema": parkSchema, "frequency": "MONTHLY", "theme": "TRAN"})
	if resp, _ := do(t, http.MethodGet, coll, nil); resp.StatusCode != 200 {
		t.Fatalf("the new collection is not served at once: %d", resp.StatusCode)
	}

	resp, body := write(t, http.MethodPost, coll+"/items", tok, map[string]any{"type": "Feature", "id": "p1",
		"geometry": point(106.2, 21.28), "properties": map[string]any{"ten": "Bãi xe Hoàng Văn Thụ", "so_cho": 40, "phi": 5000}})
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("Location") != coll+"/items/p1" || resp.Header.Get("ETag") == "" {
		t.Fatalf("create: %d %v %.300s", resp.StatusCode, resp.Header, body)
	}
	created := resp.Header.Get("ETag")
	var f featureJSON
	got := get(t, coll+"/items/p1", &f)
	if got.StatusCode != 200 || f.Properties["ten"] != "Bãi xe Hoàng Văn Thụ" || f.Properties["so_cho"] != 40.0 || got.Header.Get("ETag") != created {
		t.Fatalf("read after create: %d %+v ETag %s (write said %s)", got.StatusCode, f, got.Header.Get("ETag"), created)
	}

	for _, c := range []struct {
		what   string
		body   any
		status int
		param  string
	}{
		{"unknown property", map[string]any{"type": "Feature", "geometry": point(106.2, 21.3), "properties": map[string]any{"mau": "đỏ"}}, 400, "properties.mau"},
		{"wrong type", map[string]any{"type": "Feature", "geometry": point(106.2, 21.3), "properties": map[string]any{"so_cho": "bốn mươi"}}, 400, "properties.so_cho"},
		{"fraction for an integer", map[string]any{"type": "Feature", "geometry": point(106.2, 21.3), "properties": map[string]any{"so_cho": 4.5}}, 400, "properties.so_cho"},
		{"bad date", map[string]any{"type": "Feature", "geometry": point(106.2, 21.3), "properties": map[string]any{"mo_cua": "2024-02-30"}}, 400, "properties.mo_cua"},
		{"no geometry", map[string]any{"type": "Feature", "properties": map[string]any{}}, 400, "geometry"},
		{"other geometry type", map[string]any{"type": "Feature", "geometry": map[string]any{"type": "LineString",
			"coordinates": [][]float64{{106.2, 21.3}, {106.3, 21.3}}}}, 400, "geometry"},
		{"outside the region", map[string]any{"type": "Feature", "geometry": point(105.0, 10.0)}, 400, "geometry"},
		{"not a position", map[string]any{"type": "Feature", "geometry": map[string]any{"type": "Point", "coordinates": []float64{106.2, 95}}}, 400, "geometry"},
		{"not a feature", map[string]any{"type": "FeatureCollection", "features": []any{}}, 400, "type"},
		{"duplicate id", map[string]any{"type": "Feature", "id": "p1", "geometry": point(106.2, 21.3)}, 409, ""},
		{"not JSON", "{\"type\": \"Feature\",", 400, "body"},
	} {
		resp, body := write(t, http.MethodPost, coll+"/items", tok, c.body)
		wantError(t, c.what, resp, body, c.status, c.param)
	}
	resp, body = write(t, http.MethodPost, coll+"/items", tok, `{"type":"Feature","geometry":{"type":"Point","coordinates":[106.2,21.3]}}`,
		"Content-Type", "text/plain")
	wantError(t, "text/plain body", resp, body, 415, "")

	// Replace with a stale ETag is refused; with the current one it is made.
	stale := regexp.MustCompile(`r[0-9]+v`).ReplaceAllString(created, "r999v")
	if stale == created {
		t.Fatalf("ETag %s does not name a rev", created)
	}
	resp, body = write(t, http.MethodPut, coll+"/items/p1", tok, map[string]any{"type": "Feature", "geometry": point(106.21, 21.29),
		"properties": map[string]any{"ten": "Bãi xe mới"}}, "If-Match", stale)
	wantError(t, "replace with a stale ETag", resp, body, 412, "")
	resp, body = write(t, http.MethodPut, coll+"/items/p1", tok, map[string]any{"type": "Feature", "id": "p1", "geometry": point(106.21, 21.29),
		"properties": map[string]any{"ten": "Bãi xe mới", "mo_cua": "2024-05-01"}}, "If-Match", created)
	replaced := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || replaced == "" || replaced == created {
		t.Fatalf("replace: %d %s %.300s", resp.StatusCode, replaced, body)
	}
	get(t, coll+"/items/p1", &f)
	if f.Properties["ten"] != "Bãi xe mới" || f.Properties["so_cho"] != nil || f.Properties["mo_cua"] != "2024-05-01" {
		t.Fatalf("after replace: %+v", f.Properties)
	}
	resp, body = write(t, http.MethodPut, coll+"/items/p1", tok, map[string]any{"type": "Feature", "id": "p2", "geometry": point(106.21, 21.29)})
	wantError(t, "replace with another id", resp, body, 400, "id")

	// A merge patch: a property set, one removed, the geometry kept.
	resp, body = write(t, http.MethodPatch, coll+"/items/p1", tok, map[string]any{"properties": map[string]any{"so_cho": 12, "mo_cua": nil}},
		"If-Match", replaced)
	patched := resp.Header.Get("ETag")
	if resp.StatusCode != 200 {
		t.Fatalf("patch: %d %.300s", resp.StatusCode, body)
	}
	get(t, coll+"/items/p1", &f)
	if f.Properties["ten"] != "Bãi xe mới" || f.Properties["so_cho"] != 12.0 || f.Properties["mo_cua"] != nil || f.Geometry.Type != "Point" {
		t.Fatalf("after patch: %+v", f)
	}
	resp, body = write(t, http.MethodPatch, coll+"/items/p1", tok, map[string]any{"properties": map[string]any{"so_cho": 13}},
		"Content-Type", "application/json")
	wantError(t, "patch as application/json", resp, body, 415, "")
	resp, body = write(t, http.MethodPatch, coll+"/items/p1", tok, map[string]any{"geometry": nil})
	wantError(t, "patch removing the geometry", resp, body, 400, "geometry")

	// Two writers holding the same ETag: one wins, the other gets 412.
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, _ := write(t, http.MethodPatch, coll+"/items/p1", tok, map[string]any{"properties": map[string]any{"so_cho": 20 + i}},
				"If-Match", patched)
			statuses[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	if !(statuses[0] == 200 && statuses[1] == 412 || statuses[0] == 412 && statuses[1] == 200) {
		t.Fatalf("concurrent patches with one ETag: %v, want one 200 and one 412", statuses)
	}

	// Without a token, with a bad one, with another agency's: refused.
	other := newToken(t, e, responsible(t, e, "so-gddt"))
	for _, c := range []struct {
		token  string
		status int
	}{{"", 401}, {"gdt_not-a-token", 401}, {"nonsense", 401}, {other, 403}} {
		resp, body := write(t, http.MethodDelete, coll+"/items/p1", c.token, nil)
		wantError(t, "delete with token "+c.token, resp, body, c.status, "")
	}
	resp, _ = write(t, http.MethodDelete, coll+"/items/p1", tok, nil)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	if resp := get(t, coll+"/items/p1", nil); resp.StatusCode != 404 {
		t.Fatalf("read after delete: %d", resp.StatusCode)
	}
	if resp, _ := write(t, http.MethodDelete, coll+"/items/p1", tok, nil); resp.StatusCode != 404 {
		t.Fatalf("delete of a deleted feature: %d", resp.StatusCode)
	}

	// A feature without id gets one; the response is the feature as stored.
	resp, body = write(t, http.MethodPost, coll+"/items", tok, map[string]any{"type": "Feature", "geometry": point(106.22, 21.27),
		"properties": map[string]any{"so_cho": 7.0}})
	var made featureJSON
	if resp.StatusCode != 201 || json.Unmarshal(body, &made) != nil || made.ID == "" || made.Properties["so_cho"] != 7.0 ||
		resp.Header.Get("Location") != coll+"/items/"+made.ID {
		t.Fatalf("create without id: %d %s %.300s", resp.StatusCode, resp.Header.Get("Location"), body)
	}

	// Every write is a version with its token and agency, listed newest first.
	var hist struct {
		NumberMatched int
		Versions      []store.AuditEntry
	}
	get(t, coll+"/versions", &hist)
	actions := []string{}
	for _, v := range hist.Versions {
		actions = append(actions, v.Action)
	}
	if strings.Join(actions, ",") != "create,delete,update,update,replace,create,create" || hist.NumberMatched != 7 {
		t.Fatalf("versions: %v", actions)
	}
	if v := hist.Versions[1]; v.TokenID == 0 || v.AgencyID != agency || len(v.ChangedIDs) != 1 || v.ChangedIDs[0] != "p1" || v.Actor != "" {
		t.Errorf("the delete's record: %+v (the actor shows with a token only)", v)
	}
	get(t, coll+"/versions?limit=2", &hist, "Authorization", "Bearer "+tok)
	if len(hist.Versions) != 2 || !strings.HasPrefix(hist.Versions[0].Actor, "token ") {
		t.Errorf("versions with a token: %+v", hist.Versions)
	}
	if resp, body := do(t, http.MethodGet, coll+"/versions?f=html", nil); resp.StatusCode != 200 ||
		!strings.Contains(string(body), "Lịch sử phiên bản") || !strings.Contains(string(body), "<code>p1</code>") {
		t.Errorf("versions page: %d", resp.StatusCode)
	}
}

// A geometry in a system the Content-Crs header names is stored in CRS84; a
// single geometry in a Multi* collection is promoted.
func TestItemWritesCRSAndPromotion(t *testing.T) {
	e := sampleEnv(t)
	admin := newToken(t, e, "")
	coll := describe(t, e, admin, "w-multi", map[string]any{"geometry_type": "MultiPoint", "schema": []any{}})
	vn, err := geo.LookupCRS("EPSG:9214")
	if err != nil {
		t.Fatal(err)
	}
	x, y, err := vn.FromWGS84(106.25, 21.3)
	if err != nil {
		t.Fatal(err)
	}
	ex, ny := vn.AxisOrder(x, y)
	resp, body := write(t, http.MethodPost, coll+"/items", admin, map[string]any{"type": "Feature", "id": "m1",
		"geometry": point(ex, ny)}, "Content-Crs", "<"+vn.URI()+">")
	if resp.StatusCode != 201 {
		t.Fatalf("create in %s: %d %.300s", vn.URI(), resp.StatusCode, body)
	}
	var f struct {
		Geometry struct {
			Type        string
			Coordinates [][2]float64
		}
	}
	get(t, coll+"/items/m1", &f)
	if f.Geometry.Type != "MultiPoint" || len(f.Geometry.Coordinates) != 1 ||
		abs(f.Geometry.Coordinates[0][0]-106.25) > 1e-7 || abs(f.Geometry.Coordinates[0][1]-21.3) > 1e-7 {
		t.Fatalf("stored geometry: %+v", f.Geometry)
	}
	resp, body = write(t, http.MethodPost, coll+"/items", admin, map[string]any{"type": "Feature", "geometry": point(106.2, 21.3)},
		"Content-Crs", "<http://www.opengis.net/def/crs/EPSG/0/2000>")
	wantError(t, "unknown Content-Crs", resp, body, 400, "Content-Crs")
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// An ETag read before a re-import does not match the re-imported feature, even
// though both have never been written through the API.
func TestIfMatchAcrossReimports(t *testing.T) {
	e := sampleEnv(t)
	importCSV(t, e, "w-reimport", store.Metadata{}, "id,lon,lat,ten", []string{"a,106.2,21.3,một"})
	before := get(t, e.URL+"/collections/w-reimport/items/a", nil).Header.Get("ETag")
	importCSV(t, e, "w-reimport", store.Metadata{}, "id,lon,lat,ten", []string{"a,106.2,21.3,hai"})
	admin := newToken(t, e, "")
	resp, body := write(t, http.MethodPatch, e.URL+"/collections/w-reimport/items/a", admin,
		map[string]any{"properties": map[string]any{"ten": "ba"}}, "If-Match", before)
	wantError(t, "If-Match from before the re-import", resp, body, 412, "")
	now := get(t, e.URL+"/collections/w-reimport/items/a", nil).Header.Get("ETag")
	if resp, body := write(t, http.MethodPatch, e.URL+"/collections/w-reimport/items/a", admin,
		map[string]any{"properties": map[string]any{"ten": "ba"}}, "If-Match", now); resp.StatusCode != 200 {
		t.Fatalf("If-Match of the current version: %d %.300s", resp.StatusCode, body)
	}
}

// A token writes the collections its agency answers for today — its own and
// those of the agencies merged into it — and no other; an admin token any.
func TestWriteRightsFollowAgencies(t *testing.T) {
	e := sampleEnv(t)
	importCSV(t, e, "w-rights", store.Metadata{AgencyID: "so-gtvt"}, "id,lon,lat", []string{"a,106.2,21.3"})
	successor := responsible(t, e, "so-gtvt")
	if successor == "so-gtvt" {
		t.Fatal("the region profile no longer merges so-gtvt: pick another agency for this test")
	}
	patch := map[string]any{"properties": map[string]any{}}
	for _, c := range []struct {
		agency string
		status int
	}{{successor, 200}, {"", 200}, {"so-gtvt", 403}, {"so-gddt", 403}, {responsible(t, e, "so-gddt"), 403}} {
		resp, body := write(t, http.MethodPatch, e.URL+"/collections/w-rights/items/a", newToken(t, e, c.agency), patch)
		if resp.StatusCode != c.status {
			t.Errorf("token of %q: %d %.200s, want %d", c.agency, resp.StatusCode, body, c.status)
		}
	}
	// A new collection belongs to the token's agency; it cannot be given to another.
	tok := newToken(t, e, successor)
	resp, body := write(t, http.MethodPut, e.URL+"/collections/w-rights-new", tok, map[string]any{"title": "Mới"})
	var doc struct{ Catalog struct{ Agency string } }
	if resp.StatusCode != 201 || json.Unmarshal(body, &doc) != nil || doc.Catalog.Agency != successor {
		t.Fatalf("create by an agency: %d %.300s", resp.StatusCode, body)
	}
	resp, body = write(t, http.MethodPut, e.URL+"/collections/w-rights-other", tok, map[string]any{"agency": "so-gddt"})
	wantError(t, "create for another agency", resp, body, 403, "")
	resp, body = write(t, http.MethodPut, e.URL+"/collections/w-rights-new", tok, map[string]any{"agency": responsible(t, e, "so-gddt")})
	wantError(t, "give away a collection", resp, body, 403, "")
}

// PUT /collections/{id} checks every field, keeps the properties that hold
// data, and records a version.
func TestPutCollection(t *testing.T) {
	e := sampleEnv(t)
	admin := newToken(t, e, "")
	coll := describe(t, e, admin, "w-described", map[string]any{"title": "Thử", "geometry_type": "Point", "schema": parkSchema})
	for _, c := range []struct {
		id     string
		body   any
		status int
		param  string
	}{
		{"W Bad", map[string]any{}, 400, "collectionId"},
		{"w-described", map[string]any{"colour": "red"}, 400, "colour"},
		{"w-described", map[string]any{"frequency": "HOURLY"}, 400, "frequency"},
		{"w-described", map[string]any{"theme": "ART"}, 400, "theme"},
		{"w-described", map[string]any{"license": "https://example.org/mine"}, 400, "license"},
		{"w-described", map[string]any{"agency": "so-nowhere"}, 400, "agency"},
		{"w-described", map[string]any{"first_published": "2024-13-01"}, 400, "first_published"},
		{"w-described", map[string]any{"temporal_start": "2024-02-01", "temporal_end": "2024-01-01"}, 400, "temporal_end"},
		{"w-described", map[string]any{"contact_email": "not an address"}, 400, "contact_email"},
		{"w-described", map[string]any{"geometry_type": "Circle"}, 400, "geometry_type"},
		{"w-described", map[string]any{"temporal_property": "ten"}, 400, "temporal_property"},
		{"w-described", map[string]any{"schema": []any{map[string]any{"name": "x", "type": "colour"}}}, 400, "schema"},
		{"w-described", map[string]any{"title": strings.Repeat("dài ", 200)}, 400, "title"},
		{"w-described", `{"title": 3}`, 400, "body"},
	} {
		resp, body := write(t, http.MethodPut, e.URL+"/collections/"+c.id, admin, c.body)
		wantError(t, fmt.Sprintf("PUT %v", c.body), resp, body, c.status, c.param)
	}
	resp, body := write(t, http.MethodPut, coll, admin, map[string]any{"title": "Thử lần hai", "temporal_property": "mo_cua",
		"schema": append(parkSchema, map[string]any{"name": "ghi_chu", "type": "string"})})
	var doc struct {
		Title      string
		Properties []struct{ Name string }
		Catalog    struct{ Version int64 }
	}
	if resp.StatusCode != 200 || json.Unmarshal(body, &doc) != nil || doc.Title != "Thử lần hai" || len(doc.Properties) != 5 || doc.Catalog.Version != 2 {
		t.Fatalf("update: %d %.300s", resp.StatusCode, body)
	}
	// Once features hold data, a property cannot go nor change its type.
	if resp, body := write(t, http.MethodPost, coll+"/items", admin, map[string]any{"type": "Feature", "geometry": point(106.2, 21.3),
		"properties": map[string]any{"ghi_chu": "có"}}); resp.StatusCode != 201 {
		t.Fatalf("create: %d %.200s", resp.StatusCode, body)
	}
	resp, body = write(t, http.MethodPut, coll, admin, map[string]any{"schema": parkSchema})
	wantError(t, "drop a property that holds data", resp, body, 409, "schema")
	resp, body = write(t, http.MethodPut, coll, admin, map[string]any{"geometry_type": "LineString"})
	wantError(t, "change the geometry type", resp, body, 409, "")
}
