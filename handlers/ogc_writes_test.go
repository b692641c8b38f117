package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// The classes of OGC API – Features Part 4 (OGC 20-002), each checked by a
// client that finds the operations in the API document and sends them to a
// collection of its own.
func init() {
	const part4 = "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/"
	conformanceCheckers[part4+"create-replace-delete"] = checkCreateReplaceDelete
	conformanceCheckers[part4+"update"] = checkUpdate
	conformanceCheckers[part4+"optimistic-locking-etags"] = checkOptimisticLocking
	openapi3filter.RegisterBodyDecoder("application/merge-patch+json", openapi3filter.JSONBodyDecoder)
}

// send sends a request with body (JSON; nil for none) and checks request and
// response against the API document: the operation exists, parameters and
// body conform, and the status, headers and body are the documented ones.
func (a *apiSpec) send(t *testing.T, method, url string, body any, header ...string) (*http.Response, []byte) {
	t.Helper()
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, url, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	route, pathParams, err := a.router.FindRoute(req)
	if err != nil {
		t.Fatalf("%s %s: not in the API document: %v", method, url, err)
	}
	req.Body = io.NopCloser(bytes.NewReader(raw))
	ctx := context.Background()
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: pathParams, Route: route, Options: opts}
	if resp.StatusCode < 400 {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			t.Errorf("%s %s: the request does not conform to the API document: %v", method, url, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode,
		Header: resp.Header, Body: io.NopCloser(bytes.NewReader(got)), Options: opts}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		t.Errorf("%s %s: the response (%d %s) does not conform to the API document: %v",
			method, url, resp.StatusCode, resp.Header.Get("Content-Type"), err)
	}
	return resp, got
}

// documented checks that the API document has the operations.
func (a *apiSpec) documented(t *testing.T, ops map[string][]string) {
	t.Helper()
	for path, methods := range ops {
		item := a.doc.Paths.Find(path)
		if item == nil {
			t.Fatalf("the API document has no path %s", path)
		}
		for _, m := range methods {
			if item.GetOperation(m) == nil {
				t.Errorf("the API document has no %s %s", m, path)
			}
		}
	}
}

// writable makes a collection of the client's own through the API and returns
// its items URL, an admin token's header, and the API document that now
// describes the collection's operations.
func (c *ogcClient) writable(t *testing.T, id string) (string, []string, *apiSpec) {
	t.Helper()
	token := newToken(t, c.env, "")
	auth := []string{"Authorization", "Bearer " + token}
	resp, body := c.api.send(t, http.MethodPut, c.env.URL+"/collections/"+id, map[string]any{"title": "Kiểm tra Phần 4",
		"geometry_type": "Point", "schema": parkSchema}, append([]string{"Content-Type", "application/json"}, auth...)...)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT /collections/%s: %d %.300s", id, resp.StatusCode, body)
	}
	return c.env.URL + "/collections/" + id + "/items", auth, loadAPI(t, c.env.URL+"/api")
}

func geoJSON(auth []string, more ...string) []string {
	return append(append([]string{"Content-Type", "application/geo+json"}, auth...), more...)
}

// Create (POST items: 201 and Location), Replace (PUT item), Delete (DELETE
// item: 204, then 404); without a token 401.
func checkCreateReplaceDelete(t *testing.T, c *ogcClient) {
	items, auth, api := c.writable(t, "w-ogc-crd")
	api.documented(t, map[string][]string{"/collections/w-ogc-crd/items": {http.MethodPost},
		"/collections/w-ogc-crd/items/{featureId}": {http.MethodPut, http.MethodDelete}})
	f := map[string]any{"type": "Feature", "geometry": point(106.2, 21.28), "properties": map[string]any{"ten": "Một", "so_cho": 3}}
	resp, body := api.send(t, http.MethodPost, items, f, geoJSON(auth)...)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusCreated || loc == "" {
		t.Fatalf("create: %d Location %q %.300s", resp.StatusCode, loc, body)
	}
	var got featureJSON
	if r := get(t, loc, &got); r.StatusCode != 200 || got.Properties["ten"] != "Một" || got.ID == "" {
		t.Fatalf("GET the created feature at %s: %d %+v", loc, r.StatusCode, got)
	}
	f["id"], f["properties"] = got.ID, map[string]any{"ten": "Hai"}
	if resp, body := api.send(t, http.MethodPut, loc, f, geoJSON(auth)...); resp.StatusCode != http.StatusOK {
		t.Fatalf("replace: %d %.300s", resp.StatusCode, body)
	}
	got = featureJSON{}
	if get(t, loc, &got); got.Properties["ten"] != "Hai" || got.Properties["so_cho"] != nil {
		t.Fatalf("after replace: %+v", got.Properties)
	}
	if resp, body := api.send(t, http.MethodDelete, loc, nil, geoJSON(nil)...); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("delete without a token: %d %.300s", resp.StatusCode, body)
	}
	if resp, body := api.send(t, http.MethodDelete, loc, nil, auth...); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %d %.300s", resp.StatusCode, body)
	}
	if r := get(t, loc, nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("GET after delete: %d", r.StatusCode)
	}
	if resp, _ := api.send(t, http.MethodDelete, loc, nil, auth...); resp.StatusCode != http.StatusNotFound {
		t.Errorf("delete twice: %d", resp.StatusCode)
	}
}

