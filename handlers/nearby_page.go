package handlers

import (
	"net/http"
	"slices"
	"strings"

	"github.com/vn-opendata/geodata/catalog"
)

// nearbyCategory is a collection as the citizens' page /gan-toi offers it: a chip
// with a short label, and which properties name a feature and say where it is.
type nearbyCategory struct {
	ID           string `json:"id"`
	Label        string `json:"label"`
	Title        string `json:"title"`
	GeometryType string `json:"geometry_type"`
	Name         string `json:"name,omitempty"`
	Address      string `json:"address,omitempty"`
	Count        int    `json:"count"`
}

// categoryLabels are short labels for the datasets of the open-data plan, in the
// order citizens look for them; other collections follow under their title.
var categoryLabels = []struct{ id, label string }{
	{"schools", "Trường học"},
	{"bus-stops", "Điểm dừng xe buýt"},
	{"bus-stations", "Bến xe"},
	{"parking", "Bãi đỗ xe"},
	{"postal-points", "Bưu điện"},
	{"ports", "Cảng/bến thủy"},
	{"bus-routes", "Tuyến xe buýt"},
	{"traffic-signals", "Đèn, biển báo"},
	{"bts-sites", "Trạm BTS"},
}

func nearbyCategories(snaps []*catalog.Snapshot) []nearbyCategory {
	rank := func(id string) int {
		i := slices.IndexFunc(categoryLabels, func(c struct{ id, label string }) bool { return c.id == id })
		if i < 0 {
			return len(categoryLabels)
		}
		return i
	}
	ordered := slices.Clone(snaps)
	slices.SortStableFunc(ordered, func(a, b *catalog.Snapshot) int { return rank(a.ID()) - rank(b.ID()) })
	out := make([]nearbyCategory, 0, len(ordered))
	for _, snap := range ordered {
		c := snap.Collection
		cat := nearbyCategory{ID: c.ID, Label: c.Title, Title: c.Title, GeometryType: c.GeometryType, Count: len(snap.Features)}
		if r := rank(c.ID); r < len(categoryLabels) {
			cat.Label = categoryLabels[r].label
		}
		if i := snap.NameProperty(); i >= 0 {
			cat.Name = c.Schema[i].Name
		}
		if i := snap.AddressProperty(); i >= 0 {
			cat.Address = c.Schema[i].Name
		}
		out = append(out, cat)
	}
	return out
}

// nearbyPage is /gan-toi ("near me"), the citizens' page over /nearby.
func (s *Server) nearbyPage(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r, "f", "lang"); err != nil {
		return err
	}
	if f := r.URL.Query().Get("f"); f != "" && !strings.EqualFold(f, "html") && !strings.EqualFold(f, mediaHTML) {
		return badParam("f", "unsupported format %q; this page is HTML, its data is /nearby", f)
	}
	return s.render(w, r, "gan-toi.html", pageData{Title: "Gần tôi", Data: nearbyCategories(s.cat.Snapshots()),
		Scripts: []string{"map", "nearby.js"}})
}
