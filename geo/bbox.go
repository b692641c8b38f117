package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// Bound builds an orb.Bound from minlon, minlat, maxlon, maxlat.
func Bound(b [4]float64) orb.Bound {
	return orb.Bound{Min: orb.Point{b[0], b[1]}, Max: orb.Point{b[2], b[3]}}
}

// ValidLonLat reports whether p is a finite WGS84 position.
func ValidLonLat(p orb.Point) bool {
	return !math.IsNaN(p[0]) && !math.IsNaN(p[1]) && !math.IsInf(p[0], 0) && !math.IsInf(p[1], 0) &&
		p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90
}
