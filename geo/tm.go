package geo

import (
	"fmt"
	"math"
)

// Ellipsoid is a reference ellipsoid by semi-major axis and flattening.
type Ellipsoid struct {
	A float64 // semi-major axis, metres
	F float64 // flattening
}

// WGS84Ellipsoid is the ellipsoid of WGS 84, which VN-2000 uses too.
var WGS84Ellipsoid = Ellipsoid{A: wgs84A, F: wgs84F}

func (e Ellipsoid) e2() float64 { return e.F * (2 - e.F) }

// TransverseMercator is a Transverse Mercator projection (EPSG method 9807)
// computed with Krüger's series to sixth order in the third flattening n, as
// given by Karney (2011, "Transverse Mercator with an accuracy of a few
// nanometers") and used by PROJ's tmerc since version 6 (Poder–Engsager). Within
// 4,000 km of the central meridian the series error is below 5 nm, far below the
// centimetre that matters here; this is not the truncated USGS (Snyder) series,
// whose error grows to decimetres a few degrees away from the central meridian.
type TransverseMercator struct {
	Ellipsoid       Ellipsoid
	CentralMeridian float64 // degrees
	Scale           float64 // k0 on the central meridian
	FalseEasting    float64 // metres
	FalseNorthing   float64 // metres; the latitude of origin is the equator
}

// maxTMLongitude bounds the distance from the central meridian, in degrees, that
// a Transverse Mercator transformation accepts: the series are exact far beyond
// it, but a point that far off the zone is a wrong CRS, not a position.
const maxTMLongitude = 45

// tmSeries holds the derived constants of a Transverse Mercator projection.
type tmSeries struct {
	e     float64    // first eccentricity
	ka    float64    // k0 · A, A the rectifying radius
	alpha [6]float64 // forward series coefficients α1…α6
	beta  [6]float64 // inverse series coefficients β1…β6
}

func (t *TransverseMercator) series() tmSeries {
	n := t.Ellipsoid.F / (2 - t.Ellipsoid.F)
	n2 := n * n
	n3, n4, n5, n6 := n2*n, n2*n2, n2*n2*n, n2*n2*n2
	a := t.Ellipsoid.A / (1 + n) * (1 + n2/4 + n4/64 + n6/256)
	return tmSeries{
		e:  math.Sqrt(t.Ellipsoid.e2()),
		ka: t.Scale * a,
		alpha: [6]float64{
			n/2 - 2*n2/3 + 5*n3/16 + 41*n4/180 - 127*n5/288 + 7891*n6/37800,
			13*n2/48 - 3*n3/5 + 557*n4/1440 + 281*n5/630 - 1983433*n6/1935360,
			61*n3/240 - 103*n4/140 + 15061*n5/26880 + 167603*n6/181440,
			49561*n4/161280 - 179*n5/168 + 6601661*n6/7257600,
			34729*n5/80640 - 3418889*n6/1995840,
			212378941 * n6 / 319334400,
		},
		beta: [6]float64{
			n/2 - 2*n2/3 + 37*n3/96 - n4/360 - 81*n5/512 + 96199*n6/604800,
			n2/48 + n3/15 - 437*n4/1440 + 46*n5/105 - 1118711*n6/3870720,
			17*n3/480 - 37*n4/840 - 209*n5/4480 + 5569*n6/90720,
			4397*n4/161280 - 11*n5/504 - 830251*n6/7257600,
			4583*n5/161280 - 108847*n6/3991680,
			20648693 * n6 / 638668800,
		},
	}
}

// Forward projects geodetic lon/lat in degrees to easting/northing in metres.
// It derives the series constants on every call; a CRS keeps them.
func (t *TransverseMercator) Forward(lon, lat float64) (x, y float64, err error) {
	s := t.series()
	return s.forward(t, lon, lat)
}

// Inverse unprojects easting/northing in metres to geodetic lon/lat in degrees.
func (t *TransverseMercator) Inverse(x, y float64) (lon, lat float64, err error) {
	s := t.series()
	return s.inverse(t, x, y)
}

