// Package tiles makes Mapbox Vector Tiles (MVT) from catalog snapshots, in
// memory: one layer per collection, named by the collection id, extent 4096 and
// a buffer of 64 units, geometry clipped to the buffered tile, lines simplified
// for the zoom, polygons wound as the MVT specification says. Points are
// clustered where a tile would be too dense and heavy properties are dropped by
// zoom, so that no tile exceeds a byte bound; encoded tiles are kept in an LRU
// cache keyed by collection versions. It also writes PMTiles v3 archives and
// describes tilesets as TileJSON. It may import geo and catalog, never
// handlers or store's database code.
//
//	tiler := tiles.NewTiler(tiles.Options{})
//	tile, cached, err := tiler.Tile(ctx, []*catalog.Snapshot{schools}, maptile.New(812, 451, 10))
//	if err == nil && !tile.Empty() { w.Write(tile.Gzip()) }
package tiles
