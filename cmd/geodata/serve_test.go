package main_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/sample"
	"github.com/vn-opendata/geodata/store"
	"github.com/vn-opendata/geodata/store/storetest"
)

// server is a running `geodata serve` process.
type server struct {
	URL  string
	logs *lockedBuffer // its stderr: JSON log lines
}

// lockedBuffer collects a process's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serveEnv is the environment of a serve process on database dbURL: JSON logs,
// and a write rate no test client reaches.
func serveEnv(t *testing.T, dbURL string) []string {
	return append(os.Environ(), "DATABASE_URL="+dbURL, "GEODATA_DATA_DIR="+t.TempDir(), "GEODATA_LOG_FORMAT=json",
		"GEODATA_WRITE_BURST=1000000", "GEODATA_WRITE_EVERY=1ms")
}

// startServer starts `geodata serve` on a free port of 127.0.0.1 and waits until
// /readyz says ready; the process is interrupted when the test ends.
func startServer(t *testing.T, dbURL string) *server {
	t.Helper()
	cmd := exec.Command(build(t), "serve", "--listen", "127.0.0.1:0")
	cmd.Env = serveEnv(t, dbURL)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{logs: &lockedBuffer{}}
	cmd.Stderr = s.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	_, addr, ok := strings.Cut(strings.TrimSpace(line), "serving on ")
	if !ok {
		t.Fatalf("serve printed %q\n%s", line, s.logs)
	}
	s.URL = strings.TrimSuffix(addr, "/")
	go io.Copy(io.Discard, stdout)
	waitUntil(t, "server ready", 30*time.Second, func() bool {
		status, _ := s.ready(t)
		return status == "ready"
	})
	return s
}

// ready returns the status /readyz gives and the versions it lists.
func (s *server) ready(t *testing.T) (string, map[string]int64) {
	resp, err := http.Get(s.URL + "/readyz")
	if err != nil {
		return "", nil
	}
	defer resp.Body.Close()
	var body struct {
		Status      string
		Database    bool
		Collections map[string]int64
	}
	json.NewDecoder(resp.Body).Decode(&body)
	if body.Status != "loading" && resp.StatusCode != http.StatusOK {
		t.Errorf("/readyz %s answers %d", body.Status, resp.StatusCode)
	}
	if (body.Status == "ready") != body.Database && body.Status != "loading" {
		t.Errorf("/readyz says %s with database %v", body.Status, body.Database)
	}
	return body.Status, body.Collections
}

// metric reads a counter or gauge without labels from /metrics.
func (s *server) metric(t *testing.T, name string) float64 {
	t.Helper()
	resp, err := http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("metric %s: %q", name, v)
			}
			return f
		}
	}
	t.Fatalf("no metric %s at %s/metrics", name, s.URL)
	return 0
}

func waitUntil(t *testing.T, what string, limit time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// call sends a request with a JSON body and returns the status, headers and body.
func call(method, url, token string, body any, header ...string) (int, http.Header, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		return 0, nil, nil, err
	}
	ctype := "application/geo+json"
	if method == http.MethodPatch {
		ctype = "application/merge-patch+json"
	}
	req.Header.Set("Content-Type", ctype)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b, err
}

