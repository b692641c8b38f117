package handlers

import (
	"net/http"
)

// OGC API – Common link relations of the landing page, given beside the Part 1 ones.
const (
	relOGCConformance = "http://www.opengis.net/def/rel/ogc/1.0/conformance"
	relOGCData        = "http://www.opengis.net/def/rel/ogc/1.0/data"
)

func (s *Server) landing(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r, "f", "lang"); err != nil {
		return err
	}
	repr, err := negotiate(r, docOffers...)
	if err != nil {
		return err
	}
	if s.upToDate(w, r, s.catalogVersion(), repr) {
		return nil
	}
	base := s.baseURL(r)
	if repr.F == "html" {
		return s.render(w, r, "home.html", pageData{Title: inLang(r, "Bản đồ dữ liệu mở", "Open data map"), Data: s.mapLayers(base),
			Scripts: []string{"map", "home.js"}})
	}
	region := s.cat.Region
	links := []link{
		{Href: base + "/?f=json", Rel: "self", Type: mediaJSON, Title: "Trang chủ / landing page"},
		{Href: base + "/?f=html", Rel: "alternate", Type: mediaHTML, Title: "Bản đồ / map (HTML)"},
		{Href: base + "/api", Rel: "service-desc", Type: mediaOpenAPI, Title: "OpenAPI 3.0"},
		{Href: base + "/api?f=html", Rel: "service-doc", Type: mediaHTML, Title: "Tài liệu API / API documentation"},
		{Href: base + "/conformance", Rel: "conformance", Type: mediaJSON, Title: "Các lớp tuân thủ / conformance classes"},
		{Href: base + "/conformance", Rel: relOGCConformance, Type: mediaJSON, Title: "Các lớp tuân thủ / conformance classes"},
		{Href: base + "/collections", Rel: "data", Type: mediaJSON, Title: "Tập dữ liệu / collections"},
		{Href: base + "/collections", Rel: relOGCData, Type: mediaJSON, Title: "Tập dữ liệu / collections"},
	}
	return writeJSON(w, mediaJSON, map[string]any{
		"title":       "geodata — dữ liệu mở không gian " + region.Name,
		"description": "Open geospatial data of " + region.NameEn + ": OGC API – Features, GeoJSON, CSV. " + region.NoteEn,
		"links":       append(links, tilesLandingLinks(base)...),
	})
}

func (s *Server) conformance(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r, "f", "lang"); err != nil {
		return err
	}
	repr, err := negotiate(r, docOffers...)
	if err != nil {
		return err
	}
	if s.upToDate(w, r, s.catalogVersion(), repr) {
		return nil
	}
	classes := s.conformanceClasses()
	if repr.F == "html" {
		return s.render(w, r, "conformance.html", pageData{Title: inLang(r, "Các lớp tuân thủ", "Conformance classes"), Data: classes})
	}
	return writeJSON(w, mediaJSON, map[string]any{"conformsTo": classes})
}

// mapLayer is what the home page map needs of a collection.
type mapLayer struct {
	ID           string `json:"id"`
	Title        string `json:"title"`
	GeometryType string `json:"geometry_type"`
	Count        int    `json:"count"`
	Data         string `json:"data"`
}

func (s *Server) mapLayers(base string) []mapLayer {
	var out []mapLayer
	for _, snap := range s.cat.Snapshots() {
		c := snap.Collection
		out = append(out, mapLayer{ID: c.ID, Title: c.Title, GeometryType: c.GeometryType, Count: len(snap.Features),
			Data: "/collections/" + c.ID + "/items?f=json&limit=10000"})
	}
	return out
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, mediaJSON, map[string]any{"status": "ok", "version": s.cfg.Version})
}

// readyz says whether the service can answer: every collection loaded once, and
// whether the database is reachable (reads keep working from memory when it is not).
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r); err != nil {
		return err
	}
	status, code := "ready", http.StatusOK
	switch {
	case !s.cat.Ready():
		status, code = "loading", http.StatusServiceUnavailable
	case !s.cat.DatabaseUp():
		status = "degraded" // reads are served from the snapshots; writes wait for the database
	}
	collections := map[string]int64{}
	for _, snap := range s.cat.Snapshots() {
		collections[snap.ID()] = snap.Version()
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", mediaJSON)
	w.WriteHeader(code)
	return writeJSON(w, mediaJSON, map[string]any{"status": status, "database": s.cat.DatabaseUp(), "collections": collections})
}
