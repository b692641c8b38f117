package handlers_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/geo"
	"github.com/vn-opendata/geodata/handlers"
	"github.com/vn-opendata/geodata/ingest"
	"github.com/vn-opendata/geodata/tiles"
)

// fetch GETs url with headers (name, value, …) and returns the response with
// its body as sent: identity unless the headers ask for another encoding.
func fetch(t *testing.T, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "identity")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// tileAt is the tile of zoom z holding lon/lat.
func tileAt(lon, lat float64, z maptile.Zoom) maptile.Tile {
	return maptile.At(orb.Point{lon, lat}, z)
}

func decodeTile(t *testing.T, body []byte) map[string]*mvt.Layer {
	t.Helper()
	layers, err := mvt.Unmarshal(body)
	if err != nil {
		t.Fatalf("decode tile: %v", err)
	}
	out := map[string]*mvt.Layer{}
	for _, l := range layers {
		out[l.Name] = l
	}
	return out
}

// metric reads one unlabelled value of /metrics.
func metric(t *testing.T, base, name string) float64 {
	t.Helper()
	_, body := fetch(t, base+"/metrics")
	m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("metric %s missing", name)
	}
	v, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// An import of a new version changes the ETag of the collection's tiles (alone
// and combined), and the tiles of the old version leave the cache: a server of
// its own over the shared catalog holds only this test's tiles, so its cache
// metrics count them.
func TestTilesImportChangesETagAndEvicts(t *testing.T) {
	e := sampleEnv(t)
	srv, err := handlers.New(e.Cat, handlers.Config{Version: "test"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	dir := t.TempDir()
	write := func(v int) string {
		var b strings.Builder
		b.WriteString("id,lon,lat,v\n")
		for i := 0; i < 200; i++ {
			fmt.Fprintf(&b, "t%d,%.5f,%.5f,%d\n", i, 106.19+float64(i%20)*0.002, 21.27+float64(i/20)*0.002, v)
		}
		p := filepath.Join(dir, fmt.Sprintf("v%d.csv", v))
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	imp := func(v int) int64 {
		res, err := ingest.Import(context.Background(), e.DB, ingest.Request{Path: write(v), Collection: "tiles-etag", Actor: "test", Region: e.Region})
		if err != nil {
			t.Fatal(err)
		}
		waitVersion(t, e, "tiles-etag", res.Version)
		return res.Version
	}
	imp(1)
	var urls []string
	for z := maptile.Zoom(10); z <= 14; z++ {
		tl := tileAt(106.20, 21.28, z)
		urls = append(urls, fmt.Sprintf("%s/collections/tiles-etag/tiles/WebMercatorQuad/%d/%d/%d", ts.URL, z, tl.Y, tl.X))
	}
	old := map[string]string{}
	for _, u := range urls {
		resp, _ := fetch(t, u)
		if resp.StatusCode != 200 || resp.Header.Get("X-Cache") != "miss" || resp.Header.Get("ETag") == "" {
			t.Fatalf("%s: %d, X-Cache %q, ETag %q", u, resp.StatusCode, resp.Header.Get("X-Cache"), resp.Header.Get("ETag"))
		}
		old[u] = resp.Header.Get("ETag")
		resp, _ = fetch(t, u)
		if resp.Header.Get("X-Cache") != "hit" || resp.Header.Get("ETag") != old[u] {
			t.Fatalf("%s again: X-Cache %q, ETag %q then %q", u, resp.Header.Get("X-Cache"), old[u], resp.Header.Get("ETag"))
		}
		if resp, _ := fetch(t, u, "If-None-Match", old[u]); resp.StatusCode != http.StatusNotModified {
			t.Fatalf("%s with If-None-Match: %d, want 304", u, resp.StatusCode)
		}
	}
	// The combined tileset of this one collection is the collection's own tile.
	z12 := tileAt(106.20, 21.28, 12)
	combined := fmt.Sprintf("%s/tiles/12/%d/%d.mvt?collections=tiles-etag", ts.URL, z12.X, z12.Y)
	resp, _ := fetch(t, combined)
	if resp.Header.Get("X-Cache") != "hit" || resp.Header.Get("ETag") != old[urls[2]] {
		t.Fatalf("combined tile of one collection: X-Cache %q, ETag %q, want the collection tile's %q",
			resp.Header.Get("X-Cache"), resp.Header.Get("ETag"), old[urls[2]])
	}
	old[combined] = old[urls[2]]
	cached := metric(t, ts.URL, "geodata_tile_cache_entries")
	if cached != float64(len(urls)) {
		t.Fatalf("%v tiles cached, want %d", cached, len(urls))
	}
	evictedBefore := metric(t, ts.URL, "geodata_tile_cache_evictions_total")

	imp(2)
	for i, u := range append(urls, combined) {
		resp, body := fetch(t, u, "If-None-Match", old[u])
		if resp.StatusCode != 200 {
			t.Fatalf("%s after the import, with the old ETag: %d, want 200", u, resp.StatusCode)
		}
		if tag := resp.Header.Get("ETag"); tag == old[u] {
			t.Fatalf("%s: ETag %s unchanged by the import", u, tag)
		}
		for _, f := range decodeTile(t, body)["tiles-etag"].Features {
			if v, ok := f.Properties["v"]; ok && v != 2.0 {
				t.Fatalf("%s after the import serves version %v", u, v)
			}
		}
		if i > 0 {
			continue
		}
		if resp.Header.Get("X-Cache") != "miss" {
			t.Fatalf("%s: the first tile of version 2 came from the cache", u)
		}
		if evicted := metric(t, ts.URL, "geodata_tile_cache_evictions_total") - evictedBefore; evicted != float64(len(urls)) {
			t.Fatalf("after the first tile of version 2, %v tiles of version 1 were evicted, want %d", evicted, len(urls))
		}
		if n := metric(t, ts.URL, "geodata_tile_cache_entries"); n != 1 {
			t.Fatalf("%v tiles cached after the first of version 2, want only it", n)
		}
	}
}

// Bad tile coordinates and parameters are refused with a JSON error naming the
// parameter; an empty tile is 204 with cache headers; gzip when accepted.
func TestTileRequests(t *testing.T) {
	e := sampleEnv(t)
	cases := []struct {
		path   string
		status int
		param  string
	}{
		{"/collections/schools/tiles/WebMercatorQuad/abc/1/1", 400, "tileMatrix"},
		{"/collections/schools/tiles/WebMercatorQuad/3/1.5/1", 400, "tileRow"},
		{"/collections/schools/tiles/WebMercatorQuad/3/1/-1", 400, "tileCol"},
		{"/collections/schools/tiles/WebMercatorQuad/15/1/1", 404, "tileMatrix"},
		{"/collections/schools/tiles/WebMercatorQuad/3/8/1", 404, "tileRow"},
		{"/collections/schools/tiles/WebMercatorQuad/3/1/8", 404, "tileCol"},
		{"/collections/schools/tiles/WorldCRS84Quad/3/1/1", 404, "tileMatrixSetId"},
		{"/collections/schools/tiles/WebMercatorQuad/3/1/1?bbox=1,2,3,4", 400, "bbox"},
		{"/collections/nope/tiles/WebMercatorQuad/3/1/1", 404, ""},
		{"/tiles/3/x/1.mvt", 400, "x"},
		{"/tiles/99/1/1.mvt", 404, "z"},
		{"/tiles/WebMercatorQuad/3/1/1?collections=schools,nope", 400, "collections"},
		{"/tiles/WebMercatorQuad/3/1/1?collections=", 400, "collections"},
		{"/tiles/WebMercatorQuad?f=xml", 400, "f"},
		{"/tileMatrixSets/Nope", 404, "tileMatrixSetId"},
		{"/tiles/0/0/0.mvt", 200, ""},
		{"/tiles/WebMercatorQuad/0/0/0?collections=ports,schools", 200, ""},
		{"/collections/ports/tiles/WebMercatorQuad/0/0/0", 200, ""},
	}
	for _, c := range cases {
		resp, body := fetch(t, e.URL+c.path)
		if resp.StatusCode != c.status {
			t.Errorf("%s: %d, want %d: %s", c.path, resp.StatusCode, c.status, body)
			continue
		}
		if c.status < 400 {
			if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.mapbox-vector-tile" {
				t.Errorf("%s: Content-Type %q", c.path, ct)
			}
			continue
		}
		var errDoc struct{ Code, Description, Parameter string }
		if err := json.Unmarshal(body, &errDoc); err != nil || errDoc.Description == "" {
			t.Errorf("%s: error is not JSON: %s", c.path, body)
		}
		if errDoc.Parameter != c.param {
			t.Errorf("%s: error names %q, want %q", c.path, errDoc.Parameter, c.param)
		}
	}

	// Far from the region: no feature, 204 with ETag and Cache-Control; 304 after.
	resp, body := fetch(t, e.URL+"/tiles/10/0/0.mvt")
	if resp.StatusCode != http.StatusNoContent || len(body) != 0 || resp.Header.Get("ETag") == "" || resp.Header.Get("Cache-Control") == "" {
		t.Fatalf("empty tile: %d, %d bytes, ETag %q, Cache-Control %q", resp.StatusCode, len(body), resp.Header.Get("ETag"), resp.Header.Get("Cache-Control"))
	}
	if resp, _ := fetch(t, e.URL+"/tiles/10/0/0.mvt", "If-None-Match", resp.Header.Get("ETag")); resp.StatusCode != http.StatusNotModified {
		t.Fatalf("empty tile with If-None-Match: %d", resp.StatusCode)
	}

	// gzip when asked for, the same bytes uncompressed otherwise, each with its own ETag.
	tl := tileAt(e.Region.Center[0], e.Region.Center[1], 10)
	u := fmt.Sprintf("%s/tiles/WebMercatorQuad/10/%d/%d", e.URL, tl.Y, tl.X)
	plain, raw := fetch(t, u)
	zipped, gz := fetch(t, u, "Accept-Encoding", "gzip, deflate, br")
	if plain.Header.Get("Content-Encoding") != "" || zipped.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q without gzip, %q with", plain.Header.Get("Content-Encoding"), zipped.Header.Get("Content-Encoding"))
	}
	if zipped.Header.Get("ETag") == plain.Header.Get("ETag") || !strings.Contains(zipped.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("gzip and identity share ETag %q, Vary %q", plain.Header.Get("ETag"), zipped.Header.Get("Vary"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(unzipped, raw) || len(gz) >= len(raw) {
		t.Fatalf("gzip body: %v, %d compressed bytes for %d", err, len(gz), len(raw))
	}
	if resp, _ := fetch(t, u, "Accept-Encoding", "gzip;q=0"); resp.Header.Get("Content-Encoding") != "" {
		t.Fatal("gzip;q=0 got gzip")
	}
	// The XYZ alias serves the same tile.
	alias, aliasBody := fetch(t, fmt.Sprintf("%s/tiles/10/%d/%d.mvt", e.URL, tl.X, tl.Y))
	if alias.Header.Get("ETag") != plain.Header.Get("ETag") || !bytes.Equal(aliasBody, raw) {
		t.Fatal("the /tiles/{z}/{x}/{y}.mvt alias differs from the OGC path")
	}
}

// At zoom 14 (no clustering) a collection's tile holds exactly the features of
// the snapshot in the buffered tile, counted by brute force: points by their
// projected unit, lines by intersection with the buffered box; every feature's
// id property leads to its item; every coordinate lies in the buffered tile.
func TestTilesHoldTheSnapshotAtHighZoom(t *testing.T) {
	e := sampleEnv(t)
	for _, id := range []string{"schools", "bus-routes", "bus-stops", "ports"} {
		snap, ok := e.Cat.Snapshot(id)
		if !ok {
			t.Fatalf("no collection %s", id)
		}
		checked := 0
		for k := 0; k < len(snap.Features) && checked < 6; k += max(1, len(snap.Features)/6) {
			f := snap.Features[k]
			var at orb.Point
			switch g := f.Geom.(type) {
			case orb.Point:
				at = g
			case orb.LineString:
				at = g[len(g)/2]
			default:
				t.Fatalf("%s: unexpected %s", id, g.GeoJSONType())
			}
			tile := maptile.At(at, 14)
			resp, body := fetch(t, fmt.Sprintf("%s/collections/%s/tiles/WebMercatorQuad/14/%d/%d", e.URL, id, tile.Y, tile.X))
			if resp.StatusCode != 200 {
				t.Fatalf("%s %v: %d", id, tile, resp.StatusCode)
			}
			layer := decodeTile(t, body)[id]
			if layer == nil || layer.Extent != tiles.Extent {
				t.Fatalf("%s %v: layer missing or extent not 4096", id, tile)
			}
			want := wantInBuffer(snap, tile)
			got := map[string]bool{}
			for _, feat := range layer.Features {
				if _, cluster := feat.Properties[tiles.CountProperty]; cluster {
					t.Fatalf("%s %v: a cluster at zoom 14 in the sample", id, tile)
				}
				fid, _ := feat.Properties[tiles.IDProperty].(string)
				src := snap.Feature(fid)
				if src == nil || feat.ID != float64(src.NumID) {
					t.Fatalf("%s %v: feature id %v / %q does not name a feature", id, tile, feat.ID, fid)
				}
				got[fid] = true
				for _, p := range coords(feat.Geometry) {
					if p[0] < -tiles.Buffer || p[0] > tiles.Extent+tiles.Buffer || p[1] < -tiles.Buffer || p[1] > tiles.Extent+tiles.Buffer {
						t.Fatalf("%s %v: %v outside the buffered tile", id, tile, p)
					}
				}
			}
			if len(got) != len(layer.Features) || len(got) != len(want) {
				t.Fatalf("%s %v: %d features (%d distinct), the snapshot has %d in the buffered tile", id, tile, len(layer.Features), len(got), len(want))
			}
			for fid := range want {
				if !got[fid] {
					t.Fatalf("%s %v: %s missing", id, tile, fid)
				}
			}
			if checked == 0 {
				var fid string
				for fid = range got {
					break
				}
				if resp := get(t, e.URL+"/collections/"+id+"/items/"+fid, nil); resp.StatusCode != 200 {
					t.Fatalf("the id property %s does not lead to an item: %d", fid, resp.StatusCode)
				}
			}
			checked++
		}
		t.Logf("%s: %d tiles match the snapshot", id, checked)
	}
}

// wantInBuffer finds the features of snap in the buffered tile by brute force.
func wantInBuffer(snap *catalog.Snapshot, tile maptile.Tile) map[string]bool {
	out := map[string]bool{}
	n := math.Exp2(float64(tile.Z))
	unlon := func(u float64) float64 { return (float64(tile.X)+u/tiles.Extent)/n*360 - 180 }
	unlat := func(u float64) float64 {
		return math.Atan(math.Sinh(math.Pi*(1-2*(float64(tile.Y)+u/tiles.Extent)/n))) * 180 / math.Pi
	}
	box := orb.Bound{Min: orb.Point{unlon(-tiles.Buffer), unlat(tiles.Extent + tiles.Buffer)},
		Max: orb.Point{unlon(tiles.Extent + tiles.Buffer), unlat(-tiles.Buffer)}}
	for _, f := range snap.Features {
		if p, ok := f.Geom.(orb.Point); ok {
			w := maptile.Fraction(p, tile.Z)
			x := math.Floor(w[0]*tiles.Extent) - float64(tile.X)*tiles.Extent
			y := math.Floor(w[1]*tiles.Extent) - float64(tile.Y)*tiles.Extent
			if x >= -tiles.Buffer && x < tiles.Extent+tiles.Buffer && y >= -tiles.Buffer && y < tiles.Extent+tiles.Buffer {
				out[f.ID] = true
			}
			continue
		}
		if geo.IntersectsBound(f.Geom, box) {
			out[f.ID] = true
		}
	}
	return out
}

func coords(g orb.Geometry) []orb.Point {
	switch g := g.(type) {
	case orb.Point:
		return []orb.Point{g}
	case orb.LineString:
		return g
	case orb.MultiLineString:
		var out []orb.Point
		for _, l := range g {
			out = append(out, l...)
		}
		return out
	}
	return nil
}

// GDAL's MVT driver reads a served tile: the layers and feature counts match.
func TestTileReadByGDAL(t *testing.T) {
	e := sampleEnv(t)
	ogrinfo, err := exec.LookPath("ogrinfo")
	if err != nil {
		t.Skip("needs ogrinfo (gdal-bin; make test installs it)")
	}
	tile := tileAt(e.Region.Center[0], e.Region.Center[1], 11)
	resp, body := fetch(t, fmt.Sprintf("%s/tiles/%d/%d/%d.mvt", e.URL, tile.Z, tile.X, tile.Y))
	if resp.StatusCode != 200 {
		t.Fatalf("tile: %d", resp.StatusCode)
	}
	path := filepath.Join(t.TempDir(), "tile.mvt")
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(ogrinfo, "-ro", "-so", "-al", "-oo", fmt.Sprintf("X=%d", tile.X), "-oo", fmt.Sprintf("Y=%d", tile.Y),
		"-oo", fmt.Sprintf("Z=%d", tile.Z), "MVT:"+path).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	counts := map[string]int{}
	for _, m := range regexp.MustCompile(`(?m)^Layer name: (\S+)\n(?:.*\n)*?Feature Count: (\d+)`).FindAllSubmatch(out, -1) {
		counts[string(m[1])], _ = strconv.Atoi(string(m[2]))
	}
	layers := decodeTile(t, body)
	if len(counts) != len(layers) || len(layers) < 5 {
		t.Fatalf("GDAL finds layers %v, the tile has %d", counts, len(layers))
	}
	for name, l := range layers {
		if counts[name] != len(l.Features) || counts[name] == 0 {
			t.Errorf("layer %s: GDAL counts %d features, the tile has %d", name, counts[name], len(l.Features))
		}
	}
	if !bytes.Contains(out, []byte("Geometry: Point")) || !bytes.Contains(out, []byte("Line String")) {
		t.Errorf("GDAL geometry types:\n%s", out)
	}
}

// The tileset documents: tile matrix sets, tilesets lists, tileset metadata,
// TileJSON whose template serves tiles, and a same-origin style.
func TestTilesetDocuments(t *testing.T) {
	e := sampleEnv(t)
	var tmsList struct {
		TileMatrixSets []struct {
			ID    string
			Links []struct{ Href, Rel string }
		}
	}
	get(t, e.URL+"/tileMatrixSets", &tmsList)
	if len(tmsList.TileMatrixSets) != 1 || tmsList.TileMatrixSets[0].ID != "WebMercatorQuad" ||
		tmsList.TileMatrixSets[0].Links[0].Href != e.URL+"/tileMatrixSets/WebMercatorQuad" {
		t.Fatalf("tileMatrixSets: %+v", tmsList)
	}
	var tms tiles.TileMatrixSet
	get(t, e.URL+"/tileMatrixSets/WebMercatorQuad", &tms)
	if len(tms.TileMatrices) != 25 || math.Abs(tms.TileMatrices[0].ScaleDenominator-559082264.0287178) > 1e-3 ||
		tms.TileMatrices[10].MatrixWidth != 1024 || tms.CRS != "http://www.opengis.net/def/crs/EPSG/0/3857" {
		t.Fatalf("WebMercatorQuad: %d matrices, %+v", len(tms.TileMatrices), tms.TileMatrices[0])
	}

	type linkT struct {
		Href, Rel, Type string
		Templated       bool
	}
	var list struct {
		Tilesets []struct {
			DataType string
			Links    []linkT
		}
	}
	get(t, e.URL+"/collections/schools/tiles", &list)
	if len(list.Tilesets) != 1 || list.Tilesets[0].DataType != "vector" || list.Tilesets[0].Links[0].Href != e.URL+"/collections/schools/tiles/WebMercatorQuad" {
		t.Fatalf("tilesets of schools: %+v", list)
	}
	var meta struct {
		DataType            string
		TileMatrixSetLimits []tiles.TileMatrixLimits
		Layers              []struct{ ID string }
		Links               []linkT
	}
	get(t, e.URL+"/collections/schools/tiles/WebMercatorQuad", &meta)
	center := tileAt(e.Region.Center[0], e.Region.Center[1], 10)
	l10 := meta.TileMatrixSetLimits[10]
	if meta.DataType != "vector" || len(meta.TileMatrixSetLimits) != 15 || len(meta.Layers) != 1 || meta.Layers[0].ID != "schools" ||
		center.X < l10.MinTileCol || center.X > l10.MaxTileCol || center.Y < l10.MinTileRow || center.Y > l10.MaxTileRow {
		t.Fatalf("tileset metadata: %+v", meta)
	}
	item := ""
	for _, l := range meta.Links {
		if l.Rel == "item" && l.Templated && l.Type == "application/vnd.mapbox-vector-tile" {
			item = l.Href
		}
	}
	r := strings.NewReplacer("{tileMatrix}", "10", "{tileRow}", strconv.Itoa(int(center.Y)), "{tileCol}", strconv.Itoa(int(center.X)))
	if resp, _ := fetch(t, r.Replace(item)); item == "" || resp.StatusCode != 200 {
		t.Fatalf("item template %q does not serve the centre tile", item)
	}

	var tj tiles.TileJSON
	get(t, e.URL+"/collections/schools/tiles/WebMercatorQuad?f=tilejson", &tj)
	snap, _ := e.Cat.Snapshot("schools")
	ext := *snap.Collection.Extent
	if tj.TileJSON != "3.0.0" || len(tj.Tiles) != 1 || tj.Tiles[0] != e.URL+"/collections/schools/tiles/WebMercatorQuad/{z}/{y}/{x}" ||
		tj.MinZoom != 0 || tj.MaxZoom != 14 || tj.Bounds != ext || tj.Center[0] < ext[0] || tj.Center[0] > ext[2] || len(tj.VectorLayers) != 1 {
		t.Fatalf("TileJSON: %+v", tj)
	}
	fields := tj.VectorLayers[0].Fields
	for _, p := range snap.Collection.Schema {
		if fields[p.Name] == "" {
			t.Errorf("TileJSON lacks field %s", p.Name)
		}
	}
	if fields["id"] != "String" || fields["point_count"] != "Number" {
		t.Errorf("TileJSON fields %v", fields)
	}
	xyz := strings.NewReplacer("{z}", "10", "{y}", strconv.Itoa(int(center.Y)), "{x}", strconv.Itoa(int(center.X)))
	if resp, _ := fetch(t, xyz.Replace(tj.Tiles[0])); resp.StatusCode != 200 {
		t.Fatalf("the TileJSON template does not serve the centre tile: %d", resp.StatusCode)
	}

	get(t, e.URL+"/tiles/WebMercatorQuad?f=tilejson&collections=ports,schools", &tj)
	if len(tj.VectorLayers) != 2 || tj.VectorLayers[0].ID != "schools" || tj.VectorLayers[1].ID != "ports" ||
		tj.Tiles[0] != e.URL+"/tiles/WebMercatorQuad/{z}/{y}/{x}?collections=schools,ports" {
		t.Fatalf("combined TileJSON: layers %+v, tiles %v", tj.VectorLayers, tj.Tiles)
	}
	if resp, body := fetch(t, xyz.Replace(tj.Tiles[0])); resp.StatusCode != 200 || len(decodeTile(t, body)) != 2 {
		t.Fatalf("the combined template does not serve two layers: %d", resp.StatusCode)
	}
}

// The default style: version 8, one layer or more per collection on its tile
// layer, route colours for lines, nothing from another origin, no text.
func TestDefaultStyle(t *testing.T) {
	e := sampleEnv(t)
	resp, body := fetch(t, e.URL+"/styles/default.json")
	if resp.StatusCode != 200 {
		t.Fatalf("style: %d", resp.StatusCode)
	}
	for _, u := range regexp.MustCompile(`"(https?://[^"]*)"`).FindAllSubmatch(body, -1) {
		if !strings.HasPrefix(string(u[1]), e.URL+"/") {
			t.Errorf("the style points to another origin: %s", u[1])
		}
	}
	var style struct {
		Metadata struct {
			Collections []struct{ ID, Color string } `json:"geodata:collections"`
		}
		Version int
		Glyphs  *string
		Sprite  *string
		Sources map[string]struct{ Type, URL string }
		Layers  []struct {
			ID, Type    string
			Source      string
			SourceLayer string `json:"source-layer"`
			Paint       map[string]any
		}
	}
	if err := json.Unmarshal(body, &style); err != nil {
		t.Fatal(err)
	}
	if style.Version != 8 || style.Glyphs != nil || style.Sprite != nil || style.Sources["geodata"].URL != e.URL+"/tiles/WebMercatorQuad?f=tilejson" {
		t.Fatalf("style: version %d, glyphs %v, sprite %v, sources %+v", style.Version, style.Glyphs, style.Sprite, style.Sources)
	}
	perCollection := map[string]int{}
	ids := map[string]bool{}
	colours := map[string]bool{}
	for _, l := range style.Layers {
		if ids[l.ID] || l.Type == "symbol" {
			t.Fatalf("layer %s twice or with text", l.ID)
		}
		ids[l.ID] = true
		if l.Source == "geodata" {
			perCollection[l.SourceLayer]++
			if l.SourceLayer == "bus-routes" && !regexp.MustCompile(`get (mau_tuyen|route_color)\]`).MatchString(fmt.Sprint(l.Paint["line-color"])) {
				t.Errorf("bus routes are not coloured by their route colour: %v", l.Paint["line-color"])
			}
		}
	}
	for _, snap := range e.Cat.Snapshots() {
		if perCollection[snap.ID()] == 0 {
			t.Errorf("no style layer for %s", snap.ID())
		}
	}
	for _, c := range style.Metadata.Collections {
		colours[c.Color] = true
	}
	if n := len(e.Cat.Snapshots()); len(style.Metadata.Collections) != n || len(colours) != n {
		t.Errorf("%d collections, %d in the style's legend with %d colours", n, len(style.Metadata.Collections), len(colours))
	}
	if resp, body := fetch(t, e.URL+"/map"); resp.StatusCode != 200 || !bytes.Contains(body, []byte("maplibre-gl-csp.js")) {
		t.Fatalf("/map: %d", resp.StatusCode)
	}
}
