package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// injections are classic SQL-injection payloads.
var injections = []string{
	"'; DROP TABLE features;--",
	"1 OR 1=1",
	`") OR ("1"="1`,
	"' OR '1'='1",
	"1; SELECT pg_sleep(10)",
	"schools' --",
	"1 UNION SELECT secret_hash FROM api_tokens--",
	"$1",
	`\'; DELETE FROM collections; --`,
	"' || (SELECT version()) || '",
	"1)) OR ((1=1",
	"%27%20OR%201%3D1",
}

// dbState is what an injection would change: the tables, their row counts
// (usage counters excepted: reads count themselves) and every collection's
// version.
type dbState struct {
	Tables   string
	Rows     map[string]int64
	Versions map[string]int64
}

func databaseState(t *testing.T, e *env) dbState {
	t.Helper()
	ctx := context.Background()
	s := dbState{Rows: map[string]int64{}, Versions: map[string]int64{}}
	var tables []string
	rows, err := e.DB.Pool.Query(ctx, `SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace
		AND relkind IN ('r', 'p', 'v', 'm') ORDER BY relname`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	s.Tables = strings.Join(tables, ",")
	for _, name := range tables {
		if name == "usage_daily" || strings.HasPrefix(name, "features_g") {
			continue // the partitions are counted in features
		}
		var n int64
		if err := e.DB.Pool.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{name}.Sanitize()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		s.Rows[name] = n
	}
	if s.Versions, err = e.DB.Versions(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// sameState compares two states, except for the tables and collections that
// the test changed on purpose.
func sameState(t *testing.T, before, after dbState, changedTables []string, changedCollection string) {
	t.Helper()
	if before.Tables != after.Tables {
		t.Errorf("tables changed:\n%s\n%s", before.Tables, after.Tables)
	}
	for name, n := range before.Rows {
		if after.Rows[name] != n && !contains(changedTables, name) {
			t.Errorf("table %s: %d rows, then %d", name, n, after.Rows[name])
		}
	}
	for id, v := range before.Versions {
		if after.Versions[id] != v && id != changedCollection {
			t.Errorf("collection %s: version %d, then %d", id, v, after.Versions[id])
		}
	}
	if len(after.Versions) != len(before.Versions) {
		t.Errorf("%d collections, then %d", len(before.Versions), len(after.Versions))
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Classic injection payloads in every query parameter, path segment, property
// name and free-text value of the read API: a 4xx naming the problem, or, for
// free text, a 200 that matched the payload as a literal; the database is
// unchanged and no answer quotes SQL.
func TestSQLInjectionReads(t *testing.T) {
	e := sampleEnv(t)
	var q struct {
		Properties map[string]struct{ Type string }
	}
	get(t, e.URL+"/collections/schools/queryables", &q)
	text := ""
	for name, p := range q.Properties {
		if p.Type == "string" && (text == "" || name < text) {
			text = name
		}
	}
	if text == "" {
		t.Fatal("schools has no string queryable")
	}
	before := databaseState(t, e)
	items := e.URL + "/collections/schools/items"
	sent := 0
	for _, p := range injections {
		qp, pp := url.QueryEscape(p), url.PathEscape(p)
		refused := []string{
			items + "?limit=" + qp, items + "?offset=" + qp, items + "?bbox=" + qp, items + "?bbox-crs=" + qp,
			items + "?datetime=" + qp, items + "?properties=" + qp, items + "?sortby=" + qp, items + "?crs=" + qp,
			items + "?f=" + qp, items + "?" + qp + "=1", items + "?bbox=106,21," + qp + ",22",
			items + "/schools-1?crs=" + qp, items + "/schools-1?" + qp + "=1",
			e.URL + "/collections/" + pp, e.URL + "/collections/" + pp + "/items", items + "/" + pp,
			e.URL + "/collections/" + pp + "/queryables", e.URL + "/collections/" + pp + "/schema",
			e.URL + "/collections/" + pp + "/versions", e.URL + "/collections/schools/versions?" + qp + "=1",
			e.URL + "/jobs/" + pp, e.URL + "/agencies/" + pp, e.URL + "/downloads/" + pp, e.URL + "/feedback/" + pp,
			e.URL + "/collections/" + pp + "/tiles", e.URL + "/collections/schools/tiles/" + pp,
			e.URL + "/collections/schools/tiles/WebMercatorQuad/" + pp + "/0/0", e.URL + "/tiles/" + pp + "/0/0.mvt",
			e.URL + "/nearby?lon=" + qp + "&lat=21.3", e.URL + "/nearby?lon=106.2&lat=21.3&k=" + qp,
			e.URL + "/nearby?lon=106.2&lat=21.3&radius=" + qp, e.URL + "/nearby?lon=106.2&lat=21.3&collections=" + qp,
			e.URL + "/collections/" + pp + "/nearby?lon=106.2&lat=21.3",
		}
		for _, u := range refused {
			resp, body := do(t, http.MethodGet, u, nil, "Accept", "application/json")
			sent++
			if resp.StatusCode < 400 || resp.StatusCode >= 500 {
				t.Errorf("GET %s: %d, want 4xx (%.200s)", u, resp.StatusCode, body)
			}
			noLeak(t, "GET "+u, body, p)
		}
		// Free text is matched as text: nothing matches the payload.
		var page struct {
			NumberMatched int
			Features      []any
		}
		u := items + "?" + url.QueryEscape(text) + "=" + qp
		if resp := get(t, u, &page); resp.StatusCode != 200 || page.NumberMatched != 0 || len(page.Features) != 0 {
			t.Errorf("GET %s: %d, %d matched", u, resp.StatusCode, page.NumberMatched)
		}
		var near struct{ Features []any }
		u = e.URL + "/nearby?lon=106.2&lat=21.3&q=" + qp
		if resp := get(t, u, &near); resp.StatusCode != 200 || len(near.Features) != 0 {
			t.Errorf("GET %s: %d, %d found", u, resp.StatusCode, len(near.Features))
		}
		u = e.URL + "/catalog?f=json&q=" + qp
		if resp, body := do(t, http.MethodGet, u, nil); resp.StatusCode != 200 || strings.Contains(string(body), `"identifier":"schools"`) {
			t.Errorf("GET %s: %d %.300s", u, resp.StatusCode, body)
		}
		// A token made of a payload is no token.
		resp, body := do(t, http.MethodPost, items, strings.NewReader(`{"type":"Feature"}`), "Content-Type", "application/geo+json",
			"Authorization", "Bearer "+p)
		wantError(t, "payload as a token", resp, body, http.StatusUnauthorized, "")
		sent += 4
	}
	t.Logf("%d requests with %d payloads", sent, len(injections))
	sameState(t, before, databaseState(t, e), nil, "")
}

// The same payloads in the write API: in ids, property names and values,
// If-Match, collection ids and upload options. Each is refused with a 4xx, or
// stored as the literal text it is and read back unchanged; nothing else in
// the database changes.
func TestSQLInjectionWrites(t *testing.T) {
	e := sampleEnv(t)
	admin := newToken(t, e, "")
	coll := describe(t, e, admin, "w-inject", map[string]any{"title": "Thử", "geometry_type": "Point",
		"schema": []map[string]any{{"name": "ten", "type": "string"}}})
	before := databaseState(t, e)
	written := 0
	for i, p := range injections {
		qp, pp := url.QueryEscape(p), url.PathEscape(p)
		// A payload as a feature id and as a text value: stored as it is.
		resp, body := write(t, http.MethodPost, coll+"/items", admin, map[string]any{"type": "Feature", "id": p,
			"geometry": point(106.2, 21.3), "properties": map[string]any{"ten": p}})
		switch resp.StatusCode {
		case http.StatusCreated:
			written++
			var f featureJSON
			if got := get(t, coll+"/items/"+pp, &f); got.StatusCode != 200 || f.ID != p || f.Properties["ten"] != p {
				t.Errorf("payload %q stored as %d %+v", p, got.StatusCode, f)
			}
		case http.StatusBadRequest:
			if e := errorOf(t, body); e.Parameter != "id" {
				t.Errorf("payload %q as an id: %+v", p, e)
			}
		default:
			t.Errorf("payload %q as an id: %d %.200s", p, resp.StatusCode, body)
		}
		noLeak(t, "POST id "+p, body, p)
		resp, body = write(t, http.MethodPost, coll+"/items", admin, map[string]any{"type": "Feature", "id": fmt.Sprint("v", i),
			"geometry": point(106.2, 21.3), "properties": map[string]any{"ten": p}})
		if resp.StatusCode != http.StatusCreated {
			t.Errorf("payload %q as a value: %d %.200s", p, resp.StatusCode, body)
		} else {
			written++
		}
		for _, c := range []struct {
			what, method, url string
			body              any
			header            []string
			status            int
		}{
			{"property name", http.MethodPost, coll + "/items", map[string]any{"type": "Feature", "geometry": point(106.2, 21.3),
				"properties": map[string]any{p: "x"}}, nil, 400},
			{"If-Match", http.MethodPatch, coll + "/items/" + fmt.Sprint("v", i), map[string]any{"properties": map[string]any{"ten": "y"}},
				[]string{"If-Match", p}, 412},
			{"patched property name", http.MethodPatch, coll + "/items/" + fmt.Sprint("v", i), map[string]any{"properties": map[string]any{p: "y"}},
				nil, 400},
			{"collection id", http.MethodPut, e.URL + "/collections/" + pp, map[string]any{"title": "x"}, nil, 400},
			{"collection field", http.MethodPut, coll, map[string]any{"frequency": p}, nil, 400},
			{"collection agency", http.MethodPut, coll, map[string]any{"agency": p}, nil, 400},
			{"item of another collection", http.MethodPost, e.URL + "/collections/" + pp + "/items", map[string]any{"type": "Feature",
				"geometry": point(106.2, 21.3)}, nil, 0},
			{"delete by a payload id", http.MethodDelete, coll + "/items/" + url.PathEscape(p+"x"), nil, nil, 404},
			{"Content-Crs", http.MethodPost, coll + "/items", map[string]any{"type": "Feature", "geometry": point(106.2, 21.3)},
				[]string{"Content-Crs", p}, 400},
		} {
			resp, body := write(t, c.method, c.url, admin, c.body, c.header...)
			if c.status != 0 && resp.StatusCode != c.status || resp.StatusCode < 400 || resp.StatusCode >= 500 {
				t.Errorf("payload %q as %s: %d %.200s", p, c.what, resp.StatusCode, body)
			}
			noLeak(t, c.what+" "+p, body, p, p+"x")
		}
		for _, opt := range []string{"encoding", "crs", "mode", "format", "max-errors", "dry-run", "frequency", "agency"} {
			resp, body := do(t, http.MethodPost, coll+"/imports?filename=a.csv&"+opt+"="+qp, strings.NewReader("id,lon,lat\na,106.2,21.3\n"),
				"Content-Type", "text/csv", "Authorization", "Bearer "+admin)
			wantError(t, "upload option "+opt+"="+p, resp, body, 400, opt)
			noLeak(t, "upload option "+opt, body, p)
		}
		resp, body = do(t, http.MethodPost, coll+"/imports?filename=a.csv&"+qp+"=1", strings.NewReader("id,lon,lat\n"),
			"Content-Type", "text/csv", "Authorization", "Bearer "+admin)
		if resp.StatusCode != 400 {
			t.Errorf("payload %q as an upload option name: %d %.200s", p, resp.StatusCode, body)
		}
	}
	after := databaseState(t, e)
	// Only the item writes changed anything: features and the version trail.
	sameState(t, before, after, []string{"features", "collection_versions"}, "w-inject")
	if got := after.Versions["w-inject"] - before.Versions["w-inject"]; got != int64(written) {
		t.Errorf("w-inject: %d new versions for %d writes", got, written)
	}
	if got := after.Rows["features"] - before.Rows["features"]; got != int64(written) {
		t.Errorf("%d new feature rows for %d writes", got, written)
	}
	var versions struct{ Versions []json.RawMessage }
	get(t, coll+"/versions", &versions)
	if len(versions.Versions) < written {
		t.Errorf("%d versions listed for %d writes", len(versions.Versions), written)
	}
}
