package handlers_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"testing"

	"github.com/vn-opendata/geodata/sample"
)

// BenchmarkItemsFilter serves pages of the benchmark points in process with
// the filter of the items-filter workload of `make bench` (an integer
// comparison and S_INTERSECTS with a 1 km box): the filter parsed and checked
// per request, the R-tree search of its box, the predicate on the candidates;
// and the same comparison as a filter beside a bbox parameter.
func BenchmarkItemsFilter(b *testing.B) {
	e := benchEnv(b)
	town := e.Region.Places[0]
	cases := []struct {
		name string
		path func(minLon, minLat, maxLon, maxLat float64, n int) string
	}{
		{"filter-bbox-1km", func(x0, y0, x1, y1 float64, n int) string {
			return "filter=" + url.QueryEscape(fmt.Sprintf("so_hoc_sinh > %d AND S_INTERSECTS(geometry, BBOX(%f, %f, %f, %f))", n, x0, y0, x1, y1))
		}},
		{"bbox-param-and-filter-1km", func(x0, y0, x1, y1 float64, n int) string {
			return fmt.Sprintf("bbox=%f,%f,%f,%f&filter=", x0, y0, x1, y1) + url.QueryEscape(fmt.Sprintf("so_hoc_sinh > %d", n))
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			urls := make([]string, 256)
			for i := range urls {
				lon := town.Lon + rng.NormFloat64()*0.03
				lat := town.Lat + rng.NormFloat64()*0.03
				dLat := 0.5 / 110.574
				dLon := 0.5 / (111.320 * math.Cos(lat*math.Pi/180))
				urls[i] = fmt.Sprintf("/collections/%s/items?limit=100&", sample.BenchPoints) +
					c.path(lon-dLon, lat-dLat, lon+dLon, lat+dLat, 100*(1+rng.IntN(15)))
			}
			serveEach(b, e.Handler, urls)
		})
	}
}
