package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

var registerDecoders sync.Once

// apiSpec is the service's OpenAPI document, loaded and validated by
// kin-openapi (an implementation independent of ours), with a router to find
// the operation of a request.
type apiSpec struct {
	doc    *openapi3.T
	router routers.Router
}

func loadAPI(t *testing.T, docURL string) *apiSpec {
	t.Helper()
	registerDecoders.Do(func() {
		for _, mt := range []string{"application/geo+json", "application/schema+json", "application/vnd.oai.openapi+json"} {
			openapi3filter.RegisterBodyDecoder(mt, openapi3filter.JSONBodyDecoder)
		}
		openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
	})
	resp := get(t, docURL, nil, "Accept", "application/vnd.oai.openapi+json;version=3.0")
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "application/vnd.oai.openapi+json;version=3.0" {
		t.Fatalf("GET /api: %d %s", resp.StatusCode, ct)
	}
	body := readAll(t, resp)
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData([]byte(body))
	if err != nil {
		t.Fatalf("load the API document: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the API document is not valid OpenAPI 3.0: %v", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &apiSpec{doc: doc, router: router}
}

// exchange sends a request and checks request and response against the API
// document: the operation exists, parameters conform, and the status, headers
// and body are the documented ones.
func (a *apiSpec) exchange(t *testing.T, method, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	return a.send(t, method, url, nil, header...)
}

// operations lists the GET operations of the document by path.
func (a *apiSpec) operations() map[string]*openapi3.Operation {
	out := map[string]*openapi3.Operation{}
	for path, item := range a.doc.Paths.Map() {
		if item.Get != nil {
			out[path] = item.Get
		}
	}
	return out
}

// examples returns the documented example requests of an operation.
func examples(t *testing.T, op *openapi3.Operation) []string {
	t.Helper()
	raw, ok := op.Extensions["x-example-requests"]
	if !ok {
		return nil
	}
	b, _ := json.Marshal(raw)
	var out []string
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("x-example-requests of %s: %v", op.OperationID, err)
	}
	return out
}

// Every documented example request answers 200 with what the document says,
// in every representation the operation documents; HEAD and OPTIONS too.
func TestAPIExamplesConform(t *testing.T) {
	e := sampleEnv(t)
	api := loadAPI(t, e.URL+"/api")
	ops := api.operations()
	paths := make([]string, 0, len(ops))
	for p := range ops {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	ran := 0
	for _, path := range paths {
		op := ops[path]
		exs := examples(t, op)
		if len(exs) == 0 && !strings.Contains(path, "{") {
			t.Errorf("%s documents no example request", path)
		}
		for _, ex := range exs {
			resp, body := api.exchange(t, http.MethodGet, e.URL+ex)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("example %s: %d %.300s", ex, resp.StatusCode, body)
			}
			ran++
		}
		if len(exs) > 0 && api.doc.Paths.Value(path).Head != nil {
			if resp, body := api.exchange(t, http.MethodHead, e.URL+exs[0]); resp.StatusCode != 200 || len(body) != 0 {
				t.Errorf("HEAD %s: %d, %d bytes", exs[0], resp.StatusCode, len(body))
			}
			resp, _ := api.exchange(t, http.MethodOptions, e.URL+exs[0], "Origin", "http://example.org",
				"Access-Control-Request-Method", "GET")
			if resp.StatusCode != http.StatusNoContent || !strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "GET") {
				t.Errorf("OPTIONS %s: %d %v", exs[0], resp.StatusCode, resp.Header)
			}
		}
	}
	if ran < 50 {
		t.Errorf("only %d example requests ran", ran)
	}
	for _, accept := range []string{"text/html", "application/json"} {
		for _, p := range []string{"/", "/collections", "/collections/schools", "/collections/schools/items?limit=3",
			"/collections/schools/items/BG-TR-00001", "/api"} {
			if resp, _ := api.exchange(t, http.MethodGet, e.URL+p, "Accept", accept); resp.StatusCode != 200 {
				t.Errorf("%s with Accept %s: %d", p, accept, resp.StatusCode)
			}
		}
	}
}

