package handlers

import (
	"fmt"
	"strings"

	"github.com/vn-opendata/geodata/catalog"
)

// OGC API – Features Part 4 (OGC 20-002) conformance classes implemented.
const (
	confCreateReplaceDelete = "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete"
	confUpdate              = "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update"
	confOptimisticLocking   = "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/optimistic-locking-etags"
)

// writesAPI is OGC API – Features Part 4 on every collection's items, and the
// agencies' write API: collection descriptions, uploads, their jobs and the
// audit trail of versions.
func (s *Server) writesAPI() apiPart {
	return apiPart{
		conformance: []string{confCreateReplaceDelete, confUpdate, confOptimisticLocking},
		tags:        []apiTag{{Name: "Writes", Description: "Agencies publish and correct their datasets, with their token / đơn vị cập nhật dữ liệu của mình"}},
		describe: func(d *apiDoc, snaps []*catalog.Snapshot) error {
			writeComponents(d, s.wcfg)
			for _, snap := range snaps {
				describeItemWrites(d, snap)
			}
			describeCollectionWrites(d, s.wcfg, snaps)
			return nil
		},
	}
}

// writeResponses are the errors every write may answer.
func writeResponses(codes ...string) map[string]apiResponse {
	names := map[string]string{"400": "BadRequest", "401": "Unauthorized", "403": "Forbidden", "404": "NotFound",
		"409": "Conflict", "412": "PreconditionFailed", "413": "PayloadTooLarge", "415": "UnsupportedMediaType",
		"429": "TooManyRequests", "500": "ServerError", "503": "Unavailable"}
	out := map[string]apiResponse{}
	for _, c := range append(codes, "400", "401", "429", "500", "503") {
		out[c] = respRef(names[c])
	}
	return out
}

func writeComponents(d *apiDoc, cfg WritesConfig) {
	str := map[string]any{"type": "string"}
	for name, desc := range map[string]string{
		"Unauthorized":         "No token, or an unknown, revoked or expired one (Authorization: Bearer <token>).",
		"Forbidden":            "The token's agency does not publish this collection (an admin token writes every one).",
		"Conflict":             "The write contradicts the stored state: the id exists, or a property that holds data would go.",
		"PreconditionFailed":   "If-Match names another state of the feature: someone changed it since you read it; read it again.",
		"PayloadTooLarge":      fmt.Sprintf("The body is too large (writes: %d bytes; uploads: %d MiB).", cfg.MaxBodyBytes, cfg.MaxUploadBytes>>20),
		"UnsupportedMediaType": "The body is not of a media type the operation takes.",
	} {
		d.Components.Responses[name] = apiResponse{Description: desc, Content: errorContent()}
	}
	d.Components.Responses["TooManyRequests"] = apiResponse{Description: "Too many writes from this client; Retry-After says when to retry.",
		Headers: map[string]apiHeader{"Retry-After": {Ref: ref("headers", "Retry-After")}}, Content: errorContent()}
	d.Components.Responses["Unavailable"] = apiResponse{Description: "The database does not answer (or not in time); the write was not made. Retry-After says when to retry.",
		Headers: map[string]apiHeader{"Retry-After": {Ref: ref("headers", "Retry-After")}}, Content: errorContent()}
	d.Components.Headers["Retry-After"] = apiHeader{Description: "Seconds to wait before retrying.", Schema: map[string]any{"type": "integer"}}
	d.Components.Headers["Location"] = apiHeader{Description: "URL of the resource created.", Schema: map[string]any{"type": "string", "format": "uri"}}
	d.Components.Parameters["If-Match"] = apiParameter{Name: "If-Match", In: "header",
		Description: "The ETag of the feature as you read it: the write is made only if nobody changed the feature since (else 412).",
		Schema:      str}
	d.Components.Schemas["job"] = map[string]any{"type": "object", "required": []string{"id", "collection", "state", "links"},
		"properties": map[string]any{
			"id": map[string]any{"type": "integer"}, "collection": str,
			"state":     map[string]any{"type": "string", "enum": []string{"queued", "running", "succeeded", "failed"}},
			"phase":     str,
			"progress":  map[string]any{"type": "number", "minimum": 0, "maximum": 1},
			"rows_done": map[string]any{"type": "integer"}, "options": map[string]any{"type": "object"},
			"report":  map[string]any{"type": "object", "description": "the validation report: rows read, accepted, rejected, and each problem with its line and column"},
			"version": map[string]any{"type": "integer", "description": "the collection version the import made"},
			"error":   str, "agency": str, "source_name": str,
			"created_at": map[string]any{"type": "string", "format": "date-time"},
			"started_at": map[string]any{"type": "string", "format": "date-time"}, "finished_at": map[string]any{"type": "string", "format": "date-time"},
			"links": arrayOf(schemaRef("link"))}}
	d.Components.Schemas["collectionDescription"] = map[string]any{"type": "object", "additionalProperties": false,
		"description": "Catalogue metadata (fields left out keep their value) and, for writes through the API, the geometry type and property schema.",
		"properties": map[string]any{
			"title": str, "title_en": str, "description": str, "agency": str, "first_published": map[string]any{"type": "string", "format": "date"},
			"frequency": str, "notes": str, "theme": str, "license": map[string]any{"type": "string", "format": "uri"}, "attribution": str,
			"keywords": arrayOf(str), "contact": str, "contact_email": str, "contact_phone": str, "temporal_property": str,
			"temporal_start": map[string]any{"type": "string", "format": "date"}, "temporal_end": map[string]any{"type": "string", "format": "date"},
			"catalog_no":    map[string]any{"type": "integer", "minimum": 1},
			"geometry_type": map[string]any{"type": "string", "enum": geometryTypes},
			"schema": arrayOf(map[string]any{"type": "object", "required": []string{"name", "type"}, "properties": map[string]any{
				"name": str, "type": map[string]any{"type": "string", "enum": propertyTypes}, "title": str}}),
		}}
}

