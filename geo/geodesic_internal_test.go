package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// Where both methods apply, Vincenty's iteration and the auxiliary-sphere
// solution agree to 0.1 mm (Vincenty's own accuracy) and a microdegree: each checks the other.
func TestVincentyAgreesWithAuxiliarySphere(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < 20000; i++ {
		p := orb.Point{rng.Float64()*360 - 180, math.Asin(rng.Float64()*2-1) / rad}
		q := orb.Point{rng.Float64()*360 - 180, math.Asin(rng.Float64()*2-1) / rad}
		if i%4 == 0 { // short lines, as nearby searches meet them
			q = orb.Point{p[0] + (rng.Float64()-0.5)*0.2, max(-90, min(90, p[1]+(rng.Float64()-0.5)*0.2))}
		}
		s1, a1, ok := vincenty(p, q, true)
		if !ok {
			continue
		}
		s2, a2 := inverseAux(p, q)
		if math.Abs(s1-s2) > 1e-4 {
			t.Fatalf("%v → %v: Vincenty %.9f m, auxiliary sphere %.9f m", p, q, s1, s2)
		}
		if d := math.Abs(math.Remainder(a1-a2, 360)); d > 1e-6 && s1 > 1e-3 {
			t.Fatalf("%v → %v: azimuth %.9f vs %.9f", p, q, a1, a2)
		}
	}
}
