package catalog

import (
	"sync"

	"github.com/paulmach/orb"
)

// densityCells is the number of cells on each side of a density grid.
const densityCells = 64

// densityGrid counts a snapshot's features by the cell of their box's centre on
// a grid over the snapshot's extent, made on first use. It estimates how many
// features a box holds, so that Intersecting can choose between the R-tree and
// a scan before it collects anything.
type densityGrid struct {
	once   sync.Once
	extent orb.Bound
	counts []int32
}

func (s *Snapshot) density() *densityGrid {
	d := &s.grid
	d.once.Do(func() {
		if len(s.Features) == 0 {
			return
		}
		d.extent = s.Features[0].Bound
		for i := range s.Features {
			d.extent = d.extent.Union(s.Features[i].Bound)
		}
		d.counts = make([]int32, densityCells*densityCells)
		for i := range s.Features {
			x, y := d.cell(s.Features[i].Bound.Center())
			d.counts[y*densityCells+x]++
		}
	})
	return d
}

// cell is the grid cell of p, clamped to the grid.
func (d *densityGrid) cell(p orb.Point) (x, y int) {
	w, h := d.extent.Max[0]-d.extent.Min[0], d.extent.Max[1]-d.extent.Min[1]
	if w > 0 {
		x = int((p[0] - d.extent.Min[0]) / w * densityCells)
	}
	if h > 0 {
		y = int((p[1] - d.extent.Min[1]) / h * densityCells)
	}
	return min(max(x, 0), densityCells-1), min(max(y, 0), densityCells-1)
}

// estimate is the number of features whose centre lies in a cell that b
// meets: about the number b holds, more when b covers cells in part. Features
// changed by item writes after the grid was made are not in it; the estimate
// only chooses a search strategy, never an answer.
func (d *densityGrid) estimate(b orb.Bound) int {
	if d.counts == nil || !b.Intersects(d.extent) {
		return 0
	}
	x0, y0 := d.cell(b.Min)
	x1, y1 := d.cell(b.Max)
	n := 0
	for y := y0; y <= y1; y++ {
		for _, c := range d.counts[y*densityCells+x0 : y*densityCells+x1+1] {
			n += int(c)
		}
	}
	return n
}
