package handlers_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vn-opendata/geodata/ingest"
	"github.com/vn-opendata/geodata/opendata"
	"github.com/vn-opendata/geodata/store"
)

// do sends a request and returns the response with its body read.
func do(t *testing.T, method, url string, body io.Reader, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// catalogJSON fetches /catalog?f=json with extra query.
func catalogJSON(t *testing.T, e *env, query string) opendata.Catalog {
	t.Helper()
	var c opendata.Catalog
	if resp := get(t, e.URL+"/catalog?f=json"+query, &c); resp.StatusCode != http.StatusOK {
		t.Fatalf("catalog: %d", resp.StatusCode)
	}
	return c
}

// The catalogue lists every collection with the template's fields, the agency
// answering today, and each download's size and checksum — which match the
// files the download URLs serve.
func TestCatalogJSONAndDownloads(t *testing.T) {
	e := sampleEnv(t)
	c := catalogJSON(t, e, "")
	if len(c.Entries) < 9 || c.Publisher.ID != "bn-so-khcn" {
		t.Fatalf("%d entries, publisher %+v", len(c.Entries), c.Publisher)
	}
	var schools *opendata.Entry
	for i := range c.Entries {
		if c.Entries[i].ID == "schools" {
			schools = &c.Entries[i]
		}
	}
	if schools == nil {
		t.Fatal("no schools entry")
	}
	if schools.No != 1 || schools.Title != "Trường học các cấp" || schools.Agency.Name != "Sở Giáo dục và Đào tạo tỉnh Bắc Ninh" ||
		schools.PublishedBy == nil || schools.PublishedBy.ID != "so-gddt" || schools.Frequency.NameVi != "Hằng năm" ||
		schools.Theme == nil || schools.Theme.Code != "EDUC" || schools.FeatureCount != 1800 || !strings.HasSuffix(schools.MapURL, "/map#collection=schools") {
		t.Errorf("schools entry %+v", schools)
	}
	formats := map[string]bool{}
	for _, d := range schools.Distributions {
		formats[d.Format] = true
		if d.Format == "api" {
			continue
		}
		if d.Size == 0 || len(d.SHA256) != 64 || !strings.Contains(d.DownloadURL, "/downloads/schools/v") {
			t.Errorf("distribution %+v", d)
			continue
		}
		for _, u := range []string{d.AccessURL, d.DownloadURL} {
			resp, body := do(t, http.MethodGet, u, nil)
			sum := sha256.Sum256(body)
			if resp.StatusCode != http.StatusOK || int64(len(body)) != d.Size || hex.EncodeToString(sum[:]) != d.SHA256 {
				t.Errorf("GET %s: %d, %d bytes sha256 %x; catalogue says %d %s", u, resp.StatusCode, len(body), sum, d.Size, d.SHA256)
			}
			if ct := resp.Header.Get("Content-Type"); ct != d.MediaType {
				t.Errorf("GET %s: Content-Type %s, want %s", u, ct, d.MediaType)
			}
		}
	}
	for _, f := range []string{"geojson", "csv", "csv-vn2000", "kml", "gpkg", "pmtiles", "api"} {
		if !formats[f] {
			t.Errorf("no %s distribution", f)
		}
	}
}

// The template CSV and XLSX come with exactly the template's headings and one
// row per dataset; the DCAT documents parse as RDF.
func TestCatalogExports(t *testing.T) {
	e := sampleEnv(t)
	n := len(catalogJSON(t, e, "").Entries)
	resp, body := do(t, http.MethodGet, e.URL+"/catalog?f=csv", nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != n+1 || strings.Join(rows[0], "|") != strings.Join(opendata.TemplateHeadings, "|") {
		t.Fatalf("csv rows %d, headings %q", len(rows), rows[0])
	}
	if rows[1][1] != "Trường học các cấp" || rows[1][4] != "30/06/2023" || rows[1][3] != "Sở Giáo dục và Đào tạo tỉnh Bắc Ninh" {
		t.Errorf("csv first row %q", rows[1])
	}
	resp, body = do(t, http.MethodGet, e.URL+"/catalog?f=xlsx", nil)
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("xlsx: %d %v", resp.StatusCode, err)
	}
	xrows, err := f.GetRows(opendata.TemplateSheet)
	if err != nil || len(xrows) != n+1 || strings.Join(xrows[0], "|") != strings.Join(opendata.TemplateHeadings, "|") || xrows[1][1] != "Trường học các cấp" {
		t.Errorf("xlsx rows %q %v", xrows, err)
	}
	resp, body = do(t, http.MethodGet, e.URL+"/catalog?f=xml", nil)
	var x opendata.Catalog
	if err := xml.Unmarshal(body, &x); err != nil || len(x.Entries) != n || resp.Header.Get("Content-Type") != "application/xml" {
		t.Errorf("xml: %d entries, %v", len(x.Entries), err)
	}
	if _, err := exec.LookPath("rapper"); err != nil {
		t.Skip("needs rapper (raptor2-utils)")
	}
	for accept, syntax := range map[string]string{"text/turtle": "turtle", "application/rdf+xml": "rdfxml"} {
		resp, body := do(t, http.MethodGet, e.URL+"/catalog", nil, "Accept", accept)
		if resp.Header.Get("Content-Type") != accept {
			t.Errorf("Accept %s: Content-Type %s", accept, resp.Header.Get("Content-Type"))
		}
		cmd := exec.Command("rapper", "-c", "-i", syntax, "-", e.URL+"/catalog")
		cmd.Stdin = bytes.NewReader(body)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "returned") {
			t.Errorf("rapper %s: %v %s", syntax, err, out)
		}
	}
	resp, body = do(t, http.MethodGet, e.URL+"/catalog?f=jsonld", nil)
	var ld map[string]any
	if err := json.Unmarshal(body, &ld); err != nil || resp.Header.Get("Content-Type") != "application/ld+json" || ld["@graph"] == nil {
		t.Errorf("json-ld: %v %s", err, resp.Header.Get("Content-Type"))
	}
}

