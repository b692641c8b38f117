package tiles_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/geojson"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/internal/shareddata"
	"github.com/vn-opendata/geodata/store"
)

// snapshotOf builds an in-memory snapshot through the catalog's own builder,
// as the service does after reading PostGIS.
func snapshotOf(tb testing.TB, id string, version int64, fc *geojson.FeatureCollection) *catalog.Snapshot {
	tb.Helper()
	schema := schemaOf(fc)
	col := store.Collection{ID: id, Version: version, Schema: schema, FeatureCount: int64(len(fc.Features))}
	if len(fc.Features) > 0 {
		col.GeometryType = fc.Features[0].Geometry.GeoJSONType()
		b := fc.Features[0].Geometry.Bound()
		for _, f := range fc.Features {
			b = b.Union(f.Geometry.Bound())
		}
		col.Extent = &[4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
	}
	builder := catalog.NewSnapshotBuilder(col)
	for i, f := range fc.Features {
		g, err := wkb.Marshal(f.Geometry)
		if err != nil {
			tb.Fatal(err)
		}
		props, err := json.Marshal(f.Properties)
		if err != nil {
			tb.Fatal(err)
		}
		fid := fmt.Sprint(f.ID)
		if f.ID == nil {
			fid = fmt.Sprintf("%s-%d", id, i+1)
		}
		if err := builder.Add(&store.StoredFeature{ID: fid, NumID: int64(i + 1), WKB: g, Properties: props}); err != nil {
			tb.Fatal(err)
		}
	}
	return builder.Build()
}

// schemaOf types every property by its first non-null value.
func schemaOf(fc *geojson.FeatureCollection) []store.Property {
	seen := map[string]bool{}
	var schema []store.Property
	for _, f := range fc.Features {
		for k, v := range f.Properties {
			if seen[k] || v == nil {
				continue
			}
			seen[k] = true
			typ := "string"
			switch v := v.(type) {
			case float64:
				typ = "number"
				if v == math.Trunc(v) {
					typ = "integer"
				}
			case int, int64:
				typ = "integer"
			case bool:
				typ = "boolean"
			}
			schema = append(schema, store.Property{Name: k, Type: typ})
		}
	}
	return schema
}

// realData reads one GeoJSON file of the shared test data.
func realData(tb testing.TB, file string) *geojson.FeatureCollection {
	tb.Helper()
	b, err := os.ReadFile(shareddata.Path(tb, "real", file))
	if err != nil {
		tb.Fatalf("shared test data: %v", err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		tb.Fatal(err)
	}
	return fc
}

// towns of Bắc Giang with weights, the centres of the synthetic points.
var towns = []struct {
	lon, lat, weight, sigmaKm float64
}{
	{106.1946, 21.2731, 10, 4}, {106.4485, 21.3851, 5, 5}, {106.5120, 21.2880, 3, 6},
	{106.6330, 21.3890, 2, 7}, {106.0826, 21.3547, 2, 5}, {106.2730, 21.4390, 3, 6},
	{105.9410, 21.2960, 2, 4}, {106.2300, 21.5460, 1, 8}, {106.7560, 21.2810, 1, 9},
}

// clusteredPoints makes n points around the towns (a dense core and wider
// villages), with a unique name, a kind of five, a number and a long address.
func clusteredPoints(n int, seed uint64) *geojson.FeatureCollection {
	rng := rand.New(rand.NewPCG(seed, 7))
	total := 0.0
	for _, t := range towns {
		total += t.weight
	}
	kinds := []string{"Mầm non", "Tiểu học", "THCS", "THPT", "GDNN-GDTX"}
	fc := geojson.NewFeatureCollection()
	fc.Features = make([]*geojson.Feature, 0, n)
	for i := 0; i < n; i++ {
		pick := rng.Float64() * total
		t := towns[0]
		for _, c := range towns {
			if pick -= c.weight; pick <= 0 {
				t = c
				break
			}
		}
		sigma := t.sigmaKm
		if rng.Float64() < 0.35 {
			sigma *= 3
		}
		lat := t.lat + rng.NormFloat64()*sigma/110.574
		lon := t.lon + rng.NormFloat64()*sigma/(111.32*math.Cos(t.lat*math.Pi/180))
		f := geojson.NewFeature(orb.Point{math.Round(lon*1e7) / 1e7, math.Round(lat*1e7) / 1e7})
		f.ID = fmt.Sprintf("P%07d", i+1)
		f.Properties["ten"] = fmt.Sprintf("Điểm %s số %d", kinds[i%5], i+1)
		f.Properties["loai"] = kinds[rng.IntN(len(kinds))]
		f.Properties["so_luong"] = float64(rng.IntN(2000))
		f.Properties["dia_chi"] = fmt.Sprintf("Thôn %d, xã %d, huyện %d, tỉnh Bắc Giang", rng.IntN(40), rng.IntN(200), rng.IntN(10))
		fc.Features = append(fc.Features, f)
	}
	return fc
}

var (
	millionOnce sync.Once
	million     *catalog.Snapshot
)

// millionPoints is the bench-sized snapshot: 1,000,000 clustered points.
func millionPoints(tb testing.TB) *catalog.Snapshot {
	millionOnce.Do(func() { million = snapshotOf(tb, "bench-points", 1, clusteredPoints(1_000_000, 42)) })
	return million
}

// decode unmarshals a tile; its geometries stay in tile units.
func decode(tb testing.TB, data []byte) map[string]*mvt.Layer {
	tb.Helper()
	layers, err := mvt.Unmarshal(data)
	if err != nil {
		tb.Fatalf("decode tile: %v", err)
	}
	out := map[string]*mvt.Layer{}
	for _, l := range layers {
		if out[l.Name] != nil {
			tb.Fatalf("layer %s twice", l.Name)
		}
		out[l.Name] = l
	}
	return out
}
