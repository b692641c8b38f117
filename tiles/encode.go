package tiles

import (
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/vn-opendata/geodata/catalog"
)

// clusterCells are the cluster cell sizes (tile units) a point layer may use,
// finest first; a cell is a square of the world grid at the tile's zoom, so a
// cell falls in the same tile, and clusters the same way, whichever tile asks.
var clusterCells = []int64{0, 8, 16, 32, 64, 128, 256}

// baseCell is the cell size (4 px of a 512 px tile) that merges the points
// drawn on top of each other, down to the layer's ClusterMaxZoom.
const baseCell = 32

// Bytes below which no point feature encodes (geometry, tags, id, framing): used
// to skip plans that cannot fit.
const (
	minPointBytes   = 20
	minClusterBytes = 10
)

// plan is one way to encode a layer; plans get coarser until the layer fits.
type plan struct {
	cell      int64 // cluster cell size in tile units; 0: every point on its own
	props     propLevel
	tolerance float64
}

// ladder lists the plans of a layer at zoom z, finest first: first properties
// go (popups fetch them from /items), then points merge into coarser clusters,
// or lines are simplified harder.
func ladder(points bool, z int, opts LayerOptions) []plan {
	if !points {
		out := []plan{{tolerance: LineTolerance}, {tolerance: LineTolerance, props: propsLight}}
		for t := LineTolerance; t <= 64*LineTolerance; t *= 2 {
			out = append(out, plan{tolerance: t, props: propsBare})
		}
		return out
	}
	start := int64(0)
	if z <= opts.ClusterMaxZoom {
		start = baseCell
	}
	out := []plan{{cell: start}, {cell: start, props: propsLight}}
	for _, c := range clusterCells {
		if c >= start {
			out = append(out, plan{cell: c, props: propsBare})
		}
	}
	return out
}

// pointHit is a point feature of the tile at its world unit.
type pointHit struct {
	x, y int64
	i    int32
}

// layerInput is the features of one snapshot in one buffered tile.
type layerInput struct {
	snap   *catalog.Snapshot
	info   *layerInfo
	frame  frame
	spans  []span  // the points of a point layer: runs of its point index
	count  int     // the number of those points
	others []int32 // the features of any other layer whose box meets the tile, in source order
}

func gather(snap *catalog.Snapshot, info *layerInfo, t maptile.Tile) *layerInput {
	in := &layerInput{snap: snap, info: info, frame: newFrame(t)}
	if info.points != nil {
		in.spans = info.points.spans(t)
		for _, s := range in.spans {
			in.count += s.to - s.from
		}
		return in
	}
	snap.Index.Search(in.frame.searchBound(), func(i int32) bool {
		in.others = append(in.others, i)
		return true
	})
	slices.Sort(in.others)
	return in
}

func (in *layerInput) empty() bool { return in.count == 0 && len(in.others) == 0 }

// encodeLayer encodes the layer with the finest plan whose tile fits budget
// bytes (or the coarsest plan). It returns nil when the tile has no feature of it.
func (in *layerInput) encodeLayer(budget int) []byte {
	if in.empty() {
		return nil
	}
	z := int(in.frame.tile.Z)
	plans := ladder(in.info.points != nil, z, in.info.opts)
	var last []byte
	for k, p := range plans {
		coarsest := k == len(plans)-1
		w := newLayerWriter(in.snap.ID())
		if in.info.points != nil {
			groups := in.cluster(p.cell)
			if !coarsest && in.estimate(groups, p, z) > budget {
				w.release()
				continue // cannot fit: do not spend time encoding it
			}
			in.writePoints(w, groups, p, z)
		} else {
			in.writeShapes(w, p, z)
		}
		empty := w.empty()
		var b []byte
		if !empty {
			b = w.bytes()
		}
		w.release()
		if empty {
			return nil
		}
		if len(b) <= budget || coarsest {
			return b
		}
		last = b
	}
	return last
}

