package importers

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"testing"
)

// The fuzz targets feed arbitrary bytes to each reader: it must return an error
// or records, never panic, and every record it emits must be either rejected
// with a reason or carry a geometry. Seed corpora are in testdata/fuzz and run
// with go test; go test -fuzz=FuzzX -fuzztime=5m searches further.

// checkRecords is the invariant every reader keeps, whatever its input.
func checkRecords(t *testing.T) func(*Record) error {
	return func(r *Record) error {
		if r.Rejected() {
			for _, p := range r.Problems {
				if p.Severity == SeverityError && p.Reason == "" {
					t.Fatalf("line %d rejected without a reason", r.Line)
				}
			}
			return nil
		}
		if r.Geometry == nil {
			t.Fatalf("line %d accepted without a geometry", r.Line)
		}
		return nil
	}
}

// checkError fails on errors that do not say the file is unreadable.
func checkError(t *testing.T, err error) {
	if err != nil && !errors.Is(err, ErrFormat) {
		t.Fatalf("error not marked ErrFormat: %v", err)
	}
}

func FuzzCSV(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		checkError(t, readCSV(context.Background(), bytes.NewReader(data), Options{}, checkRecords(t)))
	})
}

func FuzzGeoJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		checkError(t, readGeoJSON(context.Background(), bytes.NewReader(data), Options{}, checkRecords(t)))
		checkError(t, readGeoJSON(context.Background(), bytes.NewReader(data), Options{Format: "ndjson"}, checkRecords(t)))
	})
}

func FuzzKML(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		checkError(t, readKML(context.Background(), bytes.NewReader(data), Options{}, checkRecords(t)))
	})
}

// memoryShapeSet is a Shapefile held in memory; nil members are missing.
func memoryShapeSet(members map[string][]byte) *shapeSet {
	return &shapeSet{
		name: "fuzz",
		open: func(ext string) (io.ReadCloser, error) {
			b, ok := members[ext]
			if !ok || b == nil {
				return nil, fmt.Errorf("fuzz%s: %w", ext, fs.ErrNotExist)
			}
			return io.NopCloser(bytes.NewReader(b)), nil
		},
		close: func() error { return nil },
	}
}

func FuzzShapefile(f *testing.F) {
	f.Fuzz(func(t *testing.T, shp, shx, dbf []byte) {
		set := memoryShapeSet(map[string][]byte{".shp": shp, ".shx": shx, ".dbf": dbf})
		checkError(t, readShapeSet(context.Background(), set, Options{}, checkRecords(t)))
	})
}

// gtfsZip builds a feed in memory from the contents of its tables.
func gtfsZip(t testing.TB, tables map[string][]byte) *zip.Reader {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, name := range []string{"agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt", "shapes.txt", "frequencies.txt", "fare_attributes.txt", "fare_rules.txt"} {
		if data, ok := tables[name]; ok {
			w, _ := zw.Create(name)
			w.Write(data)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return zr
}

func FuzzGTFS(f *testing.F) {
	f.Fuzz(func(t *testing.T, stops, routes, trips, stopTimes, shapes []byte) {
		tables := map[string][]byte{"stops.txt": stops, "routes.txt": routes, "trips.txt": trips, "stop_times.txt": stopTimes}
		if len(shapes) > 0 {
			tables["shapes.txt"] = shapes
		}
		zr := gtfsZip(t, tables)
		for _, layer := range []string{LayerStops, LayerRoutes} {
			checkError(t, readGTFSZip(context.Background(), zr, Options{Layer: layer}, checkRecords(t)))
		}
	})
}
