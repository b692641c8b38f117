package geo_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/geo"
)

// clusteredPoints draws n points around ten towns of a 1.2° × 0.55° region, as
// the benchmark data of `make bench` are.
func clusteredPoints(n int, seed uint64) []orb.Point {
	rng := rand.New(rand.NewPCG(seed, 1))
	towns := make([]orb.Point, 10)
	for i := range towns {
		towns[i] = orb.Point{105.9 + rng.Float64()*1.1, 21.15 + rng.Float64()*0.45}
	}
	pts := make([]orb.Point, n)
	for i := range pts {
		t := towns[rng.IntN(len(towns))]
		pts[i] = orb.Point{t[0] + rng.NormFloat64()*0.04, t[1] + rng.NormFloat64()*0.04}
	}
	return pts
}

func indexOf(pts []orb.Point) *geo.Index {
	idx := geo.NewIndex()
	for i, p := range pts {
		idx.Insert(p.Bound(), int32(i))
	}
	return idx
}

// box is a square of side degrees around c.
func box(c orb.Point, side float64) orb.Bound {
	return orb.Bound{Min: orb.Point{c[0] - side/2, c[1] - side/2}, Max: orb.Point{c[0] + side/2, c[1] + side/2}}
}

func TestIndexSearchFindsWhatAScanFinds(t *testing.T) {
	pts := clusteredPoints(20000, 3)
	idx := indexOf(pts)
	if idx.Len() != len(pts) {
		t.Fatalf("Len = %d, want %d", idx.Len(), len(pts))
	}
	rng := rand.New(rand.NewPCG(4, 4))
	for q := 0; q < 200; q++ {
		b := box(pts[rng.IntN(len(pts))], 0.001+rng.Float64()*0.2)
		var got, want []int32
		idx.Search(b, func(i int32) bool { got = append(got, i); return true })
		for i, p := range pts {
			if b.Contains(p) {
				want = append(want, int32(i))
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("box %v: index found %d items, a scan %d", b, len(got), len(want))
		}
	}
}

func TestIndexSearchStops(t *testing.T) {
	idx := indexOf(clusteredPoints(1000, 5))
	calls := 0
	idx.Search(orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}, func(int32) bool { calls++; return calls < 3 })
	if calls != 3 {
		t.Errorf("search went on after fn returned false: %d calls", calls)
	}
}

// BenchmarkIndexSearch searches 1,000,000 clustered points with the boxes of the
// items-small (about 1 km) and items-district (about 20 km) workloads.
func BenchmarkIndexSearch(b *testing.B) {
	pts := clusteredPoints(1_000_000, 1)
	idx := indexOf(pts)
	for _, side := range []struct {
		name    string
		degrees float64
	}{{"1km", 0.0095}, {"20km", 0.19}} {
		b.Run(side.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(2, 2))
			centres := make([]orb.Point, 1024)
			for i := range centres {
				centres[i] = pts[rng.IntN(len(pts))]
			}
			found := 0
			for i := 0; b.Loop(); i++ {
				idx.Search(box(centres[i%len(centres)], side.degrees), func(int32) bool { found++; return true })
			}
			b.ReportMetric(float64(found)/float64(b.N), "hits/op")
		})
	}
}

func BenchmarkIndexInsert(b *testing.B) {
	pts := clusteredPoints(1_000_000, 1)
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				indexOf(pts[:n])
			}
		})
	}
}