// adminToken creates an admin token with the CLI on database dbURL.
func adminToken(t *testing.T, dbURL string) string {
	t.Helper()
	cmd := exec.Command(build(t), "token", "create", "--admin", "--name", t.Name())
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

func feature(id string, lon, lat float64, props map[string]any) map[string]any {
	return map[string]any{"type": "Feature", "id": id, "properties": props,
		"geometry": map[string]any{"type": "Point", "coordinates": []float64{lon, lat}}}
}

// Two serve processes on one database: a write through either appears on the
// other, as a delta of the changed feature (its full-reload counter does not
// move, its delta counter does).
func TestTwoServersSeeEachOthersWrites(t *testing.T) {
	csv := writeFile(t, "two.csv", "id,ten,lon,lat\na1,Một,106.20,21.30\na2,Hai,106.21,21.31\na3,Ba,106.22,21.32\n")
	if out, code := run(t, "import", csv, "--collection", "two-servers", "--quiet"); code != 0 {
		t.Fatal(out)
	}
	token := adminToken(t, storetest.URL(t))
	a, b := startServer(t, storetest.URL(t)), startServer(t, storetest.URL(t))
	items := "/collections/two-servers/items"

	type counters struct{ reloads, deltas float64 }
	read := func(s *server) counters {
		return counters{s.metric(t, "geodata_snapshot_reloads_total"), s.metric(t, "geodata_snapshot_deltas_total")}
	}
	// seen waits until s answers url with status and returns the body and ETag.
	seen := func(s *server, url string, status int, has string) ([]byte, string) {
		var body []byte
		var etag string
		waitUntil(t, fmt.Sprintf("%s at %s: %d %q", url, s.URL, status, has), 20*time.Second, func() bool {
			code, h, b, err := call(http.MethodGet, s.URL+url, "", nil)
			body, etag = b, h.Get("ETag")
			return err == nil && code == status && bytes.Contains(b, []byte(has))
		})
		return body, etag
	}

	beforeA, beforeB := read(a), read(b)
	code, _, body, err := call(http.MethodPost, a.URL+items, token, feature("n1", 106.25, 21.3, map[string]any{"ten": "Mới"}))
	if err != nil || code != http.StatusCreated {
		t.Fatalf("create on A: %d %v %s", code, err, body)
	}
	_, etag := seen(b, items+"/n1", 200, "Mới")
	code, _, body, err = call(http.MethodPatch, b.URL+items+"/n1", token, map[string]any{"properties": map[string]any{"ten": "Sửa trên B"}},
		"If-Match", etag)
	if err != nil || code != http.StatusOK {
		t.Fatalf("patch on B with B's ETag: %d %v %s", code, err, body)
	}
	seen(a, items+"/n1", 200, "Sửa trên B")
	code, _, body, err = call(http.MethodDelete, a.URL+items+"/a2", token, nil)
	if err != nil || code != http.StatusNoContent {
		t.Fatalf("delete on A: %d %v %s", code, err, body)
	}
	seen(b, items+"/a2", 404, "")

	afterA, afterB := read(a), read(b)
	for _, c := range []struct {
		name          string
		before, after counters
	}{{"A", beforeA, afterA}, {"B", beforeB, afterB}} {
		if c.after.reloads != c.before.reloads {
			t.Errorf("server %s reloaded whole collections %v times for three item writes", c.name, c.after.reloads-c.before.reloads)
		}
		if c.after.deltas != c.before.deltas+3 {
			t.Errorf("server %s applied %v deltas, want 3", c.name, c.after.deltas-c.before.deltas)
		}
	}
	_, va := a.ready(t)
	_, vb := b.ready(t)
	if va["two-servers"] != vb["two-servers"] || va["two-servers"] < 4 {
		t.Errorf("versions: A %d, B %d", va["two-servers"], vb["two-servers"])
	}
	if !strings.Contains(b.logs.String(), `"request_id"`) {
		t.Errorf("B's logs hold no request id:\n%.2000s", b.logs)
	}
}

// outageLoad is what the clients saw while PostgreSQL went away and came back.
type outageLoad struct {
	mu          sync.Mutex
	reads       int
	failedReads []string
	written     []string // ids answered 201
	refused     []string // ids answered 503 with Retry-After
	refusedBad  []string // 503 without Retry-After
	unexpected  []string
}

// Under load, PostgreSQL stops and comes back: reads never fail (snapshots),
// /readyz says degraded, writes answer 503 with Retry-After; meanwhile another
// client changes the database while the server cannot connect (its
// notifications are lost); when the server may connect again it catches up by
// comparing versions, without a restart, and every write is applied once or
// was refused.
func TestServeSurvivesDatabaseOutage(t *testing.T) {
	ctx := context.Background()
	cluster := storetest.NewCluster(t)
	if err := store.CreateDatabase(ctx, cluster.URL("postgres"), "outage", ""); err != nil {
		t.Fatal(err)
	}
	admin, err := store.Open(ctx, cluster.URL("outage"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// The server logs in as a role of its own, so that the test can keep it
	// out while the database is back for other clients.
	if _, err := admin.Pool.Exec(ctx, "CREATE ROLE geodata_server LOGIN SUPERUSER"); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(cluster.URL("outage"))
	u.User = url.User("geodata_server")
	serverURL := u.String()
	region, err := catalog.LoadRegion(catalog.DefaultRegion)
	if err != nil {
		t.Fatal(err)
	}
	points := filepath.Join(t.TempDir(), "points.csv")
	if err := sample.WritePoints(points, region, 2000); err != nil {
		t.Fatal(err)
	}
	importAt := func(dbURL string, args ...string) {
		t.Helper()
		cmd := exec.Command(build(t), append([]string{"import"}, args...)...)
		cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("import %v: %v\n%s", args, err, out)
		}
	}
	importAt(cluster.URL("outage"), points, "--collection", "outage-points", "--quiet")
	token := adminToken(t, cluster.URL("outage"))
	srv := startServer(t, serverURL)
	items := srv.URL + "/collections/outage-points/items"

	load := &outageLoad{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			urls := []string{items + "?limit=20&bbox=106.0,21.1,106.4,21.5", srv.URL + "/nearby?lon=106.2&lat=21.3&k=5",
				items + "/P0000007", srv.URL + "/collections/outage-points"}
			for n := i; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				u := urls[n%len(urls)]
				code, _, body, err := call(http.MethodGet, u, "", nil)
				load.mu.Lock()
				load.reads++
				if err != nil || code != http.StatusOK {
					load.failedReads = append(load.failedReads, fmt.Sprintf("%s: %d %v %.200s", u, code, err, body))
				}
				load.mu.Unlock()
			}
		}(i)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for n := 0; ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			id := fmt.Sprintf("w%05d", n)
			code, h, body, err := call(http.MethodPost, items, token, feature(id, 106.2+float64(n%100)*0.001, 21.3, nil))
			load.mu.Lock()
			switch {
			case err == nil && code == http.StatusCreated:
				load.written = append(load.written, id)
			case err == nil && code == http.StatusServiceUnavailable && h.Get("Retry-After") != "":
				load.refused = append(load.refused, id)
			case err == nil && code == http.StatusServiceUnavailable:
				load.refusedBad = append(load.refusedBad, id)
			default:
				load.unexpected = append(load.unexpected, fmt.Sprintf("%s: %d %v %.200s", id, code, err, body))
			}
			load.mu.Unlock()
			time.Sleep(5 * time.Millisecond)
		}
	}()
	counts := func() (int, int, int) {
		load.mu.Lock()
		defer load.mu.Unlock()
		return load.reads, len(load.written), len(load.refused)
	}
	waitUntil(t, "writes before the outage", 30*time.Second, func() bool { _, w, _ := counts(); return w >= 10 })

	// The server's role may not log in again, and PostgreSQL stops.
	if _, err := admin.Pool.Exec(ctx, "ALTER ROLE geodata_server NOLOGIN"); err != nil {
		t.Fatal(err)
	}
	if err := cluster.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "/readyz degraded", 30*time.Second, func() bool { s, _ := srv.ready(t); return s == "degraded" })
	_, _, refusedBefore := counts()
	waitUntil(t, "writes refused during the outage", 30*time.Second, func() bool { _, _, r := counts(); return r >= refusedBefore+5 })
	readsDown, _, _ := counts()
	waitUntil(t, "reads during the outage", 30*time.Second, func() bool { r, _, _ := counts(); return r >= readsDown+50 })

	// PostgreSQL is back, but not yet for the server: another client changes
	// the database, and the notifications of those changes reach no one.
	if err := cluster.Start(ctx); err != nil {
		t.Fatal(err)
	}
	extra := filepath.Join(t.TempDir(), "extra.csv")
	if err := os.WriteFile(extra, []byte("id,ten,huyen,gia_tri,kinh_do,vi_do\nX1,Thêm một,,1,106.3,21.2\nX2,Thêm hai,,2,106.31,21.21\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	importAt(cluster.URL("outage"), extra, "--collection", "outage-points", "--mode", "upsert", "--quiet")
	importAt(cluster.URL("outage"), extra, "--collection", "outage-new", "--quiet")
	want, err := admin.Versions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s, v := srv.ready(t); s != "degraded" || v["outage-new"] != 0 {
		t.Fatalf("the server connected before it was allowed: %s %v", s, v)
	}

	// The server may connect again: it catches up without a restart.
	if _, err := admin.Pool.Exec(ctx, "ALTER ROLE geodata_server LOGIN"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "/readyz ready with the versions of the database", 60*time.Second, func() bool {
		s, v := srv.ready(t)
		return s == "ready" && v["outage-new"] == want["outage-new"] && v["outage-points"] >= want["outage-points"]
	})
	_, writtenBack, _ := counts()
	waitUntil(t, "writes after the outage", 30*time.Second, func() bool { _, w, _ := counts(); return w >= writtenBack+10 })
	close(stop)
	wg.Wait()

	t.Logf("%d reads, %d writes applied, %d refused with 503", load.reads, len(load.written), len(load.refused))
	if len(load.failedReads) > 0 {
		t.Errorf("%d of %d reads failed, first: %s", len(load.failedReads), load.reads, load.failedReads[0])
	}
	if len(load.refusedBad) > 0 || len(load.unexpected) > 0 {
		t.Errorf("writes answered neither 201 nor 503 with Retry-After: %d without Retry-After, others %v", len(load.refusedBad), load.unexpected)
	}
	// Every write: applied exactly once, or refused and absent.
	stored := map[string]int{}
	rows, err := admin.Pool.Query(ctx, `SELECT f.id FROM features f JOIN collections c
		ON c.id = f.collection_id AND c.generation = f.generation WHERE c.id = 'outage-points' AND f.id LIKE 'w%'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		stored[id]++
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	for _, id := range load.written {
		if stored[id] != 1 {
			t.Errorf("write %s answered 201, stored %d times", id, stored[id])
		}
	}
	for _, id := range load.refused {
		if stored[id] != 0 {
			t.Errorf("write %s answered 503 but was stored", id)
		}
	}
	if len(stored) != len(load.written) {
		t.Errorf("%d writes stored, %d answered 201", len(stored), len(load.written))
	}
	// The server serves what the database holds: every write, the other
	// client's rows, the same count and version.
	var page struct {
		NumberMatched int
	}
	code, _, body, err := call(http.MethodGet, items+"?limit=1", "", nil)
	if err != nil || code != 200 || json.Unmarshal(body, &page) != nil || page.NumberMatched != 2000+2+len(load.written) {
		t.Errorf("served after the outage: %d %v %d features, want %d", code, err, page.NumberMatched, 2000+2+len(load.written))
	}
	for _, id := range []string{"X1", load.written[len(load.written)-1]} {
		if code, _, _, _ := call(http.MethodGet, items+"/"+id, "", nil); code != 200 {
			t.Errorf("%s not served after the outage: %d", id, code)
		}
	}
	final, _ := admin.Versions(ctx)
	if _, v := srv.ready(t); v["outage-points"] != final["outage-points"] {
		t.Errorf("server at version %d, database at %d", v["outage-points"], final["outage-points"])
	}
}
