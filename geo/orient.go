package geo

import (
	"math/big"

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

// orientExact evaluates the orientation determinant in exact rational arithmetic;
// every float64 is a rational, so the result is the true sign.
func orientExact(a, b, c orb.Point) int {
	r := func(v float64) *big.Rat { return new(big.Rat).SetFloat64(v) }
	bx := new(big.Rat).Sub(r(b[0]), r(a[0]))
	by := new(big.Rat).Sub(r(b[1]), r(a[1]))
	cx := new(big.Rat).Sub(r(c[0]), r(a[0]))
	cy := new(big.Rat).Sub(r(c[1]), r(a[1]))
	left := new(big.Rat).Mul(bx, cy)
	right := new(big.Rat).Mul(by, cx)
	return left.Cmp(right)
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
