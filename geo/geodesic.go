package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// The WGS84 ellipsoid (EPSG:7030), the datum of every stored coordinate.
const (
	wgs84A = 6378137.0
	wgs84F = 1 / 298.257223563
	wgs84B = wgs84A * (1 - wgs84F)
	e2     = wgs84F * (2 - wgs84F)              // first eccentricity squared
	ep2    = e2 / ((1 - wgs84F) * (1 - wgs84F)) // second eccentricity squared
	rad    = math.Pi / 180
)

// Vincenty's iteration is used unless the points are within this angle (on the
// auxiliary sphere) of being antipodal, where it converges slowly or not at all
// and the geodesic may not be unique; there the robust method takes over.
const nearAntipodal = 0.05

// Distance is the length in metres of the shortest geodesic between p and q on
// the WGS84 ellipsoid (lon/lat degrees), as PostGIS ST_Distance(geography,
// geography, true) and PROJ's geod compute it.
func Distance(p, q orb.Point) float64 {
	if s, _, ok := vincenty(p, q, false); ok {
		return s
	}
	s, _ := inverseAux(p, q)
	return s
}

// Bearing is the initial bearing of the shortest geodesic from p to q in degrees
// clockwise from north, in [0, 360); 0 when the points coincide.
func Bearing(p, q orb.Point) float64 {
	_, azi := Inverse(p, q)
	return azi
}

// Inverse solves the inverse geodesic problem on WGS84: the length in metres of
// the shortest geodesic from p to q and its azimuth at p in degrees [0, 360).
//
// Vincenty's method (1975) answers almost every pair in a few iterations, with an
// error below 0.1 mm. For nearly antipodal points, where it fails, the geodesic is
// found as Karney (2013) does, by solving for the azimuth on the auxiliary sphere,
// here by bisection with the distance and longitude integrals evaluated by
// Gauss–Legendre quadrature: slower, but exact to nanometres everywhere.
func Inverse(p, q orb.Point) (metres, azimuth float64) {
	if s, azi, ok := vincenty(p, q, true); ok {
		return s, azi
	}
	return inverseAux(p, q)
}

// reduced returns sin and cos of the reduced (parametric) latitude β of a
// geodetic latitude in degrees: tan β = (1 − f) tan φ.
func reduced(lat float64) (sinB, cosB float64) {
	s, c := math.Sincos(lat * rad)
	s *= 1 - wgs84F
	h := hypot(s, c)
	return s / h, c / h
}

// lonDiff is q − p in radians, in [−π, π].
func lonDiff(p, q float64) float64 {
	d := q - p
	if d > 180 || d < -180 {
		d = math.Remainder(d, 360)
	}
	return d * rad
}

// azimuthDeg turns sin/cos of an azimuth into degrees in [0, 360).
func azimuthDeg(sinA, cosA float64) float64 {
	a := math.Atan2(sinA, cosA) / rad
	if a < 0 {
		a += 360
	}
	if a >= 360 {
		a = 0
	}
	return a
}

