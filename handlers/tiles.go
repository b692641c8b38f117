package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
	"github.com/paulmach/orb/maptile"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/store"
	"github.com/vn-opendata/geodata/tiles"
)

// Media types and link relations of OGC API – Tiles.
const (
	mediaMVT          = "application/vnd.mapbox-vector-tile"
	relTilesetsVector = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"
	relTilingScheme   = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"
	relTilingSchemes  = "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes"
	relGeodata        = "http://www.opengis.net/def/rel/ogc/1.0/geodata"
	tileCacheControl  = "public, max-age=60"
)

// tilesConformance lists the conformance classes of OGC API – Tiles (OGC
// 20-057) and of the Tile Matrix Set standard (OGC 17-083r4) that the tile
// endpoints implement, for /conformance.
var tilesConformance = []string{
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/dataset-tilesets",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/collections-selection",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/oas30",
	"http://www.opengis.net/spec/tms/2.0/conf/tilematrixset",
	"http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
}

// tileRoutes registers the tile endpoints, the style and the map page.
func (s *Server) tileRoutes(get func(path string, h appHandler)) {
	get("/tileMatrixSets", s.tileMatrixSets)
	get("/tileMatrixSets/{tileMatrixSetId}", s.tileMatrixSet)
	get("/tiles", s.datasetTilesets)
	get("/tiles/{tileMatrixSetId}", s.datasetTileset)
	get("/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}", s.datasetTile)
	get("/tiles/{z}/{x}/{y}.mvt", s.xyzTile)
	get("/collections/{collectionId}/tiles", s.collectionTilesets)
	get("/collections/{collectionId}/tiles/{tileMatrixSetId}", s.collectionTileset)
	get("/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}", s.collectionTile)
	get("/styles/default.json", s.style)
	get("/map", s.mapPage)
}

// tilesLandingLinks are the links of the landing page to the tiles.
func tilesLandingLinks(base string) []link {
	return []link{
		{Href: base + "/tiles", Rel: relTilesetsVector, Type: mediaJSON, Title: "Vector tiles of every collection / Bản đồ vector"},
		{Href: base + "/tileMatrixSets", Rel: relTilingSchemes, Type: mediaJSON, Title: "Tile matrix sets"},
		{Href: base + "/styles/default.json", Rel: "stylesheet", Type: mediaJSON, Title: "MapLibre style"},
	}
}

// tilesCollectionLinks are the links of a collection to its tiles.
func tilesCollectionLinks(base, id string) []link {
	return []link{{Href: base + "/collections/" + url.PathEscape(id) + "/tiles", Rel: relTilesetsVector, Type: mediaJSON,
		Title: "Vector tiles / Bản đồ vector"}}
}

// tileLink is a link that may be a URI template.
type tileLink struct {
	Href      string `json:"href"`
	Rel       string `json:"rel"`
	Type      string `json:"type,omitempty"`
	Title     string `json:"title,omitempty"`
	Templated bool   `json:"templated,omitempty"`
}

func (s *Server) tileMatrixSets(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r, "f"); err != nil {
		return err
	}
	if err := jsonOnly(r); err != nil {
		return err
	}
	base := s.baseURL(r)
	tms := tiles.WebMercatorQuad()
	return writeJSON(w, mediaJSON, map[string]any{
		"links": []tileLink{{Href: base + "/tileMatrixSets", Rel: "self", Type: mediaJSON}},
		"tileMatrixSets": []map[string]any{{
			"id": tms.ID, "title": tms.Title, "uri": tms.URI, "crs": tms.CRS,
			"links": []tileLink{{Href: base + "/tileMatrixSets/" + tms.ID, Rel: "self", Type: mediaJSON, Title: tms.Title}},
		}},
	})
}

func (s *Server) tileMatrixSet(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r, "f"); err != nil {
		return err
	}
	if err := jsonOnly(r); err != nil {
		return err
	}
	if err := checkTileMatrixSet(r); err != nil {
		return err
	}
	return writeJSON(w, mediaJSON, tiles.WebMercatorQuad())
}

// checkTileMatrixSet refuses tile matrix sets other than WebMercatorQuad.
func checkTileMatrixSet(r *http.Request) error {
	if id := mux.Vars(r)["tileMatrixSetId"]; id != tiles.WebMercatorQuadID {
		return &Error{Status: http.StatusNotFound, Code: "NotFound", Parameter: "tileMatrixSetId",
			Description: "tile matrix set " + strconv.Quote(id) + " is not served; use WebMercatorQuad / chỉ có WebMercatorQuad"}
	}
	return nil
}