func (s *tmSeries) forward(t *TransverseMercator, lon, lat float64) (float64, float64, error) {
	if !finite(lon, lat) || lat < -90 || lat > 90 {
		return 0, 0, fmt.Errorf("longitude %g, latitude %g is not a position", lon, lat)
	}
	dlon := math.Remainder(lon-t.CentralMeridian, 360)
	if math.Abs(dlon) > maxTMLongitude {
		return 0, 0, fmt.Errorf("longitude %g is %.0f° from the central meridian %g of the projection", lon, math.Abs(dlon), t.CentralMeridian)
	}
	lam := dlon * math.Pi / 180
	phi := lat * math.Pi / 180
	// Conformal latitude as τ' = tan χ, computed from τ = tan φ (Karney, eq. 7–9).
	tau := math.Tan(phi)
	taup := conformalTau(tau, s.e)
	cosLam := math.Cos(lam)
	xip := math.Atan2(taup, cosLam)
	etap := math.Asinh(math.Sin(lam) / math.Hypot(taup, cosLam))
	if math.Abs(lat) == 90 {
		xip, etap = math.Copysign(math.Pi/2, lat), 0
	}
	dxi, deta := clenshaw(&s.alpha, xip, etap)
	return t.FalseEasting + s.ka*(etap+deta), t.FalseNorthing + s.ka*(xip+dxi), nil
}

func (s *tmSeries) inverse(t *TransverseMercator, x, y float64) (float64, float64, error) {
	if !finite(x, y) {
		return 0, 0, fmt.Errorf("easting %g, northing %g is not a position", x, y)
	}
	xi := (y - t.FalseNorthing) / s.ka
	eta := (x - t.FalseEasting) / s.ka
	if math.Abs(eta) > 1.5 || math.Abs(xi) > math.Pi/2*1.01 {
		return 0, 0, fmt.Errorf("easting %.3f, northing %.3f lies outside the projection's domain (wrong CRS, or easting and northing swapped?)", x, y)
	}
	dxi, deta := clenshaw(&s.beta, xi, eta)
	xip, etap := xi-dxi, eta-deta
	sinhEta, cosXi := math.Sinh(etap), math.Cos(xip)
	taup := math.Sin(xip) / math.Hypot(sinhEta, cosXi)
	lam := math.Atan2(sinhEta, cosXi)
	phi := math.Atan(geodeticTau(taup, s.e))
	lon := math.Remainder(t.CentralMeridian+lam*180/math.Pi, 360)
	if math.Abs(lam*180/math.Pi) > maxTMLongitude {
		return 0, 0, fmt.Errorf("easting %.3f lies %.0f° from the central meridian %g (wrong CRS, or easting and northing swapped?)", x, math.Abs(lam*180/math.Pi), t.CentralMeridian)
	}
	return lon, phi * 180 / math.Pi, nil
}

// clenshaw sums the Krüger series Σ cⱼ sin(2jζ) of the complex ζ = ξ + iη by
// Clenshaw's recurrence, returning its real (ξ) and imaginary (η) parts: one
// sine, cosine and exponential instead of 24 transcendental calls.
func clenshaw(c *[6]float64, xi, eta float64) (float64, float64) {
	sin2, cos2 := math.Sincos(2 * xi)
	e := math.Exp(2 * eta)
	sinh2, cosh2 := (e-1/e)/2, (e+1/e)/2
	s := complex(sin2*cosh2, cos2*sinh2) // sin 2ζ
	two := 2 * complex(cos2*cosh2, -sin2*sinh2)
	var b1, b2 complex128
	for j := len(c) - 1; j >= 0; j-- {
		b1, b2 = two*b1-b2+complex(c[j], 0), b1
	}
	r := b1 * s
	return real(r), imag(r)
}

// conformalTau returns tan χ of the conformal latitude χ for τ = tan φ
// (Karney 2011, eq. 7–9), accurate also near the poles.
func conformalTau(tau, e float64) float64 {
	tau1 := math.Hypot(1, tau)
	sig := math.Sinh(e * math.Atanh(e*tau/tau1))
	return math.Hypot(1, sig)*tau - sig*tau1
}

// geodeticTau inverts conformalTau by Newton's method (Karney 2011, eq. 19–21).
// Convergence is quadratic, so once a step is below √ε/10 the result is exact
// to double precision: two iterations at Vietnam's latitudes.
func geodeticTau(taup, e float64) float64 {
	const tol = 1.5e-9 // √ε / 10
	e2m := 1 - e*e
	tau := taup / e2m
	for range 8 {
		tau1 := math.Hypot(1, tau)
		taupi := conformalTau(tau, e)
		dtau := (taup - taupi) * (1 + e2m*tau*tau) / (e2m * tau1 * math.Hypot(1, taupi))
		tau += dtau
		if math.Abs(dtau) < tol*math.Max(1, math.Abs(tau)) {
			break
		}
	}
	return tau
}

func finite(a, b float64) bool {
	return !math.IsNaN(a) && !math.IsNaN(b) && !math.IsInf(a, 0) && !math.IsInf(b, 0)
}
