package handlers_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
)

// rawGet sends a request without Go's transparent gzip handling.
func rawGet(t *testing.T, method, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// Every resource kind answers a conditional GET with 304, and a representation
// changes its ETag with the query, the media type, the CRS and the content coding.
func TestConditionalGetAndVariants(t *testing.T) {
	e := sampleEnv(t)
	for _, path := range []string{"/", "/conformance", "/api", "/collections", "/collections/schools",
		"/collections/schools/items", "/collections/schools/items/BG-TR-00001", "/collections/schools/queryables",
		"/collections/schools/schema"} {
		resp, _ := rawGet(t, http.MethodGet, e.URL+path)
		tag := resp.Header.Get("ETag")
		if tag == "" || resp.Header.Get("Cache-Control") == "" || resp.Header.Get("Vary") != "Accept, Accept-Encoding" {
			t.Errorf("%s: ETag %q Cache-Control %q Vary %q", path, tag, resp.Header.Get("Cache-Control"), resp.Header.Get("Vary"))
			continue
		}
		again, body := rawGet(t, http.MethodGet, e.URL+path, "If-None-Match", `"other", `+tag)
		if again.StatusCode != http.StatusNotModified || len(body) != 0 || again.Header.Get("ETag") != tag {
			t.Errorf("%s If-None-Match: %d, %d bytes", path, again.StatusCode, len(body))
		}
	}
	tags := map[string]string{}
	for name, h := range map[string][]string{
		"plain":   {},
		"html":    {"Accept", "text/html"},
		"gzip":    {"Accept-Encoding", "gzip"},
		"crs":     {"X-Query", "crs=EPSG:3857"},
		"limit":   {"X-Query", "limit=11"},
		"forward": {"X-Forwarded-Host", "data.example.gov.vn"},
	} {
		url := e.URL + "/collections/schools/items"
		if len(h) == 2 && h[0] == "X-Query" {
			url += "?" + h[1]
			h = nil
		}
		resp, _ := rawGet(t, http.MethodGet, url, h...)
		for other, tag := range tags {
			if tag == resp.Header.Get("ETag") {
				t.Errorf("%s and %s share the ETag %s", name, other, tag)
			}
		}
		tags[name] = resp.Header.Get("ETag")
	}
}

// gzip when the client accepts it, with the same content; never otherwise.
func TestGzip(t *testing.T) {
	e := sampleEnv(t)
	url := e.URL + "/collections/schools/items?limit=500"
	plain, want := rawGet(t, http.MethodGet, url)
	if plain.Header.Get("Content-Encoding") != "" {
		t.Fatalf("compressed without Accept-Encoding: %s", plain.Header.Get("Content-Encoding"))
	}
	zipped, body := rawGet(t, http.MethodGet, url, "Accept-Encoding", "br;q=1, gzip;q=0.8")
	if zipped.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(zipped.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("Accept-Encoding gzip: %v", zipped.Header)
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("gunzipped body differs (%v)", err)
	}
	if len(body)*3 > len(want) {
		t.Errorf("gzip: %d bytes of %d", len(body), len(want))
	}
	if refused, _ := rawGet(t, http.MethodGet, url, "Accept-Encoding", "gzip;q=0"); refused.Header.Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 still compressed")
	}
	if notModified, _ := rawGet(t, http.MethodGet, url, "Accept-Encoding", "gzip", "If-None-Match", zipped.Header.Get("ETag")); notModified.StatusCode != 304 {
		t.Errorf("the gzip ETag revalidates: %d", notModified.StatusCode)
	}
	// MapLibre, the largest static file, goes compressed too.
	if js, _ := rawGet(t, http.MethodGet, e.URL+"/static/home.js", "Accept-Encoding", "gzip"); js.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("static script: %v", js.Header)
	}
}

