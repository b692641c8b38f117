package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gorilla/mux"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/store"
)

// collectionID is the form of a collection id, as the database checks it.
var collectionID = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// collectionInput is the body of PUT /collections/{id}: the catalogue metadata
// (the names of `geodata import`'s flags, with _ for -), and for writes through
// the API the geometry type and the property schema.
type collectionInput struct {
	store.Metadata
	GeometryType string           `json:"geometry_type,omitempty"`
	Schema       []store.Property `json:"schema,omitempty"`
}

var geometryTypes = []string{"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"}

var propertyTypes = []string{"string", "integer", "number", "boolean", "date", "date-time", "object", "array"}

// putCollection is PUT /collections/{id}: it creates a collection, empty, with
// its catalogue metadata, or changes the metadata of one (fields left out keep
// their value). An agency's token creates collections of its agency only.
func (s *Server) putCollection(w http.ResponseWriter, r *http.Request) error {
	tok, err := s.writer(w, r)
	if err != nil {
		return err
	}
	if err := checkParams(r); err != nil {
		return err
	}
	id := mux.Vars(r)["collectionId"]
	if !collectionID.MatchString(id) {
		return badParam("collectionId", "%q: a collection id has lower-case letters, digits, - and _ (at most 63, first a letter or digit)", id)
	}
	var in collectionInput
	if err := readJSONBody(w, r, &in, s.wcfg.MaxBodyBytes); err != nil {
		return err
	}
	current, exists := s.cat.Snapshot(id)
	if err := s.allowDescription(tok, &in, current, exists); err != nil {
		return err
	}
	write, err := s.checkDescription(r.Context(), in, current, exists)
	if err != nil {
		return err
	}
	ctx, cancel := s.writeContext(r)
	change, created, err := s.db.PutCollection(ctx, id, write, audit(tok))
	cancel()
	if err != nil {
		return s.writeFailed(err)
	}
	s.log.Info("collection described", "collection", id, "created", created, "version", change.Version,
		"token", tok.ID, "agency", tok.AgencyID, "request_id", requestID(r.Context()))
	s.followWrite(r, change)
	w.Header().Set("Cache-Control", "no-store")
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		w.Header().Set("Location", s.baseURL(r)+"/collections/"+url.PathEscape(id))
	}
	snap, ok := s.cat.Snapshot(id)
	if !ok || snap.Version() < change.Version {
		w.WriteHeader(status)
		return nil
	}
	w.Header().Set("Content-Type", mediaJSON)
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(s.collectionDoc(s.baseURL(r), snap))
}

// allowDescription checks the token may describe the collection: the agency
// answering for it, or an admin; a new collection belongs to the token's agency
// unless the body names one (which the token must answer for too).
func (s *Server) allowDescription(tok *store.Token, in *collectionInput, current *catalog.Snapshot, exists bool) error {
	if exists {
		if err := s.authorize(tok, current); err != nil {
			return err
		}
	} else if in.AgencyID == "" {
		in.AgencyID = tok.AgencyID
	}
	if in.AgencyID != "" && !s.mayWrite(tok, in.AgencyID) {
		return forbidden("an agency's token cannot give a collection to agency " + in.AgencyID)
	}
	return nil
}

// readJSONBody decodes a JSON body of at most limit bytes into v, refusing
// unknown members by name.
func readJSONBody(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	if mt := strings.TrimSpace(strings.Split(r.Header.Get("Content-Type"), ";")[0]); mt != mediaJSON {
		return &Error{Status: http.StatusUnsupportedMediaType, Code: "UnsupportedMediaType", Description: "send application/json"}
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return bodyTooLarge(limit)
	case err != nil && strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return badParam(name, "unknown field; see PUT /collections/{collectionId} in /api")
	case err != nil:
		return badParam("body", "not the JSON expected: %v", jsonProblem(err))
	}
	return nil
}

// checkDescription checks every field of a collection's description, naming the
// first wrong one: the codes against the vocabularies, dates, agency, and a
// schema that keeps the properties that hold data.
func (s *Server) checkDescription(ctx context.Context, in collectionInput, current *catalog.Snapshot, exists bool) (store.CollectionWrite, error) {
	out := store.CollectionWrite{Metadata: in.Metadata, GeometryType: in.GeometryType, Schema: in.Schema}
	if err := s.checkMetadata(ctx, &out.Metadata); err != nil {
		return out, err
	}
	m := out.Metadata
	if in.GeometryType != "" && !slices.Contains(geometryTypes, in.GeometryType) {
		return out, badParam("geometry_type", "%q: use one of %s", in.GeometryType, strings.Join(geometryTypes, ", "))
	}
	var old []store.Property
	features := 0
	if exists {
		old, features = current.Collection.Schema, len(current.Features)
		if in.GeometryType != "" && features > 0 && in.GeometryType != current.Collection.GeometryType {
			return out, &Error{Status: http.StatusConflict, Code: "Conflict",
				Description: "the collection holds " + current.Collection.GeometryType + " features; its geometry type cannot change"}
		}
	}
	if err := checkSchema(in.Schema, old, features > 0); err != nil {
		return out, err
	}
	schema := in.Schema
	if schema == nil {
		schema = old
	}
	if p := m.TemporalProperty; p != "" && !slices.ContainsFunc(schema, func(x store.Property) bool {
		return x.Name == p && (x.Type == "date" || x.Type == "date-time")
	}) {
		return out, badParam("temporal_property", "%q is not a date or date-time property of the schema", p)
	}
	return out, nil
}