// Search ignores accents and case; theme and agency filters work with former
// agencies too; bad values are 400s naming the parameter.
func TestCatalogFilters(t *testing.T) {
	e := sampleEnv(t)
	ids := func(query string) string {
		var out []string
		for _, en := range catalogJSON(t, e, query).Entries {
			out = append(out, en.ID)
		}
		return strings.Join(out, ",")
	}
	cases := map[string]string{
		"&q=truong+hoc":          "schools",
		"&q=TR%C6%AF%E1%BB%9CNG": "schools",
		"&q=buyt":                "bus-routes,bus-stops",
		"&theme=EDUC":            "schools",
		"&agency=so-tttt":        "bts-sites,postal-points",
		"&agency=bn-so-khcn":     "bts-sites,postal-points",
		"&q=xyzzy":               "",
	}
	for q, want := range cases {
		if got := ids(q); got != want {
			t.Errorf("%s: %q, want %q", q, got, want)
		}
	}
	for q, param := range map[string]string{"?f=json&theme=NOPE": "theme", "?f=json&agency=so-nope": "agency", "?f=pdf": "f", "?f=json&sort=x": "sort"} {
		var er struct{ Parameter string }
		resp := get(t, e.URL+"/catalog"+q, &er)
		if resp.StatusCode != http.StatusBadRequest || er.Parameter != param {
			t.Errorf("%s: %d naming %q, want 400 naming %q", q, resp.StatusCode, er.Parameter, param)
		}
	}
}

