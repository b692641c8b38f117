package handlers

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/store"
)

// Link relations of OGC API resources beyond RFC 8288's.
const (
	relQueryables = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
	relSchema     = "http://www.opengis.net/def/rel/ogc/1.0/schema"
	gregorian     = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
)

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
	Spatial  spatialExtent      `json:"spatial"`
	Temporal *temporalExtentDoc `json:"temporal,omitempty"`
}

type spatialExtent struct {
	BBox [][4]float64 `json:"bbox"`
	CRS  string       `json:"crs"`
}

type temporalExtentDoc struct {
	Interval [][2]*string `json:"interval"`
	TRS      string       `json:"trs"`
}

type catalogFields struct {
	CatalogNo        int    `json:"catalog_no,omitempty"`
	TitleEn          string `json:"title_en,omitempty"`
	Agency           string `json:"agency,omitempty"`
	FirstPublished   string `json:"first_published,omitempty"`
	Frequency        string `json:"frequency,omitempty"`
	Theme            string `json:"theme,omitempty"`
	Notes            string `json:"notes,omitempty"`
	License          string `json:"license,omitempty"`
	Attribution      string `json:"attribution,omitempty"`
	Contact          string `json:"contact,omitempty"`
	GeometryType     string `json:"geometry_type,omitempty"`
	TemporalProperty string `json:"temporal_property,omitempty"`
	FeatureCount     int    `json:"feature_count"`
	Version          int64  `json:"version"`
	Updated          string `json:"updated"`
}

type propertyInfo struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Title string `json:"title,omitempty"`
}

// collectionLinkers add links to a collection's description for resources served
// by other parts of the API (the tiles of a collection join here).
type collectionLinker func(base string, snap *catalog.Snapshot) []link

func (s *Server) collectionDoc(base string, snap *catalog.Snapshot) collectionDoc {
	c := snap.Collection
	self := base + "/collections/" + url.PathEscape(c.ID)
	items := itemsURL(base, snap)
	d := collectionDoc{
		ID: c.ID, Title: c.Title, Description: c.Description, Keywords: c.Keywords,
		ItemType: "feature", CRS: s.crs.uris(), StorageCRS: crs84,
		Links: []link{
			{Href: self + "?f=json", Rel: "self", Type: mediaJSON, Title: c.Title},
			{Href: self + "?f=html", Rel: "alternate", Type: mediaHTML, Title: c.Title + " (HTML)"},
			{Href: self + "?f=html", Rel: "describedby", Type: mediaHTML, Title: "Siêu dữ liệu danh mục / catalogue metadata"},
			{Href: items, Rel: "items", Type: mediaGeoJSON, Title: "Các đối tượng / features (GeoJSON)"},
			{Href: items + "?f=html", Rel: "items", Type: mediaHTML, Title: "Các đối tượng / features (HTML)"},
			{Href: items + "?f=csv", Rel: "items", Type: mediaCSV, Title: "Các đối tượng / features (CSV)"},
			{Href: self + "/queryables", Rel: relQueryables, Type: mediaSchema, Title: "Thuộc tính lọc được / queryables"},
			{Href: self + "/schema", Rel: relSchema, Type: mediaSchema, Title: "Lược đồ / schema"},
		},
		Catalog: catalogFields{
			CatalogNo: c.CatalogNo, TitleEn: c.TitleEn, Agency: c.AgencyID, FirstPublished: c.FirstPublished,
			Frequency: c.Frequency, Theme: c.Theme, Notes: c.Notes, License: c.LicenseURI,
			Attribution: c.LicenseAttribution, Contact: c.Contact, GeometryType: c.GeometryType,
			TemporalProperty: c.TemporalProperty, FeatureCount: len(snap.Features),
			Version: c.Version, Updated: c.UpdatedAt.UTC().Format(time.RFC3339),
		},
	}
	if c.LicenseURI != "" {
		d.Links = append(d.Links, link{Href: c.LicenseURI, Rel: "license", Type: mediaHTML, Title: c.LicenseAttribution})
	}
	for _, add := range s.collectionLinkers {
		d.Links = append(d.Links, add(base, snap)...)
	}
	if c.Extent != nil {
		d.Extent = &extentDoc{Spatial: spatialExtent{BBox: [][4]float64{*c.Extent}, CRS: crs84}}
		if t := s.indexes.of(snap).temporal; t != nil && !t.extent.start.IsZero() {
			start := t.extent.start.UTC().Format(time.RFC3339)
			end := t.extent.end.UTC().Format(time.RFC3339)
			d.Extent.Temporal = &temporalExtentDoc{Interval: [][2]*string{{&start, &end}}, TRS: gregorian}
		}
	}
	d.Properties = make([]propertyInfo, 0, len(c.Schema)) // a collection made without a schema lists none, not null
	for _, p := range c.Schema {
		d.Properties = append(d.Properties, propertyInfo{Name: p.Name, Type: p.Type, Title: p.Title})
	}
	return d
}

var docOffers = []representation{reprJSON, reprHTML}

func (s *Server) collections(w http.ResponseWriter, r *http.Request) error {
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
	snaps := s.cat.Snapshots()
	docs := make([]collectionDoc, 0, len(snaps))
	for _, snap := range snaps {
		docs = append(docs, s.collectionDoc(base, snap))
	}
	if repr.F == "html" {
		return s.render(w, r, "collections.html", pageData{Title: inLang(r, "Tập dữ liệu", "Collections"), Data: docs})
	}
	return writeJSON(w, mediaJSON, map[string]any{
		"links": []link{
			{Href: base + "/collections?f=json", Rel: "self", Type: mediaJSON, Title: "Tập dữ liệu / collections"},
			{Href: base + "/collections?f=html", Rel: "alternate", Type: mediaHTML, Title: "HTML"},
		},
		"crs":         s.crs.uris(),
		"collections": docs,
	})
}

