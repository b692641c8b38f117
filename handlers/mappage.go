package handlers

import "net/http"

// mapPage is the map on a whole page: every collection, from the vector tiles
// and the default style, with a legend and popups. /map#collection=ID opens it
// on one collection (the catalogue links there).
func (s *Server) mapPage(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r, "lang"); err != nil {
		return err
	}
	return s.render(w, r, "map.html", pageData{Title: "Bản đồ", Scripts: []string{"map", "home.js"}})
}
