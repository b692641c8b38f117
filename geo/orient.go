package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// ccwErrBound is Shewchuk's error bound of the floating-point orientation
// determinant: when |det| exceeds it, the sign of det is exact.
const ccwErrBound = (3 + 16*epsilon) * epsilon

const epsilon = 1.0 / (1 << 53)

// orient returns +1 when c lies left of the directed line a→b (counter-clockwise),
// -1 when it lies right, and 0 when the three points are collinear. The sign is
// exact: a fast floating-point evaluation is used when its error bound allows,
// exact rational arithmetic otherwise, so topological decisions (on the line or
// not) never depend on rounding, as with GEOS's robust orientation index.
func orient(a, b, c orb.Point) int {
	detLeft := (b[0] - a[0]) * (c[1] - a[1])
	detRight := (b[1] - a[1]) * (c[0] - a[0])
	det := detLeft - detRight
	var detSum float64
	switch {
	case detLeft > 0:
		if detRight <= 0 {
			return sign(det)
		}
		detSum = detLeft + detRight
	case detLeft < 0:
		if detRight >= 0 {
			return sign(det)
		}
		detSum = -detLeft - detRight
	default:
		return sign(det)
	}
	bound := ccwErrBound * detSum
	if det >= bound || -det >= bound {
		return sign(det)
	}
	return orientExact(a, b, c)
}

func sign(v float64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// orientExact evaluates the orientation determinant exactly, with the
// floating-point expansions of Shewchuk: every difference and product is
// split into a sum of floats without error, the sum is kept as a
// non-overlapping expansion, and its largest component gives the sign.
func orientExact(a, b, c orb.Point) int {
	ux, uxe := twoDiff(b[0], a[0])
	uy, uye := twoDiff(b[1], a[1])
	vx, vxe := twoDiff(c[0], a[0])
	vy, vye := twoDiff(c[1], a[1])
	var buf [32]float64
	e := buf[:0]
	add := func(x, y float64, sign float64) {
		p, pe := twoProd(x, y)
		e = grow(e, sign*pe)
		e = grow(e, sign*p)
	}
	for _, x := range [2]float64{ux, uxe} {
		for _, y := range [2]float64{vy, vye} {
			add(x, y, 1)
		}
	}
	for _, x := range [2]float64{uy, uye} {
		for _, y := range [2]float64{vx, vxe} {
			add(x, y, -1)
		}
	}
	for i := len(e) - 1; i >= 0; i-- {
		if e[i] != 0 {
			return sign(e[i])
		}
	}
	return 0
}

// twoSum returns a+b as the rounded sum and its exact error.
func twoSum(a, b float64) (s, err float64) {
	s = a + b
	bv := s - a
	av := s - bv
	return s, (a - av) + (b - bv)
}

// twoDiff returns a-b as the rounded difference and its exact error.
func twoDiff(a, b float64) (d, err float64) {
	d = a - b
	bv := a - d
	av := d + bv
	return d, (a - av) + (bv - b)
}

// twoProd returns a·b as the rounded product and its exact error.
func twoProd(a, b float64) (p, err float64) {
	p = a * b
	return p, math.FMA(a, b, -p)
}

// grow adds b to the non-overlapping expansion e (smallest component first),
// dropping zero components; the result is again non-overlapping.
func grow(e []float64, b float64) []float64 {
	q := b
	n := 0
	for _, x := range e {
		var h float64
		q, h = twoSum(q, x)
		if h != 0 {
			e[n] = h
			n++
		}
	}
	e = e[:n]
	if q != 0 {
		e = append(e, q)
	}
	return e
}

// onSegment reports whether p lies on the closed segment a–b (exactly).
func onSegment(p, a, b orb.Point) bool {
	if p[0] < min(a[0], b[0]) || p[0] > max(a[0], b[0]) || p[1] < min(a[1], b[1]) || p[1] > max(a[1], b[1]) {
		return false
	}
	return orient(a, b, p) == 0
}

// ringIsCCW reports whether a closed ring runs counter-clockwise, robustly: it
// looks at the orientation around the highest vertex, as GEOS's Orientation.isCCW.
func ringIsCCW(r []orb.Point) bool {
	n := len(r) - 1 // the closing point repeats the first
	if n < 3 {
		return false
	}
	hi := 0
	for i := 1; i < n; i++ {
		if r[i][1] > r[hi][1] {
			hi = i
		}
	}
	prev := hi
	for {
		prev = (prev - 1 + n) % n
		if r[prev] != r[hi] || prev == hi {
			break
		}
	}
	next := hi
	for {
		next = (next + 1) % n
		if r[next] != r[hi] || next == hi {
			break
		}
	}
	if r[prev] == r[hi] || r[next] == r[hi] || r[prev] == r[next] {
		return false // a collapsed ring
	}
	o := orient(r[prev], r[hi], r[next])
	if o == 0 {
		// prev, hi and next on a horizontal line: the ring is CCW when prev lies right of next.
		return r[prev][0] > r[next][0]
	}
	return o > 0
}
