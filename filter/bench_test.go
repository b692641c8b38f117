package filter

import (
	"testing"

	"github.com/vn-opendata/geodata/catalog"
)

// benchFilters are typical analysts' filters over the demo schools (1 800 points).
var benchFilters = []struct{ name, text string }{
	{"compare", `"Số học sinh" > 1000`},
	{"like-accenti", `ACCENTI("Tên trường") LIKE ACCENTI('truong thpt%')`},
	{"and-bbox", `"Cấp học" = 'Trung học phổ thông' AND "Số học sinh" > 1000 AND S_INTERSECTS(geometry, BBOX(106.1, 21.2, 106.4, 21.4))`},
	{"within-polygon", `S_WITHIN(geometry, POLYGON((106.0 21.1, 106.6 21.15, 106.7 21.5, 106.2 21.6, 106.0 21.1)))`},
	{"date", `T_AFTER("Ngày thành lập", DATE('2000-01-01')) AND "Huyện" IN ('Lục Ngạn', 'Lục Nam', 'Yên Thế')`},
}

const benchJSON = `{"op":"and","args":[{"op":"=","args":[{"property":"Cấp học"},"Trung học phổ thông"]},` +
	`{"op":">","args":[{"property":"Số học sinh"},1000]},` +
	`{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[106.1,21.2,106.4,21.4]}]}]}`

func benchSchools(b *testing.B) (*catalog.Snapshot, Queryables) {
	s := loadTestData(b).snapshot(b, "schools")
	q := queryablesOf(s)
	q.Geometry = []string{"geometry"}
	return s, q
}

func BenchmarkParse(b *testing.B) {
	_, q := benchSchools(b)
	for _, f := range benchFilters {
		b.Run("text/"+f.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Parse(f.text, LangText, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("json/and-bbox", func(b *testing.B) {
		for b.Loop() {
			if _, err := Parse(benchJSON, LangJSON, q); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkMatch evaluates each filter on every school, as a scan; the
// bbox-first variant searches the R-tree with BBox() and matches only its hits.
func BenchmarkMatch(b *testing.B) {
	s, q := benchSchools(b)
	for _, f := range benchFilters {
		e, err := Parse(f.text, LangText, q)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("scan/"+f.name, func(b *testing.B) {
			for b.Loop() {
				n := 0
				for i := range s.Features {
					if e.Match(snapFeature{&s.Features[i]}) {
						n++
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(s.Features)), "ns/feature")
		})
		box, ok := e.BBox()
		if !ok {
			continue
		}
		b.Run("bbox-first/"+f.name, func(b *testing.B) {
			for b.Loop() {
				n := 0
				s.Index.Search(box, func(i int32) bool {
					if e.Match(snapFeature{&s.Features[i]}) {
						n++
					}
					return true
				})
			}
		})
	}
}

func BenchmarkSQL(b *testing.B) {
	_, q := benchSchools(b)
	e, err := Parse(benchFilters[2].text, LangText, q)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		var args []any
		e.SQL(&args)
	}
}

// BenchmarkMatchCountries evaluates spatial functions on the 177 country
// polygons of the CQL2 test data (up to a few hundred vertices each).
func BenchmarkMatchCountries(b *testing.B) {
	s := loadTestData(b).snapshot(b, "ne_110m_admin_0_countries")
	q := queryablesOf(s)
	for _, f := range []struct{ name, text string }{
		{"intersects-polygon", "S_INTERSECTS(geom, POLYGON((0 40, 10 40, 10 50, 0 50, 0 40)))"},
		{"touches-line", "S_TOUCHES(geom, LINESTRING(6.043073357781111 50.128051662794235, 6.242751092156993 49.90222565367873))"},
		{"within-bbox", "S_WITHIN(geom, BBOX(-180, -90, 0, 90))"},
	} {
		e, err := Parse(f.text, LangText, q)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(f.name, func(b *testing.B) {
			for b.Loop() {
				for i := range s.Features {
					e.Match(snapFeature{&s.Features[i]})
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(s.Features)), "ns/feature")
		})
	}
}
