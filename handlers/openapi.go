package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/geo"
)

// apiPart is one part of the HTTP API — OGC API – Features and its extensions,
// operations, and later tiles, nearby search and filters — with the conformance
// classes it implements and the paths it serves. /conformance and the OpenAPI
// document at /api are assembled from the parts, so a feature declares itself in
// one place: a new part is a function returning an apiPart, listed in apiParts.
type apiPart struct {
	conformance []string
	tags        []apiTag                                         // the groups of its operations
	describe    func(d *apiDoc, snaps []*catalog.Snapshot) error // adds paths and components; nil when none
}

func (s *Server) apiParts() []apiPart {
	return []apiPart{s.featuresAPI(), crsAPI(), s.queryablesAPI(), s.filterAPI(), s.nearbyAPI(), tilesAPI(), catalogueAPI(), s.writesAPI(), s.operationsAPI()}
}

// conformanceClasses lists the classes of every part, each once.
func (s *Server) conformanceClasses() []string {
	var out []string
	for _, p := range s.apiParts() {
		for _, c := range p.conformance {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

// The OpenAPI 3.0 document, as plain types: the service builds it for the
// current collections, so every collection has its own paths with its
// queryables as parameters (GDAL and QGIS read them there).
type (
	apiDoc struct {
		OpenAPI    string                    `json:"openapi"`
		Info       apiInfo                   `json:"info"`
		Servers    []apiServer               `json:"servers"`
		Tags       []apiTag                  `json:"tags"`
		Paths      map[string]map[string]any `json:"paths"` // path → method → *apiOperation or a plain object
		Components apiComponents             `json:"components"`
	}
	apiInfo struct {
		Title       string     `json:"title"`
		Description string     `json:"description"`
		Version     string     `json:"version"`
		License     apiLicense `json:"license"`
	}
	apiLicense struct {
		Name string `json:"name"`
		URL  string `json:"url"`
	}
	apiServer struct {
		URL         string `json:"url"`
		Description string `json:"description"`
	}
	apiTag struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	}
	apiOperation struct {
		Tags        []string               `json:"tags"`
		Summary     string                 `json:"summary"`
		Description string                 `json:"description,omitempty"`
		OperationID string                 `json:"operationId"`
		Parameters  []apiParameter         `json:"parameters,omitempty"`
		RequestBody *apiRequestBody        `json:"requestBody,omitempty"`
		Responses   map[string]apiResponse `json:"responses"`
		Security    []map[string][]string  `json:"security,omitempty"`
		// Examples are requests (relative to the server URL) that show the
		// operation; the API page lists them and a test runs every one.
		Examples []string `json:"x-example-requests,omitempty"`
	}
	apiParameter struct {
		Ref         string         `json:"$ref,omitempty"`
		Name        string         `json:"name,omitempty"`
		In          string         `json:"in,omitempty"`
		Description string         `json:"description,omitempty"`
		Required    bool           `json:"required,omitempty"`
		Style       string         `json:"style,omitempty"`
		Explode     *bool          `json:"explode,omitempty"`
		Schema      map[string]any `json:"schema,omitempty"`
	}
	apiResponse struct {
		Ref         string               `json:"$ref,omitempty"`
		Description string               `json:"description,omitempty"`
		Headers     map[string]apiHeader `json:"headers,omitempty"`
		Content     map[string]apiMedia  `json:"content,omitempty"`
	}
	apiHeader struct {
		Ref         string         `json:"$ref,omitempty"`
		Description string         `json:"description,omitempty"`
		Schema      map[string]any `json:"schema,omitempty"`
	}
	apiRequestBody struct {
		Required bool                `json:"required,omitempty"`
		Content  map[string]apiMedia `json:"content"`
	}
	apiMedia struct {
		Schema map[string]any `json:"schema,omitempty"`
	}
	apiComponents struct {
		Parameters      map[string]apiParameter `json:"parameters"`
		Responses       map[string]apiResponse  `json:"responses"`
		Headers         map[string]apiHeader    `json:"headers"`
		Schemas         map[string]any          `json:"schemas"`
		SecuritySchemes map[string]any          `json:"securitySchemes,omitempty"`
	}
)

// OGC conformance classes implemented.
const (
	confCore       = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
	confOAS30      = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30"
	confHTML       = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html"
	confGeoJSON    = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
	confCRS        = "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"
	confQueryables = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables"
	confQueryParam = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters"
)

func ref(kind, name string) string { return "#/components/" + kind + "/" + name }

func schemaRef(name string) map[string]any { return map[string]any{"$ref": ref("schemas", name)} }

func paramRef(name string) apiParameter { return apiParameter{Ref: ref("parameters", name)} }

func respRef(name string) apiResponse { return apiResponse{Ref: ref("responses", name)} }

func arrayOf(items map[string]any) map[string]any {
	return map[string]any{"type": "array", "items": items}
}

var no = new(bool) // explode: false

// newAPIDoc starts the document with what every part shares: server, tags and
// the common parameters, headers, responses and schemas.
func (s *Server) newAPIDoc(base string) *apiDoc {
	region := s.cat.Region
	d := &apiDoc{
		OpenAPI: "3.0.3",
		Info: apiInfo{
			Title: "geodata — dữ liệu mở không gian " + region.Name,
			Description: "Open geospatial data of " + region.NameEn + " as OGC API – Features (Part 1 Core, GeoJSON, " +
				"HTML and OpenAPI 3.0; Part 2 coordinate reference systems, VN-2000 included; Part 3 queryables as query parameters and CQL2 filters, text and JSON). " +
				"Every response is answered from memory. A path not listed here answers 404 with an exception " +
				"document; every other error is an exception document too, as JSON or, for browsers, an HTML page. " +
				"Other methods than those listed answer 405. Besides the API, the service serves pages for citizens " +
				"(/gan-toi, /feedback/inbox) and their static files under /static/.",
			Version: s.cfg.Version,
			License: apiLicense{Name: "CC BY 4.0 (dữ liệu / data, unless a collection says otherwise)",
				URL: "https://creativecommons.org/licenses/by/4.0/"},
		},
		Servers: []apiServer{{URL: base, Description: "this service / dịch vụ này"}},
		Paths:   map[string]map[string]any{},
		Components: apiComponents{
			Parameters: map[string]apiParameter{
				"f": {Name: "f", In: "query", Description: "Format of the response (wins over the Accept header) / định dạng.",
					Schema: map[string]any{"type": "string", "enum": []string{"json", "html"}}},
				"f-json": {Name: "f", In: "query", Description: "Format of the response: JSON only.",
					Schema: map[string]any{"type": "string", "enum": []string{"json"}}},
				"f-items": {Name: "f", In: "query", Description: "Format of the response: GeoJSON (default), an HTML page, or CSV (UTF-8 with BOM; point coordinates in two columns, other geometries as WKT).",
					Schema: map[string]any{"type": "string", "enum": []string{"json", "html", "csv"}}},
				"lang": {Name: "lang", In: "query", Description: "Language of HTML pages: Vietnamese (default) or English. JSON responses carry both.",
					Schema: map[string]any{"type": "string", "enum": []string{"vi", "en"}, "default": "vi"}},
				"limit": {Name: "limit", In: "query", Style: "form", Explode: no,
					Description: fmt.Sprintf("Page size: at most %d features are returned (a larger value is clamped to it); default %d.", maxLimit, defaultLimit),
					Schema:      map[string]any{"type": "integer", "minimum": 1, "maximum": maxLimit, "default": defaultLimit}},
				"offset": {Name: "offset", In: "query", Style: "form", Explode: no,
					Description: "Number of matching features to skip; the next and prev links page with it.",
					Schema:      map[string]any{"type": "integer", "minimum": 0, "default": 0}},
				"bbox": {Name: "bbox", In: "query", Style: "form", Explode: no,
					Description: "Only features intersecting the box minx,miny,maxx,maxy (or with heights, 6 numbers), in the axis order of bbox-crs (default CRS84: lon,lat). A lon/lat box whose west edge is east of its east edge crosses the antimeridian.",
					Schema: map[string]any{"type": "array", "minItems": 4, "maxItems": 6,
						"items": map[string]any{"type": "number"}}},
				"bbox-crs": {Name: "bbox-crs", In: "query", Description: "Coordinate reference system of bbox (OGC URI); default CRS84.",
					Schema: map[string]any{"type": "string", "format": "uri", "enum": s.crs.uris(), "default": crs84}},
				"crs": {Name: "crs", In: "query", Description: "Coordinate reference system of the geometries in the response (OGC URI), in its axis order (EPSG:4326 and EPSG:4756 are latitude first); default CRS84. The Content-Crs header names it.",
					Schema: map[string]any{"type": "string", "format": "uri", "enum": s.crs.uris(), "default": crs84}},
				"datetime": {Name: "datetime", In: "query",
					Description: "Only features whose time (the collection's temporal property) intersects an RFC 3339 instant or date, or an interval START/END where .. leaves an end open. Collections without a temporal property answer 400.",
					Schema:      map[string]any{"type": "string"}},
			},
			Headers: map[string]apiHeader{
				"ETag":          {Description: "Version of this representation; send it in If-None-Match to get 304.", Schema: map[string]any{"type": "string"}},
				"Cache-Control": {Description: "How long the response may be reused.", Schema: map[string]any{"type": "string"}},
				"Content-Crs":   {Description: "The coordinate reference system of the geometries, as <URI>.", Schema: map[string]any{"type": "string"}},
				"Link":          {Description: "The next and prev pages as RFC 8288 links.", Schema: map[string]any{"type": "string"}},
			},
			Responses: map[string]apiResponse{
				"NotModified": {Description: "The client's copy (If-None-Match) is current.",
					Headers: map[string]apiHeader{"ETag": {Ref: ref("headers", "ETag")}}},
				"BadRequest": {Description: "A parameter is unknown or has a wrong value; the exception names it.",
					Content: errorContent()},
				"NotFound": {Description: "No such resource.", Content: errorContent()},
				"ServerError": {Description: "An internal error; the X-Request-Id header identifies it in the logs.",
					Content: errorContent()},
				"Preflight": {Description: "The methods and headers a client may use (CORS preflight).",
					Headers: map[string]apiHeader{
						"Allow":                        {Schema: map[string]any{"type": "string"}},
						"Access-Control-Allow-Methods": {Schema: map[string]any{"type": "string"}},
					}},
			},
			Schemas: commonSchemas(),
		},
	}
	return d
}

func errorContent() map[string]apiMedia {
	return map[string]apiMedia{mediaJSON: {Schema: schemaRef("exception")}, mediaHTML: {Schema: map[string]any{"type": "string"}}}
}

func commonSchemas() map[string]any {
	str := map[string]any{"type": "string"}
	return map[string]any{
		"link": map[string]any{"type": "object", "required": []string{"href", "rel"},
			"properties": map[string]any{"href": str, "rel": str, "type": str, "title": str, "hreflang": str}},
		"exception": map[string]any{"type": "object", "required": []string{"code", "description"},
			"properties": map[string]any{"code": str, "description": str, "parameter": str,
				"status": map[string]any{"type": "integer"}}},
		"landingPage": map[string]any{"type": "object", "required": []string{"links"},
			"properties": map[string]any{"title": str, "description": str, "links": arrayOf(schemaRef("link"))}},
		"confClasses": map[string]any{"type": "object", "required": []string{"conformsTo"},
			"properties": map[string]any{"conformsTo": arrayOf(str)}},
		"extent": map[string]any{"type": "object", "properties": map[string]any{
			"spatial": map[string]any{"type": "object", "properties": map[string]any{
				"bbox": arrayOf(map[string]any{"type": "array", "minItems": 4, "maxItems": 6, "items": map[string]any{"type": "number"}}),
				"crs":  str}},
			"temporal": map[string]any{"type": "object", "properties": map[string]any{
				"interval": arrayOf(map[string]any{"type": "array", "minItems": 2, "maxItems": 2,
					"items": map[string]any{"type": "string", "format": "date-time", "nullable": true}}),
				"trs": str}}}},
		"collection": map[string]any{"type": "object", "required": []string{"id", "links"},
			"properties": map[string]any{
				"id": str, "title": str, "description": str, "keywords": arrayOf(str),
				"links": arrayOf(schemaRef("link")), "extent": schemaRef("extent"),
				"itemType": str, "crs": arrayOf(str), "storageCrs": str,
				"catalog":    map[string]any{"type": "object", "description": "Catalogue metadata in the fields of the province's open-data template."},
				"properties": arrayOf(map[string]any{"type": "object", "properties": map[string]any{"name": str, "type": str, "title": str}}),
			}},
		"collections": map[string]any{"type": "object", "required": []string{"links", "collections"},
			"properties": map[string]any{"links": arrayOf(schemaRef("link")), "crs": arrayOf(str),
				"collections": arrayOf(schemaRef("collection"))}},
		"geometryGeoJSON": map[string]any{"type": "object", "required": []string{"type"}, "properties": map[string]any{
			"type": map[string]any{"type": "string", "enum": []string{"Point", "MultiPoint", "LineString",
				"MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"}},
			"coordinates": map[string]any{"type": "array", "items": map[string]any{}},
			"geometries":  arrayOf(map[string]any{"type": "object"}),
		}},
		"jsonSchema": map[string]any{"type": "object", "required": []string{"$schema", "type", "properties"},
			"description": "A JSON Schema (2020-12) document."},
		"html": map[string]any{"type": "string", "description": "An HTML page in Vietnamese (lang=en: English)."},
		"csv":  map[string]any{"type": "string", "description": "CSV, UTF-8 with BOM, CRLF line ends, a header row."},
	}
}

// get adds a GET operation of this API part to path; every one can also
// answer 304, 400 and 500.
func (d *apiDoc) get(path string, op apiOperation) {
	op.Responses["304"] = respRef("NotModified")
	op.Responses["400"] = respRef("BadRequest")
	op.Responses["500"] = respRef("ServerError")
	d.add(path, op)
}

// add puts a GET operation at path with its HEAD (the same without a body) and
// OPTIONS (CORS preflight) companions, which every GET route answers.
func (d *apiDoc) add(path string, op apiOperation) {
	head := op
	head.OperationID = op.OperationID + "Head"
	head.Summary = op.Summary + " (headers only)"
	head.Description = ""
	head.Examples = nil
	head.Responses = map[string]apiResponse{}
	for code, resp := range op.Responses {
		if resp.Ref == "" {
			resp.Content = nil
		}
		head.Responses[code] = resp
	}
	options := apiOperation{Tags: op.Tags, Summary: "Allowed methods (CORS preflight)",
		OperationID: op.OperationID + "Options", Responses: map[string]apiResponse{"204": respRef("Preflight")}}
	for _, p := range op.Parameters {
		if p.In == "path" {
			options.Parameters = append(options.Parameters, p)
		}
	}
	if d.Paths[path] == nil {
		d.Paths[path] = map[string]any{}
	}
	d.Paths[path]["get"], d.Paths[path]["head"], d.Paths[path]["options"] = &op, &head, &options
}

// merge adds the path items another part describes as plain objects; their GET
// operations gain HEAD, OPTIONS and the 500 every handler may answer.
func (d *apiDoc) merge(items map[string]any) error {
	for path, item := range items {
		methods, ok := item.(map[string]any)
		if !ok {
			return fmt.Errorf("path item %s is %T", path, item)
		}
		for method, raw := range methods {
			if method != "get" {
				if d.Paths[path] == nil {
					d.Paths[path] = map[string]any{}
				}
				d.Paths[path][method] = raw
				continue
			}
			var op apiOperation
			b, err := json.Marshal(raw)
			if err == nil {
				err = json.Unmarshal(b, &op)
			}
			if err != nil {
				return fmt.Errorf("GET %s: %w", path, err)
			}
			if _, ok := op.Responses["500"]; !ok {
				op.Responses["500"] = respRef("ServerError")
			}
			d.add(path, op)
		}
	}
	return nil
}

// ok is a 200 response with the caching headers and the given contents.
func ok(description string, content map[string]apiMedia, headers ...string) map[string]apiResponse {
	h := map[string]apiHeader{"ETag": {Ref: ref("headers", "ETag")}, "Cache-Control": {Ref: ref("headers", "Cache-Control")}}
	for _, name := range headers {
		h[name] = apiHeader{Ref: ref("headers", name)}
	}
	return map[string]apiResponse{"200": {Description: description, Headers: h, Content: content}}
}

func jsonAndHTML(schema string) map[string]apiMedia {
	return map[string]apiMedia{mediaJSON: {Schema: schemaRef(schema)}, mediaHTML: {Schema: schemaRef("html")}}
}

// featuresAPI is OGC API – Features Part 1: the landing page, conformance, this
// document, collections and their features.
func (s *Server) featuresAPI() apiPart {
	return apiPart{
		conformance: []string{confCore, confOAS30, confHTML, confGeoJSON},
		tags: []apiTag{
			{Name: "Capabilities", Description: "What the service offers / năng lực của dịch vụ"},
			{Name: "Data", Description: "Collections and their features / tập dữ liệu và đối tượng"},
		},
		describe: func(d *apiDoc, snaps []*catalog.Snapshot) error {
			common := []apiParameter{paramRef("f"), paramRef("lang")}
			d.get("/", apiOperation{Tags: []string{"Capabilities"}, OperationID: "getLandingPage",
				Summary:     "Landing page / trang chủ",
				Description: "Links to the API definition, the conformance declaration and the collections. Browsers get the map of every collection.",
				Parameters:  common, Responses: ok("The landing page.", jsonAndHTML("landingPage")),
				Examples: []string{"/?f=json", "/?f=html&lang=en"}})
			d.get("/conformance", apiOperation{Tags: []string{"Capabilities"}, OperationID: "getConformance",
				Summary:    "Conformance classes implemented / các lớp tuân thủ",
				Parameters: common, Responses: ok("The conformance declaration.", jsonAndHTML("confClasses")),
				Examples: []string{"/conformance", "/conformance?f=html"}})
			d.get("/api", apiOperation{Tags: []string{"Capabilities"}, OperationID: "getAPI",
				Summary:     "This API definition (OpenAPI 3.0) / mô tả API",
				Description: "As JSON for tools, or as an HTML page for people (the service-doc link).",
				Parameters:  common,
				Responses: ok("The API definition.", map[string]apiMedia{
					mediaOpenAPI: {Schema: map[string]any{"type": "object"}}, mediaHTML: {Schema: schemaRef("html")}}),
				Examples: []string{"/api", "/api?f=html"}})
			d.get("/collections", apiOperation{Tags: []string{"Data"}, OperationID: "getCollections",
				Summary:    "The collections / các tập dữ liệu",
				Parameters: common, Responses: ok("Every collection with its extent, CRSs and links.", jsonAndHTML("collections")),
				Examples: []string{"/collections", "/collections?f=html"}})
			for _, snap := range snaps {
				describeCollection(d, snap, s.indexes.of(snap).temporal)
			}
			return nil
		},
	}
}

// describeCollection adds the paths of one collection: its description, its
// items with the collection's queryables as parameters, and one item.
func describeCollection(d *apiDoc, snap *catalog.Snapshot, times *temporalIndex) {
	id, c := snap.ID(), snap.Collection
	path := "/collections/" + id
	opID := strings.NewReplacer("-", "_", ".", "_").Replace(id)
	d.get(path, apiOperation{Tags: []string{"Data"}, OperationID: "describeCollection_" + opID,
		Summary:    c.Title + " — description / mô tả tập dữ liệu",
		Parameters: []apiParameter{paramRef("f"), paramRef("lang")},
		Responses:  ok("The collection.", jsonAndHTML("collection")),
		Examples:   []string{path, path + "?f=html"}})

	d.Components.Schemas["properties_"+id] = propertiesSchema(snap)
	d.Components.Schemas["feature_"+id] = map[string]any{"type": "object", "required": []string{"type", "geometry", "properties"},
		"properties": map[string]any{
			"type": map[string]any{"type": "string", "enum": []string{"Feature"}}, "id": map[string]any{"type": "string"},
			"geometry": schemaRef("geometryGeoJSON"), "properties": schemaRef("properties_" + id),
			"links": arrayOf(schemaRef("link"))}}
	d.Components.Schemas["featureCollection_"+id] = map[string]any{"type": "object",
		"required": []string{"type", "features", "links", "numberMatched", "numberReturned", "timeStamp"},
		"properties": map[string]any{
			"type":           map[string]any{"type": "string", "enum": []string{"FeatureCollection"}},
			"features":       arrayOf(schemaRef("feature_" + id)),
			"links":          arrayOf(schemaRef("link")),
			"numberMatched":  map[string]any{"type": "integer", "minimum": 0},
			"numberReturned": map[string]any{"type": "integer", "minimum": 0},
			"timeStamp":      map[string]any{"type": "string", "format": "date-time"}}}

	params := []apiParameter{paramRef("f-items"), paramRef("lang"), paramRef("limit"), paramRef("offset"),
		paramRef("bbox"), paramRef("bbox-crs"), paramRef("crs")}
	if times != nil {
		params = append(params, paramRef("datetime"))
	}
	params = append(params, filterParamRefs()...)
	var names, sortable []string
	for _, p := range c.Schema {
		names = append(names, p.Name)
		if simpleType(p.Type) {
			sortable = append(sortable, p.Name, "+"+p.Name, "-"+p.Name)
		}
	}
	// A list parameter is an array of names, unless a name holds a comma: then
	// only a string can carry it (the server splits it by the names it knows).
	list := func(enum []string) map[string]any {
		for _, n := range enum {
			if strings.Contains(n, ",") {
				return map[string]any{"type": "string"}
			}
		}
		return arrayOf(map[string]any{"type": "string", "enum": enum})
	}
	params = append(params,
		apiParameter{Name: "properties", In: "query", Style: "form", Explode: no,
			Description: "Only these properties (comma-separated: " + strings.Join(names, "; ") + "); the geometry is always returned.",
			Schema:      list(names)},
		apiParameter{Name: "sortby", In: "query", Style: "form", Explode: no,
			Description: "Sort by these queryables (comma-separated), ascending or, with a - prefix, descending; text in Vietnamese alphabetical order, nulls last (first when descending).",
			Schema:      list(sortable)})
	for _, p := range c.Schema {
		if !simpleType(p.Type) || slices.Contains(itemsParams, p.Name) {
			continue
		}
		params = append(params, apiParameter{Name: p.Name, In: "query",
			Description: "Only features whose " + p.Name + " equals this value (queryable).", Schema: propertySchema(p)})
	}
	items := path + "/items"
	d.get(items, apiOperation{Tags: []string{"Data"}, OperationID: "getFeatures_" + opID,
		Summary:     c.Title + " — features / các đối tượng",
		Description: "A page of features with numberMatched, numberReturned and next/prev links that keep every other parameter.",
		Parameters:  params,
		Responses: ok("A page of features.", map[string]apiMedia{
			mediaGeoJSON: {Schema: schemaRef("featureCollection_" + id)}, mediaHTML: {Schema: schemaRef("html")},
			mediaCSV: {Schema: schemaRef("csv")}}, "Content-Crs", "Link"),
		Examples: itemsExamples(items, snap, times)})

	item := items + "/{featureId}"
	itemOK := ok("The feature.", map[string]apiMedia{
		mediaGeoJSON: {Schema: schemaRef("feature_" + id)}, mediaHTML: {Schema: schemaRef("html")}}, "Content-Crs")
	itemOK["404"] = respRef("NotFound")
	var examples []string
	if len(snap.Features) > 0 {
		fid := url.PathEscape(snap.Features[0].ID)
		examples = []string{items + "/" + fid, items + "/" + fid + "?crs=" + url.QueryEscape(epsg4326), items + "/" + fid + "?f=html"}
	}
	d.get(item, apiOperation{Tags: []string{"Data"}, OperationID: "getFeature_" + opID,
		Summary: c.Title + " — one feature / một đối tượng",
		Parameters: []apiParameter{
			{Name: "featureId", In: "path", Required: true, Description: "Id of the feature.", Schema: map[string]any{"type": "string"}},
			paramRef("f"), paramRef("lang"), paramRef("crs")},
		Responses: itemOK, Examples: examples})
}

// propertiesSchema describes the properties of a collection's features: each
// may be null, and no other appears.
func propertiesSchema(snap *catalog.Snapshot) map[string]any {
	props := map[string]any{}
	for _, p := range snap.Collection.Schema {
		ps := propertySchema(p)
		ps["nullable"] = true
		if p.Type == "object" || p.Type == "array" || p.Type == "" {
			ps = map[string]any{"nullable": true}
		}
		props[p.Name] = ps
	}
	return map[string]any{"type": "object", "properties": props, "additionalProperties": false}
}

// itemsExamples are example requests on a collection's items, built from its data
// so that each returns features.
func itemsExamples(items string, snap *catalog.Snapshot, times *temporalIndex) []string {
	ex := []string{items + "?limit=5", items + "?limit=5&offset=5", items + "?f=html", items + "?f=csv&limit=5"}
	if len(snap.Features) == 0 {
		return ex
	}
	f := &snap.Features[0]
	b := f.Bound.Pad(0.01)
	ex = append(ex, fmt.Sprintf("%s?bbox=%.4f,%.4f,%.4f,%.4f", items, b.Min[0], b.Min[1], b.Max[0], b.Max[1]))
	if merc, err := geo.LookupCRS(epsg3857); err == nil {
		x0, y0, err0 := merc.FromWGS84(b.Min[0], b.Min[1])
		x1, y1, err1 := merc.FromWGS84(b.Max[0], b.Max[1])
		if err0 == nil && err1 == nil {
			ex = append(ex, fmt.Sprintf("%s?bbox=%.0f,%.0f,%.0f,%.0f&bbox-crs=%s", items, x0, y0, x1, y1, url.QueryEscape(epsg3857)))
		}
	}
	ex = append(ex, items+"?limit=2&crs="+url.QueryEscape(epsg3857), items+"?limit=2&crs="+url.QueryEscape(epsg4326))
	schema := snap.Collection.Schema
	for i, p := range schema {
		if p.Type != "string" || f.Props[i] == nil {
			continue
		}
		v := url.Values{p.Name: {catalog.ValueText(f.Props[i])}}
		ex = append(ex, items+"?"+v.Encode(), items+"?limit=5&sortby=-"+url.QueryEscape(p.Name))
		break
	}
	if len(schema) >= 2 {
		ex = append(ex, items+"?limit=3&properties="+url.QueryEscape(schema[0].Name+","+schema[1].Name))
	}
	ex = append(ex, filterExamples(items, snap)...)
	if times != nil && !times.extent.start.IsZero() {
		mid := times.extent.start.Add(times.extent.end.Sub(times.extent.start) / 2)
		ex = append(ex, items+"?datetime="+url.QueryEscape(mid.UTC().Format("2006-01-02T15:04:05Z")+"/.."),
			items+"?datetime="+url.QueryEscape(times.extent.start.UTC().Format("2006-01-02")))
	}
	return ex
}

// crsAPI is OGC API – Features Part 2: its parameters are part of the items and
// item operations, its lists part of the collection descriptions.
func crsAPI() apiPart {
	return apiPart{conformance: []string{confCRS}}
}

// queryablesAPI is the queryables of OGC API – Features Part 3 and the schema of
// Part 5 (draft, so not declared) of every collection.
func (s *Server) queryablesAPI() apiPart {
	return apiPart{
		conformance: []string{confQueryables, confQueryParam},
		tags:        []apiTag{{Name: "Schemas", Description: "Queryables and schemas of the collections / thuộc tính và lược đồ"}},
		describe: func(d *apiDoc, snaps []*catalog.Snapshot) error {
			for _, snap := range snaps {
				path := "/collections/" + snap.ID()
				opID := strings.NewReplacer("-", "_", ".", "_").Replace(snap.ID())
				content := map[string]apiMedia{mediaSchema: {Schema: schemaRef("jsonSchema")}}
				params := []apiParameter{paramRef("f-json"), paramRef("lang")}
				d.get(path+"/queryables", apiOperation{Tags: []string{"Schemas"}, OperationID: "getQueryables_" + opID,
					Summary:     snap.Collection.Title + " — queryables / thuộc tính lọc được",
					Description: "The properties usable as name=value parameters and in sortby, as JSON Schema 2020-12.",
					Parameters:  params, Responses: ok("The queryables.", content),
					Examples: []string{path + "/queryables"}})
				d.get(path+"/schema", apiOperation{Tags: []string{"Schemas"}, OperationID: "getSchema_" + opID,
					Summary:     snap.Collection.Title + " — schema / lược đồ",
					Description: "Every property of the features, in order (x-ogc-propertySeq), as JSON Schema 2020-12.",
					Parameters:  params, Responses: ok("The schema.", content),
					Examples: []string{path + "/schema"}})
			}
			return nil
		},
	}
}

// nearbyAPI is the nearest-feature search (nearby.go), described there.
func (s *Server) nearbyAPI() apiPart {
	return apiPart{
		tags: []apiTag{{Name: "Nearby", Description: "Nearest features by geodesic distance / địa điểm gần nhất"}},
		describe: func(d *apiDoc, snaps []*catalog.Snapshot) error {
			return d.merge(nearbyOpenAPIPaths(s.cat.Region, snaps))
		},
	}
}

// tilesAPI is OGC API – Tiles with the style and the map page (tiles.go),
// described in tiles_openapi.go.
func tilesAPI() apiPart {
	return apiPart{
		conformance: tilesConformance,
		tags:        []apiTag{{Name: "Tiles", Description: "Vector tiles, style and map / bản đồ vector"}},
		describe: func(d *apiDoc, _ []*catalog.Snapshot) error {
			return d.merge(tilesOpenAPIPaths())
		},
	}
}

// catalogueAPI is the open-data catalogue, downloads and feedback (catalogue.go),
// described in openapi_catalogue.go.
func catalogueAPI() apiPart {
	return apiPart{
		tags: []apiTag{
			{Name: "Catalogue", Description: "The open-data catalogue and the agencies / danh mục dữ liệu mở và đơn vị"},
			{Name: "Downloads", Description: "Whole collections as files / tải về"},
			{Name: "Feedback", Description: "Citizens' feedback / góp ý"},
		},
		describe: func(d *apiDoc, _ []*catalog.Snapshot) error {
			d.Components.SecuritySchemes = catalogOpenAPISecuritySchemes()
			return d.merge(catalogOpenAPIPaths())
		},
	}
}

// operationsAPI is the health endpoints for load balancers and monitoring.
func (s *Server) operationsAPI() apiPart {
	return apiPart{
		tags: []apiTag{{Name: "Operations", Description: "Health of the service / tình trạng dịch vụ"}},
		describe: func(d *apiDoc, _ []*catalog.Snapshot) error {
			status := map[string]apiMedia{mediaJSON: {Schema: map[string]any{"type": "object", "required": []string{"status"},
				"properties": map[string]any{"status": map[string]any{"type": "string"}}}}}
			d.get("/healthz", apiOperation{Tags: []string{"Operations"}, OperationID: "getHealth",
				Summary: "Liveness: the process answers", Responses: map[string]apiResponse{"200": {Description: "Alive.", Content: status}},
				Examples: []string{"/healthz"}})
			d.get("/readyz", apiOperation{Tags: []string{"Operations"}, OperationID: "getReadiness",
				Summary:     "Readiness: every collection is loaded",
				Description: "status is ready, degraded (answering from memory while the database is down) or loading (503).",
				Responses: map[string]apiResponse{"200": {Description: "Ready or degraded.", Content: status},
					"503": {Description: "Still loading.", Content: status}},
				Examples: []string{"/readyz"}})
			metrics := apiOperation{Tags: []string{"Operations"}, OperationID: "getMetrics",
				Summary: "Prometheus metrics (text exposition format)",
				Responses: map[string]apiResponse{"200": {Description: "The metrics.",
					Content: map[string]apiMedia{"text/plain": {Schema: map[string]any{"type": "string"}}}}},
				Examples: []string{"/metrics"}}
			d.add("/metrics", metrics)
			delete(d.Paths["/metrics"], "head") // the metrics handler answers GET only
			return nil
		},
	}
}

// apiDocument builds the OpenAPI document for the current collections.
func (s *Server) apiDocument(base string) (*apiDoc, error) {
	d := s.newAPIDoc(base)
	snaps := s.cat.Snapshots()
	for _, p := range s.apiParts() {
		d.Tags = append(d.Tags, p.tags...)
		if p.describe == nil {
			continue
		}
		if err := p.describe(d, snaps); err != nil {
			return nil, fmt.Errorf("API document: %w", err)
		}
	}
	return d, nil
}

var apiOffers = []representation{reprOpenAPI, reprHTML}

// api answers /api: the OpenAPI document (service-desc) or its HTML page (service-doc).
func (s *Server) api(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r, "f", "lang"); err != nil {
		return err
	}
	repr, err := negotiate(r, apiOffers...)
	if err != nil {
		return err
	}
	if s.upToDate(w, r, s.catalogVersion(), repr) {
		return nil
	}
	doc, err := s.apiDocument(s.baseURL(r))
	if err != nil {
		return err
	}
	if repr.F == "html" {
		page, err := apiPage(doc)
		if err != nil {
			return err
		}
		return s.render(w, r, "api.html", pageData{Title: inLang(r, "Tài liệu API", "API documentation"), Data: page})
	}
	return writeJSON(w, mediaOpenAPI, doc)
}
