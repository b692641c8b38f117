package geo

import (
	"fmt"
	"math"
)

// Helmert is a seven-parameter similarity transformation between two geocentric
// frames, in the position-vector convention of PROJ's +towgs84 and WKT1's
// TOWGS84[…] (EPSG method 9606). The coordinate-frame convention of EPSG method
// 9607, in which EPSG publishes the VN-2000 parameters, has the opposite sign of
// the three rotations; mixing the two conventions moves points by up to half a
// metre here.
type Helmert struct {
	TX, TY, TZ float64 // translations, metres
	RX, RY, RZ float64 // rotations, arc-seconds, position-vector convention
	S          float64 // scale difference, parts per million
}

// VN2000ToWGS84 is the official transformation from VN-2000 to WGS 84 of Decision
// 05/2007/QĐ-BTNMT (EPSG:6960 "VN-2000 to WGS 84 (2)", published by EPSG in the
// coordinate-frame convention with rotations −0.00928836″, +0.01975479″,
// −0.00427372″), written here in the position-vector convention, exactly as
// PROJ's +towgs84 and PostGIS's spatial_ref_sys give it.
var VN2000ToWGS84 = Helmert{
	TX: -191.90441429, TY: -39.30318279, TZ: -111.45032835,
	RX: 0.00928836, RY: -0.01975479, RZ: 0.00427372,
	S: 0.252906278,
}

// TOWGS84 is the transformation as the seven numbers of WKT1's TOWGS84 and
// PROJ's +towgs84.
func (h Helmert) TOWGS84() [7]float64 {
	return [7]float64{h.TX, h.TY, h.TZ, h.RX, h.RY, h.RZ, h.S}
}

const arcSecond = math.Pi / (180 * 3600)

// Forward applies the transformation to geocentric coordinates (the small-angle
// Bursa–Wolf formula, as PROJ applies it).
func (h Helmert) Forward(x, y, z float64) (float64, float64, float64) {
	m := 1 + h.S*1e-6
	rx, ry, rz := h.RX*arcSecond, h.RY*arcSecond, h.RZ*arcSecond
	return m*(x-rz*y+ry*z) + h.TX,
		m*(rz*x+y-rx*z) + h.TY,
		m*(-ry*x+rx*y+z) + h.TZ
}

// Inverse undoes Forward: translation removed, scale divided, rotation
// transposed, as PROJ inverts it (the transposed small-angle matrix differs from
// the exact inverse by 10⁻¹⁴ of the radius, well under a micrometre).
func (h Helmert) Inverse(x, y, z float64) (float64, float64, float64) {
	m := 1 + h.S*1e-6
	rx, ry, rz := h.RX*arcSecond, h.RY*arcSecond, h.RZ*arcSecond
	x, y, z = (x-h.TX)/m, (y-h.TY)/m, (z-h.TZ)/m
	return x + rz*y - ry*z,
		-rz*x + y + rx*z,
		ry*x - rx*y + z
}

// toGeocentric converts geodetic lon/lat in degrees and height in metres on e to
// Earth-centred Cartesian coordinates.
func (e Ellipsoid) toGeocentric(lon, lat, h float64) (x, y, z float64) {
	e2 := e.e2()
	sinPhi, cosPhi := math.Sincos(lat * math.Pi / 180)
	sinLam, cosLam := math.Sincos(lon * math.Pi / 180)
	n := e.A / math.Sqrt(1-e2*sinPhi*sinPhi)
	return (n + h) * cosPhi * cosLam, (n + h) * cosPhi * sinLam, (n*(1-e2) + h) * sinPhi
}

// fromGeocentric converts Earth-centred Cartesian coordinates to geodetic
// lon/lat in degrees on e (height dropped), iterating Bowring's formula to
// convergence: near the surface two rounds reach 10⁻¹² degrees.
func (e Ellipsoid) fromGeocentric(x, y, z float64) (lon, lat float64) {
	e2 := e.e2()
	b := e.A * (1 - e.F)
	ep2 := e2 / (1 - e2)
	p := math.Hypot(x, y)
	lon = math.Atan2(y, x) * 180 / math.Pi
	if p < 1e-9 {
		return lon, math.Copysign(90, z)
	}
	beta := math.Atan2(z*e.A, p*b) // parametric latitude, first guess
	var phi float64
	for range 5 {
		sinB, cosB := math.Sincos(beta)
		phi = math.Atan2(z+ep2*b*sinB*sinB*sinB, p-e2*e.A*cosB*cosB*cosB)
		next := math.Atan2((1-e.F)*math.Sin(phi), math.Cos(phi))
		if math.Abs(next-beta) < 1e-15 {
			break
		}
		beta = next
	}
	return lon, phi * 180 / math.Pi
}

// datumShift moves a geodetic position (on e, height zero) from one datum to
// another through Earth-centred coordinates. forward applies h, otherwise its
// inverse. Heights are not carried: a point at height zero in one datum is
// placed, horizontally, where PROJ places it ("push v_3" in its pipelines).
func datumShift(e Ellipsoid, h Helmert, forward bool, lon, lat float64) (float64, float64) {
	x, y, z := e.toGeocentric(lon, lat, 0)
	if forward {
		x, y, z = h.Forward(x, y, z)
	} else {
		x, y, z = h.Inverse(x, y, z)
	}
	return e.fromGeocentric(x, y, z)
}

// tm3Meridians are the central meridians of VN-2000 TM-3 zones that EPSG codes,
// by code (Circular 973/2001/TT-TCĐC lists each province's meridian).
var tm3Meridians = map[int]float64{
	5896: 102, 5897: 105, 5898: 108, 5899: 107.75,
	9205: 103, 9206: 104, 9207: 104.5, 9208: 104.75, 9209: 105.5, 9210: 105.75,
	9211: 106, 9212: 106.25, 9213: 106.5, 9214: 107, 9215: 107.25, 9216: 107.5,
	9217: 108.25, 9218: 108.5,
}

// VN2000TM3 returns the VN-2000 TM-3 system (k0 = 0.9999, false easting
// 500,000 m) with the given central meridian: the EPSG-coded one when EPSG has
// it, otherwise one with EPSG 0 named as EPSG would name it
// ("VN-2000 / TM-3 105-15"). Vietnam's provinces use meridians from 102° to
// 109° in steps of 15′; others are an error.
func VN2000TM3(centralMeridian float64) (*CRS, error) {
	quarter := centralMeridian * 4
	if math.IsNaN(quarter) || quarter != math.Round(quarter) || centralMeridian < 102 || centralMeridian > 109.5 {
		return nil, fmt.Errorf("central meridian %g: a VN-2000 TM-3 zone has a meridian from 102° to 109°30′ in steps of 15′", centralMeridian)
	}
	for code, cm := range tm3Meridians { // one code per meridian
		if cm == centralMeridian {
			return lookupEPSG(code), nil
		}
	}
	return newTM3(0, centralMeridian), nil
}

// tm3Name is EPSG's name of the TM-3 zone with this meridian: "VN-2000 / TM-3 107-00".
func tm3Name(cm float64) string {
	deg := math.Floor(cm)
	return fmt.Sprintf("VN-2000 / TM-3 %d-%02d", int(deg), int(math.Round((cm-deg)*60)))
}
