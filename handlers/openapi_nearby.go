package handlers

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/vn-opendata/geodata/catalog"
)

// nearbyOpenAPIPaths describes /nearby and every /collections/{id}/nearby as
// OpenAPI 3.0 path items (plain values, ready for json.Marshal), for the API
// document at /api to merge in. Each collection's path lists its properties as
// filter parameters, as its items do. Operations carry x-example-requests:
// requests, relative to the server, that show them (a test runs every one).
func nearbyOpenAPIPaths(region *catalog.Region, snaps []*catalog.Snapshot) map[string]any {
	ids := make([]string, len(snaps))
	for i, s := range snaps {
		ids[i] = s.ID()
	}
	at := fmt.Sprintf("lon=%g&lat=%g", region.Center[0], region.Center[1])
	examples := []string{"/nearby?" + at, "/nearby?" + at + "&radius=1000&limit=20", "/nearby?" + at + "&q=truong"}
	b := region.BBox
	examples = append(examples, "/nearby?"+at+"&"+url.Values{"filter": {
		fmt.Sprintf("S_INTERSECTS(geometry, BBOX(%g, %g, %g, %g))", b[0], b[1], b[2], b[3])}}.Encode())
	if len(ids) > 1 {
		examples = append(examples, "/nearby?"+at+"&k=5&collections="+url.QueryEscape(ids[0]+","+ids[1]))
	}
	common := []any{
		nearbyParam("lon", "Longitude of the point, WGS84 degrees (kinh độ).", true,
			map[string]any{"type": "number", "minimum": -180, "maximum": 180}),
		nearbyParam("lat", "Latitude of the point, WGS84 degrees (vĩ độ).", true,
			map[string]any{"type": "number", "minimum": -90, "maximum": 90}),
		nearbyParam("k", fmt.Sprintf("How many of the nearest features to return (default %d; k-nearest mode). "+
			"With radius, the k nearest within the radius.", defaultNearbyK), false,
			map[string]any{"type": "integer", "minimum": 1, "maximum": maxNearbyK, "default": defaultNearbyK}),
		nearbyParam("radius", "Distance in metres. Without k: every feature within it (radius mode), "+
			"nearest first, up to limit, with numberMatched.", false,
			map[string]any{"type": "number", "exclusiveMinimum": true, "minimum": 0, "maximum": maxNearbyRadius}),
		nearbyParam("limit", fmt.Sprintf("Radius mode only: how many features to return at most (default %d).", defaultNearbyLimit), false,
			map[string]any{"type": "integer", "minimum": 1, "maximum": maxNearbyLimit, "default": defaultNearbyLimit}),
		nearbyParam("q", "Name search, regardless of accents and case (\"truong\" finds \"Trường\"); "+
			"on the feature id in collections without a name property.", false, map[string]any{"type": "string"}),
		nearbyParam("f", "Format: GeoJSON only.", false, map[string]any{"type": "string", "enum": []string{"json", "geojson"}}),
		nearbyParam("lang", "Language of messages (vi, en).", false, map[string]any{"type": "string"}),
	}
	for _, p := range filterParamRefs() {
		common = append(common, map[string]any{"$ref": p.Ref})
	}
	collections := nearbyParam("collections", "Comma-separated collection ids to search (default: all).", false,
		map[string]any{"type": "array", "items": map[string]any{"type": "string", "enum": ids}})
	collections["style"], collections["explode"] = "form", false
	filters := map[string]any{
		"name": "properties", "in": "query", "style": "form", "explode": true,
		"description": "property=value filters on the collections' properties; a collection without the property is left out.",
		"schema":      map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}},
	}
	paths := map[string]any{
		"/nearby": nearbyPathItem("getNearby", "Nearest features of every collection / địa điểm gần nhất",
			append(append(common, collections), filters), examples),
	}
	for _, snap := range snaps {
		params := append([]any{}, common...)
		for _, p := range snap.Collection.Schema {
			params = append(params, nearbyParam(p.Name, "Features whose "+p.Name+" equals the value.", false,
				map[string]any{"type": "string"}))
		}
		path := "/collections/" + url.PathEscape(snap.ID()) + "/nearby"
		opID := "getNearby_" + strings.NewReplacer("-", "_", ".", "_").Replace(snap.ID())
		paths[path] = nearbyPathItem(opID, snap.Collection.Title+" — nearest / gần nhất", params,
			[]string{path + "?" + at + "&k=3"})
	}
	return paths
}