func (s *Server) collection(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r, "f", "lang"); err != nil {
		return err
	}
	snap, err := s.snapshot(r)
	if err != nil {
		return err
	}
	repr, err := negotiate(r, docOffers...)
	if err != nil {
		return err
	}
	if s.upToDate(w, r, collectionVersion(snap), repr) {
		return nil
	}
	doc := s.collectionDoc(s.baseURL(r), snap)
	if repr.F == "html" {
		return s.render(w, r, "collection.html", pageData{Title: collectionTitle(r, snap.Collection), Data: s.collectionPage(r, snap, doc),
			Scripts: []string{"map", "features-map.js"}})
	}
	return writeJSON(w, mediaJSON, doc)
}

// jsonSchemaDialect is the JSON Schema version of queryables and schemas.
const jsonSchemaDialect = "https://json-schema.org/draft/2020-12/schema"

// propertySchema is the JSON Schema of one stored property.
func propertySchema(p store.Property) map[string]any {
	out := map[string]any{}
	switch p.Type {
	case "date", "date-time":
		out["type"], out["format"] = "string", p.Type
	case "":
		out["type"] = "string"
	default:
		out["type"] = p.Type
	}
	if p.Title != "" {
		out["title"] = p.Title
	}
	return out
}

// geometrySchema describes the primary geometry of a collection (OGC API –
// Features Part 5's x-ogc-role, formats named after the geometry type).
func geometrySchema(geometryType string) map[string]any {
	format := map[string]string{
		"Point": "geometry-point", "MultiPoint": "geometry-multipoint",
		"LineString": "geometry-linestring", "MultiLineString": "geometry-multilinestring",
		"Polygon": "geometry-polygon", "MultiPolygon": "geometry-multipolygon",
	}[geometryType]
	if format == "" {
		format = "geometry-any"
	}
	return map[string]any{"format": format, "x-ogc-role": "primary-geometry", "title": "Hình học / geometry"}
}

// queryables answers /collections/{id}/queryables: the properties that can be
// used in filters, as name=value parameters and in sortby (Part 3), as JSON
// Schema 2020-12, with what CQL2 filters may do with them (x-cql2).
func (s *Server) queryables(w http.ResponseWriter, r *http.Request) error {
	return s.schemaDoc(w, r, "queryables", func(snap *catalog.Snapshot) map[string]any {
		g := geometrySchema(snap.Collection.GeometryType)
		g["description"] = "The feature geometry, for the spatial functions of filter (S_INTERSECTS, …); a filter may also call it " +
			strings.Join(filterQueryables(snap).Geometry, " or ") + "."
		props := map[string]any{"geometry": g}
		for _, p := range snap.Collection.Schema {
			if simpleType(p.Type) {
				props[p.Name] = propertySchema(p)
			}
		}
		return props
	}, map[string]any{
		"description": "Thuộc tính dùng được trong bộ lọc CQL2 (filter), tham số tên=giá trị và sortby. / " +
			"The properties usable in CQL2 filters (filter, filter-lang), as name=value parameters and in sortby. " +
			"x-cql2 lists the filter languages, the CQL2 conformance classes, operators and functions offered.",
		"x-cql2": cql2Language(),
	})
}

// schema answers /collections/{id}/schema: every property of a feature (Part 5).
func (s *Server) schema(w http.ResponseWriter, r *http.Request) error {
	return s.schemaDoc(w, r, "schema", func(snap *catalog.Snapshot) map[string]any {
		props := map[string]any{
			"id":       map[string]any{"type": "string", "x-ogc-role": "id", "title": "Mã đối tượng / feature id"},
			"geometry": geometrySchema(snap.Collection.GeometryType),
		}
		for i, p := range snap.Collection.Schema {
			ps := propertySchema(p)
			ps["x-ogc-propertySeq"] = i + 1
			props[p.Name] = ps
		}
		return props
	}, nil)
}

// schemaDoc answers a JSON Schema of a collection's properties, with extra
// members at its top level.
func (s *Server) schemaDoc(w http.ResponseWriter, r *http.Request, kind string,
	properties func(*catalog.Snapshot) map[string]any, extra map[string]any) error {
	if err := checkParams(r, "f", "lang"); err != nil {
		return err
	}
	snap, err := s.snapshot(r)
	if err != nil {
		return err
	}
	repr, err := negotiate(r, reprSchema)
	if err != nil {
		return err
	}
	if s.upToDate(w, r, collectionVersion(snap), repr) {
		return nil
	}
	self := s.baseURL(r) + "/collections/" + url.PathEscape(snap.ID()) + "/" + kind
	doc := map[string]any{
		"$schema":              jsonSchemaDialect,
		"$id":                  self,
		"type":                 "object",
		"title":                snap.Collection.Title,
		"properties":           properties(snap),
		"additionalProperties": false,
	}
	for k, v := range extra {
		doc[k] = v
	}
	return writeJSON(w, mediaSchema, doc)
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

// writeJSON writes v with the media type; URLs keep their & (no HTML escaping:
// this is not HTML).
func writeJSON(w http.ResponseWriter, mediaType string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", mediaType)
	_, err := w.Write(buf.Bytes())
	return err
}

// writeJSONString writes s as a JSON string without HTML escaping.
func writeJSONString(buf *bytes.Buffer, s string) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s) // a string always encodes
	buf.Truncate(buf.Len() - 1)
}
