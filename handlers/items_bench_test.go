package handlers_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vn-opendata/geodata/ingest"
	"github.com/vn-opendata/geodata/sample"
)

// benchPoints is the size of the benchmark collection the items benchmarks serve.
const benchPoints = 200_000

var (
	benchOnce sync.Once
	benchErr  error
)

// benchEnv is sampleEnv plus the benchmark points (sample.WriteBench) in their own
// collection, loaded into the catalog.
func benchEnv(b *testing.B) *env {
	e := sampleEnv(b)
	benchOnce.Do(func() { benchErr = importBench(e) })
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return e
}

func importBench(e *env) error {
	ctx := context.Background()
	dir := filepath.Join(e.Sample, "bench")
	if _, err := sample.WriteBench(dir, e.Region, e.Region.ID, sample.BenchSize{Points: benchPoints, Lines: 10}); err != nil {
		return err
	}
	m, err := sample.ReadManifest(filepath.Join(dir, sample.ManifestName))
	if err != nil {
		return err
	}
	points := m.Entries[0]
	_, err = ingest.Import(ctx, e.DB, ingest.Request{Path: points.File, Collection: points.Collection,
		Options: points.Options, Metadata: points.Metadata, Actor: "bench", Region: e.Region, Force: true})
	if err != nil {
		return err
	}
	for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if s, ok := e.Cat.Snapshot(sample.BenchPoints); ok && len(s.Features) == benchPoints {
			return nil
		}
	}
	return fmt.Errorf("the catalog did not load %s", sample.BenchPoints)
}

// BenchmarkItems serves pages of the benchmark points in process (no network):
// the bbox search, the page assembly from pre-encoded features and the links, for
// the boxes of the items-small and items-district workloads of `make bench`.
func BenchmarkItems(b *testing.B) {
	e := benchEnv(b)
	town := e.Region.Places[0]
	cases := []struct {
		name   string
		sideKm float64
		limit  int
	}{{"1km-limit100", 1, 100}, {"20km-limit1000", 20, 1000}}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			urls := make([]string, 256)
			for i := range urls {
				lon := town.Lon + rng.NormFloat64()*0.03
				lat := town.Lat + rng.NormFloat64()*0.03
				dLat := c.sideKm / 2 / 110.574
				dLon := c.sideKm / 2 / (111.320 * math.Cos(lat*math.Pi/180))
				urls[i] = fmt.Sprintf("/collections/%s/items?bbox=%f,%f,%f,%f&limit=%d", sample.BenchPoints,
					lon-dLon, lat-dLat, lon+dLon, lat+dLat, c.limit)
			}
			serveEach(b, e.Handler, urls)
		})
	}
}

// serveEach sends the urls in turn through h until the benchmark ends, fails
// on any answer but 200, and reports the bytes of an answer.
func serveEach(b *testing.B, h http.Handler, urls []string) {
	var n int64
	for i := 0; b.Loop(); i++ {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, urls[i%len(urls)], nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", urls[i%len(urls)], rec.Code, rec.Body.String())
		}
		n += int64(rec.Body.Len())
	}
	b.SetBytes(n / int64(b.N))
}