var secured = []map[string][]string{{catalogOpenAPISecurity: {}}}

// describeItemWrites adds Create, Replace, Update and Delete of one collection.
func describeItemWrites(d *apiDoc, snap *catalog.Snapshot) {
	id := snap.ID()
	opID := strings.NewReplacer("-", "_", ".", "_").Replace(id)
	items := "/collections/" + id + "/items"
	feature := map[string]apiMedia{mediaGeoJSON: {Schema: schemaRef("feature_" + id)}, mediaJSON: {Schema: schemaRef("feature_" + id)}}
	written := func(desc string) apiResponse {
		return apiResponse{Description: desc, Content: map[string]apiMedia{mediaGeoJSON: {Schema: schemaRef("feature_" + id)}},
			Headers: map[string]apiHeader{"ETag": {Ref: ref("headers", "ETag")}}}
	}
	created := written("Created; the body is the feature as stored, Location its URL.")
	created.Headers["Location"] = apiHeader{Ref: ref("headers", "Location")}
	create := writeResponses("403", "404", "409", "413", "415")
	create["201"] = created
	d.put(items, "post", &apiOperation{Tags: []string{"Writes"}, OperationID: "createFeature_" + opID, Security: secured,
		Summary: snap.Collection.Title + " — add a feature / thêm đối tượng",
		Description: "A GeoJSON Feature whose properties are properties of the collection (an unknown one answers 400 naming it) " +
			"with values of their types, and a valid geometry of the collection's type (a single geometry in a Multi* collection is promoted), " +
			"in CRS84 or in the system the Content-Crs header names. Its id is the body's, else one is made. The answer comes once this server serves the new version.",
		RequestBody: &apiRequestBody{Required: true, Content: feature}, Responses: create})

	featureID := apiParameter{Name: "featureId", In: "path", Required: true, Description: "Id of the feature.", Schema: map[string]any{"type": "string"}}
	params := []apiParameter{featureID, paramRef("If-Match")}
	replace := writeResponses("403", "404", "412", "413", "415")
	replace["200"] = written("Replaced; the body is the feature as stored.")
	d.put(items+"/{featureId}", "put", &apiOperation{Tags: []string{"Writes"}, OperationID: "replaceFeature_" + opID, Security: secured,
		Summary: snap.Collection.Title + " — replace a feature / thay thế đối tượng", Parameters: params,
		RequestBody: &apiRequestBody{Required: true, Content: feature}, Responses: replace})
	update := writeResponses("403", "404", "412", "413", "415")
	update["200"] = written("Updated; the body is the feature as stored.")
	d.put(items+"/{featureId}", "patch", &apiOperation{Tags: []string{"Writes"}, OperationID: "updateFeature_" + opID, Security: secured,
		Summary:     snap.Collection.Title + " — change part of a feature / sửa một phần đối tượng",
		Description: "A JSON merge patch (RFC 7396) of the feature: a geometry replaces the old one; properties are merged one level deep, null removing one.",
		Parameters:  params,
		RequestBody: &apiRequestBody{Required: true, Content: map[string]apiMedia{mediaMergePatch: {Schema: map[string]any{"type": "object",
			"properties": map[string]any{"type": map[string]any{"type": "string", "enum": []string{"Feature"}},
				"geometry": schemaRef("geometryGeoJSON"), "properties": map[string]any{"type": "object", "nullable": true}}}}}},
		Responses: update})
	remove := writeResponses("403", "404", "412")
	remove["204"] = apiResponse{Description: "Deleted."}
	d.put(items+"/{featureId}", "delete", &apiOperation{Tags: []string{"Writes"}, OperationID: "deleteFeature_" + opID, Security: secured,
		Summary: snap.Collection.Title + " — delete a feature / xóa đối tượng", Parameters: params, Responses: remove})
}

