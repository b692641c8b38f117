package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vn-opendata/geodata/bench"
	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/handlers"
	"github.com/vn-opendata/geodata/ingest"
	"github.com/vn-opendata/geodata/sample"
	"github.com/vn-opendata/geodata/store"
	"github.com/vn-opendata/geodata/store/storetest"
)

// TestMain also lets the test binary be the ceiling server that run starts.
func TestMain(m *testing.M) {
	if os.Getenv(ceilingEnv) == "1" {
		if err := serveCeiling(os.Stdout); err != nil {
			os.Exit(1)
		}
		return
	}
	storetest.Main(m)
}

// serveBench imports a small benchmark dataset into the package's test database
// and serves it with the real handlers on 127.0.0.1.
func serveBench(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, storetest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	region, err := catalog.LoadRegion(catalog.DefaultRegion)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SyncAgencies(ctx, region.Agencies); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := sample.WriteBench(dir, region, region.ID, sample.BenchSize{Points: 20000, Lines: 40}); err != nil {
		t.Fatal(err)
	}
	m, err := sample.ReadManifest(filepath.Join(dir, sample.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range m.Entries {
		if _, err := ingest.Import(ctx, db, ingest.Request{Path: e.File, Collection: e.Collection, Options: e.Options,
			Metadata: e.Metadata, Actor: "test", Region: region, Force: true}); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cat := catalog.New(db, region, log)
	if err := cat.LoadAll(ctx); err != nil {
		t.Fatal(err)
	}
	srv, err := handlers.New(cat, handlers.Config{Version: "test"}, log)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts.URL
}

// A short smoke run of every workload against the real service: each one is
// measured without errors, or skipped because its feature is not served yet.
// It checks that the tool works, never how fast the service is.
func TestSmokeRunAgainstGeodata(t *testing.T) {
	base := serveBench(t)
	out := filepath.Join(t.TempDir(), "results.json")
	var stdout, stderr bytes.Buffer
	args := []string{"-url", base, "-connections", "2", "-warmup", "100ms", "-duration", "300ms", "-requests", "200",
		"-server-pid", strconv.Itoa(os.Getpid()), "-wait-ready", "1m", "-out", out}
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep bench.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Workloads) != len(bench.Workloads()) || rep.RSSBeforeKB <= 0 || rep.RSSAfterKB <= 0 || rep.Machine.CPUs <= 0 {
		t.Fatalf("report: %d workloads, RSS %d/%d kB, %d CPUs", len(rep.Workloads), rep.RSSBeforeKB, rep.RSSAfterKB, rep.Machine.CPUs)
	}
	for _, r := range rep.Workloads {
		switch {
		case r.Skipped != "":
			if !strings.Contains(r.Skipped, "not served yet") && !strings.Contains(r.Skipped, "does not take") {
				t.Errorf("%s skipped: %s", r.Workload, r.Skipped)
			}
		case r.Requests == 0 || r.Errors != 0:
			t.Errorf("%s: %d requests, %d errors (%v %v)", r.Workload, r.Requests, r.Errors, r.Statuses, r.TransportErrors)
		case !r.Once && r.Ceiling <= 0:
			t.Errorf("%s: no ratio to the ceiling", r.Workload)
		}
	}
	for _, name := range []string{"ceiling", "items-small", "items-district"} {
		if !strings.Contains(stdout.String(), name) {
			t.Errorf("the table has no row %s:\n%s", name, stdout.String())
		}
	}
	for _, r := range rep.Workloads[:3] { // ceiling, items-small and items-district exist on every branch
		if r.Skipped != "" {
			t.Errorf("%s was skipped: %s", r.Workload, r.Skipped)
		}
	}
}

func TestOptions(t *testing.T) {
	if _, err := parseOptions([]string{}, io.Discard); err == nil {
		t.Error("no -url accepted")
	}
	if _, err := parseOptions([]string{"-url", "http://127.0.0.1:1", "-connections", "0"}, io.Discard); err == nil {
		t.Error("-connections 0 accepted")
	}
	o, err := parseOptions([]string{"-url", "http://127.0.0.1:1/"}, io.Discard)
	if err != nil || o.url != "http://127.0.0.1:1" || o.points != sample.BenchPoints || o.lines != sample.BenchLines {
		t.Errorf("defaults: %+v, %v", o, err)
	}
}

func TestWaitReady(t *testing.T) {
	var polls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" || polls.Add(1) < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	client := bench.NewClient(1)
	if err := waitReady(context.Background(), client, srv.URL, os.Getpid(), time.Minute, io.Discard); err != nil {
		t.Fatal(err)
	}
	if polls.Load() != 3 {
		t.Errorf("ready after %d polls, want 3", polls.Load())
	}
	never := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer never.Close()
	if err := waitReady(context.Background(), client, never.URL, 0, time.Second, io.Discard); err == nil {
		t.Error("a server that never gets ready was waited for without error")
	}
	if err := waitReady(context.Background(), client, never.URL, 1<<30, time.Minute, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "exited") {
		t.Errorf("a server process that does not exist gave %v, want an error saying it exited", err)
	}
}