// Update: a JSON merge patch sets and removes properties and keeps the rest.
func checkUpdate(t *testing.T, c *ogcClient) {
	items, auth, api := c.writable(t, "w-ogc-update")
	api.documented(t, map[string][]string{"/collections/w-ogc-update/items/{featureId}": {http.MethodPatch}})
	resp, body := api.send(t, http.MethodPost, items, map[string]any{"type": "Feature", "id": "u1", "geometry": point(106.2, 21.28),
		"properties": map[string]any{"ten": "Một", "so_cho": 3, "phi": 1000}}, geoJSON(auth)...)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %.300s", resp.StatusCode, body)
	}
	resp, body = api.send(t, http.MethodPatch, items+"/u1", map[string]any{"properties": map[string]any{"so_cho": 4, "phi": nil}},
		append([]string{"Content-Type", "application/merge-patch+json"}, auth...)...)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("patch: %d %.300s", resp.StatusCode, body)
	}
	var got featureJSON
	get(t, items+"/u1", &got)
	if got.Properties["ten"] != "Một" || got.Properties["so_cho"] != 4.0 || got.Properties["phi"] != nil || got.Geometry.Type != "Point" {
		t.Fatalf("after patch: %+v", got)
	}
}

// Optimistic locking: a write with the ETag the client read passes and
// answers the new one; with a stale ETag, PUT, PATCH and DELETE answer 412.
func checkOptimisticLocking(t *testing.T, c *ogcClient) {
	items, auth, api := c.writable(t, "w-ogc-etag")
	resp, body := api.send(t, http.MethodPost, items, map[string]any{"type": "Feature", "id": "e1", "geometry": point(106.2, 21.28),
		"properties": map[string]any{"ten": "Một"}}, geoJSON(auth)...)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %.300s", resp.StatusCode, body)
	}
	read := get(t, items+"/e1", nil).Header.Get("ETag")
	if read == "" || read != resp.Header.Get("ETag") {
		t.Fatalf("ETag of the read %q, of the write %q", read, resp.Header.Get("ETag"))
	}
	patch := append([]string{"Content-Type", "application/merge-patch+json", "If-Match", read}, auth...)
	resp, body = api.send(t, http.MethodPatch, items+"/e1", map[string]any{"properties": map[string]any{"ten": "Hai"}}, patch...)
	fresh := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || fresh == "" || fresh == read {
		t.Fatalf("patch with the current ETag: %d %q %.300s", resp.StatusCode, fresh, body)
	}
	for _, m := range []string{http.MethodPatch, http.MethodPut, http.MethodDelete} {
		var b any
		h := geoJSON(auth, "If-Match", read)
		switch m {
		case http.MethodPatch:
			b, h = map[string]any{"properties": map[string]any{"ten": "Ba"}}, patch
		case http.MethodPut:
			b = map[string]any{"type": "Feature", "id": "e1", "geometry": point(106.2, 21.28)}
		}
		if resp, body := api.send(t, m, items+"/e1", b, h...); resp.StatusCode != http.StatusPreconditionFailed {
			t.Errorf("%s with a stale ETag: %d %.300s", m, resp.StatusCode, body)
		}
	}
	var got featureJSON
	if r := get(t, items+"/e1", &got); r.Header.Get("ETag") != fresh || got.Properties["ten"] != "Hai" {
		t.Fatalf("after refused writes: ETag %q (want %q) %+v", r.Header.Get("ETag"), fresh, got.Properties)
	}
	if resp, body := api.send(t, http.MethodDelete, items+"/e1", nil, append([]string{"If-Match", fresh}, auth...)...); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete with the current ETag: %d %.300s", resp.StatusCode, body)
	}
}
