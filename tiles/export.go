package tiles

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/vn-opendata/geodata/catalog"
)

// ZoomStats sums up the tiles of one zoom of an export.
type ZoomStats struct {
	Zoom   int `json:"zoom"`
	Tiles  int `json:"tiles"`
	Median int `json:"median_bytes"` // uncompressed
	Max    int `json:"max_bytes"`
}

// ArchiveMeta describes an archive of the tiles of snaps in region up to
// maxZoom: its TileJSON-like metadata, bounds, centre and initial zoom.
// generator names the program that wrote it.
func (t *Tiler) ArchiveMeta(snaps []*catalog.Snapshot, region *catalog.Region, maxZoom int, generator string) ArchiveMeta {
	bounds := Bounds(snaps, region.BBox)
	return ArchiveMeta{
		Metadata: map[string]any{
			"name":          "geodata — " + region.Name,
			"description":   "Vector tiles of the open datasets of " + region.NameEn + ", one layer per collection.",
			"attribution":   Attribution(snaps),
			"version":       Versions(snaps),
			"type":          "overlay",
			"format":        "pbf",
			"generator":     generator,
			"vector_layers": t.VectorLayers(snaps),
		},
		Bounds: orb.Bound{Min: orb.Point{bounds[0], bounds[1]}, Max: orb.Point{bounds[2], bounds[3]}},
		Center: orb.Point{region.Center[0], region.Center[1]},
		Zoom:   min(int(region.Zoom), maxZoom),
	}
}

// Export writes the tiles of snaps (one layer each, in this order) from zoom 0
// to maxZoom into a PMTiles archive at path: byte for byte the tiles that the
// tileset of the same collections serves, gzip-compressed. It descends only
// into tiles where some feature lies, so a province costs no more than its
// own tiles. progress, when not nil, is told of each zoom done.
func (t *Tiler) Export(ctx context.Context, snaps []*catalog.Snapshot, maxZoom int, meta ArchiveMeta, path string,
	progress func(ZoomStats)) ([]ZoomStats, error) {
	if maxZoom < 0 || maxZoom > MaxZoomLimit {
		return nil, fmt.Errorf("export: max zoom %d: want 0..%d", maxZoom, MaxZoomLimit)
	}
	w, err := NewArchiveWriter(path)
	if err != nil {
		return nil, err
	}
	var stats []ZoomStats
	level := []maptile.Tile{maptile.New(0, 0, 0)}
	for z := 0; z <= maxZoom && len(level) > 0; z++ {
		made, err := t.exportLevel(ctx, snaps, level)
		if err != nil {
			w.Abort()
			return nil, err
		}
		st := ZoomStats{Zoom: z}
		var sizes []int
		level = level[:0:0]
		for _, m := range made {
			if !m.tile.Empty() {
				if err := w.Add(m.at, m.tile.Gzip()); err != nil {
					w.Abort()
					return nil, err
				}
				sizes = append(sizes, len(m.tile.Data))
			}
			if z < maxZoom && m.occupied {
				level = append(level, m.at.Children()...)
			}
		}
		if len(sizes) > 0 {
			slices.Sort(sizes)
			st.Tiles, st.Median, st.Max = len(sizes), sizes[len(sizes)/2], sizes[len(sizes)-1]
		}
		stats = append(stats, st)
		if progress != nil {
			progress(st)
		}
	}
	if err := w.Close(meta); err != nil {
		return nil, err
	}
	return stats, nil
}

// exported is one tile of an export: occupied when a feature's box meets the
// buffered tile (so its children may hold features even if it encoded empty).
type exported struct {
	at       maptile.Tile
	tile     *Tile
	occupied bool
}

// exportLevel encodes the tiles of one zoom on every core, keeping their order.
func (t *Tiler) exportLevel(ctx context.Context, snaps []*catalog.Snapshot, level []maptile.Tile) ([]exported, error) {
	out := make([]exported, len(level))
	errs := make([]error, len(level))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i].at = level[i]
				if out[i].occupied = occupied(snaps, level[i]); !out[i].occupied {
					continue
				}
				out[i].tile, _, errs[i] = t.Tile(ctx, snaps, level[i])
			}
		}()
	}
	for i := range level {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("tile %d/%d/%d: %w", level[i].Z, level[i].X, level[i].Y, err)
		}
		if out[i].tile == nil {
			out[i].tile = &Tile{}
		}
	}
	return out, nil
}

// occupied reports whether the box of some feature of snaps meets the buffered tile.
func occupied(snaps []*catalog.Snapshot, t maptile.Tile) bool {
	b := newFrame(t).searchBound()
	for _, s := range snaps {
		found := false
		s.Index.Search(b, func(int32) bool {
			found = true
			return false
		})
		if found {
			return true
		}
	}
	return false
}
