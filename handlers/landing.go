package handlers

import (
	"net/http"
)

// conformance classes implemented; each is declared only when all of it works.
var conformanceClasses = []string{
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
}

func (s *Server) landing(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r, "f", "lang"); err != nil {
		return err
	}
	base := s.baseURL(r)
	switch format(r) {
	case "html":
		return s.render(w, r, "home.html", pageData{Title: "Bản đồ dữ liệu mở", Data: s.mapLayers(base),
			Scripts: []string{"map", "home.js"}})
	case "json":
		region := s.cat.Region
		return writeJSON(w, mediaJSON, map[string]any{
			"title":       "geodata — dữ liệu mở không gian " + region.Name,
			"description": "Open geospatial data of " + region.NameEn + ": OGC API – Features, GeoJSON. " + region.NoteEn,
			"links": []link{
				{Href: base + "/", Rel: "self", Type: mediaJSON, Title: "This document"},
				{Href: base + "/?f=html", Rel: "alternate", Type: mediaHTML, Title: "Trang chủ (HTML)"},
				{Href: base + "/conformance", Rel: "conformance", Type: mediaJSON, Title: "Conformance classes"},
				{Href: base + "/collections", Rel: "data", Type: mediaJSON, Title: "Collections"},
			},
		})
	}
	return badFormat(r)
}

func (s *Server) conformance(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r, "f", "lang"); err != nil {
		return err
	}
	return writeJSON(w, mediaJSON, map[string]any{"conformsTo": conformanceClasses})
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
	return writeJSON(w, mediaJSON, map[string]any{"status": "ok", "version": s.cfg.Version})
}

// readyz says whether the service can answer: every collection loaded once, and
// whether the database is reachable (reads keep working from memory when it is not).
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
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
