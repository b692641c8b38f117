package sample_test

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/importers"
	"github.com/vn-opendata/geodata/ingest"
	"github.com/vn-opendata/geodata/sample"
)

var smallBench = sample.BenchSize{Points: 5000, Lines: 120}

func writeSmallBench(t *testing.T) (string, *sample.Manifest, *catalog.Region) {
	t.Helper()
	region, err := catalog.LoadRegion(catalog.DefaultRegion)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	st, err := sample.WriteBench(dir, region, region.ID, smallBench)
	if err != nil {
		t.Fatal(err)
	}
	if st.Files != 2 || st.Features != smallBench.Points+smallBench.Lines {
		t.Fatalf("stats %+v, want 2 files and %d features", st, smallBench.Points+smallBench.Lines)
	}
	m, err := sample.ReadManifest(filepath.Join(dir, sample.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	return dir, m, region
}

func TestWriteBenchIsDeterministic(t *testing.T) {
	dir, _, region := writeSmallBench(t)
	again := t.TempDir()
	if _, err := sample.WriteBench(again, region, region.ID, smallBench); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{sample.BenchPoints + ".csv", sample.BenchLines + ".geojson", sample.ManifestName} {
		a, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(again, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
}

func TestWriteBenchRejectsEmptySize(t *testing.T) {
	region, err := catalog.LoadRegion(catalog.DefaultRegion)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sample.WriteBench(t.TempDir(), region, region.ID, sample.BenchSize{Points: 10}); err == nil {
		t.Fatal("a size without lines was accepted")
	}
}

// The benchmark files pass the real importer's validation with no rejected row,
// and have the promised shape: six typed properties besides the id, clustered
// points, lines of 20–200 vertices.
func TestBenchDataImportsCleanly(t *testing.T) {
	_, m, region := writeSmallBench(t)
	if len(m.Entries) != 2 {
		t.Fatalf("manifest has %d entries, want 2", len(m.Entries))
	}
	for _, e := range m.Entries {
		res, err := ingest.Import(context.Background(), nil, ingest.Request{Path: e.File, Collection: e.Collection,
			Options: e.Options, Metadata: e.Metadata, Region: region, DryRun: true})
		if err != nil {
			t.Fatalf("%s: %v\n%s", e.File, err, res.Report.Summary())
		}
		want := map[string]int64{sample.BenchPoints: int64(smallBench.Points), sample.BenchLines: int64(smallBench.Lines)}[e.Collection]
		if res.Report.Accepted != want || res.Report.Rejected != 0 {
			t.Errorf("%s: accepted %d, rejected %d; want %d and 0", e.File, res.Report.Accepted, res.Report.Rejected, want)
		}
	}
	checkBenchPoints(t, m.Entries[0], region)
	checkBenchLines(t, m.Entries[1])
}

func checkBenchPoints(t *testing.T, e sample.Entry, region *catalog.Region) {
	schema := importers.NewSchema()
	nearTown := 0
	err := importers.Read(context.Background(), e.File, e.Options, func(rec *importers.Record) error {
		schema.Observe(rec)
		p := rec.Geometry.(orb.Point)
		for _, town := range region.Places {
			if math.Abs(p[0]-town.Lon) < 0.1 && math.Abs(p[1]-town.Lat) < 0.1 {
				nearTown++
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"ma_truong": "string", "ten_truong": "string", "cap_hoc": "string", "huyen": "string",
		"so_hoc_sinh": "integer", "ngay_thanh_lap": "date", "dien_thoai": "string"}
	fields := schema.Fields()
	if len(fields) != len(want) {
		t.Errorf("schema %v, want the id and six properties %v", fields, want)
	}
	for _, f := range fields {
		if want[f.Name] != f.Type {
			t.Errorf("property %s is %s, want %s", f.Name, f.Type, want[f.Name])
		}
	}
	// The ten towns' ±0.1° boxes cover about a tenth of the region: uniform points
	// would put about 10 % there; clustered ones most.
	if share := float64(nearTown) / float64(smallBench.Points); share < 0.6 {
		t.Errorf("%.0f %% of the points lie near a town; want clustering (at least 60 %%)", share*100)
	}
}

func checkBenchLines(t *testing.T, e sample.Entry) {
	lengths := map[bool]int{}
	err := importers.Read(context.Background(), e.File, e.Options, func(rec *importers.Record) error {
		l, ok := rec.Geometry.(orb.LineString)
		if !ok {
			t.Fatalf("line %d is a %T, want a LineString", rec.Line, rec.Geometry)
		}
		if len(l) < 20 || len(l) > 200 {
			t.Errorf("feature %s has %d vertices, want 20–200", rec.ID, len(l))
		}
		lengths[len(l) == 200]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if lengths[false] == 0 {
		t.Error("every line has 200 vertices; want lengths that vary with the route")
	}
}
