package importers_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/importers"
	"github.com/vn-opendata/geodata/sample"
)

// benchFile writes the benchmark data of `make bench` at a tenth of its size
// (100,000 points, 200 lines) and returns the manifest entry of one file.
func benchFile(b *testing.B, entry int) sample.Entry {
	region, err := catalog.LoadRegion(catalog.DefaultRegion)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	if _, err := sample.WriteBench(dir, region, region.ID, sample.BenchSize{Points: 100_000, Lines: 200}); err != nil {
		b.Fatal(err)
	}
	m, err := sample.ReadManifest(filepath.Join(dir, sample.ManifestName))
	if err != nil {
		b.Fatal(err)
	}
	return m.Entries[entry]
}

func benchRead(b *testing.B, entry int) {
	e := benchFile(b, entry)
	info, err := os.Stat(e.File)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(info.Size())
	rows := 0
	for b.Loop() {
		err := importers.Read(context.Background(), e.File, e.Options, func(rec *importers.Record) error {
			if rec.Rejected() {
				b.Fatalf("line %d rejected: %v", rec.Line, rec.Problems)
			}
			rows++
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkReadCSV parses the benchmark points: delimiter and column detection,
// NFC normalisation, coordinates. It is one of the two passes of an import.
func BenchmarkReadCSV(b *testing.B) { benchRead(b, 0) }

// BenchmarkReadGeoJSON parses the benchmark lines (20–200 vertices each).
func BenchmarkReadGeoJSON(b *testing.B) { benchRead(b, 1) }