func nearbyParam(name, description string, required bool, schema map[string]any) map[string]any {
	p := map[string]any{"name": name, "in": "query", "description": description, "schema": schema}
	if required {
		p["required"] = true
	}
	return p
}

// nearbyPathItem is a GET operation answering the nearby FeatureCollection.
func nearbyPathItem(opID, summary string, params []any, examples []string) map[string]any {
	errorBody := map[string]any{"application/json": map[string]any{"schema": map[string]any{
		"type": "object", "required": []string{"code", "description"},
		"properties": map[string]any{
			"code":        map[string]any{"type": "string"},
			"description": map[string]any{"type": "string"},
			"parameter":   map[string]any{"type": "string", "description": "The parameter at fault."},
		}}}}
	return map[string]any{"get": map[string]any{
		"tags":        []string{"Nearby"},
		"summary":     summary,
		"operationId": opID,
		"description": "Features nearest to a WGS84 point by geodesic distance on the WGS84 ellipsoid (as PostGIS " +
			"ST_Distance(geography, geography, true)), nearest first. Each feature keeps its id and properties from its " +
			"collection's items and gains collection, distance_m (metres), bearing_deg (initial bearing from the point, " +
			"degrees clockwise from north) and, for lines and polygons, nearest_point [lon, lat]. A CQL2 filter searches " +
			"the collections whose queryables it fits and leaves the others out; if it fits none, the answer is 400.",
		"parameters": params,
		"responses": map[string]any{
			"200": map[string]any{"description": "A GeoJSON FeatureCollection sorted by distance; numberMatched in radius mode.",
				"headers": map[string]any{"ETag": map[string]any{"schema": map[string]any{"type": "string"}}},
				"content": map[string]any{mediaGeoJSON: map[string]any{"schema": nearbySchema()}}},
			"304": map[string]any{"description": "Not modified (If-None-Match)."},
			"400": map[string]any{"description": "A parameter is missing or invalid; the error names it.", "content": errorBody},
			"404": map[string]any{"description": "No such collection.", "content": errorBody},
		},
		"x-example-requests": examples,
	}}
}

func nearbySchema() map[string]any {
	number := map[string]any{"type": "number"}
	return map[string]any{
		"type": "object", "required": []string{"type", "numberReturned", "features"},
		"properties": map[string]any{
			"type":           map[string]any{"type": "string", "enum": []string{"FeatureCollection"}},
			"numberMatched":  map[string]any{"type": "integer", "description": "Radius mode: features within the radius."},
			"numberReturned": map[string]any{"type": "integer"},
			"timeStamp":      map[string]any{"type": "string", "format": "date-time"},
			"links":          map[string]any{"type": "array", "items": map[string]any{"type": "object"}},
			"features": map[string]any{"type": "array", "items": map[string]any{
				"type": "object", "required": []string{"type", "id", "geometry", "properties"},
				"properties": map[string]any{
					"type":     map[string]any{"type": "string", "enum": []string{"Feature"}},
					"id":       map[string]any{"type": "string"},
					"geometry": map[string]any{"type": "object"},
					"properties": map[string]any{"type": "object", "required": []string{"collection", "distance_m", "bearing_deg"},
						"properties": map[string]any{
							"collection":    map[string]any{"type": "string"},
							"distance_m":    number,
							"bearing_deg":   number,
							"nearest_point": map[string]any{"type": "array", "items": number, "minItems": 2, "maxItems": 2},
						}},
				}}},
		},
	}
}
