package filter_test

import (
	"fmt"

	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/filter"
)

// school is a feature as a snapshot holds one: values in schema order.
type school struct {
	props []any
	geom  orb.Geometry
}

func (s school) Property(i int) any     { return s.props[i] }
func (s school) Geometry() orb.Geometry { return s.geom }

func ExampleParse() {
	q := filter.Queryables{
		Geometry:   []string{"geometry"},
		Properties: []filter.Queryable{{Name: "Tên trường", Type: filter.TypeString}, {Name: "Số học sinh", Type: filter.TypeInteger}},
	}
	e, err := filter.Parse(`ACCENTI("Tên trường") LIKE ACCENTI('truong thpt%') AND "Số học sinh" > 1000 `+
		`AND S_INTERSECTS(geometry, BBOX(106.1, 21.2, 106.4, 21.4))`, "cql2-text", q)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e.Match(school{[]any{"Trường THPT Lục Ngạn số 1", int64(1250)}, orb.Point{106.3, 21.35}}))
	fmt.Println(e.Match(school{[]any{"Trường THCS Tân Mỹ", int64(1250)}, orb.Point{106.3, 21.35}}))
	fmt.Println(e.BBox())
	var args []any
	fmt.Println(e.SQL(&args))
	fmt.Println(len(args), "values")

	_, err = filter.Parse(`"Số học sinh" > 'nhiều'`, "cql2-text", q)
	fmt.Println(err)
	// Output:
	// true
	// false
	// {[106.1 21.2] [106.4 21.4]} true
	// ((geodata_accenti((properties->>'Tên trường')) LIKE $1::text) AND (((properties->>'Số học sinh')::bigint) > $2::bigint) AND ST_Intersects(geom, ST_GeomFromWKB($3::bytea, 4326)))
	// 3 values
	// cql2-text filter, character 1: cannot compare integer property "Số học sinh" with the string "nhiều"
}
