package handlers

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gorilla/mux"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/ewkb"
	"github.com/paulmach/orb/geojson"
	"golang.org/x/text/unicode/norm"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/geo"
	"github.com/vn-opendata/geodata/importers"
	"github.com/vn-opendata/geodata/ingest"
	"github.com/vn-opendata/geodata/store"
)

// WritesConfig bounds the write API: item writes (OGC API – Features Part 4),
// collection descriptions and uploads.
type WritesConfig struct {
	// MaxBodyBytes caps the body of an item or collection write (413 above).
	MaxBodyBytes int64
	// MaxUploadBytes caps an uploaded import file (413 above).
	MaxUploadBytes int64
	// UploadDir is where uploads are spooled before their import (under the data
	// folder in production); empty: a temporary folder.
	UploadDir string
	// DBTimeout is the deadline of a write's database work, which PostgreSQL
	// enforces too (statement_timeout): a write waiting longer answers 503.
	DBTimeout time.Duration
	// UploadTimeout is how long an upload's body may take to arrive (it
	// replaces the server's read timeout for that request).
	UploadTimeout time.Duration
	// ImportTimeout is the deadline of one import job.
	ImportTimeout time.Duration
	// ImportWorkers is how many import jobs run at once in this process; the
	// others wait, queued.
	ImportWorkers int
	// Burst and Every rate-limit writes per client: Burst at once, then one per Every.
	Burst int
	Every time.Duration
}

func (c *WritesConfig) defaults() {
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.MaxUploadBytes <= 0 {
		c.MaxUploadBytes = 512 << 20
	}
	if c.DBTimeout <= 0 {
		c.DBTimeout = 10 * time.Second
	}
	if c.UploadTimeout <= 0 {
		c.UploadTimeout = 30 * time.Minute
	}
	if c.ImportTimeout <= 0 {
		c.ImportTimeout = 2 * time.Hour
	}
	if c.ImportWorkers <= 0 {
		c.ImportWorkers = 2
	}
	if c.Burst <= 0 {
		c.Burst = 120
	}
	if c.Every <= 0 {
		c.Every = 250 * time.Millisecond
	}
}

// writeAPI is the Server's state for writes.
type writeAPI struct {
	wcfg    WritesConfig
	wlimit  *rateLimiter
	jobs    *jobRunner
	uploads string
}

// writeRoutes registers the write API: Part 4 on items, collection
// descriptions, uploads, their jobs and the audit trail.
func (s *Server) writeRoutes(r *mux.Router) {
	handle := func(path string, h appHandler, methods ...string) {
		r.Handle(path, s.handle(h)).Methods(methods...)
	}
	handle("/collections/{collectionId}", s.putCollection, http.MethodPut)
	handle("/collections/{collectionId}/items", s.createItem, http.MethodPost)
	handle("/collections/{collectionId}/items/{featureId}", s.replaceItem, http.MethodPut)
	handle("/collections/{collectionId}/items/{featureId}", s.updateItem, http.MethodPatch)
	handle("/collections/{collectionId}/items/{featureId}", s.deleteItem, http.MethodDelete)
	handle("/collections/{collectionId}/imports", s.startImport, http.MethodPost)
	handle("/collections/{collectionId}/versions", s.versions, http.MethodGet, http.MethodHead)
	handle("/jobs/{jobId}", s.job, http.MethodGet, http.MethodHead)
}

// writer checks who writes: the client's rate, then its token. Every write
// starts here.
func (s *Server) writer(w http.ResponseWriter, r *http.Request) (*store.Token, error) {
	if ok, wait := s.wlimit.allow(s.clientAddr(r)); !ok {
		return nil, tooMany(w, wait)
	}
	return s.requireToken(r)
}

// audit says who writes, for the collection's versions.
func audit(tok *store.Token) store.ItemAudit {
	actor := "token " + strconv.FormatInt(tok.ID, 10)
	if tok.Name != "" {
		actor += " (" + tok.Name + ")"
	}
	return store.ItemAudit{Actor: actor, TokenID: tok.ID, AgencyID: tok.AgencyID}
}

