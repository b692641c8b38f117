package geo

import (
	"strings"
	"testing"
)

func TestCheckAreas(t *testing.T) {
	cases := []struct{ wkt, want string }{
		{"POLYGON((0 0,2 0,2 2,0 2,0 0))", ""},
		{"POLYGON((0 0,2 0,2 2,0 2,0 0),(0.5 0.5,1 0.5,1 1,0.5 0.5))", ""},
		{"POLYGON((0 0,2 2,2 0,0 2,0 0))", "ring 1 crosses or touches itself at (1 1)"},
		{"POLYGON((0 0,4 0,4 4,2 0,0 4,0 0))", "ring 1 crosses or touches itself at (2 0)"},
		{"POLYGON((0 0,2 0,2 2,0 2,0 0),(3 3,4 3,4 4,3 3))", "hole 1 is not inside the outer ring"},
		{"POLYGON((0 0,4 0,4 4,0 4,0 0),(1 1,3 1,3 3,1 1),(1 1,3 3,1 3,1 1))", ""},
		{"POLYGON((0 0,4 0,4 4,0 4,0 0),(1 1,3 1,3 3,1 1),(1.2 2,1.5 2,1.5 2.8,1.2 2))", ""},
		{"POLYGON((0 0,4 0,4 4,0 4,0 0),(1 1,3 1,3 3,1 3,1 1),(2 2,2.5 2,2.5 2.5,2 2))", "holes 1 and 2 overlap"},
		{"MULTIPOLYGON(((0 0,2 0,2 2,0 2,0 0)),((2 2,3 2,3 3,2 3,2 2)))", ""},
		{"MULTIPOLYGON(((0 0,2 0,2 2,0 2,0 0)),((1 1,3 1,3 3,1 3,1 1)))", "polygons 1 and 2 of the multipolygon overlap"},
		{"GEOMETRYCOLLECTION(POINT(9 9),POLYGON((0 0,2 2,2 0,0 2,0 0)))", "geometry 2 of the collection: ring 1 crosses"},
	}
	for _, c := range cases {
		err := CheckAreas(mustWKT(t, c.wkt))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.wkt, err)
		case c.want != "" && (err == nil || !strings.HasPrefix(err.Error(), c.want)):
			t.Errorf("%s: %v, want %q", c.wkt, err, c.want)
		}
	}
}
