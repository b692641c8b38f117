// Package tilestest reads PMTiles archives back for tests with an
// implementation independent of ours: the pmtiles npm package, run by
// web/e2e/pmtiles-read.mjs. It is imported by tests only; it imports nothing
// of geodata but orb's tile type.
package tilestest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/paulmach/orb/maptile"
)

// Archive is what the reader tells of an archive: its header, its metadata,
// and for each tile asked for ("z/x/y") the SHA-256 of its decompressed bytes,
// nil when the archive does not hold it.
type Archive struct {
	Header struct {
		SpecVersion, MinZoom, MaxZoom, TileType int
		NumAddressedTiles, NumTileEntries       int
		NumTileContents, LeafDirectoryLength    int
		TileCompression                         int
		Clustered                               bool
		MinLon, MinLat, MaxLon, MaxLat          float64
	}
	Metadata map[string]any
	Tiles    map[string]*string
}

// VectorLayers lists the ids of the metadata's vector_layers.
func (a Archive) VectorLayers() []string {
	layers, _ := a.Metadata["vector_layers"].([]any)
	var ids []string
	for _, l := range layers {
		if m, ok := l.(map[string]any); ok {
			id, _ := m["id"].(string)
			ids = append(ids, id)
		}
	}
	return ids
}

// Read reads the tiles list of the archive at path. It skips the test when
// node or the npm package is missing (make test installs both).
func Read(t testing.TB, path string, list []maptile.Tile) Archive {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	web := filepath.Join(filepath.Dir(here), "..", "..", "web")
	if _, err := os.Stat(filepath.Join(web, "node_modules/pmtiles")); err != nil {
		t.Skipf("reading archives needs the pmtiles npm package (make test installs it): %v", err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("reading archives needs node (make test checks it)")
	}
	var in strings.Builder
	for _, tile := range list {
		fmt.Fprintf(&in, "%d/%d/%d\n", tile.Z, tile.X, tile.Y)
	}
	cmd := exec.Command(node, filepath.Join(web, "e2e/pmtiles-read.mjs"), path, "-")
	cmd.Dir = web
	cmd.Stdin = strings.NewReader(in.String())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pmtiles-read.mjs: %v\n%s", err, stderr.String())
	}
	var a Archive
	if err := json.Unmarshal(out, &a); err != nil {
		t.Fatalf("pmtiles-read.mjs output: %v", err)
	}
	return a
}