// jsonOnly refuses ?f= values other than json for the JSON-only documents.
func jsonOnly(r *http.Request) error {
	if f := r.URL.Query().Get("f"); f != "" && f != "json" {
		return badParam("f", "unsupported format %q; use json", f)
	}
	return nil
}

// tilesetSummary is a tileset as a tilesets list shows it.
type tilesetSummary struct {
	Title            string     `json:"title"`
	DataType         string     `json:"dataType"`
	CRS              string     `json:"crs"`
	TileMatrixSetURI string     `json:"tileMatrixSetURI"`
	Links            []tileLink `json:"links"`
}

func (s *Server) tilesetsList(w http.ResponseWriter, r *http.Request, path, title string) error {
	if err := checkParams(r, "f"); err != nil {
		return err
	}
	if err := jsonOnly(r); err != nil {
		return err
	}
	base := s.baseURL(r)
	return writeJSON(w, mediaJSON, map[string]any{
		"links": []tileLink{{Href: base + path, Rel: "self", Type: mediaJSON}},
		"tilesets": []tilesetSummary{{
			Title: title, DataType: "vector", CRS: tiles.EPSG3857, TileMatrixSetURI: tiles.WebMercatorQuadURI,
			Links: []tileLink{
				{Href: base + path + "/" + tiles.WebMercatorQuadID, Rel: "self", Type: mediaJSON, Title: title},
				{Href: base + "/tileMatrixSets/" + tiles.WebMercatorQuadID, Rel: relTilingScheme, Type: mediaJSON},
			},
		}},
	})
}

func (s *Server) datasetTilesets(w http.ResponseWriter, r *http.Request) error {
	return s.tilesetsList(w, r, "/tiles", "Mọi tập dữ liệu / every collection")
}

func (s *Server) collectionTilesets(w http.ResponseWriter, r *http.Request) error {
	snap, err := s.snapshot(r)
	if err != nil {
		return err
	}
	return s.tilesetsList(w, r, "/collections/"+url.PathEscape(snap.ID())+"/tiles", snap.Collection.Title)
}

// tilesetDoc is the metadata of a tileset (OGC 17-083r4 TileSetMetadata, JSON).
type tilesetDoc struct {
	Title               string                   `json:"title"`
	Description         string                   `json:"description,omitempty"`
	DataType            string                   `json:"dataType"`
	CRS                 string                   `json:"crs"`
	TileMatrixSetURI    string                   `json:"tileMatrixSetURI"`
	TileMatrixSetLimits []tiles.TileMatrixLimits `json:"tileMatrixSetLimits"`
	Layers              []tilesetLayer           `json:"layers"`
	BoundingBox         map[string]any           `json:"boundingBox"`
	CenterPoint         map[string]any           `json:"centerPoint"`
	Links               []tileLink               `json:"links"`
}

type tilesetLayer struct {
	ID                string         `json:"id"`
	Title             string         `json:"title"`
	DataType          string         `json:"dataType"`
	GeometryDimension int            `json:"geometryDimension"`
	MinTileMatrix     string         `json:"minTileMatrix"`
	MaxTileMatrix     string         `json:"maxTileMatrix"`
	PropertiesSchema  map[string]any `json:"propertiesSchema"`
	Links             []tileLink     `json:"links"`
}