// mayWrite reports whether tok may change what agency publishes: an admin
// token anything; an agency's token what the agency answers for today, its
// own datasets and those passed to it by renames and mergers.
func (s *Server) mayWrite(tok *store.Token, agency string) bool {
	if tok.Admin {
		return true
	}
	if tok.AgencyID == "" || agency == "" {
		return false
	}
	who, ok := s.cat.Region.AgencyHistory().ResponsibleOn(agency, today())
	return ok && who == tok.AgencyID
}

// authorize refuses a token that may not write collection snap.
func (s *Server) authorize(tok *store.Token, snap *catalog.Snapshot) error {
	if s.mayWrite(tok, snap.Collection.AgencyID) {
		return nil
	}
	owner := s.cat.Region.AgencyHistory().Name(snap.Collection.AgencyID)
	if owner == "" {
		owner = "the open-data coordinator (admin token)"
	}
	return forbidden(fmt.Sprintf("collection %s is written by %s only", snap.ID(), owner))
}

// writeContext bounds the database work of a write by the configured deadline.
func (s *Server) writeContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), s.wcfg.DBTimeout)
}

// writeFailed turns the store's refusal of a write into the HTTP error.
func (s *Server) writeFailed(err error) error {
	// The store's refusals are in its own words, which name fields and values
	// but never quote SQL; anything else is the database failing: 503.
	switch {
	case errors.Is(err, store.ErrNotFound):
		return notFound("%v / không tìm thấy", err)
	case errors.Is(err, store.ErrConflict):
		return &Error{Status: http.StatusConflict, Code: "Conflict", Description: err.Error()}
	case errors.Is(err, store.ErrPrecondition):
		return &Error{Status: http.StatusPreconditionFailed, Code: "PreconditionFailed",
			Description: err.Error() + "; read it again (its ETag) and retry / dữ liệu đã bị thay đổi, vui lòng tải lại"}
	case errors.Is(err, store.ErrInvalid):
		return badParam("body", "%v", err)
	case errors.Is(err, store.ErrTimeout):
		s.log.Warn("write cancelled by its deadline", "err", err)
		return &Error{Status: http.StatusServiceUnavailable, Code: "Unavailable",
			Description: fmt.Sprintf("the database did not finish the write within %s; nothing was written, try again shortly / "+
				"cơ sở dữ liệu bận, chưa ghi được, vui lòng thử lại sau", s.wcfg.DBTimeout)}
	}
	return s.unavailable(err)
}

// followWrite brings this server's snapshot up to a write it committed, so the
// writer reads its own write from here at once. Failing that (the database
// dropped right after the commit), the write stands: the notification or the
// catch-up after reconnecting brings it.
func (s *Server) followWrite(r *http.Request, ch store.Change) {
	ctx, cancel := s.writeContext(r)
	defer cancel()
	if err := s.cat.Apply(ctx, ch); err != nil {
		s.log.Warn("snapshot not updated after a write", "collection", ch.Collection, "version", ch.Version, "err", err,
			"request_id", requestID(r.Context()))
	}
}

// featureVersion names the state behind a feature's representations: the
// generation holding the feature and its rev (what If-Match compares), and the
// collection's version (the representation carries the collection's title).
func featureVersion(snap *catalog.Snapshot, f *catalog.Feature) string {
	return fmt.Sprintf("g%dr%dv%d", snap.Collection.Generation, f.Rev, snap.Version())
}

var featureTag = regexp.MustCompile(`^(?:W/)?"g([0-9]{1,18})r([0-9]{1,18})v[0-9]{1,18}-[0-9a-f]{1,16}"$`)

// ifMatch reads the If-Match header of a write: absent or "*" checks nothing
// (the feature must exist anyway); an ETag of this API names the generation and
// rev the client read; anything else cannot match and answers 412.
func ifMatch(r *http.Request) (rev *int64, gen int64, err error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" || h == "*" {
		return nil, 0, nil
	}
	m := featureTag.FindStringSubmatch(h)
	if m == nil {
		return nil, 0, &Error{Status: http.StatusPreconditionFailed, Code: "PreconditionFailed",
			Description: "If-Match must be one ETag of this feature, as GET returned it"}
	}
	g, _ := strconv.ParseInt(m[1], 10, 64)
	v, _ := strconv.ParseInt(m[2], 10, 64)
	return &v, g, nil
}

