package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vn-opendata/geodata/handlers"
)

// limitedServer serves the shared catalog with small limits: bodies of 2 KiB,
// uploads of 4 KiB, and dbTimeout for a write's database work.
func limitedServer(t *testing.T, e *env, dbTimeout time.Duration) string {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := handlers.New(e.Cat, handlers.Config{Version: "test", Catalogue: handlers.CatalogueConfig{
		DownloadDir: filepath.Join(e.Sample, "downloads"), FeedbackBurst: 1000},
		Writes: handlers.WritesConfig{Burst: 100000, UploadDir: t.TempDir(), MaxBodyBytes: 2048, MaxUploadBytes: 4096,
			DBTimeout: dbTimeout}}, log)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	return ts.URL
}

// leaks finds SQL, database or Go internals in a response body.
var leaks = regexp.MustCompile(`(?i)\b(select|insert|update|delete)\b.*\b(from|into|set|where)\b|sqlstate|pg_[a-z]|pgx|postgres|goroutine|\.go:[0-9]|runtime\.|panic`)

// noLeak fails when an error body quotes SQL, the database or a stack. What
// the client sent (echoes), the answer may quote back: it is left out, as it
// is, JSON-decoded, Go-quoted or HTML-escaped.
func noLeak(t *testing.T, what string, body []byte, echoes ...string) {
	t.Helper()
	text := string(body)
	var doc any
	if json.Unmarshal(body, &doc) == nil {
		var values []string
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case string:
				values = append(values, v)
			case map[string]any:
				for k, x := range v {
					values = append(values, k)
					walk(x)
				}
			case []any:
				for _, x := range v {
					walk(x)
				}
			}
		}
		walk(doc)
		text = strings.Join(values, "\n")
	}
	for _, echo := range echoes {
		for _, form := range []string{strings.Trim(strconv.Quote(echo), `"`), echo, html.EscapeString(echo)} {
			text = strings.ReplaceAll(text, form, "")
		}
	}
	if m := leaks.FindString(text); m != "" {
		t.Errorf("%s: the answer leaks %q: %.400s", what, m, body)
	}
}

// A body over the configured limit answers 413 naming the limit, for item
// writes, collection descriptions and uploads.
func TestBodyLimits(t *testing.T) {
	e := sampleEnv(t)
	base := limitedServer(t, e, 10*time.Second)
	admin := newToken(t, e, "")
	describe(t, e, admin, "w-limits", map[string]any{"title": "Giới hạn", "geometry_type": "Point", "schema": parkSchema})
	big := map[string]any{"type": "Feature", "geometry": point(106.2, 21.3), "properties": map[string]any{"ten": strings.Repeat("a", 3000)}}
	for _, c := range []struct {
		what, method, url string
		body              any
		limit             string
	}{
		{"item create", http.MethodPost, base + "/collections/w-limits/items", big, "2048 bytes"},
		{"collection PUT", http.MethodPut, base + "/collections/w-limits", map[string]any{"description": strings.Repeat("b", 3000)}, "2048 bytes"},
	} {
		resp, body := write(t, c.method, c.url, admin, c.body)
		wantError(t, c.what, resp, body, http.StatusRequestEntityTooLarge, "")
		if !strings.Contains(string(body), c.limit) {
			t.Errorf("%s: the 413 does not name the limit (%s): %s", c.what, c.limit, body)
		}
	}
	csv := "id,lon,lat\n" + strings.Repeat("x,106.2,21.3\n", 1000)
	resp, body := do(t, http.MethodPost, base+"/collections/w-limits/imports?filename=big.csv", strings.NewReader(csv),
		"Content-Type", "text/csv", "Authorization", "Bearer "+admin)
	wantError(t, "upload", resp, body, http.StatusRequestEntityTooLarge, "")
	if !strings.Contains(string(body), "larger than") {
		t.Errorf("the upload's 413 does not name the limit: %s", body)
	}
	// Below the limit, the same server accepts.
	resp, body = write(t, http.MethodPost, base+"/collections/w-limits/items", admin, map[string]any{"type": "Feature", "geometry": point(106.2, 21.3)})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("a small write: %d %s", resp.StatusCode, body)
	}
}

