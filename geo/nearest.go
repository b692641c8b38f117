package geo

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// Neighbor is an item of an index found near a point, with its distance in metres.
type Neighbor struct {
	Item     int32
	Distance float64
}

// Measure gives the exact distance in metres from the query point to item i, and
// false when the item is to be skipped (a filter rejects it). The distance must
// not be less than the geodesic distance to the item's box in the index, which
// holds for DistanceTo and boxes from GeodesicBound.
type Measure func(i int32) (metres float64, ok bool)

// Nearest returns the k items nearest to q within maxDist metres (+Inf for no
// limit), nearest first, ties in item order. It is exact: the R-tree is walked
// best first (tidwall/rtree's Nearby) by a lower bound of the geodesic distance
// to each box in metres, exact distances are measured only for items whose bound
// beats the k-th distance found so far, and the walk stops when no box can hold a
// nearer item.
func (x *Index) Nearest(q orb.Point, k int, maxDist float64, measure Measure) []Neighbor {
	if k <= 0 {
		return nil
	}
	lb := newBoxBound(q)
	best := make([]Neighbor, 0, min(k, 64))
	limit := maxDist
	x.tree.Nearby(func(min, max [2]float64, _ int32, _ bool) float64 { return lb.within(min, max, limit) },
		func(_, _ [2]float64, i int32, bound float64) bool {
			if bound > limit {
				return false
			}
			d, ok := measure(i)
			if !ok || d > limit {
				return true
			}
			best = insertNeighbor(best, Neighbor{Item: i, Distance: d}, k)
			if len(best) == k {
				limit = min(maxDist, best[k-1].Distance)
			}
			return true
		})
	return best
}

// Within returns every item within radius metres of q, nearest first, ties in item order.
func (x *Index) Within(q orb.Point, radius float64, measure Measure) []Neighbor {
	lb := newBoxBound(q)
	var out []Neighbor
	x.tree.Nearby(func(min, max [2]float64, _ int32, _ bool) float64 { return lb.within(min, max, radius) },
		func(_, _ [2]float64, i int32, bound float64) bool {
			if bound > radius {
				return false
			}
			if d, ok := measure(i); ok && d <= radius {
				out = append(out, Neighbor{Item: i, Distance: d})
			}
			return true
		})
	slices.SortFunc(out, CompareNeighbors)
	return out
}

// CompareNeighbors orders neighbours as Nearest and Within return them: by
// distance, ties by item.
func CompareNeighbors(a, b Neighbor) int {
	switch {
	case a.Distance < b.Distance:
		return -1
	case a.Distance > b.Distance:
		return 1
	}
	return int(a.Item) - int(b.Item)
}

// insertNeighbor inserts n into the sorted list best, keeping at most k.
func insertNeighbor(best []Neighbor, n Neighbor, k int) []Neighbor {
	at, _ := slices.BinarySearchFunc(best, n, CompareNeighbors)
	if at >= k {
		return best
	}
	if len(best) < k {
		best = append(best, Neighbor{})
	}
	copy(best[at+1:], best[at:])
	best[at] = n
	return best
}

// boxBound computes lower bounds, in metres, of the geodesic distance from a
// point to any point of a lon/lat box, cheaply enough to run for every box the
// best-first walk meets (no trigonometry: a few multiplications, a table look-up
// and a square root).
//
// Along any path, the length is ∫√(M² dφ² + r² dλ²) ≥ √((∫M|dφ|)² + (∫r|dλ|)²)
// (Minkowski), with M the meridional radius of curvature, at least a(1 − e²),
// and r = N cos φ the radius of the parallel. A path from the query to the box
// must cover the latitude gap Δφ and the longitude gap Δλ (the shorter way round),
// so if it stays within |φ| ≤ Φ, its length is at least
// √((a(1 − e²)Δφ)² + (r(Φ)Δλ)²). If it goes beyond Φ = Φ0 + δ, where Φ0 is
// the largest |φ| of the query and the box, it covers at least Δφ + 2δ of
// latitude. The bound is the larger, over a few δ, of the smaller of the two.
type boxBound struct {
	lon, lat, absLat float64
}

// metresPerRadianMin is the smallest meridional radius of curvature, at the equator.
const metresPerRadianMin = wgs84A * (1 - e2)

// bulgeSteps are the δ of boxBound in degrees: the first serves distances up to
// tens of kilometres, the others keep the bound useful for long ones.
var bulgeSteps = [...]float64{0.2, 2, 20}

// parallelRadius[i] is the radius of the parallel at latitude i/10 degrees.
var parallelRadius = func() (t [901]float64) {
	for i := range t {
		s, c := math.Sincos(float64(i) / 10 * rad)
		t[i] = wgs84A * c / math.Sqrt(1-e2*s*s)
	}
	t[900] = 0
	return t
}()

// radiusBeyond is a radius of the parallel no larger than at any latitude up to
// phi degrees (the table entry at or above phi; 0 past the pole).
func radiusBeyond(phi float64) float64 {
	i := int(phi*10) + 1 // at or above: the radius falls with latitude
	if i >= len(parallelRadius) {
		return 0
	}
	return parallelRadius[i]
}

func newBoxBound(q orb.Point) *boxBound {
	return &boxBound{lon: q[0], lat: q[1], absLat: math.Abs(q[1])}
}

// minMetresPerDegree is the length of a degree of latitude at the equator, the shortest.
const minMetresPerDegree = metresPerRadianMin * rad

// metres is the lower bound for the box [lo, hi]. Rounding is kept on the safe
// side by a relative margin far below any distance the service reports.
func (b *boxBound) metres(lo, hi [2]float64) float64 {
	var dLat float64
	switch {
	case b.lat < lo[1]:
		dLat = lo[1] - b.lat
	case b.lat > hi[1]:
		dLat = b.lat - hi[1]
	}
	along := dLat * minMetresPerDegree
	dLon := lonGap(b.lon, lo[0], hi[0])
	if dLon == 0 {
		return along * safeSide
	}
	phi0 := b.absLat
	if a := math.Abs(lo[1]); a > phi0 {
		phi0 = a
	}
	if a := math.Abs(hi[1]); a > phi0 {
		phi0 = a
	}
	bound := along
	for _, delta := range bulgeSteps {
		across := radiusBeyond(phi0+delta) * dLon * rad
		direct := math.Sqrt(along*along + across*across)
		detour := along + 2*delta*minMetresPerDegree
		if direct <= detour {
			if direct > bound {
				bound = direct
			}
			break
		}
		bound = detour
	}
	return bound * safeSide
}

// within is the bound for the box, or +Inf when it exceeds limit: the walk never
// needs the box then (limits only shrink), and an infinite distance costs the
// walk's priority queue nothing to push.
func (b *boxBound) within(lo, hi [2]float64, limit float64) float64 {
	if d := b.metres(lo, hi); d <= limit {
		return d
	}
	return math.Inf(1)
}

// safeSide shrinks a bound by far more than its rounding error.
const safeSide = 1 - 1e-12

// lonGap is the smallest longitude difference in degrees from lon to the
// interval [lo, hi], going either way round the globe.
func lonGap(lon, lo, hi float64) float64 {
	var east, west float64
	switch {
	case lon < lo:
		east, west = lo-lon, lon-hi+360
	case lon > hi:
		east, west = lo-lon+360, lon-hi
	default:
		return 0
	}
	if east < west {
		return east
	}
	return west
}
