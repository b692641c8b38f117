package handlers_test

import (
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb/encoding/mvt"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/tiles"
)

// The classes of OGC API – Tiles (OGC 20-057) and of the tile matrix set
// standard (OGC 17-083r4), each checked by a client that starts from the
// landing page and the collections' links.
func init() {
	const (
		ogcTiles = "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/"
		tms      = "http://www.opengis.net/spec/tms/2.0/conf/"
	)
	for class, check := range map[string]func(*testing.T, *ogcClient){
		ogcTiles + "core":                  checkTilesCore,
		ogcTiles + "tileset":               checkTileset,
		ogcTiles + "tilesets-list":         checkTilesetsList,
		ogcTiles + "geodata-tilesets":      checkGeodataTilesets,
		ogcTiles + "dataset-tilesets":      checkDatasetTilesets,
		ogcTiles + "collections-selection": checkCollectionsSelection,
		ogcTiles + "mvt":                   checkMVT,
		ogcTiles + "oas30":                 checkTilesOAS30,
		tms + "tilematrixset":              checkTileMatrixSet,
		tms + "json-tilematrixset":         checkJSONTileMatrixSet,
	} {
		conformanceCheckers[class] = check
	}
}

const (
	relTilesetsVector = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"
	relTilingScheme   = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"
	mediaMVT          = "application/vnd.mapbox-vector-tile"
)

type tileLinkDoc struct {
	Href, Rel, Type string
	Templated       bool
}

type tilesetsListDoc struct {
	Tilesets []struct {
		DataType         string
		CRS              string
		TileMatrixSetURI string
		Links            []tileLinkDoc
	}
}

type tilesetMetaDoc struct {
	DataType            string
	CRS                 string
	TileMatrixSetURI    string
	TileMatrixSetLimits []tiles.TileMatrixLimits
	Layers              []struct{ ID string }
	Links               []tileLinkDoc
}

func tileLinkOf(links []tileLinkDoc, rel, typ string) tileLinkDoc {
	for _, l := range links {
		if l.Rel == rel && (typ == "" || l.Type == typ) {
			return l
		}
	}
	return tileLinkDoc{}
}

// tilesetOf follows a tilesets list at url to its WebMercatorQuad tileset.
func (c *ogcClient) tilesetOf(url string) tilesetMetaDoc {
	c.t.Helper()
	var list tilesetsListDoc
	c.getJSON(url, &list)
	if len(list.Tilesets) == 0 {
		c.t.Fatalf("%s lists no tileset", url)
	}
	var meta tilesetMetaDoc
	c.getJSON(tileLinkOf(list.Tilesets[0].Links, "self", "").Href, &meta)
	return meta
}

// tileOf fills the tileset's templated tile link and fetches the tile.
func (c *ogcClient) tileOf(meta tilesetMetaDoc, z, row, col string) (*http.Response, []byte) {
	c.t.Helper()
	item := tileLinkOf(meta.Links, "item", mediaMVT)
	if item.Href == "" || !item.Templated {
		c.t.Fatalf("tileset has no templated MVT item link: %+v", meta.Links)
	}
	url := strings.NewReplacer("{tileMatrix}", z, "{tileRow}", row, "{tileCol}", col).Replace(item.Href)
	return fetch(c.t, url)
}

// worldLayers fetches tile 0/0/0 of a tileset and decodes it.
func (c *ogcClient) worldLayers(meta tilesetMetaDoc) map[string]*mvt.Layer {
	c.t.Helper()
	resp, body := c.tileOf(meta, "0", "0", "0")
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("tile 0/0/0: %d %s", resp.StatusCode, body)
	}
	return decodeTile(c.t, body)
}

// represented counts the features a layer stands for: single features plus the
// point_count of clusters.
func represented(l *mvt.Layer) int {
	n := 0
	for _, f := range l.Features {
		if v, ok := f.Properties[tiles.CountProperty].(float64); ok {
			n += int(v)
		} else {
			n++
		}
	}
	return n
}

func isPoints(snap *catalog.Snapshot) bool {
	return strings.HasSuffix(snap.Collection.GeometryType, "Point")
}