// writeCSV writes a small CSV of n schools for a collection of the test's own.
func writeCSV(t *testing.T, dir string, n int, name string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("Mã,Tên,Kinh độ,Vĩ độ\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "DL-%03d,%s %d,%.4f,21.3\n", i, name, i, 106.1+float64(i)*0.001)
	}
	path := filepath.Join(dir, fmt.Sprintf("dl-%s-%d.csv", name, n))
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Downloads have a stable latest URL and immutable versioned URLs; an older
// version stays downloadable while kept; one never built is gone (410).
func TestDownloadVersions(t *testing.T) {
	e := sampleEnv(t)
	ctx := context.Background()
	dir := t.TempDir()
	imp := func(n int) int64 {
		res, err := ingest.Import(ctx, e.DB, ingest.Request{Path: writeCSV(t, dir, n, "Điểm"), Collection: "dl-test", Actor: "test",
			Region: e.Region, Metadata: store.Metadata{Title: "Thử tải về"}})
		if err != nil {
			t.Fatal(err)
		}
		waitVersion(t, e, "dl-test", res.Version)
		return res.Version
	}
	v1 := imp(3)
	v2 := imp(4)
	url := func(v int64) string { return fmt.Sprintf("%s/downloads/dl-test/v%d/dl-test-v%d.geojson", e.URL, v, v) }
	resp, body := do(t, http.MethodGet, url(v2), nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") ||
		!strings.HasPrefix(resp.Header.Get("Repr-Digest"), "sha-256=:") || strings.Count(string(body), `"type":"Feature"`) != 4 {
		t.Fatalf("v%d: %d %v", v2, resp.StatusCode, resp.Header)
	}
	if resp, _ := do(t, http.MethodGet, url(v1), nil); resp.StatusCode != http.StatusGone {
		t.Errorf("v%d never built: %d, want 410", v1, resp.StatusCode)
	}
	v3 := imp(5)
	if resp, body := do(t, http.MethodGet, url(v2), nil); resp.StatusCode != http.StatusOK || strings.Count(string(body), `"type":"Feature"`) != 4 {
		t.Errorf("v%d after v%d: %d", v2, v3, resp.StatusCode)
	}
	latest := e.URL + "/downloads/dl-test.geojson"
	resp, body = do(t, http.MethodGet, latest, nil)
	if resp.StatusCode != http.StatusOK || strings.Count(string(body), `"type":"Feature"`) != 5 {
		t.Fatalf("latest: %d", resp.StatusCode)
	}
	tag := resp.Header.Get("ETag")
	if !strings.Contains(tag, fmt.Sprintf("-v%d-", v3)) {
		t.Errorf("ETag %s does not name version %d", tag, v3)
	}
	if resp, _ := do(t, http.MethodGet, latest, nil, "If-None-Match", tag); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", resp.StatusCode)
	}
	for _, u := range []string{"/downloads/dl-test.pdf", "/downloads/nowhere.geojson", fmt.Sprintf("/downloads/dl-test/v%d/dl-test-v%d.geojson", v3+1, v3+1),
		fmt.Sprintf("/downloads/dl-test/v%d/other.geojson", v3)} {
		if resp, _ := do(t, http.MethodGet, e.URL+u, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", u, resp.StatusCode)
		}
	}
}

// Item requests, tiles (of the collection's tileset and of the combined one)
// and downloads are counted per collection and day, flushed to
// PostgreSQL and shown in the catalogue.
func TestUsageCounted(t *testing.T) {
	e := sampleEnv(t)
	ctx := context.Background()
	if err := e.Server.FlushUsage(ctx); err != nil {
		t.Fatal(err)
	}
	before := catalogJSON(t, e, "&q=ports")
	var start opendata.Counts
	if u := before.Entries[0].Usage; u != nil {
		start = u.All
	}
	for i := 0; i < 3; i++ {
		get(t, e.URL+"/collections/ports/items?limit=2", nil)
	}
	get(t, e.URL+"/collections/ports/items/nowhere", nil) // a 404 is not a use
	get(t, e.URL+"/downloads/ports.kml", nil)
	for _, u := range []string{"/collections/ports/tiles/WebMercatorQuad/0/0/0", "/tiles/WebMercatorQuad/0/0/0?collections=ports"} {
		if resp, _ := do(t, http.MethodGet, e.URL+u, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", u, resp.StatusCode)
		}
	}
	if err := e.Server.FlushUsage(ctx); err != nil {
		t.Fatal(err)
	}
	sums, err := e.DB.UsageSums(ctx, time.Time{}, time.Now().AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if sums["ports"][store.UsageItems] < start.Items+3 || sums["ports"][store.UsageDownload] < start.Downloads+1 ||
		sums["ports"][store.UsageTiles] < start.Tiles+2 {
		t.Errorf("stored usage %v, before %+v", sums["ports"], start)
	}
	after := catalogJSON(t, e, "&q=ports").Entries[0].Usage
	if after == nil || after.All.Items != start.Items+3 || after.All.Downloads != start.Downloads+1 || after.All.Tiles != start.Tiles+2 || after.Recent.Items != after.All.Items {
		t.Errorf("catalogue usage %+v, before %+v", after, start)
	}
}
