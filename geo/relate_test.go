package geo

import (
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

func TestOrientExactNearlyCollinear(t *testing.T) {
	a := orb.Point{0.1, 0.1}
	b := orb.Point{0.3, 0.3}
	c := orb.Point{0.2, 0.2}
	// 0.1, 0.2 and 0.3 are not exactly collinear in binary; the float determinant
	// is tiny and its sign unreliable: the exact path decides.
	if got, want := orient(a, b, c), orientExact(a, b, c); got != want {
		t.Fatalf("orient = %d, exact = %d", got, want)
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
