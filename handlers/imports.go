package handlers

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/vn-opendata/geodata/importers"
	"github.com/vn-opendata/geodata/ingest"
	"github.com/vn-opendata/geodata/store"
)

// importParams are the options of an upload, by the names of `geodata import`'s
// flags, given as query parameters or as fields of a multipart form. metaParams
// fill the collection's catalogue metadata.
var (
	importParams = []string{"format", "encoding", "sheet", "layer", "lon-col", "lat-col", "crs", "id-column",
		"mode", "dry-run", "max-errors", "allow-outside", "force", "mapping", "filename"}
	metaParams = []string{"title", "title-en", "description", "agency", "first-published", "frequency", "notes",
		"theme", "license", "attribution", "keywords", "contact", "contact-email", "contact-phone",
		"temporal-start", "temporal-end", "temporal-property", "catalog-no"}
)

// uploadTypes names the file extension of a raw upload by its Content-Type,
// when no file name says it.
var uploadTypes = map[string]string{
	"text/csv":                  ".csv",
	"text/tab-separated-values": ".tsv",
	mediaGeoJSON:                ".geojson",
	mediaJSON:                   ".geojson",
	"application/x-ndjson":      ".ndjson",
	"application/geo+json-seq":  ".ndjson",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
	"application/vnd.google-earth.kml+xml":                              ".kml",
	"application/vnd.google-earth.kmz":                                  ".kmz",
	"application/zip":                                                   ".zip",
	"application/x-zip-compressed":                                      ".zip",
}

// formatExtensions gives a spooled file the extension of a declared format.
var formatExtensions = map[string]string{"csv": ".csv", "tsv": ".tsv", "geojson": ".geojson", "ndjson": ".ndjson",
	"xlsx": ".xlsx", "shapefile": ".zip", "kml": ".kml", "kmz": ".kmz", "gtfs": ".zip"}

// upload is a received file with its options, checked, ready to import.
type upload struct {
	path    string // the spooled file
	options map[string]string
	req     ingest.Request
}

// startImport is POST /collections/{id}/imports: the file arrives as the body
// (its type in Content-Type, its name in filename=) or as the "file" field of a
// multipart form, with the options of `geodata import`. The file is spooled
// under the data folder, checked enough to refuse a wrong request at once, and
// imported by a job of this process; the answer is 202 with the job's URL,
// which any replica answers from PostgreSQL.
func (s *Server) startImport(w http.ResponseWriter, r *http.Request) error {
	tok, err := s.writer(w, r)
	if err != nil {
		return err
	}
	id := mux.Vars(r)["collectionId"]
	if !collectionID.MatchString(id) {
		return badParam("collectionId", "%q: a collection id has lower-case letters, digits, - and _ (at most 63, first a letter or digit)", id)
	}
	// A file of hundreds of megabytes takes longer than the read timeout of
	// ordinary requests.
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Now().Add(s.wcfg.UploadTimeout))
	rc.SetWriteDeadline(time.Now().Add(s.wcfg.UploadTimeout + time.Minute))
	up, err := s.receive(w, r)
	if up != nil && err != nil {
		os.Remove(up.path)
	}
	if err != nil {
		return err
	}
	if err := s.prepare(r, id, tok, up); err != nil {
		os.Remove(up.path)
		return err
	}
	job, err := s.db.CreateJob(r.Context(), store.NewJob{Collection: id, Options: up.options, SourceName: up.req.SourceName,
		TokenID: tok.ID, AgencyID: tok.AgencyID})
	if err != nil {
		os.Remove(up.path)
		return s.unavailable(err)
	}
	s.log.Info("import job queued", "job", job.ID, "collection", id, "file", up.req.SourceName, "token", tok.ID,
		"agency", tok.AgencyID, "request_id", requestID(r.Context()))
	s.jobs.start(s, job, up)
	doc := s.jobDoc(r, job)
	w.Header().Set("Location", doc.Links[0].Href)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", mediaJSON)
	w.WriteHeader(http.StatusAccepted)
	return writeJSON(w, mediaJSON, doc)
}

