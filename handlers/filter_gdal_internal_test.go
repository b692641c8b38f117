package handlers

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/filter"
	"github.com/vn-opendata/geodata/store"
)

// GDAL's way of writing a cql-text filter reads as the CQL2 it means: names
// with spaces quoted where they stand alone (not inside literals, quoted names
// or longer words), ILIKE as CASEI … LIKE CASEI, 0 and 1 as booleans for a
// boolean, GDAL's instants as dates and timestamps: the same SQL as the CQL2
// (and so the same features); as strict cql2-text it is refused.
func TestGDALFilterReading(t *testing.T) {
	c := store.Collection{ID: "gdal", GeometryType: "Point", Schema: []store.Property{
		{Name: "Số học sinh", Type: "integer"}, {Name: "Số học", Type: "string"}, {Name: "Tên trường", Type: "string"},
		{Name: "mo_cua", Type: "boolean"}, {Name: "ngay", Type: "date"}, {Name: "luc", Type: "date-time"},
	}}
	snap := catalog.NewSnapshotBuilder(c).Build()
	systems, err := newCRSCatalog(&catalog.Region{})
	if err != nil {
		t.Fatal(err)
	}
	read := func(src, lang string) (*filter.Expr, error) {
		fr, err := parseFilterRequest(url.Values{"filter": {src}, "filter-lang": {lang}}, systems)
		if err != nil {
			return nil, err
		}
		return fr.compile(snap)
	}
	for _, c := range []struct{ gdal, cql string }{
		{`(Số học sinh > 500) AND (Tên trường = 'Số học sinh')`, `"Số học sinh" > 500 AND "Tên trường" = 'Số học sinh'`},
		{`Số học = 'x' OR "Số học sinh" < 3`, `"Số học" = 'x' OR "Số học sinh" < 3`},
		{`Tên trường ILIKE 'trường%'`, `CASEI("Tên trường") LIKE CASEI('trường%')`},
		{`mo_cua = 1 AND ngay >= '2015-01-01T'`, `mo_cua = TRUE AND ngay >= DATE('2015-01-01')`},
		{`luc < '2010-01-01T10:30Z' OR luc = '2011-02-03T04:05:06Z'`,
			`luc < TIMESTAMP('2010-01-01T10:30:00Z') OR luc = TIMESTAMP('2011-02-03T04:05:06Z')`},
	} {
		got, err := read(c.gdal, "cql-text")
		if err != nil {
			t.Errorf("%s: %v", c.gdal, err)
			continue
		}
		want, err := read(c.cql, "cql2-text")
		if err != nil {
			t.Fatalf("%s: %v", c.cql, err)
		}
		if _, err := read(c.gdal, "cql2-text"); err == nil {
			t.Errorf("%s reads as strict cql2-text too", c.gdal)
		}
		var gotArgs, wantArgs []any
		if g, w := got.SQL(&gotArgs), want.SQL(&wantArgs); g != w || fmt.Sprint(gotArgs) != fmt.Sprint(wantArgs) {
			t.Errorf("%s reads as %s %v, want %s %v", c.gdal, g, gotArgs, w, wantArgs)
		}
	}
}