// vincenty is Vincenty's inverse formula, with the azimuth at p when asked for;
// ok is false near the antipode, or when the iteration does not converge, and
// the caller falls back to inverseAux.
func vincenty(p, q orb.Point, azimuth bool) (s, azi float64, ok bool) {
	L := lonDiff(p[0], q[0])
	sinU1, cosU1 := reduced(p[1])
	sinU2, cosU2 := reduced(q[1])
	lambda := L
	for iter := 0; iter < 100; iter++ {
		sinL, cosL := math.Sincos(lambda)
		t1 := cosU2 * sinL
		t2 := cosU1*sinU2 - sinU1*cosU2*cosL
		sinSigma := hypot(t1, t2)
		cosSigma := sinU1*sinU2 + cosU1*cosU2*cosL
		sigma := math.Atan2(sinSigma, cosSigma)
		if sigma > math.Pi-nearAntipodal {
			return 0, 0, false
		}
		if sinSigma == 0 { // coincident points
			return 0, 0, true
		}
		sinAlpha := cosU1 * cosU2 * sinL / sinSigma
		cos2Alpha := 1 - sinAlpha*sinAlpha
		cos2SigmaM := 0.0 // on the equator
		if cos2Alpha != 0 {
			cos2SigmaM = cosSigma - 2*sinU1*sinU2/cos2Alpha
		}
		c := wgs84F / 16 * cos2Alpha * (4 + wgs84F*(4-3*cos2Alpha))
		prev := lambda
		lambda = L + (1-c)*wgs84F*sinAlpha*
			(sigma+c*sinSigma*(cos2SigmaM+c*cosSigma*(-1+2*cos2SigmaM*cos2SigmaM)))
		if math.Abs(lambda) > math.Pi {
			return 0, 0, false
		}
		if math.Abs(lambda-prev) > 1e-13 {
			continue
		}
		u2 := cos2Alpha * ep2
		A := 1 + u2/16384*(4096+u2*(-768+u2*(320-175*u2)))
		B := u2 / 1024 * (256 + u2*(-128+u2*(74-47*u2)))
		deltaSigma := B * sinSigma * (cos2SigmaM + B/4*(cosSigma*(-1+2*cos2SigmaM*cos2SigmaM)-
			B/6*cos2SigmaM*(-3+4*sinSigma*sinSigma)*(-3+4*cos2SigmaM*cos2SigmaM)))
		if azimuth {
			sinL, cosL = math.Sincos(lambda)
			azi = azimuthDeg(cosU2*sinL, cosU1*sinU2-sinU1*cosU2*cosL)
		}
		return wgs84B * A * (sigma - deltaSigma), azi, true
	}
	return 0, 0, false
}

// inverseAux solves the inverse problem on the auxiliary sphere (Karney 2013,
// "Algorithms for geodesics", sections 2–4). The points are first put in a
// canonical position: φ1 ≤ 0, |φ2| ≤ |φ1|, 0 ≤ λ12 ≤ π. There the longitude
// difference λ12(α1) reached along the geodesic that leaves point 1 with azimuth α1
// and meets point 2's parallel on its first northward pass grows monotonically
// from 0 at α1 = 0 to π at α1 = π, so bisection finds the α1 of the shortest
// geodesic, including the many near-antipodal cases where Vincenty fails.
func inverseAux(p, q orb.Point) (metres, azimuth float64) {
	lat1, lat2 := p[1], q[1]
	lon12 := lonDiff(p[0], q[0])
	lonSign := 1.0
	if math.Signbit(lon12) {
		lonSign = -1
	}
	lon12 *= lonSign
	swap := 1.0
	if math.Abs(lat1) < math.Abs(lat2) {
		swap = -1
		lonSign = -lonSign
		lat1, lat2 = lat2, lat1
	}
	latSign := -1.0
	if math.Signbit(lat1) {
		latSign = 1
	}
	lat1 *= latSign
	lat2 *= latSign
	sb1, cb1 := reduced(lat1)
	sb2, cb2 := reduced(lat2)
	cb1, cb2 = max(cb1, tinyCos), max(cb2, tinyCos) // the poles as limits

	if sb1 == 0 && lon12 <= (1-wgs84F)*math.Pi {
		// Both points on the equator (|φ2| ≤ |φ1| = 0), close enough for the
		// equator itself to be the shortest line.
		return wgs84A * lon12, azimuthDeg(swap*lonSign, 0)
	}
	lo, hi := 0.0, math.Pi
	for i := 0; i < 64 && hi-lo > 1e-15; i++ {
		mid := (lo + hi) / 2
		if auxGeodesic(sb1, cb1, sb2, cb2, mid).lambda12 < lon12 {
			lo = mid
		} else {
			hi = mid
		}
	}
	alpha1 := (lo + hi) / 2
	g := auxGeodesic(sb1, cb1, sb2, cb2, alpha1)
	salp1, calp1 := math.Sincos(alpha1)
	salp2, calp2 := g.sinAlpha2, g.cosAlpha2
	if swap < 0 {
		salp1, salp2 = salp2, salp1
		calp1, calp2 = calp2, calp1
	}
	salp1 *= swap * lonSign
	calp1 *= swap * latSign
	return g.s12, azimuthDeg(salp1, calp1)
}

// tinyCos stands for cos β at a pole, so that the formulas keep a direction there.
const tinyCos = 1e-150

// auxResult is the geodesic leaving point 1 with a given azimuth, up to point 2's parallel.
type auxResult struct {
	lambda12             float64 // longitude difference on the ellipsoid, radians
	s12                  float64 // length, metres
	sinAlpha2, cosAlpha2 float64 // azimuth at point 2
}