// receive spools the uploaded file and collects the options.
func (s *Server) receive(w http.ResponseWriter, r *http.Request) (*upload, error) {
	r.Body = http.MaxBytesReader(w, r.Body, s.wcfg.MaxUploadBytes)
	up := &upload{options: map[string]string{}}
	if err := up.addOptions(r.URL.Query()); err != nil {
		return nil, err
	}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	if mt == "multipart/form-data" {
		err = s.receiveForm(multipart.NewReader(r.Body, params["boundary"]), up)
	} else {
		name := up.options["filename"]
		if name == "" {
			if _, p, err := mime.ParseMediaType(r.Header.Get("Content-Disposition")); err == nil {
				name = p["filename"]
			}
		}
		err = s.spool(up, r.Body, name, uploadTypes[mt])
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return up, &Error{Status: http.StatusRequestEntityTooLarge, Code: "PayloadTooLarge",
			Description: fmt.Sprintf("the file is larger than %d MiB / tệp quá lớn", s.wcfg.MaxUploadBytes>>20)}
	}
	if err != nil {
		return up, err
	}
	if up.path == "" {
		return up, badParam("file", "no file: send it as the body, or as the field \"file\" of a multipart form")
	}
	return up, nil
}

// receiveForm reads a multipart form: option fields and one "file".
func (s *Server) receiveForm(mr *multipart.Reader, up *upload) error {
	for fields := 0; ; fields++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return asUploadError(err)
		}
		name := part.FormName()
		switch {
		case fields > 100:
			return badParam("body", "too many form fields")
		case name == "file" && up.path != "":
			return badParam("file", "send one file per import")
		case name == "file":
			if err := s.spool(up, part, part.FileName(), uploadTypes[part.Header.Get("Content-Type")]); err != nil {
				return err
			}
		default:
			b, err := io.ReadAll(io.LimitReader(part, 64<<10+1))
			if err != nil {
				return asUploadError(err)
			}
			if len(b) > 64<<10 {
				return badParam(name, "a form field holds at most 64 KiB")
			}
			if err := up.addOptions(url.Values{name: {string(b)}}); err != nil {
				return err
			}
		}
	}
}

// asUploadError keeps the body-size error recognisable and names any other
// failure to read the body as the client's.
func asUploadError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return err
	}
	return badParam("body", "unreadable upload: %v", err)
}

// addOptions takes options, each once, refusing unknown names by name.
func (up *upload) addOptions(v url.Values) error {
	for name, values := range v {
		if !slices.Contains(importParams, name) && !slices.Contains(metaParams, name) {
			return badParam(name, "unknown option; an import takes %s and the metadata %s",
				strings.Join(importParams, ", "), strings.Join(metaParams, ", "))
		}
		if _, dup := up.options[name]; dup || len(values) != 1 {
			return badParam(name, "give the option once")
		}
		up.options[name] = values[0]
	}
	return nil
}

var safeExtension = regexp.MustCompile(`^\.[a-z0-9]{1,10}$`)

// spool writes the file to the upload folder under a name of its own that keeps
// only the extension of the client's name, which the readers go by.
func (s *Server) spool(up *upload, body io.Reader, name, typeExt string) error {
	base := cleanText(filepath.Base(strings.ReplaceAll(name, "\\", "/")))
	if base == "." || base == "/" {
		base = ""
	}
	ext := strings.ToLower(filepath.Ext(base))
	if !safeExtension.MatchString(ext) {
		ext = typeExt
	}
	if ext == "" {
		ext = formatExtensions[up.options["format"]]
	}
	if base == "" {
		base = "upload" + ext
	}
	up.req.SourceName = base
	f, err := os.CreateTemp(s.uploads, "upload-*"+ext)
	if err != nil {
		return err
	}
	up.path = f.Name()
	_, err = io.Copy(f, body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return asUploadError(err)
	}
	return nil
}

// prepare turns the options into the import request and checks what can be
// checked before importing: rights, option values, metadata, the file's format.
func (s *Server) prepare(r *http.Request, collection string, tok *store.Token, up *upload) error {
	o := up.options
	req := &up.req
	req.Path, req.Collection, req.Region = up.path, collection, s.cat.Region
	req.Actor, req.TokenID, req.AgencyID = audit(tok).Actor, tok.ID, tok.AgencyID
	if err := parseImportOptions(o, req); err != nil {
		return err
	}
	m, err := uploadMetadata(o)
	if err != nil {
		return err
	}
	if snap, ok := s.cat.Snapshot(collection); ok {
		if err := s.authorize(tok, snap); err != nil {
			return err
		}
	} else if m.AgencyID == "" {
		m.AgencyID = tok.AgencyID
	}
	if m.AgencyID != "" && !s.mayWrite(tok, m.AgencyID) {
		return forbidden("an agency's token cannot give a collection to agency " + m.AgencyID)
	}
	if err := s.checkMetadata(r.Context(), &m); err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Parameter = strings.ReplaceAll(e.Parameter, "_", "-")
		}
		return err
	}
	req.Metadata = m
	return checkFormat(req)
}