// itemRequest is a checked item write: the collection and the change to make.
type itemRequest struct {
	snap *catalog.Snapshot
	tok  *store.Token
	ch   store.ItemChange
}

// itemWrite checks a write on an item: rate, token, rights, collection,
// If-Match; the feature's body is read by the caller.
func (s *Server) itemWrite(w http.ResponseWriter, r *http.Request, action string) (*itemRequest, error) {
	tok, err := s.writer(w, r)
	if err != nil {
		return nil, err
	}
	if err := checkParams(r); err != nil {
		return nil, err
	}
	snap, err := s.snapshot(r)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(tok, snap); err != nil {
		return nil, err
	}
	req := &itemRequest{snap: snap, tok: tok, ch: store.ItemChange{Action: action, ID: mux.Vars(r)["featureId"]}}
	if action != "create" {
		if req.ch.IfRev, req.ch.IfGen, err = ifMatch(r); err != nil {
			return nil, err
		}
	}
	return req, nil
}

// commit writes the change, waits until this server's snapshot holds it, and
// answers with the feature as stored (status 201 with its Location for a
// create, 200 else), or 204 for a delete.
func (s *Server) commit(w http.ResponseWriter, r *http.Request, req *itemRequest) error {
	ctx, cancel := s.writeContext(r)
	version, err := s.db.WriteItem(ctx, req.snap.ID(), req.ch, audit(req.tok))
	cancel()
	if err != nil {
		return s.writeFailed(err)
	}
	s.log.Info("item written", "collection", req.snap.ID(), "feature", req.ch.ID, "action", req.ch.Action,
		"version", version, "token", req.tok.ID, "agency", req.tok.AgencyID, "request_id", requestID(r.Context()))
	s.followWrite(r, store.Change{Collection: req.snap.ID(), Version: version, Kind: "delta", IDs: []string{req.ch.ID}})
	w.Header().Set("Cache-Control", "no-store")
	if req.ch.Action == "delete" {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	location := itemsURL(s.baseURL(r), req.snap) + "/" + url.PathEscape(req.ch.ID)
	status := http.StatusOK
	if req.ch.Action == "create" {
		status = http.StatusCreated
		w.Header().Set("Location", location)
	}
	snap, ok := s.cat.Snapshot(req.snap.ID())
	f := snap.Feature(req.ch.ID)
	if !ok || snap.Version() < version || f == nil {
		w.WriteHeader(status) // written, but not yet visible here: the Location tells where
		return nil
	}
	// The ETag is the one a GET of the feature (without query) answers, so that
	// the writer can send it back as If-Match or If-None-Match.
	read := r.Clone(r.Context())
	if req.ch.Action == "create" {
		read.URL.Path = strings.TrimSuffix(r.URL.Path, "/") + "/" + req.ch.ID
	}
	read.URL.RawQuery = ""
	w.Header().Set("ETag", s.etag(read, featureVersion(snap, f), reprGeoJSON))
	w.Header().Set("Content-Type", mediaGeoJSON)
	w.WriteHeader(status)
	_, err = w.Write(f.JSON)
	return err
}

// createItem is POST /collections/{id}/items: a new feature (OGC API –
// Features Part 4, Create). Its id is the body's, else one is made.
func (s *Server) createItem(w http.ResponseWriter, r *http.Request) error {
	req, err := s.itemWrite(w, r, "create")
	if err != nil {
		return err
	}
	body, err := s.readFeature(w, r, req.snap, false)
	if err != nil {
		return err
	}
	req.ch.ID = body.id
	if req.ch.ID == "" {
		req.ch.ID = newFeatureID()
	}
	req.ch.NumID = ingest.NumericID(req.ch.ID)
	req.ch.EWKB, req.ch.Properties, req.ch.GeomType = body.ewkb, body.props, body.geomType
	return s.commit(w, r, req)
}

// replaceItem is PUT /collections/{id}/items/{featureId} (Replace).
func (s *Server) replaceItem(w http.ResponseWriter, r *http.Request) error {
	req, err := s.itemWrite(w, r, "replace")
	if err != nil {
		return err
	}
	body, err := s.readFeature(w, r, req.snap, false)
	if err != nil {
		return err
	}
	if body.id != "" && body.id != req.ch.ID {
		return badParam("id", "the body's id %q is not the id %q of the URL", body.id, req.ch.ID)
	}
	req.ch.EWKB, req.ch.Properties, req.ch.GeomType = body.ewkb, body.props, body.geomType
	return s.commit(w, r, req)
}

// updateItem is PATCH /collections/{id}/items/{featureId} with a JSON merge
// patch (RFC 7396) of the feature (Update): a geometry replaces the old one;
// properties are merged, null removing one.
func (s *Server) updateItem(w http.ResponseWriter, r *http.Request) error {
	req, err := s.itemWrite(w, r, "update")
	if err != nil {
		return err
	}
	body, err := s.readFeature(w, r, req.snap, true)
	if err != nil {
		return err
	}
	if body.id != "" && body.id != req.ch.ID {
		return badParam("id", "the id of a feature cannot change (%q in the body, %q in the URL)", body.id, req.ch.ID)
	}
	req.ch.EWKB, req.ch.Properties, req.ch.GeomType = body.ewkb, body.props, body.geomType
	return s.commit(w, r, req)
}

// deleteItem is DELETE /collections/{id}/items/{featureId} (Delete).
func (s *Server) deleteItem(w http.ResponseWriter, r *http.Request) error {
	req, err := s.itemWrite(w, r, "delete")
	if err != nil {
		return err
	}
	return s.commit(w, r, req)
}

func newFeatureID() string {
	var b [10]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// mediaMergePatch is the media type of a JSON merge patch (RFC 7396).
const mediaMergePatch = "application/merge-patch+json"

// featureBody is a feature of a write, checked against its collection: the
// geometry as EWKB (nil when a patch leaves it), the properties as a JSON object
// in schema order (a patch: only the members it changes, null removing one).
type featureBody struct {
	id       string
	ewkb     []byte
	props    []byte
	geomType string // the collection's geometry type when this feature sets it (first feature)
}

// readFeature reads and checks the GeoJSON Feature of a write (patch: a merge
// patch of one) against the collection's schema, geometry type and region.
func (s *Server) readFeature(w http.ResponseWriter, r *http.Request, snap *catalog.Snapshot, patch bool) (featureBody, error) {
	var out featureBody
	if err := checkMediaType(r, patch); err != nil {
		return out, err
	}
	members, err := readJSONObject(w, r, s.wcfg.MaxBodyBytes)
	if err != nil {
		return out, err
	}
	if t, ok := members["type"]; ok && string(t) != `"Feature"` {
		return out, badParam("type", "the body must be a GeoJSON Feature (\"type\": \"Feature\")")
	}
	if out.id, err = featureID(members["id"]); err != nil {
		return out, err
	}
	geom, hasGeom := members["geometry"]
	switch {
	case hasGeom && string(geom) != "null":
		if out.ewkb, out.geomType, err = s.readGeometry(r, geom, snap); err != nil {
			return out, err
		}
	case !patch || hasGeom:
		return out, badParam("geometry", "a feature needs a geometry / đối tượng cần có hình học")
	}
	props, hasProps := members["properties"]
	if !patch && !hasProps {
		props = []byte("{}")
	}
	if hasProps || !patch {
		out.props, err = checkProperties(props, snap.Collection.Schema, patch)
	}
	return out, err
}

func checkMediaType(r *http.Request, patch bool) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case patch && mt == mediaMergePatch:
		return nil
	case !patch && (mt == mediaGeoJSON || mt == mediaJSON):
		return nil
	}
	want := "application/geo+json (or application/json)"
	if patch {
		want = mediaMergePatch
	}
	return &Error{Status: http.StatusUnsupportedMediaType, Code: "UnsupportedMediaType",
		Description: fmt.Sprintf("send the feature as %s, not %q", want, r.Header.Get("Content-Type"))}
}