// The documented parameters are the accepted ones: the limit QGIS reads, and the
// queryables of each collection as parameters of its items.
func TestAPIDocumentsParameters(t *testing.T) {
	e := sampleEnv(t)
	api := loadAPI(t, e.URL+"/api")
	limit := api.doc.Components.Parameters["limit"]
	if limit == nil || limit.Value.Schema.Value.Max == nil || *limit.Value.Schema.Value.Max != 10000 ||
		limit.Value.Schema.Value.Default != float64(10) {
		t.Fatalf("components.parameters.limit: %+v", limit)
	}
	for _, snap := range e.Cat.Snapshots() {
		item := api.doc.Paths.Value("/collections/" + snap.ID() + "/items")
		if item == nil || item.Get == nil {
			t.Fatalf("no items path for %s", snap.ID())
		}
		declared := map[string]bool{}
		for _, p := range item.Get.Parameters {
			declared[p.Value.Name] = true
			if p.Value.Name == "limit" && p.Ref != "#/components/parameters/limit" {
				t.Errorf("%s: limit is not the shared components.parameters.limit", snap.ID())
			}
		}
		for _, name := range []string{"f", "lang", "limit", "offset", "bbox", "bbox-crs", "crs", "properties", "sortby"} {
			if !declared[name] {
				t.Errorf("%s items: parameter %s is not declared", snap.ID(), name)
			}
		}
		for _, p := range snap.Collection.Schema {
			if !declared[p.Name] {
				t.Errorf("%s items: queryable %q is not declared", snap.ID(), p.Name)
			}
		}
	}
}

// Errors are served as documented: the parameter named, the status in the body.
func TestAPIErrorsConform(t *testing.T) {
	e := sampleEnv(t)
	api := loadAPI(t, e.URL+"/api")
	cases := []struct {
		path   string
		status int
		param  string
	}{
		{"/collections/schools/items?limit=0", 400, "limit"},
		{"/collections/schools/items?limit=ten", 400, "limit"},
		{"/collections/schools/items?offset=-3", 400, "offset"},
		{"/collections/schools/items?bbox=1,2,3", 400, "bbox"},
		{"/collections/schools/items?crs=EPSG:2000", 400, "crs"},
		{"/collections/schools/items?bbox=1,2,3,4&bbox-crs=EPSG:9999", 400, "bbox-crs"},
		{"/collections/schools/items?datetime=2020-01-01", 400, "datetime"},
		{"/collections/bts-sites/items?datetime=yesterday", 400, "datetime"},
		{"/collections/schools/items?sortby=colour", 400, "sortby"},
		{"/collections/schools/items?properties=colour", 400, "properties"},
		{"/collections/schools/items?f=xml", 400, "f"},
		{"/collections/schools/items?lang=fr", 400, "lang"},
		{"/collections/schools/items?colour=red", 400, "colour"},
		{"/collections/schools/items/BG-TR-99999", 404, ""},
		{"/collections/schools/items/BG-TR-00001?crs=EPSG:1", 400, "crs"},
		{"/collections?f=csv", 400, "f"},
		{"/?limit=3", 400, "limit"},
		{"/collections/schools/queryables?f=csv", 400, "f"},
		{"/healthz?x=1", 400, "x"},
	}
	for _, c := range cases {
		resp, body := api.exchange(t, http.MethodGet, e.URL+c.path)
		var ex struct {
			Code, Description, Parameter string
			Status                       int
		}
		if err := json.Unmarshal(body, &ex); err != nil {
			t.Errorf("%s: %v in %.200s", c.path, err, body)
			continue
		}
		if resp.StatusCode != c.status || ex.Status != c.status || ex.Parameter != c.param || ex.Description == "" {
			t.Errorf("%s: %d %+v, want %d naming %q", c.path, resp.StatusCode, ex, c.status, c.param)
		}
	}
	// For a browser the error is a page, and still names the parameter.
	resp, body := api.exchange(t, http.MethodGet, e.URL+"/collections/schools/items?limit=0", "Accept", "text/html")
	if resp.StatusCode != 400 || !strings.Contains(string(body), "<code>limit</code>") {
		t.Errorf("HTML error page: %d %.300s", resp.StatusCode, body)
	}
	// Unknown paths are 404 too, outside the document.
	if resp := get(t, e.URL+"/collections/nope/items", nil); resp.StatusCode != 404 {
		t.Errorf("unknown collection: %d", resp.StatusCode)
	}
	// 304 is documented.
	resp, _ = api.exchange(t, http.MethodGet, e.URL+"/collections/ports/items")
	if resp, _ := api.exchange(t, http.MethodGet, e.URL+"/collections/ports/items", "If-None-Match", resp.Header.Get("ETag")); resp.StatusCode != 304 {
		t.Errorf("If-None-Match: %d", resp.StatusCode)
	}
}