// A write's deadline is handed to PostgreSQL (statement_timeout): while
// another session holds the collection locked, the write answers 503 with
// Retry-After in words of its own, and PostgreSQL itself cancels the waiting
// statement (a statement cancelled only on the client side would wait for the
// lock as long as it is held).
func TestWriteDeadlineReachesPostgreSQL(t *testing.T) {
	e := sampleEnv(t)
	base := limitedServer(t, e, 300*time.Millisecond)
	admin := newToken(t, e, "")
	describe(t, e, admin, "w-deadline", map[string]any{"title": "Hạn chót", "geometry_type": "Point", "schema": parkSchema})
	ctx := context.Background()
	// A feature first, so that the collection has a generation to write into.
	if resp, body := write(t, http.MethodPost, e.URL+"/collections/w-deadline/items", admin,
		map[string]any{"type": "Feature", "geometry": point(106.2, 21.3)}); resp.StatusCode != 201 {
		t.Fatalf("first write: %d %s", resp.StatusCode, body)
	}
	before, _ := e.Cat.Snapshot("w-deadline")
	tx, err := e.DB.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT 1 FROM collections WHERE id = 'w-deadline' FOR UPDATE"); err != nil {
		t.Fatal(err)
	}
	resp, body := write(t, http.MethodPost, base+"/collections/w-deadline/items", admin,
		map[string]any{"type": "Feature", "id": "late", "geometry": point(106.2, 21.3)})
	wantError(t, "a write that waits past its deadline", resp, body, http.StatusServiceUnavailable, "")
	if resp.Header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	noLeak(t, "503 of a timed-out write", body)
	if !strings.Contains(string(body), "within 300ms") {
		t.Errorf("the 503 does not say the write's deadline passed (PostgreSQL's statement timeout): %s", body)
	}
	// Nobody waits for the lock any more, though it is still held.
	waitFor(t, "PostgreSQL cancels the waiting statement", func() bool {
		var waiting int
		err := e.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
			AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`).Scan(&waiting)
		return err == nil && waiting == 0
	})
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if resp, _ := do(t, http.MethodGet, e.URL+"/collections/w-deadline/items/late", nil); resp.StatusCode != 404 {
		t.Errorf("the timed-out write was made: %d", resp.StatusCode)
	}
	if after, _ := e.Cat.Snapshot("w-deadline"); after.Version() != before.Version() {
		t.Errorf("version %d → %d after a refused write", before.Version(), after.Version())
	}
	// The lock released, the same write passes.
	resp, body = write(t, http.MethodPost, base+"/collections/w-deadline/items", admin,
		map[string]any{"type": "Feature", "id": "late", "geometry": point(106.2, 21.3)})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("after the lock: %d %s", resp.StatusCode, body)
	}
}

// Pages, errors and files carry the security headers: a Content-Security-Policy
// that names no other origin and forbids framing, and nosniff.
func TestSecurityHeaders(t *testing.T) {
	e := sampleEnv(t)
	for _, path := range []string{"/", "/collections?f=html", "/gan-toi", "/catalog", "/no-such-page", "/static/app.css",
		"/collections/schools/items?f=json"} {
		resp, body := do(t, http.MethodGet, e.URL+path, nil, "Accept", "text/html")
		csp := resp.Header.Get("Content-Security-Policy")
		if csp == "" {
			t.Errorf("%s: no Content-Security-Policy", path)
			continue
		}
		directives := map[string][]string{}
		for _, d := range strings.Split(csp, ";") {
			f := strings.Fields(d)
			if len(f) > 0 {
				directives[f[0]] = f[1:]
			}
		}
		for name, sources := range directives {
			for _, s := range sources {
				if strings.Contains(s, "://") || strings.Contains(s, "*") || s == "http:" || s == "https:" || s == "'unsafe-inline'" ||
					s == "'unsafe-eval'" {
					t.Errorf("%s: %s allows %s", path, name, s)
				}
			}
		}
		if fa := directives["frame-ancestors"]; len(fa) != 1 || fa[0] != "'none'" {
			t.Errorf("%s: frame-ancestors %v", path, fa)
		}
		if ds := directives["default-src"]; len(ds) != 1 || ds[0] != "'self'" {
			t.Errorf("%s: default-src %v", path, ds)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: X-Content-Type-Options %q, X-Frame-Options %q", path, resp.Header.Get("X-Content-Type-Options"),
				resp.Header.Get("X-Frame-Options"))
		}
		if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") && bytes.Contains(body, []byte(`src="http`)) {
			t.Errorf("%s: a page loads from another origin", path)
		}
	}
}

