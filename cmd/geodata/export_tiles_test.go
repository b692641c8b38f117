package main_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/store/storetest"
	"github.com/vn-opendata/geodata/tiles/tilestest"
)

// serveSample imports the sample data (unchanged versions are skipped) and
// starts `geodata serve` on a free port of 127.0.0.1; it returns the base URL.
func serveSample(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if out, errOut, code := geodata(t, "sample", "--out", dir); code != 0 {
		t.Fatalf("sample: %s %s", out, errOut)
	}
	if out, errOut, code := geodata(t, "import", "--manifest", filepath.Join(dir, "manifest.json"), "--quiet"); code != 0 {
		t.Fatalf("import: %s %s", out, errOut)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, build(t), "serve", "--listen", addr)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+storetest.URL(t), "GEODATA_DATA_DIR="+t.TempDir())
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		cancel()
	})
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); !strings.Contains(line, "serving on http://"+addr) {
		t.Fatalf("serve printed %q", line)
	}
	base := "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("server not ready")
		}
	}
}

// tilesOver lists the tiles of zooms 0..maxZoom over the region, and one ring
// of tiles around it (empty ones must be absent from the archive).
func tilesOver(bbox [4]float64, maxZoom int) []maptile.Tile {
	var out []maptile.Tile
	for z := maptile.Zoom(0); int(z) <= maxZoom; z++ {
		nw := maptile.At(orb.Point{bbox[0], bbox[3]}, z)
		se := maptile.At(orb.Point{bbox[2], bbox[1]}, z)
		n := uint32(1) << z
		for x := max(nw.X, 1) - 1; x <= min(se.X+1, n-1); x++ {
			for y := max(nw.Y, 1) - 1; y <= min(se.Y+1, n-1); y++ {
				out = append(out, maptile.New(x, y, z))
			}
		}
	}
	return out
}

// serverTile returns the SHA-256 of a tile as the server sends it
// uncompressed, or nil for an empty tile (204).
func serverTile(t *testing.T, url string) *string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept-Encoding", "identity")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	switch resp.StatusCode {
	case http.StatusNoContent:
		return nil
	case http.StatusOK:
		sum := sha256.Sum256(body)
		s := hex.EncodeToString(sum[:])
		return &s
	}
	t.Fatalf("%s: %d %s", url, resp.StatusCode, body)
	return nil
}

// export-tiles writes the tiles the server serves: every tile over the region,
// read back with the pmtiles npm package and decompressed, equals the server's
// tile byte for byte, and the server's empty tiles are absent.
func TestExportTilesMatchesServer(t *testing.T) {
	base := serveSample(t)
	region, err := catalog.LoadRegion(catalog.DefaultRegion)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	const maxZoom = 12
	cases := []struct {
		name, collections, query string
		layers                   []string
	}{
		{"all", "", "", nil},
		{"two", "bus-routes,schools", "?collections=schools,bus-routes", []string{"schools", "bus-routes"}},
	}
	for _, c := range cases {
		archive := filepath.Join(dir, c.name+".pmtiles")
		args := []string{"export-tiles", "--out", archive, "--maxzoom", fmt.Sprint(maxZoom)}
		if c.collections != "" {
			args = append(args, "--collections", c.collections)
		}
		stdout, stderr, code := geodata(t, args...)
		if code != 0 || !strings.Contains(stdout, "wrote "+archive) {
			t.Fatalf("export-tiles %s: exit %d\n%s\n%s", c.name, code, stdout, stderr)
		}
		list := tilesOver(region.BBox, maxZoom)
		doc := tilestest.Read(t, archive, list)
		h := doc.Header
		if h.SpecVersion != 3 || h.TileType != 1 || h.TileCompression != 2 || h.MinZoom != 0 || h.MaxZoom != maxZoom {
			t.Fatalf("%s: header %+v", c.name, h)
		}
		if c.layers != nil {
			if ids := doc.VectorLayers(); strings.Join(ids, ",") != strings.Join(c.layers, ",") {
				t.Fatalf("%s: metadata layers %v, want %v", c.name, ids, c.layers)
			}
		}
		inArchive, same := 0, 0
		for _, tile := range list {
			key := fmt.Sprintf("%d/%d/%d", tile.Z, tile.X, tile.Y)
			want := serverTile(t, fmt.Sprintf("%s/tiles/WebMercatorQuad/%d/%d/%d%s", base, tile.Z, tile.Y, tile.X, c.query))
			got := doc.Tiles[key]
			switch {
			case want == nil && got != nil:
				t.Fatalf("%s: tile %s is empty on the server but in the archive", c.name, key)
			case want != nil && got == nil:
				t.Fatalf("%s: tile %s is missing from the archive", c.name, key)
			case want != nil && *want != *got:
				t.Fatalf("%s: tile %s differs from the server's", c.name, key)
			case want != nil:
				same++
			}
			if got != nil {
				inArchive++
			}
		}
		if same == 0 || inArchive != h.NumAddressedTiles {
			t.Fatalf("%s: %d tiles compared, %d read of %d in the archive", c.name, same, inArchive, h.NumAddressedTiles)
		}
		t.Logf("%s: %d tiles equal to the server's, %d empty ones absent", c.name, same, len(list)-same)
	}
	checkPMTilesDownload(t, base, region, dir)
	if _, stderr, code := geodata(t, "export-tiles", "--out", filepath.Join(dir, "x.pmtiles"), "--collections", "nope"); code == 0 || !strings.Contains(stderr, `"nope" does not exist`) {
		t.Fatalf("an unknown collection was accepted: %d %s", code, stderr)
	}
	if _, stderr, code := geodata(t, "export-tiles"); code == 0 || !strings.Contains(stderr, "--out") {
		t.Fatalf("a missing --out was accepted: %d %s", code, stderr)
	}
}

// The catalogue's PMTiles download of a collection holds its tileset's tiles as
// the server serves them, to the tileset's maxzoom.
func checkPMTilesDownload(t *testing.T, base string, region *catalog.Region, dir string) {
	t.Helper()
	resp, err := http.Get(base + "/downloads/ports.pmtiles")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	archive := filepath.Join(dir, "ports-download.pmtiles")
	f, err := os.Create(archive)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, resp.Body); err != nil || f.Close() != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/vnd.pmtiles" {
		t.Fatalf("download: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	const compared = 11 // every tile over the region to this zoom
	list := tilesOver(region.BBox, compared)
	doc := tilestest.Read(t, archive, list)
	if layers := doc.VectorLayers(); doc.Header.MaxZoom != 14 || len(layers) != 1 || layers[0] != "ports" {
		t.Fatalf("download: header %+v, layers %v", doc.Header, layers)
	}
	same := 0
	for _, tile := range list {
		key := fmt.Sprintf("%d/%d/%d", tile.Z, tile.X, tile.Y)
		want := serverTile(t, fmt.Sprintf("%s/collections/ports/tiles/WebMercatorQuad/%d/%d/%d", base, tile.Z, tile.Y, tile.X))
		got := doc.Tiles[key]
		if (want == nil) != (got == nil) || (want != nil && *want != *got) {
			t.Fatalf("download: tile %s differs from the server's (server empty %v, archive empty %v)", key, want == nil, got == nil)
		}
		if want != nil {
			same++
		}
	}
	if same == 0 || doc.Header.NumAddressedTiles <= same {
		t.Fatalf("download: %d tiles compared to zoom %d, %d in the archive to zoom 14", same, compared, doc.Header.NumAddressedTiles)
	}
}