// core: the landing page links the tiles; a tile is fetched through its
// tileset's template; bad coordinates are refused with a JSON error.
func checkTilesCore(t *testing.T, c *ogcClient) {
	if linkOf(c.landing, relTilesetsVector, "") == "" || linkOf(c.landing, "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes", "") == "" {
		t.Fatalf("landing page lacks the tiles links: %+v", c.landing)
	}
	meta := c.tilesetOf(linkOf(c.landing, relTilesetsVector, ""))
	if len(c.worldLayers(meta)) == 0 {
		t.Error("tile 0/0/0 of the dataset has no layer")
	}
	for _, bad := range []struct {
		z, row, col string
		status      int
	}{{"x", "0", "0", 400}, {"0", "1", "0", 404}, {"3", "0", "8", 404}, {"40", "0", "0", 404}, {"-1", "0", "0", 400}} {
		resp, body := c.tileOf(meta, bad.z, bad.row, bad.col)
		var e struct{ Code, Description string }
		if resp.StatusCode != bad.status || json.Unmarshal(body, &e) != nil || e.Description == "" {
			t.Errorf("tile %s/%s/%s: %d %s, want %d with a JSON error", bad.z, bad.row, bad.col, resp.StatusCode, body, bad.status)
		}
	}
}

// tileset: metadata names the tile matrix set, its limits and layers, and a
// template that serves tiles within the limits.
func checkTileset(t *testing.T, c *ogcClient) {
	for _, col := range c.collections {
		meta := c.tilesetOf(linkOf(col.Links, relTilesetsVector, ""))
		if meta.DataType != "vector" || meta.TileMatrixSetURI != tiles.WebMercatorQuadURI || meta.CRS == "" ||
			len(meta.TileMatrixSetLimits) == 0 || len(meta.Layers) != 1 || meta.Layers[0].ID != col.ID {
			t.Errorf("%s: tileset %+v", col.ID, meta)
			continue
		}
		if tileLinkOf(meta.Links, relTilingScheme, "").Href == "" {
			t.Errorf("%s: no tiling-scheme link", col.ID)
		}
		lim := meta.TileMatrixSetLimits[len(meta.TileMatrixSetLimits)-1]
		resp, _ := c.tileOf(meta, lim.TileMatrix, itoa(lim.MinTileRow), itoa(lim.MinTileCol))
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
			t.Errorf("%s: tile at the limits' corner: %d", col.ID, resp.StatusCode)
		}
	}
}

func itoa(v uint32) string { return strconv.FormatUint(uint64(v), 10) }

// tilesets-list: a collection's list has one vector tileset in WebMercatorQuad.
func checkTilesetsList(t *testing.T, c *ogcClient) {
	for _, col := range c.collections {
		var list tilesetsListDoc
		c.getJSON(linkOf(col.Links, relTilesetsVector, ""), &list)
		if len(list.Tilesets) != 1 || list.Tilesets[0].DataType != "vector" || list.Tilesets[0].TileMatrixSetURI != tiles.WebMercatorQuadURI ||
			tileLinkOf(list.Tilesets[0].Links, relTilingScheme, "").Href == "" {
			t.Errorf("%s: tilesets %+v", col.ID, list)
		}
	}
}

// geodata-tilesets: every collection has tiles; at zoom 0 its one layer stands
// for every feature of a point collection (clusters included), and holds some
// feature of any other.
func checkGeodataTilesets(t *testing.T, c *ogcClient) {
	for _, col := range c.collections {
		snap, _ := c.env.Cat.Snapshot(col.ID)
		layers := c.worldLayers(c.tilesetOf(linkOf(col.Links, relTilesetsVector, "")))
		l := layers[col.ID]
		if len(layers) != 1 || l == nil {
			t.Errorf("%s: layers %v", col.ID, keysOf(layers))
			continue
		}
		if isPoints(snap) && represented(l) != len(snap.Features) {
			t.Errorf("%s: zoom 0 stands for %d features, the collection has %d", col.ID, represented(l), len(snap.Features))
		}
		if !isPoints(snap) && len(l.Features) == 0 {
			t.Errorf("%s: zoom 0 holds no feature", col.ID)
		}
	}
}

// dataset-tilesets: the dataset tileset has a layer per collection.
func checkDatasetTilesets(t *testing.T, c *ogcClient) {
	meta := c.tilesetOf(linkOf(c.landing, relTilesetsVector, ""))
	layers := c.worldLayers(meta)
	if len(meta.Layers) != len(c.collections) || len(layers) != len(c.collections) {
		t.Errorf("dataset tileset: %d layers described, %d in tile 0/0/0, %d collections", len(meta.Layers), len(layers), len(c.collections))
	}
	for _, col := range c.collections {
		if layers[col.ID] == nil {
			t.Errorf("no layer %s in the dataset tile", col.ID)
		}
	}
}