// readJSONObject reads a JSON object body of at most limit bytes into its members.
func readJSONObject(w http.ResponseWriter, r *http.Request, limit int64) (map[string]json.RawMessage, error) {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	dec := json.NewDecoder(r.Body)
	var members map[string]json.RawMessage
	err := dec.Decode(&members)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, bodyTooLarge(limit)
	}
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	if err != nil || members == nil {
		return nil, badParam("body", "not a JSON object: %v", jsonProblem(err))
	}
	return members, nil
}

// jsonProblem describes a JSON decoding error without Go type names.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return "null"
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return fmt.Sprintf("%s has the wrong type (%s)", typ.Field, typ.Value)
		}
		return fmt.Sprintf("a %s where an object was expected", typ.Value)
	}
	return err.Error()
}

func bodyTooLarge(limit int64) *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge, Code: "PayloadTooLarge",
		Description: fmt.Sprintf("the body is larger than %d bytes / dữ liệu gửi lên quá lớn", limit)}
}

// featureID reads a feature's id member: a string or an integer.
func featureID(raw json.RawMessage) (string, error) {
	if raw == nil || string(raw) == "null" {
		return "", nil
	}
	var id string
	if err := json.Unmarshal(raw, &id); err != nil {
		var n json.Number
		if json.Unmarshal(raw, &n) != nil {
			return "", badParam("id", "a feature id is a string or a number")
		}
		id = n.String()
	}
	id = norm.NFC.String(id)
	if id == "" || utf8.RuneCountInString(id) > 200 || strings.ContainsFunc(id, unicode.IsControl) {
		return "", badParam("id", "a feature id has 1 to 200 characters, none of them control characters")
	}
	return id, nil
}

