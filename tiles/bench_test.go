package tiles_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/tiles"
)

// BenchmarkEncode measures one tile over the densest town, cold (encoded every
// time: the cache is too small to hold it) and warm (served from the cache).
// Besides wall time it reports the process's CPU time per tile (cpu-ms/op,
// garbage collection included), steadier when other jobs share the machine.
func BenchmarkEncode(b *testing.B) {
	points := millionPoints(b)
	lines := snapshotOf(b, "routes", 1, realData(b, "hanoi_gtfs_routes_derived.geojson"))
	cases := []struct {
		name string
		snap *catalog.Snapshot
		z    maptile.Zoom
	}{
		{"points-z6", points, 6}, {"points-z10", points, 10}, {"points-z14", points, 14},
		{"lines-z10", lines, 10},
	}
	for _, c := range cases {
		center := orb.Point{towns[0].lon, towns[0].lat}
		if c.snap == lines {
			center = orb.Point{105.85, 21.03} // Hà Nội, where the routes are
		}
		tile := maptile.At(center, c.z)
		for _, mode := range []string{"cold", "warm"} {
			b.Run(fmt.Sprintf("%s/%s", c.name, mode), func(b *testing.B) {
				cache := int64(1 << 30)
				if mode == "cold" {
					cache = 1 // holds nothing
				}
				tiler := tiles.NewTiler(tiles.Options{CacheBytes: cache})
				snaps := []*catalog.Snapshot{c.snap}
				tl, _, err := tiler.Tile(context.Background(), snaps, tile)
				if err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				cpu := cpuTime()
				for i := 0; i < b.N; i++ {
					if _, _, err := tiler.Tile(context.Background(), snaps, tile); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(cpuTime()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
				b.ReportMetric(float64(len(tl.Data)), "tile-bytes")
			})
		}
	}
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