// Static files: no folder listing, nothing outside the embedded folder, by any
// spelling of "..".
func TestStaticFilesStayInside(t *testing.T) {
	e := sampleEnv(t)
	if resp, _ := do(t, http.MethodGet, e.URL+"/static/app.css", nil); resp.StatusCode != 200 {
		t.Fatalf("a static file: %d", resp.StatusCode)
	}
	client := &http.Client{} // follows redirects: wherever they lead must not be a file outside
	for _, path := range []string{"/static/", "/static", "/static/vendor/", "/static/vendor", "/static/../go.mod",
		"/static/%2e%2e/go.mod", "/static/%2E%2E/%2E%2E/go.mod", "/static/..%2fgo.mod", "/static/..%2f..%2fgo.mod",
		"/static/%2e%2e%2fhandlers%2fserver.go", "/static/..\\go.mod", "/static/.%2e/go.mod", "/static//etc/passwd",
		"/static/%2fetc%2fpasswd", "/static/./app.css/..", "/static/app.css/"} {
		req, err := http.NewRequest(http.MethodGet, e.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.URL.Opaque = "//" + req.URL.Host + path // sent as written, not cleaned by the client
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404 (%.200s)", path, resp.StatusCode, body)
		}
		for _, secret := range []string{"module github.com", "root:", "package handlers", "<a href="} {
			if bytes.Contains(body, []byte(secret)) {
				t.Errorf("%s: the answer holds %q", path, secret)
			}
		}
	}
}

// waitFor polls ok for up to 10 seconds.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Writes are rate-limited per client, before the token is even looked at (so
// guessing tokens is rate-limited too): past the burst, 429 with Retry-After;
// another client is not affected.
func TestWriteRateLimit(t *testing.T) {
	e := sampleEnv(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := handlers.New(e.Cat, handlers.Config{Version: "test", Catalogue: handlers.CatalogueConfig{
		DownloadDir: filepath.Join(e.Sample, "downloads"), FeedbackBurst: 1000, TrustProxy: true},
		Writes: handlers.WritesConfig{Burst: 3, Every: time.Hour, UploadDir: t.TempDir()}}, log)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	defer srv.Close()
	admin := newToken(t, e, "")
	describe(t, e, admin, "w-rate", map[string]any{"title": "Giới hạn tần suất", "geometry_type": "Point"})
	items := ts.URL + "/collections/w-rate/items"
	feature := map[string]any{"type": "Feature", "geometry": point(106.2, 21.3)}
	if resp, body := write(t, http.MethodPost, items, "", feature, "X-Forwarded-For", "203.0.113.7"); resp.StatusCode != 401 {
		t.Fatalf("without a token: %d %s", resp.StatusCode, body)
	}
	for i := 0; i < 2; i++ {
		if resp, body := write(t, http.MethodPost, items, admin, feature, "X-Forwarded-For", "203.0.113.7"); resp.StatusCode != 201 {
			t.Fatalf("write %d: %d %s", i, resp.StatusCode, body)
		}
	}
	resp, body := write(t, http.MethodPost, items, admin, feature, "X-Forwarded-For", "203.0.113.7")
	wantError(t, "a write past the burst", resp, body, http.StatusTooManyRequests, "")
	if resp.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	if resp, body := write(t, http.MethodPost, items, admin, feature, "X-Forwarded-For", "203.0.113.8"); resp.StatusCode != 201 {
		t.Fatalf("another client: %d %s", resp.StatusCode, body)
	}
}
