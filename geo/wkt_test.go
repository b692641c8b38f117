package geo

import (
	"regexp"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
)

var exponent = regexp.MustCompile(`\d[eE][-+]?\d`)

// AppendWKT writes plain decimals that another WKT reader (orb's) reads back to
// the same geometry, bit for bit.
func TestAppendWKTRoundTrip(t *testing.T) {
	geoms := []orb.Geometry{
		orb.Point{106.1946, 21.2731},
		orb.Point{11822321.5, 2350000}, // metres: never 2.35e+06
		orb.Point{1e-7, -0.000001},
		orb.MultiPoint{{1, 2}, {3.25, 4}},
		orb.LineString{{106.1, 21.2}, {106.2, 21.3}, {106.30000000000001, 21.4}},
		orb.MultiLineString{{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}},
		orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}, {{0.2, 0.2}, {0.4, 0.2}, {0.4, 0.4}, {0.2, 0.2}}},
		orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}, {{{5, 5}, {6, 5}, {6, 6}, {5, 5}}}},
		orb.Collection{orb.Point{1, 2}, orb.LineString{{1, 2}, {3, 4}}},
	}
	for _, g := range geoms {
		text := string(AppendWKT(nil, g))
		if exponent.MatchString(text) {
			t.Errorf("%s has an exponent", text)
		}
		back, err := wkt.Unmarshal(text)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		if !orb.Equal(back, g) {
			t.Errorf("%s reads back as %v, want %v", text, back, g)
		}
	}
	if got := string(AppendWKT(nil, orb.Point{11822321.5, 2350000})); got != "POINT (11822321.5 2350000)" {
		t.Errorf("got %s", got)
	}
	if got := string(AppendWKT(nil, orb.LineString{})); got != "LINESTRING EMPTY" {
		t.Errorf("empty line: %s", got)
	}
}