// describeCollectionWrites adds what any collection id takes, new or not:
// its description, uploads, jobs and the version history.
func describeCollectionWrites(d *apiDoc, cfg WritesConfig, snaps []*catalog.Snapshot) {
	str := map[string]any{"type": "string"}
	colID := apiParameter{Name: "collectionId", In: "path", Required: true, Description: "Id of the collection: lower-case letters, digits, - and _.",
		Schema: map[string]any{"type": "string", "pattern": collectionID.String()}}
	doc := map[string]apiMedia{mediaJSON: {Schema: schemaRef("collection")}}
	put := writeResponses("403", "409", "413", "415")
	put["200"] = apiResponse{Description: "Described; the body is the collection.", Content: doc}
	put["201"] = apiResponse{Description: "Created, empty; Location is its URL.", Content: doc,
		Headers: map[string]apiHeader{"Location": {Ref: ref("headers", "Location")}}}
	d.put("/collections/{collectionId}", "put", &apiOperation{Tags: []string{"Writes"}, OperationID: "putCollection", Security: secured,
		Summary:     "Create a collection or change its description / tạo tập dữ liệu, sửa mô tả",
		Description: "An agency's token creates collections of its own agency and describes those it publishes; an admin token any.",
		Parameters:  []apiParameter{colID},
		RequestBody: &apiRequestBody{Required: true, Content: map[string]apiMedia{mediaJSON: {Schema: schemaRef("collectionDescription")}}},
		Responses:   put})

	var params []apiParameter
	for _, name := range append(append([]string{}, importParams...), metaParams...) {
		params = append(params, apiParameter{Name: name, In: "query", Schema: str,
			Description: "As the option --" + name + " of `geodata import` (also a field of the multipart form)."})
	}
	file := map[string]any{"type": "string", "format": "binary"}
	raw := map[string]apiMedia{"multipart/form-data": {Schema: map[string]any{"type": "object", "required": []string{"file"},
		"properties": map[string]any{"file": file}}}}
	for mt := range uploadTypes {
		raw[mt] = apiMedia{Schema: file}
	}
	accepted := writeResponses("403", "413", "415")
	accepted["202"] = apiResponse{Description: "The import job, queued; Location is its URL.",
		Content: map[string]apiMedia{mediaJSON: {Schema: schemaRef("job")}}, Headers: map[string]apiHeader{"Location": {Ref: ref("headers", "Location")}}}
	d.put("/collections/{collectionId}/imports", "post", &apiOperation{Tags: []string{"Writes"}, OperationID: "startImport", Security: secured,
		Summary: "Upload a file to import / tải tệp lên để nhập dữ liệu",
		Description: fmt.Sprintf("The file (CSV, TSV, GeoJSON, NDJSON, XLSX, zipped Shapefile, KML, KMZ, one layer of a GTFS zip; at most %d MiB) "+
			"as the body, its name in filename=, or as the field file of a multipart form. Nothing is written unless every row passes "+
			"(or --max-errors allows the rest); the job's report names each bad row.", cfg.MaxUploadBytes>>20),
		Parameters:  append([]apiParameter{colID}, params...),
		RequestBody: &apiRequestBody{Required: true, Content: raw}, Responses: accepted})

	job := writeResponses("403", "404")
	delete(job, "429")
	job["200"] = apiResponse{Description: "The job.", Content: map[string]apiMedia{mediaJSON: {Schema: schemaRef("job")}}}
	d.get("/jobs/{jobId}", apiOperation{Tags: []string{"Writes"}, OperationID: "getJob", Security: secured,
		Summary:     "An import job: state, progress, report, version / tiến trình nhập dữ liệu",
		Description: "Any replica of the service answers: the state is kept in the database. For the token that started it, its agency, or an admin.",
		Parameters:  []apiParameter{{Name: "jobId", In: "path", Required: true, Schema: map[string]any{"type": "integer"}}},
		Responses:   job})

	versions := ok("The versions, newest first.", map[string]apiMedia{mediaJSON: {Schema: map[string]any{"type": "object",
		"required": []string{"versions", "links"}, "properties": map[string]any{"collection": str,
			"numberMatched": map[string]any{"type": "integer"}, "numberReturned": map[string]any{"type": "integer"},
			"versions": arrayOf(map[string]any{"type": "object"}), "links": arrayOf(schemaRef("link"))}}},
		mediaHTML: {Schema: schemaRef("html")}})
	versions["404"] = respRef("NotFound")
	versions["503"] = respRef("Unavailable")
	var examples []string
	if len(snaps) > 0 {
		examples = []string{"/collections/" + snaps[0].ID() + "/versions", "/collections/" + snaps[0].ID() + "/versions?f=html&limit=5"}
	}
	d.get("/collections/{collectionId}/versions", apiOperation{Tags: []string{"Writes"}, OperationID: "getVersions",
		Summary:     "Version history: every write, who made it, when, from which file / lịch sử phiên bản",
		Description: "Each version with its action (import, item write, metadata), the token and agency, the time, and the source file's name and SHA-256. Who wrote (the actor) shows with a token only.",
		Parameters: []apiParameter{colID, paramRef("f"), paramRef("lang"),
			{Name: "limit", In: "query", Schema: map[string]any{"type": "integer", "minimum": 1, "maximum": 500, "default": 50}},
			{Name: "offset", In: "query", Schema: map[string]any{"type": "integer", "minimum": 0}}},
		Responses: versions, Examples: examples})
}

// put adds a write operation (no HEAD or OPTIONS companion) at path.
func (d *apiDoc) put(path, method string, op *apiOperation) {
	if d.Paths[path] == nil {
		d.Paths[path] = map[string]any{}
	}
	d.Paths[path][method] = op
}