// readGeometry reads a GeoJSON geometry in the request's Content-Crs (CRS84 by
// default), checks it and makes it of the collection's type (Point → MultiPoint
// in a MultiPoint collection); a collection without features takes its type.
func (s *Server) readGeometry(r *http.Request, raw json.RawMessage, snap *catalog.Snapshot) ([]byte, string, error) {
	g, err := geojson.UnmarshalGeometry(raw)
	if err != nil || g.Geometry() == nil {
		return nil, "", badParam("geometry", "not a GeoJSON geometry: %v", jsonProblem(err))
	}
	geom := g.Geometry()
	if h := r.Header.Get("Content-Crs"); h != "" {
		c, err := s.crs.param(strings.Trim(strings.TrimSpace(h), "<>"), "Content-Crs")
		if err != nil {
			return nil, "", err
		}
		if geom, err = fromCRS(geom, c); err != nil {
			return nil, "", badParam("geometry", "not a position of %s: %v", c.URI(), err)
		}
	}
	if err := importers.ValidateGeometry(geom); err != nil {
		return nil, "", badParam("geometry", "invalid geometry: %v", err)
	}
	if b, rb := geom.Bound(), s.cat.Region.BBox; b.Max[0] < rb[0] || b.Min[0] > rb[2] || b.Max[1] < rb[1] || b.Min[1] > rb[3] {
		return nil, "", badParam("geometry", "outside the region %s (%g,%g – %g,%g)", s.cat.Region.Name, rb[0], rb[1], rb[2], rb[3])
	}
	want := snap.Collection.GeometryType
	setType := ""
	switch got := geom.GeoJSONType(); {
	case want == "" && len(snap.Features) == 0:
		setType = got
	case want == "":
		return nil, "", badParam("geometry", "collection %s has no geometry type; set it with PUT /collections/%s", snap.ID(), snap.ID())
	case got != want && !promotable(got, want):
		return nil, "", badParam("geometry", "collection %s holds %s features, not %s / sai loại hình học", snap.ID(), want, got)
	default:
		geom = importers.Promote(geom, want)
	}
	b, err := ewkb.Marshal(geom, 4326)
	if err != nil {
		return nil, "", badParam("geometry", "cannot be stored: %v", err)
	}
	return b, setType, nil
}

// promotable reports whether a geometry of type got fits a collection of type
// want once promoted: a single type in its Multi* collection, or any geometry
// in a GeometryCollection one.
func promotable(got, want string) bool {
	return want == "Multi"+got || want == "GeometryCollection"
}

