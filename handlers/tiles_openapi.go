package handlers

import "github.com/vn-opendata/geodata/tiles"

// tilesOpenAPIPaths describes the tile endpoints, the style and the map page as
// OpenAPI 3.0 path items, for /api to merge into its "paths".
func tilesOpenAPIPaths() map[string]any {
	str := map[string]any{"type": "string"}
	whole := map[string]any{"type": "integer", "minimum": 0}
	path := func(name, desc string, schema map[string]any) map[string]any {
		return map[string]any{"name": name, "in": "path", "required": true, "description": desc, "schema": schema}
	}
	collectionID := path("collectionId", "Collection id / mã tập dữ liệu.", str)
	tms := path("tileMatrixSetId", "Tile matrix set; only WebMercatorQuad.", map[string]any{"type": "string", "enum": []string{tiles.WebMercatorQuadID}})
	tileMatrix := path("tileMatrix", "Zoom level, 0 to the tileset's maxzoom (14 by default).", whole)
	tileRow := path("tileRow", "Row (y), 0 at the north, below 2^tileMatrix.", whole)
	tileCol := path("tileCol", "Column (x), 0 at 180°W, below 2^tileMatrix.", whole)
	collections := map[string]any{"name": "collections", "in": "query", "required": false, "style": "form", "explode": false,
		"description": "Collections to include, comma-separated (default: all); layers come in catalogue order.",
		"schema":      map[string]any{"type": "array", "items": str}}
	tilesetFormat := map[string]any{"name": "f", "in": "query", "required": false,
		"description": "json: OGC tileset metadata; tilejson: TileJSON 3.0.0.",
		"schema":      map[string]any{"type": "string", "enum": []string{"json", "tilejson"}, "default": "json"}}
	jsonOK := func(desc string) map[string]any {
		return map[string]any{"description": desc, "content": map[string]any{mediaJSON: map[string]any{"schema": map[string]any{"type": "object"}}}}
	}
	errorResp := func(desc string) map[string]any {
		return map[string]any{"description": desc, "content": map[string]any{mediaJSON: map[string]any{"schema": map[string]any{
			"type": "object", "required": []string{"code", "description"},
			"properties": map[string]any{"code": str, "description": str, "parameter": str}}}}}
	}
	tileResponses := map[string]any{
		"200": map[string]any{"description": "A vector tile; gzip-encoded when the client accepts it. Header X-Cache: hit or miss.",
			"headers": map[string]any{"ETag": map[string]any{"schema": str}, "Cache-Control": map[string]any{"schema": str}},
			"content": map[string]any{mediaMVT: map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}},
		"204": map[string]any{"description": "The tile holds no feature (cacheable, with ETag)."},
		"304": map[string]any{"description": "Not modified (If-None-Match)."},
		"400": errorResp("A coordinate is not a whole number, or a bad parameter; the error names it."),
		"404": errorResp("The tile lies outside the tile matrix set or below maxzoom, or the collection does not exist."),
	}
	op := func(id, summary string, params []any, responses map[string]any, examples ...string) map[string]any {
		get := map[string]any{"tags": []string{"Tiles"}, "operationId": id, "summary": summary,
			"parameters": params, "responses": responses}
		if len(examples) > 0 {
			get["x-example-requests"] = examples
		}
		return map[string]any{"get": get}
	}
	docResponses := func(desc string) map[string]any {
		return map[string]any{"200": jsonOK(desc), "400": errorResp("Bad parameter."), "404": errorResp("Not found.")}
	}
	return map[string]any{
		"/tileMatrixSets": op("getTileMatrixSetsList", "Tile matrix sets served (WebMercatorQuad).", []any{}, docResponses("Tile matrix sets."), "/tileMatrixSets"),
		"/tileMatrixSets/{tileMatrixSetId}": op("getTileMatrixSet", "Definition of a tile matrix set (OGC TMS 2.0 JSON).",
			[]any{tms}, docResponses("The tile matrix set."), "/tileMatrixSets/WebMercatorQuad"),
		"/tiles": op("getDatasetVectorTileSetsList", "Vector tilesets of every collection together.", []any{},
			docResponses("Tilesets list."), "/tiles"),
		"/tiles/{tileMatrixSetId}": op("getDatasetVectorTileSet", "Tileset metadata, or TileJSON with f=tilejson.",
			[]any{tms, collections, tilesetFormat}, docResponses("Tileset metadata or TileJSON 3.0.0."), "/tiles/WebMercatorQuad", "/tiles/WebMercatorQuad?f=tilejson"),
		"/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}": op("getDatasetVectorTile",
			"A tile with one layer per collection (Mapbox Vector Tile).", []any{tms, tileMatrix, tileRow, tileCol, collections}, tileResponses, "/tiles/WebMercatorQuad/0/0/0"),
		"/tiles/{z}/{x}/{y}.mvt": op("getDatasetVectorTileXYZ", "The same tile in XYZ order, for tools that want {z}/{x}/{y}.",
			[]any{path("z", "Zoom level.", whole), path("x", "Column.", whole), path("y", "Row.", whole), collections}, tileResponses, "/tiles/0/0/0.mvt"),
		"/collections/{collectionId}/tiles": op("getCollectionVectorTileSetsList", "Vector tilesets of a collection.",
			[]any{collectionID}, docResponses("Tilesets list.")),
		"/collections/{collectionId}/tiles/{tileMatrixSetId}": op("getCollectionVectorTileSet",
			"Tileset metadata of a collection, or TileJSON with f=tilejson.", []any{collectionID, tms, tilesetFormat},
			docResponses("Tileset metadata or TileJSON 3.0.0.")),
		"/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}": op("getCollectionVectorTile",
			"A tile of one collection (Mapbox Vector Tile, layer named by the collection id).",
			[]any{collectionID, tms, tileMatrix, tileRow, tileCol}, tileResponses),
		"/styles/default.json": op("getDefaultStyle", "MapLibre style of every collection (same origin, no glyphs or sprites).",
			[]any{}, map[string]any{"200": jsonOK("MapLibre style (version 8).")}, "/styles/default.json"),
		"/map": op("getMapPage", "The map page (HTML).", []any{}, map[string]any{"200": map[string]any{"description": "HTML page.",
			"content": map[string]any{"text/html": map[string]any{"schema": str}}}}, "/map"),
	}
}
