package handlers

import (
	"context"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/downloads"
	"github.com/vn-opendata/geodata/tiles"
)

// pmtilesDownload is the download of a collection's vector tiles as one PMTiles
// v3 archive: the tiles its tileset serves, zoom 0 to the tileset's maxzoom.
func (s *Server) pmtilesDownload() downloads.Format {
	return downloads.Format{Name: "pmtiles", Ext: "pmtiles", MediaType: "application/vnd.pmtiles", FileType: "BIN",
		Title: "PMTiles (bản đồ vector / vector tiles)", CRS: tiles.EPSG3857,
		WriteFile: func(path string, snap *catalog.Snapshot) error {
			snaps := []*catalog.Snapshot{snap}
			maxZoom := s.tiler.Options().MaxZoom
			meta := s.tiler.ArchiveMeta(snaps, s.cat.Region, maxZoom, "geodata")
			_, err := s.tiler.Export(context.Background(), snaps, maxZoom, meta, path, nil)
			return err
		}}
}
