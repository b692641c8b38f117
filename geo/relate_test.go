package geo

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
)

// The matrices below are what PostGIS 3.3 (GEOS 3.11) answers for ST_Relate;
// relate_postgis_test.go in package filter checks thousands more against a live PostGIS.
func TestRelateKnownMatrices(t *testing.T) {
	cases := []struct{ a, b, want string }{
		{"POINT(1 1)", "POLYGON((0 0,2 0,2 2,0 2,0 0))", "0FFFFF212"},
		{"POINT(0 1)", "POLYGON((0 0,2 0,2 2,0 2,0 0))", "F0FFFF212"},
		{"POINT(3 3)", "POLYGON((0 0,2 0,2 2,0 2,0 0))", "FF0FFF212"},
		{"LINESTRING(-1 1,3 1)", "POLYGON((0 0,2 0,2 2,0 2,0 0))", "101FF0212"},
		{"LINESTRING(0 0,2 0)", "POLYGON((0 0,2 0,2 2,0 2,0 0))", "F1FF0F212"},
		{"LINESTRING(0 0,1 1,2 0)", "LINESTRING(0 1,2 1)", "0F1FF0102"},
		{"LINESTRING(0 0,2 2)", "LINESTRING(0 2,2 0)", "0F1FF0102"},
		{"LINESTRING(0 0,2 0)", "LINESTRING(1 0,3 0)", "1010F0102"},
		{"POLYGON((0 0,2 0,2 2,0 2,0 0))", "POLYGON((2 0,4 0,4 2,2 2,2 0))", "FF2F11212"},
		{"POLYGON((0 0,2 0,2 2,0 2,0 0))", "POLYGON((1 1,3 1,3 3,1 3,1 1))", "212101212"},
		{"POLYGON((0 0,4 0,4 4,0 4,0 0))", "POLYGON((1 1,2 1,2 2,1 2,1 1))", "212FF1FF2"},
		{"POLYGON((0 0,2 0,2 2,0 2,0 0))", "POLYGON((0 0,0 2,2 2,2 0,0 0))", "2FFF1FFF2"},
		{"POLYGON((0 0,4 0,4 4,0 4,0 0),(1 1,3 1,3 3,1 3,1 1))", "POINT(2 2)", "FF2FF10F2"},
		{"MULTILINESTRING((0 0,1 0),(1 0,2 0))", "POINT(1 0)", "0F1FF0FF2"},
		{"MULTIPOINT((0 0),(1 1))", "MULTIPOINT((1 1),(2 2))", "0F0FFF0F2"},
		{"GEOMETRYCOLLECTION(POINT(0 0),LINESTRING(0 0,1 1))", "POLYGON((-1 -1,2 -1,2 2,-1 2,-1 -1))", "1FF0FF212"},
	}
	for _, c := range cases {
		a, b := mustWKT(t, c.a), mustWKT(t, c.b)
		if got := Relate(NewShape(a), NewShape(b)).String(); got != c.want {
			t.Errorf("Relate(%s, %s) = %s, want %s", c.a, c.b, got, c.want)
		}
	}
}

func TestIntersectsAgreesWithRelate(t *testing.T) {
	geoms := []string{
		"POINT(1 1)", "POINT(5 5)", "MULTIPOINT((0 0),(9 9))", "LINESTRING(-1 1,3 1)", "LINESTRING(5 5,6 6)",
		"POLYGON((0 0,2 0,2 2,0 2,0 0))", "POLYGON((-5 -5,10 -5,10 10,-5 10,-5 -5),(-4 -4,-4 8,8 8,8 -4,-4 -4))",
		"POLYGON((0.5 0.5,1.5 0.5,1.5 1.5,0.5 1.5,0.5 0.5))", "GEOMETRYCOLLECTION(POINT(7 7),LINESTRING(9 -9,9 9))",
	}
	for _, x := range geoms {
		for _, y := range geoms {
			a, b := NewShape(mustWKT(t, x)), NewShape(mustWKT(t, y))
			m := Relate(a, b)
			if got, want := Intersects.Holds(a, b), Intersects.Matches(m, a.Dimension(), b.Dimension()); got != want {
				t.Errorf("intersects(%s, %s) = %v, matrix %s says %v", x, y, got, m, want)
			}
		}
	}
}