// tileset describes the tileset of snaps at path (…/tiles/WebMercatorQuad),
// as OGC tileset metadata or, with ?f=tilejson, as TileJSON 3.0.0.
func (s *Server) tileset(w http.ResponseWriter, r *http.Request, snaps []*catalog.Snapshot, path, query, title, description string) error {
	if err := checkTileMatrixSet(r); err != nil {
		return err
	}
	base := s.baseURL(r)
	maxZoom := s.tiler.Options().MaxZoom
	bounds := tiles.Bounds(snaps, s.cat.Region.BBox)
	center := [3]float64{(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2, min(s.cat.Region.Zoom, float64(maxZoom))}
	layers := s.tiler.VectorLayers(snaps)
	template := base + path + "/{z}/{y}/{x}" + query
	switch f := r.URL.Query().Get("f"); f {
	case "tilejson":
		return writeJSON(w, mediaJSON, tiles.TileJSON{
			TileJSON: "3.0.0", Name: title, Description: description, Version: tiles.Versions(snaps),
			Attribution: tiles.Attribution(snaps), Scheme: "xyz", Tiles: []string{template}, VectorLayers: layers,
			MinZoom: 0, MaxZoom: maxZoom, Bounds: bounds, Center: center,
		})
	case "", "json":
	default:
		return badParam("f", "unsupported format %q; use json or tilejson", f)
	}
	doc := tilesetDoc{
		Title: title, Description: description, DataType: "vector", CRS: tiles.EPSG3857,
		TileMatrixSetURI: tiles.WebMercatorQuadURI, TileMatrixSetLimits: tiles.Limits(bounds, maxZoom),
		BoundingBox: map[string]any{"lowerLeft": bounds[:2], "upperRight": bounds[2:], "crs": crs84},
		CenterPoint: map[string]any{"coordinates": center[:2], "tileMatrix": strconv.Itoa(int(center[2])),
			"tileMatrixSetURI": tiles.WebMercatorQuadURI, "crs": crs84},
		Links: []tileLink{
			{Href: base + path + query, Rel: "self", Type: mediaJSON, Title: title},
			{Href: base + path + "?f=tilejson" + strings.Replace(query, "?", "&", 1), Rel: "alternate", Type: mediaJSON, Title: "TileJSON 3.0.0"},
			{Href: base + "/tileMatrixSets/" + tiles.WebMercatorQuadID, Rel: relTilingScheme, Type: mediaJSON},
			{Href: base + path + "/{tileMatrix}/{tileRow}/{tileCol}" + query, Rel: "item", Type: mediaMVT, Templated: true,
				Title: "Vector tiles (MVT)"},
		},
	}
	for i, snap := range snaps {
		props := map[string]any{}
		for name, typ := range layers[i].Fields {
			props[name] = map[string]string{"type": strings.ToLower(typ)}
		}
		doc.Layers = append(doc.Layers, tilesetLayer{
			ID: snap.ID(), Title: snap.Collection.Title, DataType: "vector", GeometryDimension: dimension(snap),
			MinTileMatrix: "0", MaxTileMatrix: strconv.Itoa(maxZoom),
			PropertiesSchema: map[string]any{"type": "object", "properties": props},
			Links: []tileLink{{Href: base + "/collections/" + url.PathEscape(snap.ID()), Rel: relGeodata, Type: mediaJSON,
				Title: snap.Collection.Title}},
		})
	}
	return writeJSON(w, mediaJSON, doc)
}

func dimension(snap *catalog.Snapshot) int {
	t := snap.Collection.GeometryType
	switch {
	case strings.Contains(t, "Polygon"):
		return 2
	case strings.Contains(t, "LineString"):
		return 1
	}
	return 0
}

func (s *Server) datasetTileset(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r, "f", "collections"); err != nil {
		return err
	}
	snaps, query, err := s.selectCollections(r)
	if err != nil {
		return err
	}
	return s.tileset(w, r, snaps, "/tiles/"+tiles.WebMercatorQuadID, query,
		"Dữ liệu mở "+s.cat.Region.Name, "Vector tiles of the open datasets of "+s.cat.Region.NameEn+", one layer per collection.")
}

func (s *Server) collectionTileset(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r, "f"); err != nil {
		return err
	}
	snap, err := s.snapshot(r)
	if err != nil {
		return err
	}
	return s.tileset(w, r, []*catalog.Snapshot{snap}, "/collections/"+url.PathEscape(snap.ID())+"/tiles/"+tiles.WebMercatorQuadID, "",
		snap.Collection.Title, snap.Collection.Description)
}

// selectCollections reads ?collections=a,b: the snapshots in catalogue order
// (so that a,b and b,a share one cached tile), and the query to repeat in links.
func (s *Server) selectCollections(r *http.Request) ([]*catalog.Snapshot, string, error) {
	all := s.cat.Snapshots()
	v, ok := r.URL.Query()["collections"]
	if !ok {
		return all, "", nil
	}
	want := map[string]bool{}
	for _, id := range strings.Split(strings.Join(v, ","), ",") {
		if id = strings.TrimSpace(id); id == "" {
			continue
		}
		if _, ok := s.cat.Snapshot(id); !ok {
			return nil, "", badParam("collections", "collection %q does not exist / không có tập dữ liệu này", id)
		}
		want[id] = true
	}
	if len(want) == 0 {
		return nil, "", badParam("collections", "name at least one collection, comma-separated")
	}
	var snaps []*catalog.Snapshot
	var ids []string
	for _, snap := range all {
		if want[snap.ID()] {
			snaps = append(snaps, snap)
			ids = append(ids, snap.ID())
		}
	}
	return snaps, "?collections=" + strings.Join(ids, ","), nil
}

func (s *Server) datasetTile(w http.ResponseWriter, r *http.Request) error {
	if err := checkTileMatrixSet(r); err != nil {
		return err
	}
	return s.combinedTile(w, r, "tileMatrix", "tileCol", "tileRow")
}

