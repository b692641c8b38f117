package handlers_test

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
	"sync"
	"testing"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/handlers"
	"github.com/vn-opendata/geodata/internal/demodata"
	"github.com/vn-opendata/geodata/store"
	"github.com/vn-opendata/geodata/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// env is a running service over the package's test database: the sample data
// imported once, a catalog following NOTIFY, and an HTTP server on 127.0.0.1.
type env struct {
	DB      *store.DB
	Cat     *catalog.Catalog
	Region  *catalog.Region
	URL     string
	Sample  string // folder of the sample files
	Handler http.Handler
	Server  *handlers.Server
}

var (
	sharedOnce sync.Once
	shared     *env
	sharedErr  error
)

// sampleEnv returns the shared environment with the demo collections loaded.
// Tests that change data use collections of their own.
func sampleEnv(t testing.TB) *env {
	t.Helper()
	sharedOnce.Do(func() { shared, sharedErr = startEnv(t) })
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return shared
}

func startEnv(t testing.TB) (*env, error) {
	ctx := context.Background()
	db, err := store.Open(ctx, storetest.URL(t))
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "geodata-handlers-sample-")
	if err != nil {
		return nil, err
	}
	region, err := demodata.Import(ctx, db, dir)
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cat := catalog.New(db, region, log)
	if err := cat.LoadAll(ctx); err != nil {
		return nil, err
	}
	go cat.Run(context.Background())
	srv, err := handlers.New(cat, handlers.Config{Version: "test", Catalogue: handlers.CatalogueConfig{
		DownloadDir: filepath.Join(dir, "downloads"), FeedbackBurst: 1000},
		Writes: handlers.WritesConfig{Burst: 100000, UploadDir: filepath.Join(dir, "uploads")}}, log)
	if err != nil {
		return nil, err
	}
	h := srv.Handler()
	ts := httptest.NewServer(h) // listens on 127.0.0.1
	return &env{DB: db, Cat: cat, Region: region, URL: ts.URL, Sample: dir, Handler: h, Server: srv}, nil
}

// get fetches url and decodes a JSON body into v (when v is not nil); it returns the response.
func get(t testing.TB, url string, v any, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
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
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("GET %s: %v in %.300s", url, err, body)
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp
}