// collections-selection: ?collections= chooses the layers; an unknown one is
// refused naming the parameter.
func checkCollectionsSelection(t *testing.T, c *ogcClient) {
	if len(c.collections) < 2 {
		t.Skip("one collection")
	}
	pick := []string{c.collections[1].ID, c.collections[0].ID}
	base := c.env.URL + "/tiles/WebMercatorQuad/0/0/0?collections="
	resp, body := fetch(t, base+strings.Join(pick, ","))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("selection: %d", resp.StatusCode)
	}
	got := keysOf(decodeTile(t, body))
	slices.Sort(got)
	slices.Sort(pick)
	if !slices.Equal(got, pick) {
		t.Errorf("layers %v, asked for %v", got, pick)
	}
	resp, body = fetch(t, base+"no-such-collection")
	var e struct{ Parameter string }
	if resp.StatusCode != http.StatusBadRequest || json.Unmarshal(body, &e) != nil || e.Parameter != "collections" {
		t.Errorf("unknown collection: %d %s", resp.StatusCode, body)
	}
}

// mvt: tiles are Mapbox Vector Tiles, version 2, extent 4096.
func checkMVT(t *testing.T, c *ogcClient) {
	resp, body := fetch(t, c.env.URL+"/tiles/WebMercatorQuad/0/0/0")
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || ct != mediaMVT {
		t.Fatalf("tile: %d %s", resp.StatusCode, ct)
	}
	for name, l := range decodeTile(t, body) {
		if l.Version != 2 || l.Extent != 4096 {
			t.Errorf("layer %s: version %d extent %d", name, l.Version, l.Extent)
		}
	}
}

// oas30: the OpenAPI document describes the tile endpoints.
func checkTilesOAS30(t *testing.T, c *ogcClient) {
	ops := c.api.operations()
	for _, p := range []string{"/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}",
		"/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}",
		"/collections/{collectionId}/tiles", "/tileMatrixSets/{tileMatrixSetId}"} {
		if ops[p] == nil {
			t.Errorf("OpenAPI lacks GET %s", p)
		}
	}
}

// tilematrixset: WebMercatorQuad as defined in OGC 17-083r4 annex D: each
// zoom halves the scale and doubles the matrix.
func checkTileMatrixSet(t *testing.T, c *ogcClient) {
	var set tiles.TileMatrixSet
	c.getJSON(linkOf(c.landing, "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes", "")+"/WebMercatorQuad", &set)
	if set.ID != "WebMercatorQuad" || set.URI != tiles.WebMercatorQuadURI || set.CRS != "http://www.opengis.net/def/crs/EPSG/0/3857" ||
		len(set.TileMatrices) == 0 {
		t.Fatalf("tile matrix set %+v", set)
	}
	for z, m := range set.TileMatrices {
		want := 559082264.0287178 / math.Pow(2, float64(z))
		if m.ID != itoa(uint32(z)) || math.Abs(m.ScaleDenominator-want) > want*1e-9 || m.MatrixWidth != 1<<z || m.MatrixHeight != 1<<z ||
			m.TileWidth != 256 || math.Abs(m.PointOfOrigin[0]+20037508.3427892) > 1e-6 || math.Abs(m.PointOfOrigin[1]-20037508.3427892) > 1e-6 {
			t.Errorf("tile matrix %d: %+v", z, m)
		}
	}
}

// json-tilematrixset: the set is served as JSON.
func checkJSONTileMatrixSet(t *testing.T, c *ogcClient) {
	url := linkOf(c.landing, "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes", "")
	var list struct {
		TileMatrixSets []struct {
			ID    string
			Links []tileLinkDoc
		}
	}
	resp := c.getJSON(url, &list)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") || len(list.TileMatrixSets) != 1 {
		t.Fatalf("%s: %s %+v", url, ct, list)
	}
	var set map[string]any
	resp = c.getJSON(tileLinkOf(list.TileMatrixSets[0].Links, "self", "").Href, &set)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") || set["tileMatrices"] == nil {
		t.Errorf("tile matrix set as %s: %v", ct, keysOf(set))
	}
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
