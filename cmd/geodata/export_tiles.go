package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/tiles"
)

// tileFlags registers the flags of tile generation, shared by serve and export-tiles.
func (c *Config) tileFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.TilesConfig, "tiles-config", c.TilesConfig, "JSON file of tile options: max_bytes, max_zoom, per-collection cluster and property zooms (env GEODATA_TILES_CONFIG)")
	fs.IntVar(&c.TileCacheMB, "tile-cache-mb", c.TileCacheMB, "memory for encoded tiles, in MiB (env GEODATA_TILE_CACHE_MB; default 64)")
}

// tileOptions reads the tile options file, if any, and applies the cache size.
func (c *Config) tileOptions() (tiles.Options, error) {
	var opts tiles.Options
	if c.TilesConfig != "" {
		var err error
		if opts, err = tiles.LoadOptions(c.TilesConfig); err != nil {
			return opts, err
		}
	}
	if c.TileCacheMB < 0 {
		return opts, fmt.Errorf("tile cache %d MiB: want a positive size", c.TileCacheMB)
	}
	if c.TileCacheMB > 0 {
		opts.CacheBytes = int64(c.TileCacheMB) << 20
	}
	return opts, opts.Validate()
}

// cmdExportTiles writes the tiles the server serves for the combined tileset
// (/tiles/WebMercatorQuad/{z}/{y}/{x}, the same collections in catalogue
// order) into a PMTiles v3 archive, for static hosting on any web server or CDN.
func cmdExportTiles(ctx context.Context, args []string) error {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("export-tiles", flag.ContinueOnError)
	cfg.commonFlags(fs)
	cfg.tileFlags(fs)
	out := fs.String("out", "", "PMTiles file to write (required)")
	only := fs.String("collections", "", "comma-separated collection ids (default: every collection)")
	maxZoom := fs.Int("maxzoom", tiles.DefaultMaxZoom, "deepest zoom to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("export-tiles: --out FILE.pmtiles is required")
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("export-tiles: unexpected argument %q", fs.Arg(0))
	}
	if *maxZoom < 0 || *maxZoom > tiles.MaxZoomLimit {
		return fmt.Errorf("export-tiles: --maxzoom %d: want 0..%d", *maxZoom, tiles.MaxZoomLimit)
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	opts, err := cfg.tileOptions()
	if err != nil {
		return err
	}
	opts.MaxZoom = *maxZoom
	region, db, err := cfg.openMigrated(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	cat := catalog.New(db, region, cfg.logger())
	if err := cat.LoadAll(ctx); err != nil {
		return err
	}
	snaps, err := chooseCollections(cat, *only)
	if err != nil {
		return err
	}
	tiler := tiles.NewTiler(opts)
	meta := tiler.ArchiveMeta(snaps, region, *maxZoom, "geodata "+version)
	total := 0
	_, err = tiler.Export(ctx, snaps, *maxZoom, meta, *out, func(st tiles.ZoomStats) {
		total += st.Tiles
		fmt.Fprintf(os.Stderr, "geodata: zoom %2d: %6d tiles, median %7d bytes, max %7d bytes\n", st.Zoom, st.Tiles, st.Median, st.Max)
	})
	if err != nil {
		return fmt.Errorf("export-tiles: %w", err)
	}
	info, err := os.Stat(*out)
	if err != nil {
		return err
	}
	fmt.Printf("wrote %s: %d tiles of %d collections, zooms 0–%d, %d bytes\n", *out, total, len(snaps), *maxZoom, info.Size())
	return nil
}

// chooseCollections returns the snapshots named in list (comma-separated), in
// catalogue order as the server's combined tileset has them; all when empty.
func chooseCollections(cat *catalog.Catalog, list string) ([]*catalog.Snapshot, error) {
	all := cat.Snapshots()
	if strings.TrimSpace(list) == "" {
		if len(all) == 0 {
			return nil, fmt.Errorf("export-tiles: the database has no collection")
		}
		return all, nil
	}
	want := map[string]bool{}
	for _, id := range strings.Split(list, ",") {
		if id = strings.TrimSpace(id); id == "" {
			continue
		}
		if _, ok := cat.Snapshot(id); !ok {
			return nil, fmt.Errorf("export-tiles: collection %q does not exist", id)
		}
		want[id] = true
	}
	var out []*catalog.Snapshot
	for _, s := range all {
		if want[s.ID()] {
			out = append(out, s)
		}
	}
	return out, nil
}
