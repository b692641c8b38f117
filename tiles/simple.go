package tiles

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// simpleRing reports whether closed ring r neither crosses nor touches itself,
// nor repeats a point.
func simpleRing(r orb.Ring) bool { return defect(r) < 0 }

// makeSimple removes vertices of closed ring r until it is simple: snapping to
// integer units can fold a ring over itself where its points were closer than
// a unit, and removing one of the points involved undoes such a fold while
// moving the outline by about a unit. It returns nil when no ring remains.
func makeSimple(r orb.Ring) orb.Ring {
	for r != nil {
		k := defect(r)
		if k < 0 {
			return r
		}
		pts := slices.Delete(slices.Clone(r[:len(r)-1]), k, k+1)
		if len(pts) < 3 {
			return nil
		}
		r = cleanRing(append(orb.Ring(pts), pts[0]))
	}
	return nil
}

// defect returns the position of a vertex to remove so that closed ring r
// becomes simple, or -1 when it is simple: the second visit of a repeated
// point, or of the four ends of two edges that meet, the one where the ring
// turns least. Edges are swept by their left end: about n log n for n edges.
func defect(r orb.Ring) int {
	n := len(r) - 1
	if n < 3 {
		return 0
	}
	seen := make(map[orb.Point]struct{}, n)
	for i, p := range r[:n] {
		if _, dup := seen[p]; dup {
			return i
		}
		seen[p] = struct{}{}
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	left := func(i int) float64 { return min(r[i][0], r[i+1][0]) }
	slices.SortFunc(order, func(a, b int) int {
		switch la, lb := left(a), left(b); {
		case la < lb:
			return -1
		case la > lb:
			return 1
		}
		return a - b
	})
	for k, i := range order {
		right := max(r[i][0], r[i+1][0])
		for _, j := range order[k+1:] {
			if left(j) > right {
				break
			}
			if (i+1)%n == j || (j+1)%n == i {
				continue // neighbours share a point; cleanRing removed fold-backs
			}
			if edgesMeet(r[i], r[i+1], r[j], r[j+1]) {
				return leastTurn(r, i, (i+1)%n, j, (j+1)%n)
			}
		}
	}
	return -1
}

// leastTurn returns the vertex among candidates where ring r turns least.
func leastTurn(r orb.Ring, candidates ...int) int {
	n := len(r) - 1
	best, bestTurn := candidates[0], math.Inf(1)
	for _, k := range candidates {
		t := math.Abs(turn(r[(k+n-1)%n], r[k], r[(k+1)%n]))
		if t < bestTurn {
			best, bestTurn = k, t
		}
	}
	return best
}

// edgesMeet reports whether the closed segments ab and cd share a point.
func edgesMeet(a, b, c, d orb.Point) bool {
	if max(a[1], b[1]) < min(c[1], d[1]) || max(c[1], d[1]) < min(a[1], b[1]) {
		return false
	}
	d1, d2 := turn(c, d, a), turn(c, d, b)
	d3, d4 := turn(a, b, c), turn(a, b, d)
	if d1*d2 < 0 && d3*d4 < 0 {
		return true
	}
	return d1 == 0 && within(c, d, a) || d2 == 0 && within(c, d, b) ||
		d3 == 0 && within(a, b, c) || d4 == 0 && within(a, b, d)
}

func turn(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

// within reports whether p, collinear with ab, lies on the segment.
func within(a, b, p orb.Point) bool {
	return min(a[0], b[0]) <= p[0] && p[0] <= max(a[0], b[0]) && min(a[1], b[1]) <= p[1] && p[1] <= max(a[1], b[1])
}
