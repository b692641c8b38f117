package tiles_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb/maptile"

	"github.com/vn-opendata/geodata/tiles"
	"github.com/vn-opendata/geodata/tiles/tilestest"
)

// Tile ids along the Hilbert curve, as the reference implementation (the
// pmtiles npm package's zxyToTileId) numbers them.
func TestTileID(t *testing.T) {
	cases := []struct {
		z    maptile.Zoom
		x, y uint32
		want uint64
	}{
		{0, 0, 0, 0}, {1, 0, 0, 1}, {1, 0, 1, 2}, {1, 1, 1, 3}, {1, 1, 0, 4}, {2, 0, 0, 5},
		{3, 5, 2, 76}, {10, 812, 451, 1199028}, {14, 13011, 7197, 306949555}, {20, 123456, 654321, 652812043350},
	}
	for _, c := range cases {
		if got := tiles.TileID(maptile.New(c.x, c.y, c.z)); got != c.want {
			t.Errorf("TileID(%d/%d/%d) = %d, want %d", c.z, c.x, c.y, got, c.want)
		}
	}
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

var gzw = gzip.NewWriter(nil)

func gz(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	gzw.Reset(&buf)
	gzw.Write(b)
	if err := gzw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// An archive too large for a root directory alone (leaf directories), with
// repeated tiles (stored once, runs), written in random order, reads back
// tile for tile with the reference reader.
func TestArchiveRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.pmtiles")
	w, err := tiles.NewArchiveWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var all []maptile.Tile
	for z := maptile.Zoom(0); z <= 8; z++ {
		n := uint32(1) << z
		for x := uint32(0); x < n; x++ {
			for y := uint32(0); y < n; y++ {
				all = append(all, maptile.New(x, y, z))
			}
		}
	}
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	content := map[maptile.Tile][]byte{}
	for i, tile := range all {
		noise := make([]byte, rng.IntN(300))
		for k := range noise {
			noise[k] = byte(rng.IntN(256))
		}
		data := append([]byte(fmt.Sprintf("tile %d/%d/%d ", tile.Z, tile.X, tile.Y)), noise...)
		if tile.Z == 8 && tile.X < 128 { // half of zoom 8 is one repeated tile (like empty sea)
			data = []byte("the same tile")
		}
		if i%3 == 0 && tile.Z < 8 {
			continue // holes in the pyramid
		}
		content[tile] = data
		if err := w.Add(tile, gz(t, data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(tiles.ArchiveMeta{Metadata: map[string]any{"name": "thử nghiệm"}, Zoom: 3}); err != nil {
		t.Fatal(err)
	}
	// Read back every tile of zooms 0–4 and a sample of the deeper ones.
	var sample []maptile.Tile
	minZoom := 8
	for i, tile := range all {
		if tile.Z <= 4 || i%20 == 0 {
			sample = append(sample, tile)
		}
		if _, ok := content[tile]; ok {
			minZoom = min(minZoom, int(tile.Z))
		}
	}
	doc := tilestest.Read(t, path, sample)
	h := doc.Header
	if h.SpecVersion != 3 || h.TileType != 1 || h.MinZoom != minZoom || h.MaxZoom != 8 || !h.Clustered {
		t.Fatalf("header %+v", h)
	}
	if h.LeafDirectoryLength == 0 {
		t.Fatal("expected leaf directories for this many tiles")
	}
	if h.NumAddressedTiles != len(content) || h.NumTileContents >= len(content) {
		t.Fatalf("%d addressed tiles and %d contents, want %d and fewer (repeats stored once)", h.NumAddressedTiles, h.NumTileContents, len(content))
	}
	if doc.Metadata["name"] != "thử nghiệm" {
		t.Fatalf("metadata %v", doc.Metadata)
	}
	for _, tile := range sample {
		got := doc.Tiles[fmt.Sprintf("%d/%d/%d", tile.Z, tile.X, tile.Y)]
		want, ok := content[tile]
		switch {
		case !ok && got != nil:
			t.Fatalf("tile %v was never written but reads back", tile)
		case ok && (got == nil || *got != sha(want)):
			t.Fatalf("tile %v reads back wrong or missing", tile)
		}
	}
}