// ratOrient is the orientation determinant in rational arithmetic, the
// reference for orient's expansions.
func ratOrient(a, b, c orb.Point) int {
	r := func(v float64) *big.Rat { return new(big.Rat).SetFloat64(v) }
	bx := new(big.Rat).Sub(r(b[0]), r(a[0]))
	by := new(big.Rat).Sub(r(b[1]), r(a[1]))
	cx := new(big.Rat).Sub(r(c[0]), r(a[0]))
	cy := new(big.Rat).Sub(r(c[1]), r(a[1]))
	return new(big.Rat).Mul(bx, cy).Cmp(new(big.Rat).Mul(by, cx))
}

func TestOrientExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for i := 0; i < 50000; i++ {
		// nearly collinear points, where the float determinant is unreliable
		a := orb.Point{rng.Float64()*360 - 180, rng.Float64()*180 - 90}
		d := orb.Point{rng.Float64() - 0.5, rng.Float64() - 0.5}
		s, u := rng.Float64()*10, rng.Float64()*10-5
		b := orb.Point{a[0] + s*d[0], a[1] + s*d[1]}
		c := orb.Point{a[0] + u*d[0], a[1] + u*d[1]}
		if i%3 == 0 {
			c[0] = math.Nextafter(c[0], math.Inf(1))
		}
		if got, want := orient(a, b, c), ratOrient(a, b, c); got != want {
			t.Fatalf("orient(%v, %v, %v) = %d, exactly %d", a, b, c, got, want)
		}
		if got, want := orientExact(a, b, c), ratOrient(a, b, c); got != want {
			t.Fatalf("orientExact(%v, %v, %v) = %d, exactly %d", a, b, c, got, want)
		}
	}
	if orient(orb.Point{0, 0}, orb.Point{2, 2}, orb.Point{1, 1}) != 0 {
		t.Fatal("exactly collinear points are not reported collinear")
	}
}

func TestRingOrientation(t *testing.T) {
	ccw := []orb.Point{{0, 0}, {2, 0}, {2, 2}, {0, 2}, {0, 0}}
	cw := []orb.Point{{0, 0}, {0, 2}, {2, 2}, {2, 0}, {0, 0}}
	flatTop := []orb.Point{{0, 0}, {4, 0}, {4, 2}, {2, 2}, {0, 2}, {0, 0}}
	if !ringIsCCW(ccw) || ringIsCCW(cw) || !ringIsCCW(flatTop) {
		t.Fatal("ring orientation wrong")
	}
}

func mustWKT(t *testing.T, s string) orb.Geometry {
	t.Helper()
	g, err := wkt.Unmarshal(s)
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return g
}

func TestHoldsPointAgreesWithHolds(t *testing.T) {
	shapes := []string{
		"POINT(1 1)", "MULTIPOINT((0 0),(1 1))", "LINESTRING(0 0,2 2,4 0)", "MULTILINESTRING((0 0,1 0),(1 0,2 0),(3 3,4 4))",
		"POLYGON((0 0,4 0,4 4,0 4,0 0),(1 1,2 1,2 2,1 1))", "MULTIPOLYGON(((0 0,2 0,2 2,0 2,0 0)),((2 2,3 2,3 3,2 2)))",
		"GEOMETRYCOLLECTION(POINT(3 1),LINESTRING(0 3,1 4),POLYGON((2 2,4 2,4 4,2 2)))",
	}
	rels := []SpatialRelation{Intersects, Disjoint, Contains, Within, Touches, Crosses, Overlaps, Equals}
	for _, w := range shapes {
		s := NewShape(mustWKT(t, w))
		for x := -1.0; x <= 5; x += 0.5 {
			for y := -1.0; y <= 5; y += 0.5 {
				p := orb.Point{x, y}
				ps := NewShape(p)
				for _, r := range rels {
					for _, first := range []bool{true, false} {
						got, ok := r.HoldsPoint(p, s, first)
						if !ok {
							continue
						}
						want := r.Holds(ps, s)
						if !first {
							want = r.Holds(s, ps)
						}
						if got != want {
							t.Errorf("%s(%v, %s) point first %v: %v, Holds says %v", r, p, w, first, got, want)
						}
					}
				}
			}
		}
	}
}
