package handlers

// catalogOpenAPIPaths describes the catalogue's routes as OpenAPI 3.0 path items,
// for the /api document to merge with the OGC API – Features paths. Operations
// that need an agency's token name the security scheme catalogOpenAPISecurity.
func catalogOpenAPIPaths() map[string]any {
	str := map[string]any{"type": "string"}
	param := func(name, in, desc string, schema map[string]any, required bool) map[string]any {
		return map[string]any{"name": name, "in": in, "description": desc, "required": required, "schema": schema}
	}
	enum := func(values ...string) map[string]any { return map[string]any{"type": "string", "enum": values} }
	resp := func(desc string, types ...string) map[string]any {
		content := map[string]any{}
		for _, t := range types {
			content[t] = map[string]any{}
		}
		return map[string]any{"description": desc, "content": content}
	}
	errors := func(codes ...string) map[string]any {
		out := map[string]any{}
		for _, c := range codes {
			out[c] = map[string]any{"description": "error as JSON {code, description, parameter}"}
		}
		return out
	}
	with := func(m map[string]any, more map[string]any) map[string]any {
		for k, v := range more {
			m[k] = v
		}
		return m
	}
	format := func(values ...string) map[string]any {
		return param("f", "query", "representation; else by Accept", enum(values...), false)
	}
	feedbackBody := map[string]any{"required": true, "content": map[string]any{
		"application/json": map[string]any{"schema": map[string]any{"type": "object", "required": []string{"message"},
			"properties": map[string]any{
				"kind": enum("dataset", "feature", "request"), "collection": str, "feature": str,
				"title": map[string]any{"type": "string", "maxLength": maxFeedbackField}, "agency": str,
				"message": map[string]any{"type": "string", "maxLength": maxFeedbackMessage},
				"contact": map[string]any{"type": "string", "maxLength": maxFeedbackField, "description": "shown only to the answering agency"},
			}}},
		"application/x-www-form-urlencoded": map[string]any{},
	}}
	id := param("id", "path", "feedback id", map[string]any{"type": "integer"}, true)
	secured := []map[string][]string{{catalogOpenAPISecurity: {}}}
	return map[string]any{
		"/catalog": map[string]any{"get": map[string]any{
			"summary":     "The open-data catalogue: the official template (CSV, XLSX), JSON, XML, DCAT-AP (JSON-LD, Turtle, RDF/XML), HTML",
			"operationId": "getCatalog", "tags": []string{"Catalogue"},
			"parameters": []any{format("json", "html", "csv", "xlsx", "xml", "jsonld", "ttl", "rdf"),
				param("q", "query", "text search, accent- and case-insensitive", str, false),
				param("theme", "query", "EU data-theme code (EDUC, TRAN, …)", str, false),
				param("agency", "query", "agency id; also matches the datasets of the agencies it succeeded", str, false)},
			"responses": with(map[string]any{"200": resp("the catalogue", mediaJSON, "text/csv", catalogFormats["xlsx"],
				"application/xml", "application/ld+json", "text/turtle", "application/rdf+xml", mediaHTML)}, errors("400", "503")),
			"x-example-requests": []string{"/catalog", "/catalog?f=csv", "/catalog?f=html&q=truong"},
		}},
		"/agencies": map[string]any{"get": map[string]any{
			"summary":     "Every agency, its datasets, the yearly share of agencies providing open data against the plan's targets, and stale datasets",
			"operationId": "getAgencies", "tags": []string{"Catalogue"},
			"parameters":         []any{format("json", "html")},
			"responses":          with(map[string]any{"200": resp("agencies and coverage", mediaJSON, mediaHTML)}, errors("400", "503")),
			"x-example-requests": []string{"/agencies", "/agencies?f=html"},
		}},
		"/agencies/{agencyId}": map[string]any{"get": map[string]any{
			"summary": "One agency and its datasets", "operationId": "getAgency", "tags": []string{"Catalogue"},
			"parameters": []any{param("agencyId", "path", "agency id", str, true), format("json", "html")},
			"responses":  with(map[string]any{"200": resp("the agency", mediaJSON, mediaHTML)}, errors("404")),
		}},
		"/downloads/{file}": map[string]any{"get": map[string]any{
			"summary":     "The current version of a collection as a file: {collection}.geojson, .csv, .kml, .gpkg; ETag by version",
			"operationId": "getDownload", "tags": []string{"Downloads"},
			"parameters": []any{param("file", "path", "collection id and extension", str, true)},
			"responses":  with(map[string]any{"200": resp("the file; Repr-Digest holds its SHA-256"), "304": map[string]any{"description": "not modified"}}, errors("404")),
		}},
		"/downloads/{collectionId}/v{version}/{file}": map[string]any{"get": map[string]any{
			"summary":     "One version's file, immutable: the URL and checksum the catalogue lists",
			"operationId": "getVersionDownload", "tags": []string{"Downloads"},
			"parameters": []any{param("collectionId", "path", "collection id", str, true),
				param("version", "path", "version number", map[string]any{"type": "integer"}, true),
				param("file", "path", "{collection}-v{version}.{ext}", str, true)},
			"responses": with(map[string]any{"200": resp("the file")}, errors("404", "410")),
		}},
		"/feedback": map[string]any{
			"get": map[string]any{
				"summary":     "Citizens' feedback and the answers (with an agency's token: its feedback, with contacts)",
				"operationId": "listFeedback", "tags": []string{"Feedback"},
				"parameters": []any{format("json", "html"), param("kind", "query", "", enum("dataset", "feature", "request"), false),
					param("status", "query", "", enum("open", "answered", "closed"), false),
					param("collection", "query", "collection id", str, false), param("agency", "query", "answering agency id", str, false),
					param("sort", "query", "", enum("recent", "votes"), false),
					param("limit", "query", "at most 500", map[string]any{"type": "integer", "minimum": 1}, false),
					param("offset", "query", "", map[string]any{"type": "integer", "minimum": 0}, false)},
				"responses":          with(map[string]any{"200": resp("feedback", mediaJSON, mediaHTML)}, errors("400", "401", "503")),
				"x-example-requests": []string{"/feedback", "/feedback?f=html&sort=votes"},
			},
			"post": map[string]any{
				"summary":     "Send feedback on a dataset or a feature, or request a new dataset; no account; rate-limited per client",
				"operationId": "createFeedback", "tags": []string{"Feedback"}, "requestBody": feedbackBody,
				"responses": with(map[string]any{"201": resp("created; Location names it", mediaJSON), "303": map[string]any{"description": "form posts go to the thank-you page"}},
					errors("400", "413", "415", "429", "503")),
			},
		},
		"/feedback/{id}": map[string]any{"get": map[string]any{
			"summary": "One feedback and its answer", "operationId": "getFeedback", "tags": []string{"Feedback"},
			"parameters": []any{id, format("json", "html")},
			"responses":  with(map[string]any{"200": resp("the feedback", mediaJSON, mediaHTML)}, errors("404")),
		}},
		"/feedback/{id}/votes": map[string]any{"post": map[string]any{
			"summary": "Up-vote a request for a new dataset (once per client)", "operationId": "voteFeedback", "tags": []string{"Feedback"},
			"parameters": []any{id},
			"responses":  with(map[string]any{"200": resp("{id, votes, counted}", mediaJSON)}, errors("404", "429")),
		}},
		"/feedback/{id}/answer": map[string]any{"post": map[string]any{
			"summary":     "Answer feedback, with the token of the agency answering it (or an admin token)",
			"operationId": "answerFeedback", "tags": []string{"Feedback"}, "security": secured,
			"parameters": []any{id},
			"requestBody": map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{
				"type": "object", "properties": map[string]any{"answer": str, "status": enum("open", "answered", "closed")}}}}},
			"responses": with(map[string]any{"200": resp("the answered feedback, with the contact", mediaJSON)}, errors("400", "401", "403", "404")),
		}},
	}
}

// catalogOpenAPISecurity names the bearer-token scheme of the agencies' operations.
const catalogOpenAPISecurity = "agencyToken"

// catalogOpenAPISecuritySchemes is the components.securitySchemes entry.
func catalogOpenAPISecuritySchemes() map[string]any {
	return map[string]any{catalogOpenAPISecurity: map[string]any{"type": "http", "scheme": "bearer",
		"description": "an agency's token from `geodata token create --agency ID`"}}
}
