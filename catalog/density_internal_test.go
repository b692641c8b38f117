package catalog

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/geo"
)

// Intersecting answers like a brute-force test of every feature, in source
// order, whichever way the density grid sends it (R-tree, scan, or a search
// that gives up), also after features were added that the grid does not know.
func TestIntersectingEqualsBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var feats []Feature
	for i := 0; i < 30000; i++ {
		var g orb.Geometry
		c := orb.Point{106.2 + rng.NormFloat64()*0.05*float64(1+i%3), 21.3 + rng.NormFloat64()*0.04}
		if i%10 == 0 {
			g = orb.LineString{c, {c[0] + rng.Float64()*0.2, c[1] + (rng.Float64()-0.5)*0.2}, {c[0] + rng.Float64()*0.1, c[1] + 0.1}}
		} else {
			g = c
		}
		feats = append(feats, Feature{Geom: g, Bound: geo.GeodesicBound(g)})
	}
	build := func(fs []Feature) *Snapshot {
		bounds := make([]orb.Bound, len(fs))
		for i := range fs {
			bounds[i] = fs[i].Bound
		}
		return &Snapshot{Features: fs, Index: geo.IndexOf(bounds)}
	}
	snap := build(feats)
	snap.density() // made before the features below are added: a stale grid
	far := orb.Point{106.9, 21.6}
	for i := 0; i < 4000; i++ {
		snap.Features = append(snap.Features, Feature{Geom: far, Bound: far.Bound()})
	}
	bounds := make([]orb.Bound, len(snap.Features))
	for i := range snap.Features {
		bounds[i] = snap.Features[i].Bound
	}
	snap.Index = geo.IndexOf(bounds)

	strategies := map[string]int{}
	for i := 0; i < 300; i++ {
		size := []float64{0.001, 0.01, 0.05, 0.2, 1}[i%5]
		lo := orb.Point{106.0 + rng.Float64()*1.0, 21.1 + rng.Float64()*0.6}
		b := orb.Bound{Min: lo, Max: orb.Point{lo[0] + size, lo[1] + size*0.8}}
		var want []int32
		for j := range snap.Features {
			f := &snap.Features[j]
			if f.Bound.Intersects(b) && exactlyIntersects(f, b) {
				want = append(want, int32(j))
			}
		}
		var got []int32
		snap.Intersecting(b, func(j int32, _ *Feature) bool { got = append(got, j); return true })
		if !slices.Equal(got, want) {
			t.Fatalf("box %v: %d features, brute force %d", b, len(got), len(want))
		}
		switch limit := max(len(snap.Features)/12, 1024); {
		case snap.density().estimate(b) > limit:
			strategies["scan"]++
		case len(want) > limit:
			strategies["gave up"]++
		default:
			strategies["tree"]++
		}
	}
	if b := (orb.Bound{Min: orb.Point{106.89, 21.59}, Max: orb.Point{106.91, 21.61}}); snap.density().estimate(b) > 1024 {
		t.Fatalf("the stale grid knows the added features")
	} else {
		n := 0
		snap.Intersecting(b, func(int32, *Feature) bool { n++; return true })
		if n < 4000 {
			t.Fatalf("%d of the 4000 added features found by a search that had to give up", n)
		}
		strategies["gave up"]++
	}
	if strategies["scan"] == 0 || strategies["tree"] == 0 || strategies["gave up"] == 0 {
		t.Fatalf("strategies not all exercised: %v", strategies)
	}
}