// Any web page may read the API (CORS), and a preflight says what it may send.
func TestCORS(t *testing.T) {
	e := sampleEnv(t)
	resp, _ := rawGet(t, http.MethodGet, e.URL+"/collections/schools/items?limit=1", "Origin", "https://map.example.org")
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "Content-Crs") {
		t.Errorf("CORS headers: %v", resp.Header)
	}
	pre, _ := rawGet(t, http.MethodOptions, e.URL+"/collections/schools/items", "Origin", "https://map.example.org",
		"Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "if-none-match")
	if pre.StatusCode != http.StatusNoContent || pre.Header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(pre.Header.Get("Access-Control-Allow-Methods"), "GET") ||
		!strings.Contains(pre.Header.Get("Access-Control-Allow-Headers"), "If-None-Match") {
		t.Errorf("preflight: %d %v", pre.StatusCode, pre.Header)
	}
	if resp, _ := rawGet(t, http.MethodOptions, e.URL+"/nowhere"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("OPTIONS on an unknown path: %d", resp.StatusCode)
	}
	if resp, _ := rawGet(t, http.MethodPost, e.URL+"/collections"); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /collections: %d", resp.StatusCode)
	}
}

// Behind a proxy every link uses the public URL the proxy gives.
func TestLinksBehindProxy(t *testing.T) {
	e := sampleEnv(t)
	for _, h := range [][]string{
		{"Forwarded", `for=10.0.0.1;proto=https;host="data.example.gov.vn"`, "X-Forwarded-Prefix", "/geo"},
		{"X-Forwarded-Proto", "https", "X-Forwarded-Host", "data.example.gov.vn", "X-Forwarded-Prefix", "/geo/"},
	} {
		for _, path := range []string{"/?f=json", "/collections", "/collections/schools/items?limit=2", "/api", "/collections/schools/queryables"} {
			_, body := rawGet(t, http.MethodGet, e.URL+path, h...)
			if strings.Contains(string(body), "127.0.0.1") || !strings.Contains(string(body), `"https://data.example.gov.vn/geo`) {
				t.Errorf("%s behind %v: links not public: %.300s", path, h, body)
			}
		}
		_, page := rawGet(t, http.MethodGet, e.URL+"/collections/schools?f=html", h...)
		if strings.Contains(string(page), "127.0.0.1") || !strings.Contains(string(page), `href="https://data.example.gov.vn/geo/collections/schools/items?f=html"`) {
			t.Errorf("HTML behind %v: links not public", h)
		}
	}
}

// Negotiation: ?f= wins; Accept with q-values otherwise; odd Accept headers get JSON.
func TestNegotiation(t *testing.T) {
	e := sampleEnv(t)
	cases := []struct {
		path, accept, want string
	}{
		{"/", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html; charset=utf-8"},
		{"/", "application/json", "application/json"},
		{"/?f=json", "text/html", "application/json"},
		{"/", "*/*", "application/json"},
		{"/", "image/png", "application/json"},
		{"/", "application/json;q=0.5, text/html", "text/html; charset=utf-8"},
		{"/collections/schools/items?limit=1", "application/json", "application/geo+json"},
		{"/collections/schools/items?limit=1", "text/csv", "text/csv; charset=utf-8"},
		{"/collections/schools/items/BG-TR-00001", "application/geo+json", "application/geo+json"},
		{"/api", "application/vnd.oai.openapi+json;version=3.0", "application/vnd.oai.openapi+json;version=3.0"},
		{"/api", "application/json", "application/vnd.oai.openapi+json;version=3.0"},
		{"/api", "text/html", "text/html; charset=utf-8"},
		{"/collections/schools/queryables", "application/json", "application/schema+json"},
	}
	for _, c := range cases {
		resp, _ := rawGet(t, http.MethodGet, e.URL+c.path, "Accept", c.accept)
		if ct := resp.Header.Get("Content-Type"); ct != c.want {
			t.Errorf("%s Accept %q: %s, want %s", c.path, c.accept, ct, c.want)
		}
	}
}
