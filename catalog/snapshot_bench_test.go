package catalog_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/store"
)

// schoolSchema is the schema the importer infers for the benchmark points.
var schoolSchema = []store.Property{
	{Name: "ma_truong", Type: "string"}, {Name: "ten_truong", Type: "string"}, {Name: "cap_hoc", Type: "string"},
	{Name: "huyen", Type: "string"}, {Name: "so_hoc_sinh", Type: "integer"}, {Name: "ngay_thanh_lap", Type: "date"},
	{Name: "dien_thoai", Type: "string"}, {Name: "diem_chuan", Type: "number"},
}

func school(i int, p orb.Point) catalog.Feature {
	id := fmt.Sprintf("TR-%07d", i)
	return catalog.Feature{ID: id, Geom: p, Props: []any{id, fmt.Sprintf("Trường Tiểu học Tân Mỹ số %d", i%30),
		"Tiểu học", "Thành phố Bắc Giang", int64(200 + i%1000), "1987-09-05", "0204 3724 087", float64(i % 30)}}
}

func TestEncodeFeature(t *testing.T) {
	f := school(7, orb.Point{106.1946, 21.2731})
	f.Props[2] = nil
	b, err := catalog.EncodeFeature(&f, schoolSchema)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"Feature","id":"TR-0000007","geometry":{"type":"Point","coordinates":[106.1946,21.2731]},` +
		`"properties":{"ma_truong":"TR-0000007","ten_truong":"Trường Tiểu học Tân Mỹ số 7","cap_hoc":null,` +
		`"huyen":"Thành phố Bắc Giang","so_hoc_sinh":207,"ngay_thanh_lap":"1987-09-05","dien_thoai":"0204 3724 087","diem_chuan":7.0}}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	if !json.Valid(b) {
		t.Error("not valid JSON")
	}
}

// BenchmarkEncodeFeature encodes one school point, as a snapshot does for every
// feature when it loads.
func BenchmarkEncodeFeature(b *testing.B) {
	f := school(123456, orb.Point{106.1946123, 21.2731456})
	size := 0
	for b.Loop() {
		out, err := catalog.EncodeFeature(&f, schoolSchema)
		if err != nil {
			b.Fatal(err)
		}
		size = len(out)
	}
	b.SetBytes(int64(size))
}

// storedSchools are n school rows as the store hands them to a snapshot.
func storedSchools(b *testing.B, n int) []store.StoredFeature {
	rng := rand.New(rand.NewPCG(1, 1))
	out := make([]store.StoredFeature, n)
	for i := range out {
		f := school(i, orb.Point{105.9 + rng.Float64()*1.1, 21.15 + rng.Float64()*0.45})
		geom, err := wkb.Marshal(f.Geom)
		if err != nil {
			b.Fatal(err)
		}
		props := map[string]any{}
		for j, p := range schoolSchema {
			props[p.Name] = f.Props[j]
		}
		js, err := json.Marshal(props)
		if err != nil {
			b.Fatal(err)
		}
		out[i] = store.StoredFeature{ID: f.ID, NumID: int64(i + 1), WKB: geom, Properties: js}
	}
	return out
}

// BenchmarkSnapshotBuild is the in-memory part of loading a collection of
// 100,000 points (decode, pre-encode the GeoJSON, index); the database scan is
// not included.
func BenchmarkSnapshotBuild(b *testing.B) {
	rows := storedSchools(b, 100_000)
	c := store.Collection{ID: "schools", Schema: schoolSchema, FeatureCount: int64(len(rows)), Version: 1}
	for b.Loop() {
		sb := catalog.NewSnapshotBuilder(c)
		for i := range rows {
			if err := sb.Add(&rows[i]); err != nil {
				b.Fatal(err)
			}
		}
		if snap := sb.Build(); len(snap.Features) != len(rows) {
			b.Fatalf("%d features, want %d", len(snap.Features), len(rows))
		}
	}
	b.ReportMetric(float64(len(rows))*float64(b.N)/b.Elapsed().Seconds(), "features/s")
}
