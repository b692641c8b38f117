package geo_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/geo"
)

// clustered draws n points around the region's towns as the sample and bench
// data do: a dense core and a wider ring of villages, more around larger towns.
func clustered(tb testing.TB, n int, rng *rand.Rand) []orb.Point {
	tb.Helper()
	region, err := catalog.LoadRegion(catalog.DefaultRegion)
	if err != nil {
		tb.Fatal(err)
	}
	total := 0
	for _, p := range region.Places {
		total += p.Weight
	}
	out := make([]orb.Point, 0, n)
	for len(out) < n {
		w := rng.IntN(total)
		town := region.Places[0]
		for _, p := range region.Places {
			if w < p.Weight {
				town = p
				break
			}
			w -= p.Weight
		}
		sigma := 3 * (0.25 + 0.75*float64(town.Weight)/6)
		if rng.Float64() < 0.35 {
			sigma *= 3
		}
		lat := town.Lat + rng.NormFloat64()*sigma/110.574
		lon := town.Lon + rng.NormFloat64()*sigma/(111.320*math.Cos(town.Lat*math.Pi/180))
		if region.Contains(lon, lat) {
			out = append(out, orb.Point{lon, lat})
		}
	}
	return out
}

// world is a set of geometries and their index, searched by brute force to check the index.
type world struct {
	geoms []orb.Geometry
	index *geo.Index
}

func newWorld(geoms []orb.Geometry) *world {
	bounds := make([]orb.Bound, len(geoms))
	for i, g := range geoms {
		bounds[i] = geo.GeodesicBound(g)
	}
	return &world{geoms: geoms, index: geo.IndexOf(bounds)}
}

func (w *world) measure(q orb.Point, keep func(int32) bool) geo.Measure {
	return func(i int32) (float64, bool) {
		if keep != nil && !keep(i) {
			return 0, false
		}
		d, _ := geo.DistanceTo(q, w.geoms[i])
		return d, true
	}
}

// bruteForce measures every geometry and sorts them as Nearest does.
func (w *world) bruteForce(q orb.Point, keep func(int32) bool) []geo.Neighbor {
	var all []geo.Neighbor
	m := w.measure(q, keep)
	for i := range w.geoms {
		if d, ok := m(int32(i)); ok {
			all = append(all, geo.Neighbor{Item: int32(i), Distance: d})
		}
	}
	sort.Slice(all, func(a, b int) bool {
		if all[a].Distance != all[b].Distance {
			return all[a].Distance < all[b].Distance
		}
		return all[a].Item < all[b].Item
	})
	return all
}

func mixedWorld(t *testing.T, rng *rand.Rand) *world {
	var geoms []orb.Geometry
	for _, p := range clustered(t, 10000, rng) {
		geoms = append(geoms, p)
	}
	for i := 0; i < 300; i++ { // lines with long edges, whose arcs bulge out of their vertices' box
		start := orb.Point{105.85 + rng.Float64()*1.2, 21.1 + rng.Float64()*0.55}
		l := orb.LineString{start}
		for n := 1 + rng.IntN(8); n > 0; n-- {
			last := l[len(l)-1]
			l = append(l, orb.Point{last[0] + (rng.Float64()-0.5)*0.4, last[1] + (rng.Float64()-0.5)*0.2})
		}
		geoms = append(geoms, l)
	}
	for i := 0; i < 3000; i++ { // the rest of the globe, the poles and both sides of the antimeridian
		p := orb.Point{rng.Float64()*360 - 180, math.Asin(rng.Float64()*2-1) * 180 / math.Pi}
		switch i % 3 {
		case 1:
			p[0] = math.Copysign(180-rng.Float64()*0.5, p[0])
		case 2:
			p[1] = math.Copysign(90-rng.Float64()*2, p[1])
		}
		geoms = append(geoms, p)
	}
	return newWorld(geoms)
}

func queryPoint(rng *rand.Rand, i int) orb.Point {
	switch i % 5 {
	case 0:
		return orb.Point{rng.Float64()*360 - 180, rng.Float64()*180 - 90}
	case 1:
		return orb.Point{math.Copysign(180-rng.Float64()*0.3, rng.Float64()-0.5), rng.Float64()*170 - 85}
	case 2:
		return orb.Point{rng.Float64()*360 - 180, math.Copysign(90-rng.Float64()*3, rng.Float64()-0.5)}
	}
	return orb.Point{105.8 + rng.Float64()*1.3, 21.05 + rng.Float64()*0.65}
}