// pointGroup is the points of one cluster cell.
type pointGroup struct {
	first      pointHit
	n          int64
	sumX, sumY int64
}

// cluster groups the points into the square cells of size cell (tile units)
// of the world grid; with cell 0 every point is its own group. Groups come in
// the order of their first point.
func (in *layerInput) cluster(cell int64) []pointGroup {
	points := in.info.points
	if cell == 0 {
		groups := make([]pointGroup, 0, in.count)
		points.each(in.frame, in.spans, func(x, y int64, i int32) {
			groups = append(groups, pointGroup{first: pointHit{x, y, i}, n: 1, sumX: x, sumY: y})
		})
		return groups
	}
	// The buffered tile spans few cells: index them in a dense grid.
	minX, minY := floorDiv(in.frame.ox-Buffer, cell), floorDiv(in.frame.oy-Buffer, cell)
	side := floorDiv(in.frame.ox+Extent+Buffer-1, cell) - minX + 1
	grid := make([]int32, side*side)
	var groups []pointGroup
	points.each(in.frame, in.spans, func(x, y int64, i int32) {
		c := (floorDiv(y, cell)-minY)*side + floorDiv(x, cell) - minX
		g := grid[c] - 1
		if g < 0 {
			groups = append(groups, pointGroup{first: pointHit{x, y, i}})
			g = int32(len(groups) - 1)
			grid[c] = g + 1
		}
		groups[g].n++
		groups[g].sumX += x
		groups[g].sumY += y
	})
	return groups
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// estimate is a lower bound of the bytes of a point layer: geometry and tags
// of every feature, the id and the estimated properties of single points.
func (in *layerInput) estimate(groups []pointGroup, p plan, z int) int {
	perSingle := float64(minPointBytes)
	for _, i := range in.info.properties(in.snap, z, p.props) {
		perSingle += in.info.cost[i]
	}
	est := 0.0
	for _, g := range groups {
		if g.n == 1 {
			est += perSingle + float64(len(in.snap.Features[g.first.i].ID))
		} else {
			est += minClusterBytes
		}
	}
	return int(est)
}

// writePoints writes the groups: a group of one point is that point, a
// larger one a cluster at the points' mean position with point_count. Each
// point is in one group, so the singles and the clusters' counts add up to the
// points of the buffered tile.
func (in *layerInput) writePoints(w *layerWriter, groups []pointGroup, p plan, z int) {
	props := in.info.properties(in.snap, z, p.props)
	for _, g := range groups {
		if g.n == 1 {
			in.writeFeature(w, &in.snap.Features[g.first.i], orb.Point{float64(g.first.x - in.frame.ox), float64(g.first.y - in.frame.oy)}, props)
			continue
		}
		// The integer mean lies in the cell, so the cluster lies in the tile its
		// points lie in; integer sums make it independent of the points' order.
		x, y := g.sumX/g.n-in.frame.ox, g.sumY/g.n-in.frame.oy
		w.tag(CountProperty, uint64(g.n))
		w.feature(0, false, orb.Point{float64(x), float64(y)})
	}
}

// writeFeature writes a feature of the snapshot with geometry g (tile units):
// its number as MVT id, its id as property, and the properties props.
func (in *layerInput) writeFeature(w *layerWriter, src *catalog.Feature, g orb.Geometry, props []int) {
	w.tag(IDProperty, src.ID)
	schema := in.snap.Collection.Schema
	for _, i := range props {
		if v := src.Props[i]; v != nil {
			w.tag(schema[i].Name, tileValue(v))
		}
	}
	w.feature(src.NumID, true, g)
}

// writeShapes projects, clips and simplifies the features of a layer that is
// not made of single points only (such points are never clustered).
func (in *layerInput) writeShapes(w *layerWriter, p plan, z int) {
	props := in.info.properties(in.snap, z, p.props)
	for _, i := range in.others {
		src := &in.snap.Features[i]
		if g := in.frame.shape(src.Geom, p.tolerance); g != nil {
			in.writeFeature(w, src, g, props)
		}
	}
}
