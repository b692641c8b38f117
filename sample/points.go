package sample

import (
	"bufio"
	"fmt"
	"strconv"

	"github.com/vn-opendata/geodata/catalog"
)

// WritePoints writes n synthetic points around the region's towns as a UTF-8
// CSV (id, name, district, value, lon, lat), streaming: memory does not grow
// with n. It is the large file of import benchmarks and tests.
func WritePoints(path string, region *catalog.Region, n int) error {
	g := newGenerator(region, demoSeed+uint64(n))
	return writeFileBuffered(path, func(w *bufio.Writer) error {
		w.WriteString("id,ten,huyen,gia_tri,kinh_do,vi_do\n")
		for i := 1; i <= n; i++ {
			t := g.town()
			lon, lat := g.near(t, 4)
			fmt.Fprintf(w, "P%07d,Điểm %s %d,%s,%d,%s,%s\n", i, g.pick(communes), i, t.District, g.rng.IntN(100000),
				strconv.FormatFloat(lon, 'f', 7, 64), strconv.FormatFloat(lat, 'f', 7, 64))
		}
		return nil
	})
}
