package handlers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vn-opendata/geodata/importers"
	"github.com/vn-opendata/geodata/internal/shareddata"
	"github.com/vn-opendata/geodata/sample"
)

// jobJSON is GET /jobs/{id} as a client reads it.
type jobJSON struct {
	ID         int64
	Collection string
	State      string
	Phase      string
	Progress   float64
	RowsDone   int64 `json:"rows_done"`
	Version    int64
	Error      string
	SourceName string `json:"source_name"`
	Report     struct {
		Report importers.Report
	}
	Options map[string]string
}

// multipartUpload is a form with option fields and the file.
func multipartUpload(t *testing.T, name string, file []byte, fields map[string]string) (string, *bytes.Buffer) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(file)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), &b
}

// awaitJob polls a job until it ends, checking that the job URL answers with
// its state all along.
func awaitJob(t *testing.T, jobURL, token string) jobJSON {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, body := do(t, http.MethodGet, jobURL, nil, "Authorization", "Bearer "+token)
		var j jobJSON
		if resp.StatusCode != 200 || json.Unmarshal(body, &j) != nil {
			t.Fatalf("GET %s: %d %.300s", jobURL, resp.StatusCode, body)
		}
		if resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("a job's state is cached: %q", resp.Header.Get("Cache-Control"))
		}
		if j.Progress < 0 || j.Progress > 1 {
			t.Errorf("progress %v", j.Progress)
		}
		if j.State == "succeeded" || j.State == "failed" {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job still %s: %.300s", j.State, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// accepted checks a 202 with the job's URL and returns it.
func accepted(t *testing.T, e *env, what string, resp *http.Response, body []byte) string {
	t.Helper()
	var j jobJSON
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusAccepted || !strings.HasPrefix(loc, e.URL+"/jobs/") || json.Unmarshal(body, &j) != nil ||
		loc != e.URL+"/jobs/"+strconv.FormatInt(j.ID, 10) {
		t.Fatalf("%s: %d Location %q %.300s", what, resp.StatusCode, loc, body)
	}
	if j.State != "queued" && j.State != "running" && j.State != "succeeded" {
		t.Errorf("%s: a new job is %q", what, j.State)
	}
	return loc
}

// Uploads: a multipart form and a raw body with the CLI's options start import
// jobs (202 and the job's URL); the job reports its progress, the validation
// report and the version it made; a bad file leaves the served version as it
// was and its report names the bad rows; only the collection's agency (or an
// admin) may upload, and only they may read the job.
func TestUploadImports(t *testing.T) {
	e := sampleEnv(t)
	agency := responsible(t, e, "so-gtvt")
	other := responsible(t, e, "so-gddt")
	if other == agency {
		t.Fatalf("%s answers for both agencies", agency)
	}
	tok, otherTok, admin := newToken(t, e, agency), newToken(t, e, other), newToken(t, e, "")
	coll := e.URL + "/collections/w-upload"

	// A legacy Windows-1258 CSV as a multipart form, with encoding= and the
	// catalogue metadata of the new collection as fields.
	names := []string{"Bến xe Hoàng Văn Thụ", "Bến xe Đồi Ngô", "Trạm dừng Lục Ngạn"}
	var csv strings.Builder
	csv.WriteString("ma,ten,kinh_do,vi_do\n")
	for i, n := range names {
		fmt.Fprintf(&csv, "b%d,%s,%.4f,%.4f\n", i, n, 106.2+float64(i)*0.05, 21.3)
	}
	legacy, err := sample.EncodeWindows1258(csv.String())
	if err != nil {
		t.Fatal(err)
	}
	if string(legacy) == csv.String() {
		t.Fatal("the legacy file is the same bytes as UTF-8")
	}
	ct, form := multipartUpload(t, "ben_xe.csv", []byte(legacy), map[string]string{"encoding": "cp1258",
		"title": "Bến xe thử", "id-column": "ma", "lon-col": "kinh_do", "lat-col": "vi_do", "frequency": "MONTHLY"})
	resp, body := do(t, http.MethodPost, coll+"/imports", form, "Content-Type", ct, "Authorization", "Bearer "+tok)
	jobURL := accepted(t, e, "multipart upload", resp, body)
	j := awaitJob(t, jobURL, tok)
	if j.State != "succeeded" || j.Version < 1 || j.Phase != "done" || j.Progress != 1 || j.Collection != "w-upload" ||
		j.SourceName != "ben_xe.csv" || j.Report.Report.Read != 3 || j.Report.Report.Accepted != 3 || j.Options["encoding"] != "cp1258" {
		t.Fatalf("multipart job: %+v", j)
	}
	var page struct {
		Features []featureJSON
	}
	get(t, coll+"/items?limit=10", &page)
	if len(page.Features) != 3 {
		t.Fatalf("after the upload: %d features", len(page.Features))
	}
	for _, f := range page.Features {
		i, _ := strconv.Atoi(strings.TrimPrefix(f.ID, "b"))
		if f.Properties["ten"] != names[i] {
			t.Errorf("feature %s: ten %q, want %q (decoded from Windows-1258)", f.ID, f.Properties["ten"], names[i])
		}
	}
	var doc struct {
		Title   string
		Catalog struct {
			Agency  string
			Version int64
		}
	}
	get(t, coll, &doc)
	if doc.Title != "Bến xe thử" || doc.Catalog.Agency != agency || doc.Catalog.Version != j.Version {
		t.Fatalf("collection after the upload: %+v, job version %d", doc, j.Version)
	}
	good := j.Version

	// The job is its uploader's, its agency's and the admins'.
	for _, c := range []struct {
		token  string
		status int
	}{{"", 401}, {otherTok, 403}, {admin, 200}, {tok, 200}} {
		h := []string{}
		if c.token != "" {
			h = []string{"Authorization", "Bearer " + c.token}
		}
		if resp, body := do(t, http.MethodGet, jobURL, nil, h...); resp.StatusCode != c.status {
			t.Errorf("GET job with token %q: %d %.200s, want %d", c.token, resp.StatusCode, body, c.status)
		}
	}
	// Another replica (a server of its own over the same database) reports the
	// same job: its state lives in PostgreSQL.
	replica := limitedServer(t, e, 10*time.Second)
	resp, body = do(t, http.MethodGet, strings.Replace(jobURL, e.URL, replica, 1), nil, "Authorization", "Bearer "+tok)
	var there jobJSON
	if resp.StatusCode != 200 || json.Unmarshal(body, &there) != nil || there.ID != j.ID || there.State != "succeeded" ||
		there.Version != j.Version || there.Report.Report.Accepted != 3 {
		t.Errorf("the job at another replica: %d %.300s", resp.StatusCode, body)
	}
	if resp, _ := do(t, http.MethodGet, e.URL+"/jobs/999999999", nil, "Authorization", "Bearer "+admin); resp.StatusCode != 404 {
		t.Errorf("unknown job: %d", resp.StatusCode)
	}

	// A file with bad rows: the job fails with a row-level report and the
	// served version stays.
	bad := "ma,ten,kinh_do,vi_do\nb0,Một,106.2,21.3\nb1,Hai,kinh độ,21.3\nb2,Ba,106.3,\n"
	resp, body = do(t, http.MethodPost, coll+"/imports?filename=hong.csv&lon-col=kinh_do&lat-col=vi_do&id-column=ma",
		strings.NewReader(bad), "Content-Type", "text/csv", "Authorization", "Bearer "+tok)
	j = awaitJob(t, accepted(t, e, "bad file", resp, body), tok)
	if j.State != "failed" || j.Version != 0 || j.Error == "" || j.Report.Report.Rejected != 2 {
		t.Fatalf("bad file: %+v", j)
	}
	lines := map[int]bool{}
	for _, p := range j.Report.Report.Problems {
		if p.Severity == importers.SeverityError {
			lines[p.Line] = true
		}
	}
	if !lines[3] || !lines[4] || len(lines) != 2 {
		t.Errorf("report of the bad file names lines %v, want 3 and 4: %+v", lines, j.Report.Report.Problems)
	}
	get(t, coll, &doc)
	page.Features = nil
	get(t, coll+"/items?limit=10", &page)
	if doc.Catalog.Version != good || len(page.Features) != 3 || page.Features[0].Properties["ten"] == "Một" {
		t.Fatalf("after the bad file: version %d (want %d), %d features", doc.Catalog.Version, good, len(page.Features))
	}

	// A raw body in VN-2000 / TM-3 107°00′ with crs= as the CLI takes it, by
	// an admin, replacing the collection.
	pts, err := os.ReadFile(shareddata.Path(t, "vn2000_points.csv"))
	if err != nil {
		t.Fatal(err)
	}
	resp, body = do(t, http.MethodPost, coll+"/imports?crs=EPSG:9214&lon-col=x_vn2000_tm3_107&lat-col=y_vn2000_tm3_107&allow-outside=true&id-column=id",
		bytes.NewReader(pts), "Content-Type", "text/csv", "Content-Disposition", `attachment; filename="diem.csv"`,
		"Authorization", "Bearer "+admin)
	j = awaitJob(t, accepted(t, e, "raw VN-2000 upload", resp, body), admin)
	if j.State != "succeeded" || j.Version <= good || j.SourceName != "diem.csv" {
		t.Fatalf("raw upload: %+v", j)
	}
	var f struct {
		Geometry   struct{ Coordinates []float64 }
		Properties map[string]any
	}
	get(t, coll+"/items/BG_city", &f)
	lon, _ := strconv.ParseFloat(fmt.Sprint(f.Properties["lon_wgs84"]), 64)
	lat, _ := strconv.ParseFloat(fmt.Sprint(f.Properties["lat_wgs84"]), 64)
	if len(f.Geometry.Coordinates) != 2 || lon == 0 || abs(f.Geometry.Coordinates[0]-lon) > 1e-5 || abs(f.Geometry.Coordinates[1]-lat) > 1e-5 {
		t.Fatalf("BG_city from VN-2000: %v, want %v %v", f.Geometry.Coordinates, lon, lat)
	}

	// Rights and refusals before any job starts.
	for _, c := range []struct {
		what, url, token, ctype string
		body                    string
		status                  int
		param                   string
	}{
		{"no token", coll + "/imports?filename=a.csv", "", "text/csv", "ma,lon,lat\n", 401, ""},
		{"another agency", coll + "/imports?filename=a.csv", otherTok, "text/csv", "ma,lon,lat\n", 403, ""},
		{"unknown option", coll + "/imports?filename=a.csv&colour=red", tok, "text/csv", "ma,lon,lat\n", 400, "colour"},
		{"bad encoding", coll + "/imports?filename=a.csv&encoding=ebcdic", tok, "text/csv", "ma,lon,lat\n", 400, "encoding"},
		{"bad crs", coll + "/imports?filename=a.csv&crs=EPSG:2000", tok, "text/csv", "ma,lon,lat\n", 400, "crs"},
		{"bad mode", coll + "/imports?filename=a.csv&mode=merge", tok, "text/csv", "ma,lon,lat\n", 400, "mode"},
		{"no file", coll + "/imports", tok, "multipart/form-data; boundary=x", "--x--\r\n", 400, "file"},
		{"bad collection id", e.URL + "/collections/W%20X/imports?filename=a.csv", tok, "text/csv", "ma,lon,lat\n", 400, "collectionId"},
	} {
		h := []string{"Content-Type", c.ctype}
		if c.token != "" {
			h = append(h, "Authorization", "Bearer "+c.token)
		}
		resp, body := do(t, http.MethodPost, c.url, strings.NewReader(c.body), h...)
		wantError(t, c.what, resp, body, c.status, c.param)
	}
	get(t, coll, &doc)
	if doc.Catalog.Version != j.Version {
		t.Fatalf("refused uploads changed the version: %d, want %d", doc.Catalog.Version, j.Version)
	}

	// The versions list records every upload with its token's agency.
	var versions struct {
		Versions []map[string]any
	}
	if resp := get(t, coll+"/versions", &versions); resp.StatusCode != 200 || len(versions.Versions) < 2 {
		t.Fatalf("versions: %d %+v", resp.StatusCode, versions)
	}
}