// checkMetadata checks the catalogue fields of a collection, as PUT and
// uploads give them: texts cleaned and bounded, the agency, codes of the
// vocabularies, dates.
func (s *Server) checkMetadata(ctx context.Context, m *store.Metadata) error {
	if err := checkTexts(m); err != nil {
		return err
	}
	if m.AgencyID != "" {
		if _, ok := s.cat.Region.AgencyHistory().Get(m.AgencyID); !ok {
			return badParam("agency", "%q is not an agency of the region (see /agencies)", m.AgencyID)
		}
	}
	if m.CatalogNo < 0 {
		return badParam("catalog_no", "must be a positive number")
	}
	vocab, err := s.vocabularies(ctx)
	if err != nil {
		return s.unavailable(err)
	}
	for _, c := range []struct {
		field, value string
		ok           bool
	}{
		{"frequency", m.Frequency, m.Frequency == "" || vocab.Frequencies[m.Frequency].Code != ""},
		{"theme", m.Theme, m.Theme == "" || vocab.Themes[m.Theme].Code != ""},
		{"license", m.LicenseURI, m.LicenseURI == "" || vocab.Licenses[m.LicenseURI].URI != ""},
		{"contact_email", m.ContactEmail, m.ContactEmail == "" || emailForm.MatchString(m.ContactEmail)},
	} {
		if !c.ok {
			return badParam(c.field, "%q is not an accepted value (see the codes in /catalog)", c.value)
		}
	}
	return checkDates(*m)
}

var emailForm = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)

// checkTexts cleans the free texts (NFC, no control characters) and bounds them.
func checkTexts(m *store.Metadata) error {
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{
		{"title", &m.Title, 500}, {"title_en", &m.TitleEn, 500}, {"description", &m.Description, 10000},
		{"notes", &m.Notes, 4000}, {"attribution", &m.LicenseAttribution, 500}, {"contact", &m.Contact, 500},
		{"contact_phone", &m.ContactPhone, 100}, {"contact_email", &m.ContactEmail, 200},
	} {
		*f.v = cleanText(*f.v)
		if utf8.RuneCountInString(*f.v) > f.max {
			return badParam(f.name, "at most %d characters / tối đa %d ký tự", f.max, f.max)
		}
	}
	if len(m.Keywords) > 50 {
		return badParam("keywords", "at most 50 keywords")
	}
	for i, k := range m.Keywords {
		m.Keywords[i] = cleanText(k)
		if m.Keywords[i] == "" || utf8.RuneCountInString(m.Keywords[i]) > 100 {
			return badParam("keywords", "a keyword has 1 to 100 characters")
		}
	}
	return nil
}

func checkDates(m store.Metadata) error {
	days := map[string]time.Time{}
	for _, f := range []struct{ name, v string }{
		{"first_published", m.FirstPublished}, {"temporal_start", m.TemporalStart}, {"temporal_end", m.TemporalEnd},
	} {
		if f.v == "" {
			continue
		}
		d, err := time.Parse(time.DateOnly, f.v)
		if err != nil {
			return badParam(f.name, "%q is not a date YYYY-MM-DD", f.v)
		}
		days[f.name] = d
	}
	if s, e := days["temporal_start"], days["temporal_end"]; !s.IsZero() && !e.IsZero() && e.Before(s) {
		return badParam("temporal_end", "ends before temporal_start")
	}
	return nil
}

// checkSchema checks a new property schema: names unique and present, types
// known; when features hold data, every old property stays, with its type.
func checkSchema(schema, old []store.Property, hasData bool) error {
	if schema == nil {
		return nil
	}
	seen := map[string]bool{}
	for i, p := range schema {
		name := cleanText(p.Name)
		switch {
		case name == "" || utf8.RuneCountInString(name) > 200 || name != p.Name:
			return badParam("schema", "property %d: a name has 1 to 200 characters, in NFC, without spaces around", i+1)
		case seen[name]:
			return badParam("schema", "property %q appears twice", name)
		case !slices.Contains(propertyTypes, p.Type):
			return badParam("schema", "property %q: type %q; use one of %s", name, p.Type, strings.Join(propertyTypes, ", "))
		}
		seen[name] = true
	}
	if !hasData {
		return nil
	}
	for _, o := range old {
		i := slices.IndexFunc(schema, func(p store.Property) bool { return p.Name == o.Name })
		if i < 0 || schema[i].Type != o.Type {
			return &Error{Status: http.StatusConflict, Code: "Conflict", Parameter: "schema",
				Description: "property " + o.Name + " (" + o.Type + ") holds data: keep it, with its type; new properties may be added"}
		}
	}
	return nil
}