// auxGeodesic follows the geodesic that leaves reduced latitude β1 with azimuth
// alpha1 until it reaches β2 heading north (|β2| ≤ −β1).
func auxGeodesic(sb1, cb1, sb2, cb2, alpha1 float64) auxResult {
	salp1, calp1 := math.Sincos(alpha1)
	salp0 := salp1 * cb1 // Clairaut: sin α0 = sin α1 cos β1
	calp0 := hypot(calp1, salp1*sb1)
	// σ and ω: arc length and longitude on the auxiliary sphere from the node.
	ssig1, csig1 := unit(sb1, calp1*cb1)
	somg1, comg1 := unit(salp0*sb1, calp1*cb1)
	salp2 := salp0 / cb2
	calp2 := math.Sqrt(max(0, calp1*cb1*calp1*cb1+(cb2-cb1)*(cb2+cb1))) / cb2
	ssig2, csig2 := unit(sb2, calp2*cb2)
	somg2, comg2 := unit(salp0*sb2, calp2*cb2)
	sig12 := math.Atan2(max(0, csig1*ssig2-ssig1*csig2), csig1*csig2+ssig1*ssig2)
	omg12 := math.Atan2(max(0, comg1*somg2-somg1*comg2), comg1*comg2+somg1*somg2)
	sig1 := math.Atan2(ssig1, csig1)
	k2 := ep2 * calp0 * calp0
	length, lon := auxIntegrals(k2, sig1, sig1+sig12)
	return auxResult{
		lambda12:  omg12 - wgs84F*salp0*lon,
		s12:       wgs84B * length,
		sinAlpha2: salp2,
		cosAlpha2: calp2,
	}
}

// unit normalizes (sin, cos) of an angle; a zero vector means angle 0.
func unit(s, c float64) (float64, float64) {
	h := hypot(s, c)
	if h == 0 {
		return 0, 1
	}
	return s / h, c / h
}

// auxIntegrals evaluates, from σ1 to σ2, the integrals of the distance and of
// the longitude on the auxiliary sphere (Karney 2013, eqs. 7 and 8):
//
//	s/b = ∫ √(1 + k² sin²σ) dσ
//	(ω − λ)/(f sin α0) = ∫ (2 − f) / (1 + (1 − f) √(1 + k² sin²σ)) dσ
//
// Both integrands are analytic and vary by less than 0.7 %, so Gauss–Legendre
// quadrature with 20 nodes on an interval of at most π is exact to rounding.
func auxIntegrals(k2, sig1, sig2 float64) (length, lon float64) {
	half, mid := (sig2-sig1)/2, (sig2+sig1)/2
	for i, x := range gaussNodes {
		s := math.Sin(mid + half*x)
		root := math.Sqrt(1 + k2*s*s)
		length += gaussWeights[i] * root
		lon += gaussWeights[i] * (2 - wgs84F) / (1 + (1-wgs84F)*root)
	}
	return length * half, lon * half
}

// gaussNodes and gaussWeights are the 20-point Gauss–Legendre rule on [−1, 1].
var gaussNodes, gaussWeights = gaussLegendre(20)

// gaussLegendre computes the n-point rule by Newton's method on the roots of the
// Legendre polynomial P_n.
func gaussLegendre(n int) (nodes, weights []float64) {
	nodes, weights = make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		x := math.Cos(math.Pi * (float64(i) + 0.75) / (float64(n) + 0.5))
		var dp float64
		for iter := 0; iter < 100; iter++ {
			p0, p1 := 1.0, x
			for k := 2; k <= n; k++ {
				p0, p1 = p1, ((2*float64(k)-1)*x*p1-(float64(k)-1)*p0)/float64(k)
			}
			dp = float64(n) * (x*p1 - p0) / (x*x - 1)
			dx := p1 / dp
			x -= dx
			if math.Abs(dx) < 1e-16 {
				break
			}
		}
		nodes[i] = x
		weights[i] = 2 / ((1 - x*x) * dp * dp)
	}
	return nodes, weights
}

// hypot is √(x² + y²) for the unit-scale values of this file, where math.Hypot's
// guard against overflow only costs time.
func hypot(x, y float64) float64 { return math.Sqrt(x*x + y*y) }