func (s *Server) xyzTile(w http.ResponseWriter, r *http.Request) error {
	return s.combinedTile(w, r, "z", "x", "y")
}

// combinedTile serves a tile of the chosen collections, one layer each, its
// coordinates in the route variables named z, x and y.
func (s *Server) combinedTile(w http.ResponseWriter, r *http.Request, z, x, y string) error {
	if err := checkParams(r, "f", "collections"); err != nil {
		return err
	}
	v := mux.Vars(r)
	tile, err := s.parseTile(v[z], v[x], v[y], z, x, y)
	if err != nil {
		return err
	}
	snaps, _, err := s.selectCollections(r)
	if err != nil {
		return err
	}
	return s.serveTile(w, r, snaps, tile)
}

func (s *Server) collectionTile(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r, "f"); err != nil {
		return err
	}
	snap, err := s.snapshot(r)
	if err != nil {
		return err
	}
	if err := checkTileMatrixSet(r); err != nil {
		return err
	}
	v := mux.Vars(r)
	tile, err := s.parseTile(v["tileMatrix"], v["tileCol"], v["tileRow"], "tileMatrix", "tileCol", "tileRow")
	if err != nil {
		return err
	}
	return s.serveTile(w, r, []*catalog.Snapshot{snap}, tile)
}

// parseTile reads zoom, column and row: 400 when one is not a whole number,
// 404 when it lies outside the tileset (deeper than its maximum zoom, or beyond
// the edge of the world), each naming the parameter.
func (s *Server) parseTile(zs, xs, ys, zName, xName, yName string) (maptile.Tile, error) {
	maxZoom := s.tiler.Options().MaxZoom
	z, err := tileNumber(zs, zName)
	if err != nil {
		return maptile.Tile{}, err
	}
	if z > int64(maxZoom) {
		return maptile.Tile{}, tileOutside(zName, "zoom %d is deeper than the tileset's maximum %d (clients zoom in on level %d)", z, maxZoom, maxZoom)
	}
	x, err := tileNumber(xs, xName)
	if err != nil {
		return maptile.Tile{}, err
	}
	y, err := tileNumber(ys, yName)
	if err != nil {
		return maptile.Tile{}, err
	}
	n := int64(1) << z
	if x >= n {
		return maptile.Tile{}, tileOutside(xName, "column %d is beyond the %d columns of zoom %d", x, n, z)
	}
	if y >= n {
		return maptile.Tile{}, tileOutside(yName, "row %d is beyond the %d rows of zoom %d", y, n, z)
	}
	return maptile.New(uint32(x), uint32(y), maptile.Zoom(z)), nil
}

func tileNumber(v, name string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || strings.HasPrefix(v, "+") {
		return 0, badParam(name, "%q is not a whole number of at least 0 / phải là số nguyên không âm", v)
	}
	return n, nil
}

func tileOutside(param, format string, args ...any) *Error {
	e := notFound(format, args...)
	e.Parameter = param
	return e
}

// serveTile answers one tile: 204 when empty, 304 when the client holds it,
// else the MVT, gzip-compressed when the client accepts it.
func (s *Server) serveTile(w http.ResponseWriter, r *http.Request, snaps []*catalog.Snapshot, at maptile.Tile) error {
	tile, cached, err := s.tiler.Tile(r.Context(), snaps, at)
	if err != nil {
		return err
	}
	if r.Method == http.MethodGet {
		for _, snap := range snaps {
			s.usage.Count(snap.ID(), store.UsageTiles)
		}
	}
	h := w.Header()
	h.Set("Cache-Control", tileCacheControl)
	h.Add("Vary", "Accept-Encoding")
	if cached {
		h.Set("X-Cache", "hit")
	} else {
		h.Set("X-Cache", "miss")
	}
	gz := acceptsGzip(r) && !tile.Empty()
	tag := tile.ETag
	if gz {
		tag = strings.TrimSuffix(tag, `"`) + `-gz"`
	}
	h.Set("ETag", tag)
	if ifNoneMatch(r, tag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	if tile.Empty() {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	body := tile.Data
	if gz {
		body = tile.Gzip()
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Type", mediaMVT)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_, err = w.Write(body)
	return err
}

// ifNoneMatch reports whether If-None-Match names tag (weak comparison, RFC 9110).
func ifNoneMatch(r *http.Request, tag string) bool {
	for _, t := range strings.Split(r.Header.Get("If-None-Match"), ",") {
		if t = strings.TrimPrefix(strings.TrimSpace(t), "W/"); t == tag || t == "*" {
			return true
		}
	}
	return false
}