// Nearest and Within return exactly what measuring every geometry returns, for
// queries in the clustered region, anywhere on the globe, near the poles and
// across the antimeridian, with and without a filter and a distance limit.
func TestNearestEqualsBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	w := mixedWorld(t, rng)
	for i := 0; i < 400; i++ {
		q := queryPoint(rng, i)
		k := []int{1, 10, 100}[i%3]
		var keep func(int32) bool
		if i%4 == 0 {
			keep = func(n int32) bool { return n%7 == 3 }
		}
		all := w.bruteForce(q, keep)
		got := w.index.Nearest(q, k, math.Inf(1), w.measure(q, keep))
		want := all[:min(k, len(all))]
		if !slices.Equal(got, want) {
			t.Fatalf("query %d at %v, k=%d: Nearest\n%v\nbrute force\n%v", i, q, k, got, want)
		}
		radius := []float64{300, 2000, 20000, 50000}[i%4]
		within := w.index.Within(q, radius, w.measure(q, keep))
		n := sort.Search(len(all), func(j int) bool { return all[j].Distance > radius })
		if !slices.Equal(within, all[:n]) {
			t.Fatalf("query %d at %v: %d within %g m, brute force %d", i, q, len(within), radius, n)
		}
		capped := w.index.Nearest(q, k, radius, w.measure(q, keep))
		if !slices.Equal(capped, all[:min(k, n)]) {
			t.Fatalf("query %d at %v: k=%d within %g m: %d, brute force %d", i, q, k, radius, len(capped), min(k, n))
		}
	}
}

// A long east–west edge is a great-circle arc bulging about 480 m north of its
// end points' latitude: a point just north of the bulge is nearer to the line
// than to a point 100 m away, though it lies far outside the line's vertex box.
func TestNearestSeesArcBulge(t *testing.T) {
	line := orb.LineString{{0, 45}, {2, 45}}
	top, _ := geo.DistanceTo(orb.Point{1, 45.01}, line)
	q := orb.Point{1, 45.01 - top/111000 + 0.0001} // about 11 m north of the arc
	d, at := geo.DistanceTo(q, line)
	if d > 20 || at[1] < 45.004 {
		t.Fatalf("the arc's top: %.1f m away at %v; want a bulge of about 480 m", d, at)
	}
	w := newWorld([]orb.Geometry{orb.Point{1, q[1] + 0.0009}, line})
	got := w.index.Nearest(q, 1, math.Inf(1), w.measure(q, nil))
	if len(got) != 1 || got[0].Item != 1 {
		t.Fatalf("nearest to %v: %v, want the line at %.1f m", q, got, d)
	}
}

func TestNearestEdgeCases(t *testing.T) {
	empty := geo.NewIndex()
	if got := empty.Nearest(orb.Point{106, 21}, 10, math.Inf(1), nil); len(got) != 0 {
		t.Errorf("empty index: %v", got)
	}
	w := newWorld([]orb.Geometry{orb.Point{106, 21}, orb.Point{106, 21}, orb.Point{106.001, 21}})
	got := w.index.Nearest(orb.Point{106, 21}, 2, math.Inf(1), w.measure(orb.Point{106, 21}, nil))
	if want := []geo.Neighbor{{Item: 0}, {Item: 1}}; !slices.Equal(got, want) {
		t.Errorf("ties: %v, want %v (equal distances in item order)", got, want)
	}
	if got := w.index.Nearest(orb.Point{106, 21}, 0, math.Inf(1), nil); got != nil {
		t.Errorf("k=0: %v", got)
	}
}

// BenchmarkNearest1M measures k=10 queries on a million points clustered like the
// bench data, built in memory (no database). It reports the median and 99th
// percentile time of one query, the process CPU time per query (which, unlike
// elapsed time, other load on a shared machine does not inflate), and the
// allocations per query.
func BenchmarkNearest1M(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	points := clustered(b, 1_000_000, rng)
	bounds := make([]orb.Bound, len(points))
	for i, p := range points {
		bounds[i] = geo.GeodesicBound(p)
	}
	idx := geo.IndexOf(bounds)
	queries := make([]orb.Point, 4096)
	for i := range queries {
		p := points[rng.IntN(len(points))] // where people are
		queries[i] = orb.Point{p[0] + rng.NormFloat64()*0.01, p[1] + rng.NormFloat64()*0.01}
	}
	times := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime(b)
	for i := 0; i < b.N; i++ {
		q := queries[i%len(queries)]
		start := time.Now()
		got := idx.Nearest(q, 10, math.Inf(1), func(j int32) (float64, bool) { return geo.Distance(q, points[j]), true })
		times = append(times, time.Since(start))
		if len(got) != 10 {
			b.Fatalf("%d results", len(got))
		}
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime(b)-cpu).Nanoseconds())/float64(b.N), "cpu-ns/query")
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "median-ns/query")
	b.ReportMetric(float64(times[len(times)*99/100].Nanoseconds()), "p99-ns/query")
}

// cpuTime is the CPU time the process has used so far.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