// fromCRS returns g, given in system c with c's axis order, in CRS84.
func fromCRS(g orb.Geometry, c *geo.CRS) (orb.Geometry, error) {
	return mapPoints(g, func(p orb.Point) (orb.Point, error) {
		x, y := c.AxisOrder(p[0], p[1])
		lon, lat, err := c.ToWGS84(x, y)
		return orb.Point{lon, lat}, err
	})
}

// checkProperties checks the properties of a write against the schema: every
// name is a property of the collection (an unknown one answers 400 naming it)
// and every value has its type. It returns them as a JSON object in schema
// order; a patch keeps nulls, which remove a property.
func checkProperties(raw json.RawMessage, schema []store.Property, patch bool) ([]byte, error) {
	if string(raw) == "null" {
		if !patch {
			raw = []byte("{}")
		} else {
			var all bytes.Buffer // a patch removing "properties" removes every property
			all.WriteByte('{')
			for i, p := range schema {
				if i > 0 {
					all.WriteByte(',')
				}
				all.Write(catalog.AppendJSONString(nil, p.Name))
				all.WriteString(":null")
			}
			all.WriteByte('}')
			return all.Bytes(), nil
		}
	}
	var given map[string]json.RawMessage
	if err := json.Unmarshal(raw, &given); err != nil || given == nil {
		return nil, badParam("properties", "must be a JSON object of the collection's properties")
	}
	known := map[string]bool{}
	for _, p := range schema {
		known[p.Name] = true
	}
	members := make(map[string]json.RawMessage, len(given))
	for name, v := range given {
		if !known[norm.NFC.String(name)] {
			return nil, badParam("properties."+name, "%q is not a property of this collection (see its /schema) / thuộc tính không có trong lược đồ", name)
		}
		members[norm.NFC.String(name)] = v
	}
	out := []byte{'{'}
	first := true
	for _, p := range schema {
		v, ok := members[p.Name]
		if !ok {
			continue
		}
		value, err := typedProperty(v, p)
		if err != nil {
			return nil, err
		}
		if value == nil && !patch {
			continue // stored properties leave nulls out
		}
		if !first {
			out = append(out, ',')
		}
		first = false
		out = catalog.AppendJSONString(out, p.Name)
		out = append(out, ':')
		if out, err = catalog.AppendValue(out, value, p.Type); err != nil {
			return nil, badParam("properties."+p.Name, "%v", err)
		}
	}
	return append(out, '}'), nil
}

// typedProperty reads one property value as its schema type says; nil is null.
func typedProperty(raw json.RawMessage, p store.Property) (any, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	bad := func(want string) error {
		return badParam("properties."+p.Name, "%.40s is not %s / sai kiểu dữ liệu", raw, want)
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, bad("a JSON value")
	}
	switch p.Type {
	case "integer":
		n, ok := v.(json.Number)
		if i, err := n.Int64(); ok && err == nil {
			return i, nil
		}
		if f, err := n.Float64(); ok && err == nil && f == math.Trunc(f) && math.Abs(f) <= 1<<53 {
			return int64(f), nil // 3.0 from a client that writes every number with a point
		}
		return nil, bad("an integer")
	case "number":
		n, ok := v.(json.Number)
		f, err := n.Float64()
		if !ok || err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, bad("a number")
		}
		return f, nil
	case "boolean":
		b, ok := v.(bool)
		if !ok {
			return nil, bad("true or false")
		}
		return b, nil
	case "date":
		str, ok := v.(string)
		if _, err := time.Parse(time.DateOnly, str); !ok || err != nil {
			return nil, bad("a date YYYY-MM-DD")
		}
		return str, nil
	case "date-time":
		str, ok := v.(string)
		t, err := time.Parse(time.RFC3339Nano, str)
		if !ok || err != nil {
			return nil, bad("an RFC 3339 date and time")
		}
		return t.UTC().Format(time.RFC3339Nano), nil
	case "object":
		if _, ok := v.(map[string]any); !ok {
			return nil, bad("a JSON object")
		}
		return v, nil
	case "array":
		if _, ok := v.([]any); !ok {
			return nil, bad("a JSON array")
		}
		return v, nil
	}
	str, ok := v.(string)
	if !ok {
		return nil, bad("text (a JSON string)")
	}
	return norm.NFC.String(str), nil
}
