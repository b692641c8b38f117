package handlers

import (
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/gorilla/mux"

	"github.com/vn-opendata/geodata/catalog"
)

const crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

// collectionDoc is a collection as OGC API – Features describes it, plus the
// catalogue metadata of the province's template.
type collectionDoc struct {
	ID          string         `json:"id"`
	Title       string         `json:"title"`
	Description string         `json:"description,omitempty"`
	Keywords    []string       `json:"keywords,omitempty"`
	Links       []link         `json:"links"`
	Extent      *extentDoc     `json:"extent,omitempty"`
	ItemType    string         `json:"itemType"`
	CRS         []string       `json:"crs"`
	StorageCRS  string         `json:"storageCrs"`
	Catalog     catalogFields  `json:"catalog"`
	Properties  []propertyInfo `json:"properties"`
}

type extentDoc struct {
	Spatial spatialExtent `json:"spatial"`
}

type spatialExtent struct {
	BBox [][4]float64 `json:"bbox"`
	CRS  string       `json:"crs"`
}

type catalogFields struct {
	CatalogNo      int    `json:"catalog_no,omitempty"`
	TitleEn        string `json:"title_en,omitempty"`
	Agency         string `json:"agency,omitempty"`
	FirstPublished string `json:"first_published,omitempty"`
	Frequency      string `json:"frequency,omitempty"`
	Theme          string `json:"theme,omitempty"`
	Notes          string `json:"notes,omitempty"`
	License        string `json:"license,omitempty"`
	Attribution    string `json:"attribution,omitempty"`
	GeometryType   string `json:"geometry_type,omitempty"`
	FeatureCount   int    `json:"feature_count"`
	Version        int64  `json:"version"`
	Updated        string `json:"updated"`
}

type propertyInfo struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

func (s *Server) collectionDoc(base string, snap *catalog.Snapshot) collectionDoc {
	c := snap.Collection
	items := base + "/collections/" + url.PathEscape(c.ID) + "/items"
	d := collectionDoc{
		ID: c.ID, Title: c.Title, Description: c.Description, Keywords: c.Keywords,
		ItemType: "feature", CRS: []string{crs84}, StorageCRS: crs84,
		Links: []link{
			{Href: base + "/collections/" + url.PathEscape(c.ID), Rel: "self", Type: mediaJSON, Title: c.Title},
			{Href: items, Rel: "items", Type: mediaGeoJSON, Title: "Features (GeoJSON)"},
			{Href: items + "?f=html", Rel: "items", Type: mediaHTML, Title: "Features (HTML)"},
		},
		Catalog: catalogFields{
			CatalogNo: c.CatalogNo, TitleEn: c.TitleEn, Agency: c.AgencyID, FirstPublished: c.FirstPublished,
			Frequency: c.Frequency, Theme: c.Theme, Notes: c.Notes, License: c.LicenseURI,
			Attribution: c.LicenseAttribution, GeometryType: c.GeometryType, FeatureCount: len(snap.Features),
			Version: c.Version, Updated: c.UpdatedAt.UTC().Format("2006-01-02T15:04:05Z"),
		},
	}
	if c.LicenseURI != "" {
		d.Links = append(d.Links, link{Href: c.LicenseURI, Rel: "license", Type: mediaHTML, Title: c.LicenseAttribution})
	}
	if c.Extent != nil {
		d.Extent = &extentDoc{Spatial: spatialExtent{BBox: [][4]float64{*c.Extent}, CRS: crs84}}
	}
	for _, p := range c.Schema {
		d.Properties = append(d.Properties, propertyInfo{Name: p.Name, Type: p.Type})
	}
	return d
}

func (s *Server) collections(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r, "f", "lang"); err != nil {
		return err
	}
	base := s.baseURL(r)
	snaps := s.cat.Snapshots()
	docs := make([]collectionDoc, 0, len(snaps))
	for _, snap := range snaps {
		docs = append(docs, s.collectionDoc(base, snap))
	}
	switch format(r) {
	case "html":
		return s.render(w, r, "collections.html", pageData{Title: "Tập dữ liệu", Data: docs})
	case "json":
		return writeJSON(w, mediaJSON, map[string]any{
			"links": []link{
				{Href: base + "/collections", Rel: "self", Type: mediaJSON},
				{Href: base + "/collections?f=html", Rel: "alternate", Type: mediaHTML},
			},
			"collections": docs,
		})
	}
	return badFormat(r)
}

func (s *Server) collection(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r, "f", "lang"); err != nil {
		return err
	}
	snap, err := s.snapshot(r)
	if err != nil {
		return err
	}
	doc := s.collectionDoc(s.baseURL(r), snap)
	switch format(r) {
	case "html":
		return s.render(w, r, "collection.html", pageData{Title: doc.Title, Data: doc})
	case "json":
		return writeJSON(w, mediaJSON, doc)
	}
	return badFormat(r)
}

// snapshot finds the snapshot of the request's collection.
func (s *Server) snapshot(r *http.Request) (*catalog.Snapshot, error) {
	id := mux.Vars(r)["collectionId"]
	snap, ok := s.cat.Snapshot(id)
	if !ok {
		return nil, notFound("collection %q does not exist / không có tập dữ liệu này", id)
	}
	return snap, nil
}

func writeJSON(w http.ResponseWriter, mediaType string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", mediaType)
	_, err = w.Write(b)
	return err
}

func badFormat(r *http.Request) error {
	return badParam("f", "unsupported format %q; use json or html", r.URL.Query().Get("f"))
}

// checkParams refuses query parameters the endpoint does not declare.
func checkParams(r *http.Request, allowed ...string) error {
	for name := range r.URL.Query() {
		ok := false
		for _, a := range allowed {
			if name == a {
				ok = true
				break
			}
		}
		if !ok {
			return badParam(name, "unknown parameter; this endpoint accepts %v", allowed)
		}
	}
	return nil
}