// parseImportOptions reads the options of the reader and of the pipeline.
func parseImportOptions(o map[string]string, req *ingest.Request) error {
	var err error
	mode := o["mode"]
	if mode == "" {
		mode = string(ingest.Replace)
	}
	if req.Mode, err = ingest.ParseMode(mode); err != nil {
		return badParam("mode", "%q: use replace, append or upsert", mode)
	}
	for name, into := range map[string]*bool{"dry-run": &req.DryRun, "allow-outside": &req.AllowOutside, "force": &req.Force} {
		if v, ok := o[name]; ok {
			if *into, err = strconv.ParseBool(v); err != nil {
				return badParam(name, "%q: use true or false", v)
			}
		}
	}
	if v, ok := o["max-errors"]; ok {
		if req.MaxErrors, err = strconv.ParseInt(v, 10, 64); err != nil || req.MaxErrors < 0 {
			return badParam("max-errors", "%q: a number of rows, 0 or more", v)
		}
	}
	if f := o["format"]; f != "" && !slices.Contains(importers.Formats, f) {
		return badParam("format", "%q: use one of %s", f, strings.Join(importers.Formats, ", "))
	}
	enc, err := importers.ParseEncoding(o["encoding"])
	if err != nil {
		return badParam("encoding", "%v", err)
	}
	req.Options = importers.Options{Format: o["format"], LonColumn: o["lon-col"], LatColumn: o["lat-col"],
		IDColumn: o["id-column"], Encoding: enc, Sheet: o["sheet"], Layer: o["layer"], CRS: o["crs"]}
	if err := req.Options.ValidateCRS(); err != nil {
		return badParam("crs", "%v", err)
	}
	if v := o["mapping"]; v != "" {
		if req.Mapping, err = importers.ParseMapping([]byte(v), "(the mapping field)"); err != nil {
			return badParam("mapping", "%v", err)
		}
	}
	return nil
}

// uploadMetadata reads the catalogue metadata options.
func uploadMetadata(o map[string]string) (store.Metadata, error) {
	m := store.Metadata{Title: o["title"], TitleEn: o["title-en"], Description: o["description"], AgencyID: o["agency"],
		FirstPublished: o["first-published"], Frequency: o["frequency"], Notes: o["notes"], Theme: o["theme"],
		LicenseURI: o["license"], LicenseAttribution: o["attribution"], Contact: o["contact"],
		ContactEmail: o["contact-email"], ContactPhone: o["contact-phone"], TemporalStart: o["temporal-start"],
		TemporalEnd: o["temporal-end"], TemporalProperty: o["temporal-property"]}
	for _, k := range strings.Split(o["keywords"], ",") {
		if k = strings.TrimSpace(k); k != "" {
			m.Keywords = append(m.Keywords, k)
		}
	}
	if v := o["catalog-no"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return m, badParam("catalog-no", "%q: a positive number", v)
		}
		m.CatalogNo = n
	}
	return m, nil
}

// checkFormat refuses at once a file whose format cannot be told, and a GTFS
// feed without the layer to import (a feed makes two collections).
func checkFormat(req *ingest.Request) error {
	format := req.Options.Format
	if format == "" {
		f, err := importers.SniffFormat(req.Path)
		if err != nil {
			return badParam("file", "%v", err)
		}
		format = f
	}
	if !slices.Contains(importers.Formats, format) {
		return &Error{Status: http.StatusUnsupportedMediaType, Code: "UnsupportedMediaType",
			Description: fmt.Sprintf("cannot tell the format of %q: give the file's name (filename=) or its format (format=: %s)",
				req.SourceName, strings.Join(importers.Formats, ", "))}
	}
	if format == "gtfs" && req.Options.Layer == "" {
		return badParam("layer", "a GTFS feed holds stops and routes: import one per collection with layer=%s or layer=%s",
			importers.LayerStops, importers.LayerRoutes)
	}
	return nil
}
